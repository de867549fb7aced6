import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Account } from '../fixtures/account.ts'
import { JSON_LIMITS } from '../handlers/json-limits.ts'
import { raw, type RawResponse } from './helpers/raw-http.ts'
import { spawnServe, type SpawnedServer } from './helpers/spawn-serve.ts'

// Issue 18: hostile input is never a 500, on an imported API or on the four. Every input has a limit and a clear
// refusal in the API's own error format; nothing crashes, and the next request is answered normally. Over real HTTP
// against `apitwin serve --openapi`.

const item = { $ref: '#/components/schemas/Thing' }
const json = (schema: unknown) => ({ 'application/json': { schema } })
const error = { description: 'error', content: json({ $ref: '#/components/schemas/Error' }) }
const hostile = {
  openapi: '3.1.0',
  info: { title: 'Hostile', version: '1' },
  paths: {
    '/things': {
      get: {
        parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1 } }],
        responses: { '200': { description: 'list', content: json({ type: 'array', items: item }) }, default: error },
      },
      post: {
        requestBody: {
          required: true,
          content: { ...json(item), 'application/x-www-form-urlencoded': { schema: item } },
        },
        responses: { '201': { description: 'created', content: json(item) }, default: error },
      },
    },
    '/things/{id}': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
      get: { responses: { '200': { description: 'one', content: json(item) }, default: error } },
    },
  },
  components: {
    schemas: {
      Thing: {
        type: 'object',
        required: ['name'],
        properties: {
          id: { type: 'integer', readOnly: true },
          name: { type: 'string' },
          // Free-form: anything nests here, so only the twin's own limits stand between a body and the validator.
          data: {},
          tags: { type: 'array', uniqueItems: true },
        },
      },
      Error: { type: 'object', required: ['message'], properties: { message: { type: 'string' }, code: { type: 'integer' } } },
    },
  },
}

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth)

let dir = ''
let server: SpawnedServer
let accounts: ReadonlyMap<string, Account & { readonly baseUrl: string }>
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'apitwin-hostile-'))
  const doc = join(dir, 'hostile.json')
  await writeFile(doc, JSON.stringify(hostile))
  // validation.status at 422 (not the default 400), so the test sees the reading, not a coincidence.
  server = await spawnServe(['--quiet', '--openapi', `hostile=${doc}`, '--reading', 'hostile.validation.status=422'])
  const discovery = (await (await fetch(`${server.url}/__twin/apis`)).json()) as {
    apis: Array<{ name: string; baseUrl: string; accounts: Account[] }>
  }
  accounts = new Map(discovery.apis.map((api) => [api.name, { ...(api.accounts[0] as Account), baseUrl: api.baseUrl }]))
}, 30_000)
afterAll(async () => {
  await server.stop()
  await rm(dir, { recursive: true, force: true })
})

/** A POST to the imported API; `type` null sends no Content-Type at all. */
function post(body: string | Buffer, type: string | null = 'application/json', path = '/hostile/things'): Promise<RawResponse> {
  return raw(server.url, { method: 'POST', path, headers: type === null ? {} : { 'content-type': type }, body })
}

/** The imported API's refusal: the validation.status reading, the document's own Error schema, saying why. */
function refused(response: RawResponse, status: number, message: RegExp): void {
  expect(response.status, response.text).toBe(status)
  expect(response.headers['content-type']).toMatch(/^application\/json/)
  const body = response.json() as { message?: unknown }
  expect(Object.keys(body).sort()).toEqual(['code', 'message'])
  expect(body.message).toMatch(message)
}

