import { setupServer } from 'msw/node'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createTwin, defaultTwin, handlers } from '../handlers/per-api/flextell.ts'
import { twinHandlers } from '../handlers/msw.ts'

// Fault injection through the MSW handlers (what a browser page gets from the service worker), not only `serve`.
const server = setupServer(...handlers)
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterAll(() => server.close())
beforeEach(async () => (await defaultTwin()).reset())

async function put(headers: Record<string, string>) {
  const actor = (await defaultTwin()).accounts('flextell')[0]
  return fetch(`http://app.test/flextell/api/v1/users/${actor?.userId}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${actor?.token}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ title: 'Faulty' }),
  })
}

describe('X-Twin-Delay / X-Twin-Fail through MSW', () => {
  it('holds the answer for the asked delay, then answers normally', async () => {
    const started = performance.now()
    const res = await put({ 'x-twin-delay': '300' })
    expect(performance.now() - started).toBeGreaterThanOrEqual(250)
    expect(res.status).toBe(200)
  })

  it('replaces the answer with a 500 or a 503 with retry-after, leaving the data unchanged', async () => {
    const failed = await put({ 'x-twin-fail': '500' })
    expect(failed.status).toBe(500)
    expect(await failed.json()).toEqual({ message: 'Injected failure (X-Twin-Fail: 500)' })
    const unavailable = await put({ 'x-twin-fail': '503' })
    expect(unavailable.status).toBe(503)
    expect(unavailable.headers.get('retry-after')).toBe('1')
    const twin = await defaultTwin()
    const actor = twin.accounts('flextell')[0]
    const after = await fetch(`http://app.test/flextell/api/v1/users/${actor?.userId}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${actor?.token}` },
      body: '{}',
    })
    expect(((await after.json()) as { data: { title: string | null } }).data.title).not.toBe('Faulty')
  })

  it('fails at the network level with X-Twin-Fail: network', async () => {
    await expect(put({ 'x-twin-fail': 'network' })).rejects.toThrow(TypeError)
  })

  it('refuses an out-of-range value with 400 naming the allowed range', async () => {
    const res = await put({ 'x-twin-delay': '999999' })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { message: string }).message).toMatch(/0 to 60000/)
    expect((await put({ 'x-twin-fail': 'sometimes' })).status).toBe(400)
  })
})

describe('defaultTwin', () => {
  it('refuses another seed once it exists, and accepts the same one', async () => {
    const twin = await defaultTwin()
    expect(() => defaultTwin({ seed: twin.seed + 1 })).toThrow(/already exists with seed 1107.*cannot be re-seeded/)
    await expect(defaultTwin({ seed: twin.seed })).resolves.toBe(twin)
  })

  it('own twins take any seed: twinHandlers(await createTwin({ seed }))', async () => {
    const twin = await createTwin({ seed: 7 })
    expect(twin.seed).toBe(7)
    expect(twin.apis.map((a) => a.name)).toEqual(['flextell'])
    expect(twinHandlers(twin)).toHaveLength(2)
  })
})
