import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { controlHandlers } from '../handlers/control-handlers.ts'
import { twinHandlers } from '../handlers/msw.ts'
import { createTwin } from '../handlers/twin.ts'
import type { ControlState } from '../handlers/control-api.ts'
import { startServer, type RunningServer } from '../server/serve.ts'
import { account, discover, update } from './helpers/apis.ts'
import { raw } from './helpers/raw-http.ts'

// The control page's JSON API (/__twin/state, readings, faults) over `apitwin serve`, its write guard, --state, and
// the same API as MSW handlers (the browser panel's). The page itself in Chromium: test/e2e/control-page.test.ts.
const open: RunningServer[] = []
let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'apitwin-control-'))
})
afterEach(async () => {
  for (const server of open.splice(0)) await server.close()
})
afterAll(() => rm(dir, { recursive: true, force: true }))

async function serve(options: Parameters<typeof startServer>[0] = {}): Promise<RunningServer> {
  const server = await startServer({ port: 0, log: false, ...options })
  open.push(server)
  return server
}

const json = { 'content-type': 'application/json' }
const write = (url: string, method: string, path: string, body?: unknown, headers: Record<string, string> = json) =>
  fetch(`${url}${path}`, { method, headers, ...(body !== undefined && { body: JSON.stringify(body) }) })

/** gorules refuses an unknown status with its validation status: 400 by default, 422 under the other reading. */
async function invalidGorules(url: string): Promise<number> {
  const api = (await discover(url))['gorules']!
  const actor = account(api, 'actor')
  return (await update(url, api, actor, actor, { status: 'deleted' })).status
}

const anyString: unknown = expect.any(String)

