import { request as httpRequest } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { startServer, type RunningServer, type ServeOptions } from '../server/serve.ts'
import { account, bodyFor, discover, update, userPath, type Discovered } from './helpers/apis.ts'
import { raw } from './helpers/raw-http.ts'

const open: RunningServer[] = []
afterEach(async () => {
  for (const server of open.splice(0)) await server.close()
})

async function serve(
  options: ServeOptions = {},
  log: string[] = [],
): Promise<{ server: RunningServer; apis: Record<string, Discovered>; log: string[] }> {
  const server = await startServer({ port: 0, log: (line) => log.push(line), ...options })
  open.push(server)
  return { server, apis: await discover(server.url), log }
}

const MiB = 1024 * 1024

/** Each API's error shape, as its dialect renders it. */
const shapes: Record<string, (status: number) => Record<string, unknown>> = {
  flextell: () => ({ message: expect.any(String) }),
  medibulut: () => ({ message: expect.any(String) }),
  'rails-users': () => ({ status: 'error', message: expect.any(String) }),
  gorules: (status) => ({ statusCode: status, message: expect.any(String), ...(status !== 500 && { error: expect.any(String) }) }),
}

/**
 * Streams a chunked body of up to `max` bytes and stops as soon as the server answers; resolves with the answer
 * and how much had been written by then.
 */
function streamUntilAnswered(
  url: string,
  path: string,
  method: string,
  headers: Record<string, string>,
  max: number,
): Promise<{ status: number; body: unknown; sent: number }> {
  const target = new URL(url)
  return new Promise((resolve, reject) => {
    let sent = 0
    let answered = false
    const chunk = Buffer.alloc(64 * 1024, 'a')
    const req = httpRequest(
      { host: target.hostname, port: target.port, method, path, agent: false, headers: { ...headers, 'transfer-encoding': 'chunked' } },
      (res) => {
        answered = true
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          req.destroy()
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown, sent })
        })
      },
    )
    req.on('error', (error) => {
      if (!answered) reject(error)
    })
    req.write('{"first_name":"')
    const pump = () => {
      while (!answered && sent < max) {
        sent += chunk.length
        if (!req.write(chunk)) return void req.once('drain', pump)
      }
      if (!answered) req.end('"}')
    }
    pump()
  })
}

describe('body limits', () => {
  it("answers a streamed body past the limit with the API's own 413 as soon as it passes, without reading the rest", async () => {
    const { server, apis } = await serve()
    for (const api of Object.values(apis)) {
      const actor = account(api, 'actor')
      const answer = await streamUntilAnswered(
        server.url,
        userPath(api, actor),
        api.method,
        { authorization: `Bearer ${actor.token}`, 'content-type': 'application/json' },
        256 * MiB,
      )
      expect(answer.status, api.name).toBe(413)
      expect(answer.body, api.name).toEqual(expect.objectContaining(shapes[api.name]!(413)))
      // Answered long before the client was done: the server stopped reading (socket buffers hold a few MiB).
      expect(answer.sent, api.name).toBeLessThan(64 * MiB)
    }
    // Still alive and still answering.
    expect((await fetch(`${server.url}/__twin/apis`)).status).toBe(200)
  }, 20_000)

  it('refuses a Content-Length over the limit before reading a byte (a 600 MiB body no longer crashes the process)', async () => {
    const { server, apis } = await serve()
    for (const api of Object.values(apis)) {
      const actor = account(api, 'actor')
      const target = new URL(server.url)
      const answer = await new Promise<{ status: number; body: unknown }>((resolve, reject) => {
        const req = httpRequest(
          {
            host: target.hostname,
            port: target.port,
            method: api.method,
            path: userPath(api, actor),
            agent: false,
            headers: { authorization: `Bearer ${actor.token}`, 'content-type': 'application/json', 'content-length': String(600 * MiB) },
          },
          (res) => {
            const chunks: Buffer[] = []
            res.on('data', (c: Buffer) => chunks.push(c))
            res.on('end', () => {
              req.destroy()
              resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown })
            })
          },
        )
        req.on('error', reject)
        req.write('{') // the headers go out; the 600 MiB never will
      })
      expect(answer.status, api.name).toBe(413)
      expect(answer.body, api.name).toEqual(expect.objectContaining(shapes[api.name]!(413)))
    }
  })

  it('takes its limit from bodyLimit (--body-limit): one byte over is refused, the limit itself passes', async () => {
    const { server, apis } = await serve({ bodyLimit: 200 })
    const api = apis['flextell']!
    const actor = account(api, 'actor')
    const body = (size: number) => {
      const base = JSON.stringify({ title: '' })
      return JSON.stringify({ title: 'x'.repeat(size - base.length) })
    }
    const send = (text: string) =>
      raw(server.url, {
        method: 'PUT',
        path: userPath(api, actor),
        headers: { authorization: `Bearer ${actor.token}`, 'content-type': 'application/json' },
        body: text,
      })
    expect((await send(body(200))).status).toBe(200)
    const over = await send(body(201))
    expect(over.status).toBe(413)
    expect(over.json()).toEqual({ message: 'The request body is larger than 200 bytes; send a smaller body.' })
  })
})

