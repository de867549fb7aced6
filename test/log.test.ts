import { afterEach, describe, expect, it, vi } from 'vitest'
import { batchedSink, requestLog } from '../server/log.ts'

// The request log gathers lines and writes them together (server/log.ts): these hold that nothing is lost or
// reordered by the gathering, and that it neither waits long nor grows without bound.
describe('batched request log', () => {
  afterEach(() => vi.useRealTimers())

  it('writes the lines of a burst once, in order, within 10 ms', () => {
    vi.useFakeTimers()
    const writes: string[] = []
    const sink = batchedSink((text) => writes.push(text))
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

  it('writes at once when the pending text passes 64 KiB, and flush() writes the rest', () => {
    vi.useFakeTimers()
    const writes: string[] = []
    const sink = batchedSink((text) => writes.push(text))
    const line = 'x'.repeat(1000)
    for (let i = 0; i < 70; i++) sink(line)
    expect(writes).toHaveLength(1)
    expect(writes[0]?.length).toBeGreaterThan(64 * 1024)
    sink('last')
    sink.flush()
    expect(writes).toHaveLength(2)
    expect(writes[1]).toMatch(/^x+\n(x+\n)*last\n$/)
    expect(writes.join('').split('\n').filter(Boolean)).toHaveLength(71)
  })
})