describe('control JSON API over apitwin serve', () => {
  it('lists every API with accounts, readings (default, active, why) and faults in GET /__twin/state', async () => {
    const server = await serve()
    const state = (await (await fetch(`${server.url}/__twin/state`)).json()) as ControlState
    expect(state.apis.map((api) => api.name)).toEqual(['flextell', 'rails-users', 'medibulut', 'gorules'])
    const gorules = state.apis.find((api) => api.name === 'gorules')!
    expect(gorules.baseUrl).toBe(`${server.url}/gorules`)
    expect(state.apis[0]!.accounts.map((a) => a.label)).toEqual(['actor', 'peer', 'foreign'])
    expect(gorules.accounts[0]!.token).toEqual(expect.any(String))
    expect(gorules.readings.find((r) => r.rule === 'validation.status')).toMatchObject({
      default: '400',
      active: '400',
      why: anyString,
      options: [{ value: '400' }, { value: '422' }],
    })
    expect(gorules.changed).toEqual([])
    expect(gorules.fault).toBeNull()
    expect(state.apis.find((api) => api.name === 'rails-users')!.controls['outbox']).toBe(`${server.url}/__twin/rails-users/outbox`)
  })

  it('switches a reading live: the next request follows it, the data stays, the state says it differs', async () => {
    const server = await serve()
    const api = (await discover(server.url))['gorules']!
    const actor = account(api, 'actor')
    expect((await update(server.url, api, actor, actor, { firstName: 'Kept' })).status).toBe(200)
    expect(await invalidGorules(server.url)).toBe(400)
    const switched = await write(server.url, 'PUT', '/__twin/readings/gorules', { 'validation.status': '422' })
    expect(switched.status).toBe(200)
    expect(await invalidGorules(server.url)).toBe(422)
    expect(((await (await update(server.url, api, actor, actor, {})).json()) as { firstName: string }).firstName).toBe('Kept')
    const state = (await (await fetch(`${server.url}/__twin/state`)).json()) as ControlState
    expect(state.apis.find((a) => a.name === 'gorules')!.changed).toEqual(['validation.status'])
    // Discovery shows the readings the mock follows now.
    expect((await discover(server.url))['gorules']).toMatchObject({ readings: { 'validation.status': '422' } })
    expect((await write(server.url, 'PUT', '/__twin/readings/gorules', { 'validation.status': null })).status).toBe(200)
    expect(await invalidGorules(server.url)).toBe(400)
    await write(server.url, 'PUT', '/__twin/readings/gorules', { 'validation.status': '422' })
    expect((await write(server.url, 'DELETE', '/__twin/readings/gorules')).status).toBe(200)
    expect(await invalidGorules(server.url)).toBe(400)
  })

  it('refuses an unknown rule or value naming the allowed ones, and an unknown API', async () => {
    const server = await serve()
    const bad = await write(server.url, 'PUT', '/__twin/readings/gorules', { 'validation.status': '418' })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { message: string }).message).toContain('choose one of 400, 422')
    expect((await write(server.url, 'PUT', '/__twin/readings/gorules', { 'no.such.rule': 'x' })).status).toBe(400)
    expect((await write(server.url, 'PUT', '/__twin/readings/nope', {})).status).toBe(404)
    expect((await write(server.url, 'PUT', '/__twin/faults/flextell', { fail: '418' })).status).toBe(400)
    expect((await write(server.url, 'PUT', '/__twin/faults/flextell', { delayMs: 60_001 })).status).toBe(400)
  })

  it('applies a fault to every request of one API until it is turned off', async () => {
    const server = await serve()
    const apis = await discover(server.url)
    const flextell = apis['flextell']!
    const gorules = apis['gorules']!
    const call = () => update(server.url, flextell, account(flextell, 'actor'), account(flextell, 'actor'), {})
    expect((await write(server.url, 'PUT', '/__twin/faults/flextell', { fail: '503' })).status).toBe(200)
    expect((await call()).status).toBe(503)
    expect((await call()).status).toBe(503)
    // Other APIs are untouched.
    expect((await update(server.url, gorules, account(gorules, 'actor'), account(gorules, 'actor'), {})).status).toBe(200)
    await write(server.url, 'PUT', '/__twin/faults/flextell', { fail: 'network' })
    await expect(call()).rejects.toThrow()
    await write(server.url, 'PUT', '/__twin/faults/flextell', { delayMs: 300, fail: null })
    const started = performance.now()
    expect((await call()).status).toBe(200)
    expect(performance.now() - started).toBeGreaterThanOrEqual(290)
    expect((await write(server.url, 'DELETE', '/__twin/faults/flextell')).status).toBe(200)
    expect(((await (await fetch(`${server.url}/__twin/faults`)).json()) as { faults: Record<string, unknown> }).faults).toEqual({
      flextell: null,
      'rails-users': null,
      medibulut: null,
      gorules: null,
    })
    expect((await call()).status).toBe(200)
  })

  it('journals control changes beside API requests, and lists only newer entries with ?after=', async () => {
    const server = await serve()
    await write(server.url, 'PUT', '/__twin/faults/medibulut', { delayMs: 5 })
    const { requests } = (await (await fetch(`${server.url}/__twin/requests`)).json()) as {
      requests: Array<{ id: number; method: string; path: string; status: number; body: unknown }>
    }
    expect(requests.at(-1)).toMatchObject({ method: 'PUT', path: '/__twin/faults/medibulut', status: 200, body: { delayMs: 5 } })
    const last = requests.at(-1)!.id
    expect(((await (await fetch(`${server.url}/__twin/requests?after=${last}`)).json()) as { requests: unknown[] }).requests).toEqual([])
  })

  it('keeps readings and faults in the --state file across a restart', async () => {
    const file = join(dir, 'control.json')
    const first = await serve({ stateFile: file })
    await write(first.url, 'PUT', '/__twin/readings/gorules', { 'validation.status': '422' })
    await write(first.url, 'PUT', '/__twin/faults/flextell', { fail: '500' })
    await first.close()
    const second = await serve({ stateFile: file })
    expect(await invalidGorules(second.url)).toBe(422)
    const flextell = (await discover(second.url))['flextell']!
    expect((await update(second.url, flextell, account(flextell, 'actor'), account(flextell, 'actor'), {})).status).toBe(500)
  })
})

