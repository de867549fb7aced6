import { createServer } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createTwin } from '../handlers/twin.ts'
import { startServer, type RunningServer } from '../server/serve.ts'
import { UsageError } from '../server/usage-error.ts'
import { spawnServe, type SpawnedServer } from './helpers/spawn-serve.ts'

interface Discovery {
  apis: Array<{
    name: string
    baseUrl: string
    method: string
    path: string
    accounts: Array<{ label: string; userId: number; token: string; email: string; tenant?: number }>
  }>
}

const open: RunningServer[] = []
afterEach(async () => {
  for (const server of open.splice(0)) await server.close()
})

async function serve(log: string[] = []): Promise<RunningServer> {
  const server = await startServer({ port: 0, log: (line) => log.push(line), fastGlobals: false })
  open.push(server)
  return server
}

async function actorOf(url: string) {
  const discovery = (await (await fetch(`${url}/__twin/apis`)).json()) as Discovery
  const flextell = discovery.apis.find((a) => a.name === 'flextell')
  const actor = flextell?.accounts.find((a) => a.label === 'actor')
  if (!flextell || !actor) throw new Error('no flextell actor in discovery')
  return { flextell, actor }
}

function put(url: string, token: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${url}/flextell/api/v1/users/1`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })
}

describe('apitwin serve', () => {
  it('publishes every API with its base URL, method, path and accounts', async () => {
    const server = await serve()
    const { flextell, actor } = await actorOf(server.url)
    expect(flextell).toMatchObject({ baseUrl: `${server.url}/flextell`, method: 'PUT', path: '/api/v1/users/{id}' })
    expect(flextell.accounts.map((a) => a.label)).toEqual(['actor', 'peer', 'foreign'])
    expect(actor).toMatchObject({ userId: 1, tenant: 1 })
    expect(flextell.accounts.find((a) => a.label === 'foreign')?.tenant).toBe(2)
  })

  it('keeps an update until POST /__twin/reset restores the seeded data', async () => {
    const server = await serve()
    const { actor } = await actorOf(server.url)
    const original = ((await (await put(server.url, actor.token, {})).json()) as { data: { name: string } }).data.name
    await put(server.url, actor.token, { name: 'Changed Name' })
    expect(((await (await put(server.url, actor.token, {})).json()) as { data: { name: string } }).data.name).toBe('Changed Name')
    const reset = await fetch(`${server.url}/__twin/reset`, { method: 'POST' })
    expect(reset.status).toBe(200)
    expect(((await (await put(server.url, actor.token, {})).json()) as { data: { name: string } }).data.name).toBe(original)
  })

  it('answers CORS preflights for any origin and marks responses cross-origin readable', async () => {
    const server = await serve()
    const preflight = await fetch(`${server.url}/flextell/api/v1/users/1`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'authorization,content-type,x-tenant',
      },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*')
    expect(preflight.headers.get('access-control-allow-methods')).toContain('PUT')
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization')
    const { actor } = await actorOf(server.url)
    const response = await put(server.url, actor.token, {}, { origin: 'http://localhost:5173' })
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
  })

  it('makes every kind of answer readable from a local page: API errors, control routes, unknown routes, faults', async () => {
    const server = await serve()
    const origin = { origin: 'http://localhost:5173' }
    const answers = [
      await fetch(`${server.url}/flextell/api/v1/users/1`, { method: 'PUT', headers: origin }),
      await fetch(`${server.url}/rails-users/users/1`, { method: 'PUT', headers: origin }),
      await fetch(`${server.url}/medibulut/101/users/485`, { method: 'PATCH', headers: origin }),
      await fetch(`${server.url}/gorules/api/users/not-a-uuid`, { method: 'PUT', headers: origin }),
      await fetch(`${server.url}/__twin/apis`, { headers: origin }),
      await fetch(`${server.url}/__twin/rails-users/outbox`, { headers: origin }),
      await fetch(`${server.url}/__twin/reset`, { method: 'POST', headers: origin }),
      await fetch(`${server.url}/nowhere`, { headers: origin }),
      await fetch(`${server.url}/flextell/api/v1/users/1`, { method: 'PUT', headers: { ...origin, 'x-twin-fail': '503' } }),
    ]
    // A reset from another origin's page, local or not, is refused (control writes are same-origin: control-guard.ts).
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401, 200, 200, 403, 404, 503])
    // API answers are open to any origin; the control routes (which carry the tokens) to local pages only.
    expect(answers.map((a) => a.headers.get('access-control-allow-origin'))).toEqual([
      '*',
      '*',
      '*',
      '*',
      origin.origin,
      origin.origin,
      origin.origin,
      origin.origin,
      '*',
    ])
    const foreign = await fetch(`${server.url}/__twin/apis`, { headers: { origin: 'https://evil.example' } })
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('injects faults per request: delay, 500, 503 and a dropped connection', async () => {
    const log: string[] = []
    const server = await serve(log)
    const { actor } = await actorOf(server.url)
    const started = performance.now()
    expect((await put(server.url, actor.token, {}, { 'x-twin-delay': '300' })).status).toBe(200)
    expect(performance.now() - started).toBeGreaterThanOrEqual(290)
    expect((await put(server.url, actor.token, {}, { 'x-twin-fail': '500' })).status).toBe(500)
    const unavailable = await put(server.url, actor.token, {}, { 'x-twin-fail': '503' })
    expect(unavailable.status).toBe(503)
    expect(unavailable.headers.get('retry-after')).toBe('1')
    await expect(put(server.url, actor.token, {}, { 'x-twin-fail': 'network' })).rejects.toThrow(TypeError)
    const bad = await put(server.url, actor.token, {}, { 'x-twin-fail': 'sometimes' })
    expect(bad.status).toBe(400)
    expect(await bad.json()).toEqual({ message: 'X-Twin-Fail must be one of 500, 503, network, got "sometimes"' })
    expect(log).toContain(
      `PUT /flextell/api/v1/users/1 dropped ${log
        .find((l) => l.includes('dropped'))
        ?.split(' ')
        .at(-1)}`,
    )
  })

  it('logs one line per request: method, path, status, duration', async () => {
    const log: string[] = []
    const server = await serve(log)
    await fetch(`${server.url}/__twin/apis`)
    await fetch(`${server.url}/flextell/api/v1/users/1`, { method: 'PUT' })
    await fetch(`${server.url}/nowhere`)
    expect(log).toHaveLength(3)
    expect(log[0]).toMatch(/^GET \/__twin\/apis 200 \d+\.\dms$/)
    expect(log[1]).toMatch(/^PUT \/flextell\/api\/v1\/users\/1 401 \d+\.\dms$/)
    expect(log[2]).toMatch(/^GET \/nowhere 404 /)
  })

  it('serves the rails-users outbox at /__twin/rails-users/outbox, emptied by a reset', async () => {
    const server = await serve()
    const discovery = (await (await fetch(`${server.url}/__twin/apis`)).json()) as Discovery
    const actor = discovery.apis.find((a) => a.name === 'rails-users')?.accounts.find((a) => a.label === 'actor')
    const outbox = async () =>
      ((await (await fetch(`${server.url}/__twin/rails-users/outbox`)).json()) as { emails: Array<{ to: string }> }).emails
    expect(await outbox()).toEqual([])
    const res = await fetch(`${server.url}/rails-users/users/${actor?.userId}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${actor?.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ user: { email: 'fresh@example.com' } }),
    })
    expect(res.status).toBe(200)
    expect((await outbox()).map((e) => e.to)).toEqual(['fresh@example.com'])
    await fetch(`${server.url}/__twin/reset`, { method: 'POST' })
    expect(await outbox()).toEqual([])
  })

  it('answers an unknown route with a 404 that says where to look, and an unknown path under an API as its router does', async () => {
    const server = await serve()
    const response = await fetch(`${server.url}/nowhere/api/v2/users/1`, { method: 'PUT' })
    expect(response.status).toBe(404)
    expect(await response.json()).toEqual({
      message: 'No apitwin route for PUT /nowhere/api/v2/users/1. GET /__twin/apis lists every API and its path.',
    })
    const laravel = await fetch(`${server.url}/flextell/api/v2/users/1`, { method: 'PUT' })
    expect(laravel.status).toBe(404)
    expect(await laravel.json()).toEqual({ message: 'The route api/v2/users/1 could not be found.' })
  })

  it('refuses a taken port with a one-line UsageError', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const port = (blocker.address() as { port: number }).port
    try {
      const attempt = startServer({ port, log: () => {}, fastGlobals: false })
      await expect(attempt).rejects.toBeInstanceOf(UsageError)
      await expect(attempt).rejects.toThrow(`port ${port} on 127.0.0.1 is already in use`)
    } finally {
      blocker.close()
    }
  })
})

