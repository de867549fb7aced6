import { afterEach, describe, expect, it, vi } from 'vitest'
import { batchedSink, requestLog } from '../server/log.ts'

// The request log gathers lines and writes them together (server/log.ts): these hold that nothing is lost or
// reordered by the gathering, and that it neither waits long nor grows without bound.
describe('batched request log', () => {
  afterEach(() => vi.useRealTimers())

  it('writes the lines of a burst once, in order, within 10 ms', () => {
    vi.useFakeTimers()
    const writes: string[] = []
    const sink = batchedSink((bytes) => writes.push(bytes.toString('utf8')))
    const log = requestLog('text', sink)
    log('PUT', '/flextell/api/v1/users/1', 200, 1.25)
    log('PUT', '/flextell/api/v1/users/2', 422, 0.5)
    expect(writes).toEqual([])
    vi.advanceTimersByTime(10)
    expect(writes).toEqual(['PUT /flextell/api/v1/users/1 200 1.3ms\nPUT /flextell/api/v1/users/2 422 0.5ms\n'])
    log('GET', '/__twin/apis', 200, 0.1)
    vi.advanceTimersByTime(10)
    expect(writes).toHaveLength(2)
    expect(writes[1]).toBe('GET /__twin/apis 200 0.1ms\n')
  })

  it('keeps every character of a line: multi-byte UTF-8, and a line longer than the buffer', () => {
    vi.useFakeTimers()
    const writes: string[] = []
    const sink = batchedSink((bytes) => writes.push(bytes.toString('utf8')))
    sink('GET /ü/日本/😀 200 0.1ms')
    const long = 'é'.repeat(40_000)
    sink(long)
    sink.flush()
    expect(writes.join('')).toBe(`GET /ü/日本/😀 200 0.1ms\n${long}\n`)
  })

  it('writes at once when the buffer (64 KiB) is full, and flush() writes the rest', () => {
    vi.useFakeTimers()
    const writes: string[] = []
    const sink = batchedSink((bytes) => writes.push(bytes.toString('utf8')))
    const line = 'x'.repeat(1000)
    for (let i = 0; i < 70; i++) sink(line)
    expect(writes).toHaveLength(1)
    expect(writes[0]?.length).toBeLessThanOrEqual(64 * 1024)
    sink('last')
    sink.flush()
    expect(writes).toHaveLength(2)
    expect(writes[1]).toMatch(/^x+\n(x+\n)*last\n$/)
    expect(writes.join('').split('\n').filter(Boolean)).toHaveLength(71)
  })
})