describe('control write guard (no write access from another origin)', () => {
  it('refuses writes from another origin, a cross-site fetch, a form content type; reads carry no CORS for a foreign page', async () => {
    const server = await serve()
    const host = new URL(server.url).host
    const attempt = (
      headers: Record<string, string>,
      path = '/__twin/readings/gorules',
      method = 'PUT',
      body = '{"validation.status":"422"}',
    ) =>
      raw(server.url, {
        method,
        path,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
        body,
      })
    expect((await attempt({ origin: 'https://evil.example' })).status).toBe(403)
    // A local page on another port is another origin too: it may read (as before) but never write.
    expect((await attempt({ origin: 'http://localhost:5173' })).status).toBe(403)
    expect((await attempt({ 'sec-fetch-site': 'cross-site' })).status).toBe(403)
    expect((await attempt({ 'sec-fetch-site': 'same-site' })).status).toBe(403)
    expect((await attempt({ 'content-type': 'text/plain' })).status).toBe(415)
    expect((await attempt({ 'content-type': 'application/x-www-form-urlencoded' }, '/__twin/reset', 'POST', 'a=1')).status).toBe(415)
    expect((await attempt({ origin: 'https://evil.example' }, '/__twin/reset', 'POST', '')).status).toBe(403)
    expect((await attempt({ origin: 'https://evil.example' }, '/__twin/requests', 'DELETE', '')).status).toBe(403)
    expect(await invalidGorules(server.url)).toBe(400)
    // The page itself (same origin, as a browser sends it) may write.
    expect((await attempt({ origin: `http://${host}`, 'sec-fetch-site': 'same-origin' })).status).toBe(200)
    expect(await invalidGorules(server.url)).toBe(422)
    // No preflight is granted for a write, so a browser never sends one cross-origin.
    const preflight = await raw(server.url, {
      method: 'OPTIONS',
      path: '/__twin/readings/gorules',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'PUT' },
    })
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined()
    const foreign = await raw(server.url, { path: '/__twin/state', headers: { origin: 'https://evil.example' } })
    expect(foreign.status).toBe(200)
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined()
    // The DNS-rebinding Host check holds for the page and its API.
    expect((await raw(server.url, { path: '/__twin/', headers: { host: 'evil.example' } })).status).toBe(403)
    expect((await raw(server.url, { path: '/__twin/state', headers: { host: 'evil.example' } })).status).toBe(403)
  })

  it('serves the page with a strict CSP (own scripts only, no framing) and its modules; --no-control turns both off', async () => {
    const server = await serve()
    const page = await fetch(`${server.url}/__twin/`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toMatch(/^text\/html/)
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'")
    expect(await page.text()).toContain('src="./assets/page.js"')
    const script = await fetch(`${server.url}/__twin/assets/page.js`)
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/)
    expect(await script.text()).toContain('mountPanel')
    expect((await fetch(`${server.url}/__twin/assets/..%2Fserver%2Fapp.js`)).status).toBe(404)
    expect((await fetch(`${server.url}/__twin`, { redirect: 'manual' })).headers.get('location')).toBe('/__twin/')
    const off = await serve({ control: false })
    expect((await fetch(`${off.url}/__twin/`)).status).toBe(404)
    expect((await write(off.url, 'PUT', '/__twin/faults/flextell', { fail: '503' })).status).toBe(404)
    expect((await fetch(`${off.url}/__twin/apis`)).status).toBe(200)
  })
})

describe('control JSON API as MSW handlers (the browser panel)', () => {
  it('switches readings and faults, journals requests and resets, in process', async () => {
    const twin = await createTwin({ apis: (await import('../handlers/twin.ts')).apis.filter((api) => api.name === 'gorules') })
    const server = setupServer(...controlHandlers(twin), ...twinHandlers(twin))
    server.listen({ onUnhandledRequest: 'error' })
    try {
      const base = 'http://app.test'
      const [actor] = twin.accounts('gorules')
      const put = (body: unknown) =>
        fetch(`${base}/gorules/api/users/${actor!.userId}`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${actor!.token}`, ...json },
          body: JSON.stringify(body),
        })
      expect((await put({ status: 'deleted' })).status).toBe(400)
      expect((await write(base, 'PUT', '/__twin/readings/gorules', { 'validation.status': '422' })).status).toBe(200)
      expect((await put({ status: 'deleted' })).status).toBe(422)
      expect((await write(base, 'PUT', '/__twin/faults/gorules', { fail: '503' })).status).toBe(200)
      expect((await put({})).status).toBe(503)
      expect((await write(base, 'DELETE', '/__twin/faults/gorules')).status).toBe(200)
      expect((await put({ firstName: 'Changed' })).status).toBe(200)
      expect((await write(base, 'PUT', '/__twin/faults/gorules', { fail: '503' }, { 'content-type': 'text/plain' })).status).toBe(415)
      const { requests } = (await (await fetch(`${base}/__twin/requests`)).json()) as { requests: Array<{ path: string; status: number }> }
      expect(requests.map((r) => r.status)).toEqual([400, 200, 422, 200, 503, 200, 200])
      expect((await write(base, 'POST', '/__twin/reset')).status).toBe(200)
      expect(((await (await put({})).json()) as { firstName: string }).firstName).not.toBe('Changed')
      const state = (await (await fetch(`${base}/__twin/state`)).json()) as ControlState
      expect(state.apis[0]).toMatchObject({ name: 'gorules', baseUrl: `${base}/gorules`, changed: ['validation.status'] })
    } finally {
      server.close()
    }
  })
})