describe('hostile input to an imported API (apitwin serve --openapi)', () => {
  it(`refuses nesting deeper than ${JSON_LIMITS.depth} levels with its validation status, and serves what fits`, async () => {
    refused(await post(`{"name":"x","data":${nested(JSON_LIMITS.depth)}}`), 422, /nested more than 64 levels deep/)
    refused(await post(`{"name":"x","data":${nested(100_000)}}`), 422, /nested more than 64 levels deep/)
    refused(await post(nested(100_000)), 422, /nested more than 64 levels deep/)
    // 64 levels in all (the body itself is one): stored, then answered (JSON.stringify of it once crashed serve).
    const fits = await post(`{"name":"x","data":${nested(JSON_LIMITS.depth - 1)}}`)
    expect(fits.status, fits.text).toBe(201)
    const { id } = fits.json() as { id: number }
    const read = await raw(server.url, { path: `/hostile/things/${id}` })
    expect(read.status).toBe(200)
    expect(read.text).toContain(nested(JSON_LIMITS.depth - 1))
  })

  it('refuses too many elements, keys, values and too long strings', async () => {
    const list = (n: number) => `[${Array.from({ length: n }, (_, i) => `{"n":${i}}`).join(',')}]`
    refused(await post(`{"name":"x","tags":${list(JSON_LIMITS.elements + 1)}}`), 422, /more than 1000 elements/)
    const keys = (n: number) => `{${Array.from({ length: n }, (_, i) => `"k${i}":1`).join(',')}}`
    refused(await post(`{"name":"x","data":${keys(JSON_LIMITS.keys + 1)}}`), 422, /more than 1000 keys/)
    refused(await post(`{"name":"x","data":[${Array(20).fill(list(900)).join(',')}]}`), 422, /more than 10000 values/)
    refused(await post(JSON.stringify({ name: 'x'.repeat(JSON_LIMITS.stringLength + 1) })), 422, /100001 characters long/)
    // At the limits: 1,000 distinct objects under uniqueItems (the validator compares every pair) are accepted.
    const fits = await post(`{"name":"x","tags":${list(JSON_LIMITS.elements)}}`)
    expect(fits.status, fits.text).toBe(201)
  })

  it('refuses __proto__ and constructor.prototype keys at any depth, escaped or not; a plain "constructor" is just unknown', async () => {
    refused(await post('{"name":"x","__proto__":{"polluted":true}}'), 422, /"__proto__" is not accepted as a key/)
    refused(await post('{"name":"x","data":{"a":[{"\\u005f_proto__":{"polluted":true}}]}}'), 422, /"__proto__" is not accepted/)
    refused(await post('{"name":"x","constructor":{"prototype":{"polluted":true}}}'), 422, /"constructor" is not accepted/)
    refused(await post('name=x&__proto__=1', 'application/x-www-form-urlencoded'), 422, /"__proto__" or "constructor"/)
    const plain = await post('{"name":"x","constructor":"y","toString":"z"}')
    expect(plain.status, plain.text).toBe(201)
    expect(plain.json()).toEqual({ id: expect.any(Number) as number, name: 'x' })
    // Nothing leaked into any object's prototype: a fresh record has no "polluted" field.
    const next = await post('{"name":"after"}')
    expect(next.text).not.toContain('polluted')
  })

  it('refuses invalid UTF-8, malformed JSON, wrong or missing content types and empty bodies, each in its own words', async () => {
    const invalidUtf8 = await post(Buffer.from([0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]))
    expect(invalidUtf8.status).toBe(400)
    expect((invalidUtf8.json() as { message: string }).message).toMatch(/not valid UTF-8/)
    const malformed = await post('{"name":')
    expect(malformed.status).toBe(400)
    expect((malformed.json() as { message: string }).message).toMatch(/not valid JSON/)
    for (const type of ['text/plain', 'application/xml', null]) {
      const wrong = await post('{"name":"x"}', type)
      expect(wrong.status, String(type)).toBe(415)
      expect((wrong.json() as { message: string }).message).toMatch(/is not accepted; send one of application\/json/)
    }
    refused(await post(''), 422, /a request body is required/)
    refused(await post(' \n '), 422, /a request body is required/)
  })

  it('takes the first of repeated query values for a scalar parameter, and bounds how many are read', async () => {
    const repeated = await raw(server.url, { path: `/hostile/things?${Array(1000).fill('limit=2').join('&')}` })
    expect(repeated.status, repeated.text).toBe(200)
    expect(repeated.json()).toHaveLength(2)
    refused(await raw(server.url, { path: '/hostile/things?limit=0&limit=2' }), 422, /query\.limit/)
  })

  it('is still answering normally, and its process never crashed', async () => {
    const ok = await raw(server.url, { path: '/hostile/things/1' })
    expect(ok.status).toBe(200)
    expect(server.child.exitCode).toBeNull()
    expect(server.output()).not.toMatch(/RangeError|Maximum call stack|TypeError/)
  })
})

describe('the same hostile bodies to the four hand-written APIs', () => {
  /** Method, path, body wrapper and the refusal shape of each vendor's stack. */
  const four = {
    flextell: { method: 'PUT', path: (a: Account) => `/users/${a.userId}`, wrap: (b: string) => b, shape: ['message'] },
    'rails-users': {
      method: 'PUT',
      path: (a: Account) => `/users/${a.userId}`,
      wrap: (b: string) => `{"user":${b}}`,
      shape: ['message', 'status'],
    },
    medibulut: {
      method: 'PATCH',
      path: (a: Account) => `/${String(a.tenant)}/users/${a.userId}`,
      wrap: (b: string) => b,
      shape: ['message'],
    },
    gorules: {
      method: 'PUT',
      path: (a: Account) => `/api/users/${a.userId}`,
      wrap: (b: string) => b,
      shape: ['error', 'message', 'statusCode'],
    },
  } as const

  for (const [name, api] of Object.entries(four)) {
    it(`${name}: refuses each limit with its own 400, drops or refuses __proto__ as its stack does, then answers normally`, async () => {
      const account = accounts.get(name) as Account & { baseUrl: string }
      const path = `${new URL(account.baseUrl).pathname}${name === 'flextell' ? '/api/v1' : ''}${api.path(account)}`
      const send = (body: string) =>
        raw(server.url, {
          method: api.method,
          path,
          headers: { authorization: `Bearer ${account.token}`, 'content-type': 'application/json' },
          body: api.wrap(body),
        })
      const hostileBodies = [
        `{"name":${nested(100_000)}}`,
        `{"name":[${Array(JSON_LIMITS.elements + 1)
          .fill('1')
          .join(',')}]}`,
        JSON.stringify({ name: 'x'.repeat(JSON_LIMITS.stringLength + 1) }),
      ]
      for (const body of hostileBodies) {
        const refusal = await send(body)
        expect(refusal.status, refusal.text.slice(0, 200)).toBe(400)
        const parsed = refusal.json() as Record<string, unknown>
        expect(Object.keys(parsed).sort()).toEqual([...api.shape])
        expect(String(parsed['message'])).toMatch(/^The request body is refused: .* accepted\.$/)
      }
      const proto = await send('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}')
      if (name === 'gorules') {
        // Fastify's secure-json-parse refuses it before Nest runs.
        expect(proto.status).toBe(400)
        expect(proto.json()).toEqual({ statusCode: 400, message: 'Object contains forbidden prototype property', error: 'Bad Request' })
      } else expect(proto.status, proto.text.slice(0, 200)).not.toBe(500)
      expect(proto.text).not.toContain('polluted')
      const normal = await send(name === 'medibulut' ? '{"role_id":"admin"}' : name === 'rails-users' ? '{"first_name":"Ada"}' : '{}')
      expect(normal.status, normal.text.slice(0, 200)).toBe(200)
    })
  }
})