describe("the vendor's order of reading", () => {
  it('gorules judges the token when the request is handled: revoked while a slow body arrives, it is refused', async () => {
    const { server, apis } = await serve()
    const api = apis['gorules']!
    const [admin, member] = [account(api, 'actor'), account(api, 'peer')]
    const target = new URL(server.url)
    const slow = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: 'PUT',
          path: userPath(api, member),
          agent: false,
          headers: { authorization: `Bearer ${member.token}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        },
        (res) => {
          let text = ''
          res.on('data', (c: Buffer) => (text += c.toString()))
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
        },
      )
      req.on('error', reject)
      req.write('{"firstName":')
      // The rest of the body arrives only after the admin has disabled the member (and so ended their session).
      setTimeout(() => {
        void update(server.url, api, admin, member, { status: 'disabled' }).then((res) => {
          expect(res.status).toBe(200)
          req.end('"Slow"}')
        }, reject)
      }, 100)
    })
    const answer = await slow
    expect(answer.status).toBe(401)
    expect(JSON.parse(answer.text)).toEqual({ statusCode: 401, message: 'Unauthorized' })
  })
})

describe("wrong methods, preflights and unknown paths, as each vendor's stack answers them", () => {
  it("Laravel answers 405 with Allow; Rails and Nest on Fastify their own 404, each in its API's shape", async () => {
    const { server, apis } = await serve()
    const ask = (api: Discovered, method: string) => raw(server.url, { method, path: userPath(api, account(api, 'actor')) })
    const flextell = await ask(apis['flextell']!, 'GET')
    expect(flextell.status).toBe(405)
    expect(flextell.headers['allow']).toBe('PUT')
    expect(flextell.json()).toEqual({ message: 'The GET method is not supported for route api/v1/users/1. Supported methods: PUT.' })
    const medibulut = await ask(apis['medibulut']!, 'PUT')
    expect(medibulut.status).toBe(405)
    expect(medibulut.headers['allow']).toBe('PATCH')
    const rails = await ask(apis['rails-users']!, 'PATCH')
    expect(rails.status).toBe(404)
    expect(rails.json()).toEqual({
      status: 'error',
      message: `No route matches [PATCH] "/users/${account(apis['rails-users']!, 'actor').userId}"`,
    })
    const gorules = await ask(apis['gorules']!, 'DELETE')
    expect(gorules.status).toBe(404)
    expect(gorules.json()).toEqual({
      statusCode: 404,
      message: `Cannot DELETE /api/users/${account(apis['gorules']!, 'actor').userId}`,
      error: 'Not Found',
    })
  })

  it('answers a CORS preflight only on a real route', async () => {
    const { server, apis } = await serve()
    const preflight = (path: string) =>
      raw(server.url, { method: 'OPTIONS', path, headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'PUT' } })
    const real = await preflight(userPath(apis['flextell']!, account(apis['flextell']!, 'actor')))
    expect(real.status).toBe(204)
    expect(real.headers['access-control-allow-methods']).toBe('PUT, OPTIONS')
    expect((await preflight('/nowhere')).status).toBe(404)
    expect((await preflight('/flextell/api/v1/nothing/here')).status).toBe(404)
  })
})

describe('Host check and discovery (DNS rebinding)', () => {
  it('answers localhost, loopback addresses and --allowed-host names; any other Host gets 403', async () => {
    const { server } = await serve({ allowedHosts: ['mock.test'] })
    const port = new URL(server.url).port
    const status = async (host: string, path = '/__twin/apis') => (await raw(server.url, { path, headers: { host } })).status
    expect(await status(`localhost:${port}`)).toBe(200)
    expect(await status(`127.0.0.1:${port}`)).toBe(200)
    expect(await status(`[::1]:${port}`)).toBe(200)
    expect(await status(`mock.test:${port}`)).toBe(200)
    expect(await status(`evil.example:${port}`)).toBe(403)
    expect(await status('rebind.attacker.example', '/flextell/api/v1/users/1')).toBe(403)
    const refused = await raw(server.url, { path: '/__twin/apis', headers: { host: 'evil.example' } })
    expect(refused.json()).toEqual<Record<string, unknown>>({ message: expect.stringContaining('--allowed-host') })
    // Under an API's path, in that API's shape.
    const rails = await raw(server.url, { method: 'PUT', path: '/rails-users/users/1', headers: { host: 'evil.example' } })
    expect(rails.json()).toEqual<Record<string, unknown>>({ status: 'error', message: expect.stringContaining('--allowed-host') })
    const nest = await raw(server.url, { method: 'PUT', path: '/gorules/api/users/x', headers: { host: 'evil.example' } })
    expect(nest.json()).toEqual<Record<string, unknown>>({
      statusCode: 403,
      message: expect.stringContaining('--allowed-host'),
      error: 'Forbidden',
    })
  })

  it('publishes baseUrl from the bound address or --public-url, never from the Host header', async () => {
    const { server } = await serve()
    const listed = (await raw(server.url, { path: '/__twin/apis', headers: { host: `localhost:1` } })).json() as { apis: Discovered[] }
    expect(listed.apis[0]?.baseUrl).toBe(`${server.url}/flextell`)
    const { server: published } = await serve({ publicUrl: 'http://mock.test:8080/' })
    const named = (await (await fetch(`${published.url}/__twin/apis`)).json()) as { apis: Discovered[] }
    expect(named.apis.map((a) => a.baseUrl)).toEqual([
      'http://mock.test:8080/flextell',
      'http://mock.test:8080/rails-users',
      'http://mock.test:8080/medibulut',
      'http://mock.test:8080/gorules',
    ])
  })
})

describe('fault headers out of range', () => {
  it("refuses X-Twin-Delay / X-Twin-Fail out of range with 400 naming the range, in the API's shape (never clamped)", async () => {
    const { server, apis } = await serve()
    const started = performance.now()
    for (const api of Object.values(apis)) {
      const actor = account(api, 'actor')
      const delay = await update(server.url, api, actor, actor, {}, { 'x-twin-delay': '60001' })
      expect(delay.status, api.name).toBe(400)
      const body = (await delay.json()) as Record<string, unknown>
      expect(body, api.name).toEqual(expect.objectContaining(shapes[api.name]!(400)))
      expect(String(body['message']), api.name).toContain('from 0 to 60000')
      expect((await update(server.url, api, actor, actor, {}, { 'x-twin-delay': '-5' })).status).toBe(400)
      expect((await update(server.url, api, actor, actor, {}, { 'x-twin-fail': '418' })).status).toBe(400)
      for (const fail of ['500', '503']) {
        const injected = await update(server.url, api, actor, actor, {}, { 'x-twin-fail': fail })
        expect(injected.status).toBe(Number(fail))
        expect(await injected.json(), `${api.name} ${fail}`).toEqual(expect.objectContaining(shapes[api.name]!(Number(fail))))
      }
    }
    expect(performance.now() - started).toBeLessThan(5000)
  })
})

describe('Content-Type and UTF-8, as each stack reads a body', () => {
  it('Fastify (gorules) refuses a non-JSON Content-Type with 415; Laravel ignores such a body; Rails finds no `user` param (400)', async () => {
    const { server, apis } = await serve()
    const send = (api: Discovered, body: string, type: string) => {
      const actor = account(api, 'actor')
      return raw(server.url, {
        method: api.method,
        path: userPath(api, actor),
        headers: { authorization: `Bearer ${actor.token}`, 'content-type': type },
        body,
      })
    }
    const gorules = await send(apis['gorules']!, JSON.stringify({ firstName: 'Plain' }), 'text/plain')
    expect(gorules.status).toBe(415)
    expect(gorules.json()).toEqual(
      expect.objectContaining({ statusCode: 415, error: 'Unsupported Media Type', message: 'Unsupported Media Type: text/plain' }),
    )
    const flextell = await send(apis['flextell']!, JSON.stringify({ name: 'Stored Anyway' }), 'text/plain')
    expect(flextell.status).toBe(200)
    expect((flextell.json() as { data: { name: string } }).data.name).not.toBe('Stored Anyway')
    const rails = await send(apis['rails-users']!, JSON.stringify({ user: { name: 'Stored Anyway' } }), 'text/plain')
    expect(rails.status).toBe(400)
    expect(rails.json()).toEqual({ status: 'error', message: 'param is missing or the value is empty: user' })
  })

  it("refuses a JSON body that is not UTF-8 with 400 in every API's shape, storing nothing", async () => {
    const { server, apis } = await serve()
    for (const api of Object.values(apis)) {
      const actor = account(api, 'actor')
      const field = api.name === 'gorules' ? 'firstName' : 'name'
      const json = JSON.stringify(bodyFor(api, actor, { [field]: 'XX' }))
      const bytes = Buffer.from(json, 'utf8')
      const at = bytes.indexOf('XX')
      bytes[at] = 0xff
      bytes[at + 1] = 0xfe
      const answer = await raw(server.url, {
        method: api.method,
        path: userPath(api, actor),
        headers: { authorization: `Bearer ${actor.token}`, 'content-type': 'application/json' },
        body: bytes,
      })
      expect(answer.status, api.name).toBe(400)
      expect(answer.json(), api.name).toEqual(expect.objectContaining(shapes[api.name]!(400)))
    }
  })
})

describe('logging', () => {
  it('escapes control characters: a path cannot forge a log line or reach the terminal', async () => {
    const { server, log } = await serve()
    log.length = 0
    await raw(server.url, { method: 'PUT', path: '/flextell/api/v1/users/1%0d%0aPUT%20/forged%20200%201.0ms%1b%5b2J' })
    await raw(server.url, { path: '/nowhere/%0a%1b%5b31m%e2%80%a8' })
    expect(log).toHaveLength(2)
    // eslint-disable-next-line no-control-regex -- looking for control characters is the point: none may reach the log
    for (const line of log) expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/)
    expect(log.join('\n').split('\n')).toHaveLength(2)
  })

  it('writes one JSON object per line with a timestamp under --log json', async () => {
    const { server, log } = await serve({ logFormat: 'json' })
    log.length = 0
    await fetch(`${server.url}/__twin/apis`)
    const entry = JSON.parse(log[0] ?? '') as Record<string, unknown>
    expect(entry).toEqual<Record<string, unknown>>({
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      method: 'GET',
      path: '/__twin/apis',
      status: 200,
      ms: expect.any(Number),
    })
  })
})

describe('request journal', () => {
  it('lists the API requests with their parsed bodies, secrets masked, and clears on DELETE', async () => {
    const { server, apis } = await serve()
    const api = apis['flextell']!
    const actor = account(api, 'actor')
    await update(server.url, api, actor, actor, {
      name: 'Journal Name',
      password: 'Journal-secret-1',
      password_confirmation: 'Journal-secret-1',
    })
    await fetch(`${server.url}/__twin/apis`)
    const listed = await (await fetch(`${server.url}/__twin/requests`)).text()
    expect(listed).not.toContain('Journal-secret-1')
    expect(listed).not.toContain(actor.token)
    const { requests } = JSON.parse(listed) as { requests: Array<Record<string, unknown>> }
    expect(requests).toEqual<Array<Record<string, unknown>>>([
      {
        id: 1,
        time: expect.any(String),
        method: 'PUT',
        path: '/flextell/api/v1/users/1',
        status: 200,
        ms: expect.any(Number),
        body: { name: 'Journal Name', password: '***', password_confirmation: '***' },
      },
    ])
    expect((await fetch(`${server.url}/__twin/requests`, { method: 'DELETE' })).status).toBe(200)
    expect(((await (await fetch(`${server.url}/__twin/requests`)).json()) as { requests: unknown[] }).requests).toEqual([])
  })

  it('keeps only the last N requests', async () => {
    const { server, apis } = await serve({ journalSize: 3 })
    const api = apis['flextell']!
    const actor = account(api, 'actor')
    for (let i = 0; i < 5; i++) await update(server.url, api, actor, actor, { title: `T${i}` })
    const { requests } = (await (await fetch(`${server.url}/__twin/requests`)).json()) as { requests: Array<{ body: { title: string } }> }
    expect(requests.map((r) => r.body.title)).toEqual(['T2', 'T3', 'T4'])
  })
})

describe('rails-users outbox', () => {
  it('keeps the last 1,000 e-mails', async () => {
    const { server, apis } = await serve()
    const api = apis['rails-users']!
    const actor = account(api, 'actor')
    // 1,003 e-mail changes, 17 batches of 59 concurrent requests: the first batch is the oldest.
    const batch = 59
    for (let start = 0; start < 1003; start += batch) {
      const answers = await Promise.all(
        Array.from({ length: batch }, (_, i) => update(server.url, api, actor, actor, { email: `box-${start + i}@example.com` })),
      )
      expect(answers.map((a) => a.status)).toEqual(Array(batch).fill(200))
    }
    const { emails } = (await (await fetch(`${server.url}/__twin/rails-users/outbox`)).json()) as { emails: Array<{ to: string }> }
    expect(emails).toHaveLength(1000)
    const kept = new Set(emails.map((e) => e.to))
    expect(kept.size).toBe(1000)
    // The three dropped are from the first batch; the last batch is all there.
    expect(Array.from({ length: batch }, (_, i) => kept.has(`box-${i}@example.com`)).filter(Boolean)).toHaveLength(batch - 3)
    for (let i = 1003 - batch; i < 1003; i++) expect(kept.has(`box-${i}@example.com`)).toBe(true)
  }, 20_000)
})