describe('apitwin serve as a process', () => {
  const children: SpawnedServer[] = []
  afterEach(async () => {
    for (const child of children.splice(0)) await child.stop('SIGKILL')
  })

  it('shuts down cleanly on SIGINT and on SIGTERM', async () => {
    const started = await Promise.all([spawnServe(), spawnServe()])
    children.push(...started)
    await Promise.all(
      (['SIGINT', 'SIGTERM'] as const).map(async (signal, i) => {
        const child = started[i]!
        await fetch(`${child.url}/__twin/apis`)
        expect(await child.stop(signal)).toBe(0)
        expect(child.output()).toContain(`apitwin: ${signal}, finishing in-flight requests`)
        expect(child.output()).toMatch(/GET \/__twin\/apis 200/)
      }),
    )
  })

  it('serves the accounts its --seed and --users give, the same as an in-process twin', async () => {
    const child = await spawnServe(['--quiet', '--seed', '7', '--users', '40'])
    children.push(child)
    const served = (await (await fetch(`${child.url}/__twin/apis`)).json()) as Discovery
    const twin = await createTwin({ seed: 7, users: 40 })
    for (const api of served.apis) expect(api.accounts).toEqual(twin.accounts(api.name))
    expect(served.apis.find((a) => a.name === 'flextell')?.accounts[0]?.token).not.toBe((await createTwin()).accounts('flextell')[0]?.token)
  })
})
