import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { importOpenApi } from '../contracts/openapi/contract.ts'
import { projector } from '../handlers/openapi-project.ts'
import { RouteTable } from '../handlers/route-table.ts'
import { startServer, type RunningServer } from '../server/serve.ts'

// Issue 18: an imported API's update was made cheaper (its route lookup, its per-operation reads of the document
// worked out once, no copy of an item that holds no secret). What it answers must not have changed: these pin the
// cases the shortcuts are exact for, and the ones that still take the long way.

const item = { $ref: '#/components/schemas/Item' }
const json = (schema: unknown) => ({ 'application/json': { schema } })
const shop = {
  openapi: '3.1.0',
  info: { title: 'Shop', version: '1' },
  security: [{ bearer: [] }],
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    schemas: {
      Item: {
        type: 'object',
        required: ['id', 'name'],
        additionalProperties: false,
        properties: {
          id: { type: 'integer', readOnly: true },
          name: { type: 'string' },
          note: { type: 'string' },
          tags: {
            type: 'array',
            items: { type: 'object', properties: { label: { type: 'string' }, code: { type: 'string', writeOnly: true } } },
          },
        },
      },
    },
  },
  paths: {
    '/items': {
      get: {
        parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer' } }],
        responses: { '200': { description: 'list', content: json({ type: 'array', items: item }) } },
      },
      post: {
        requestBody: { required: true, content: json(item) },
        responses: { '201': { description: 'created', content: json(item) } },
      },
    },
    '/items/{id}': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
      get: { responses: { '200': { description: 'one', content: { 'application/vnd.shop+json': { schema: item } } } } },
      put: {
        requestBody: { content: { 'application/json; charset=utf-8': { schema: item } } },
        responses: { '200': { description: 'replaced', content: json(item) } },
      },
    },
    '/items/mine': { get: { responses: { '200': { description: 'mine', content: json({ type: 'object' }) } } } },
  },
}

let server: RunningServer
let auth = ''
beforeAll(async () => {
  server = await startServer({ port: 0, log: false, apis: [], openapi: { shop: await importOpenApi(shop, { name: 'shop' }) } })
  const { apis } = (await (await fetch(`${server.url}/__twin/apis`)).json()) as {
    apis: Array<{ name: string; accounts: Array<{ credentials: Record<string, { value: string }> }> }>
  }
  auth = Object.values(apis.find((api) => api.name === 'shop')?.accounts[0]?.credentials ?? {})[0]?.value ?? ''
})
afterAll(() => server.close())

const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/shop${path}`, {
    method,
    headers: { authorization: auth, ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  })

async function created(body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const response = await call('POST', '/items', body)
  expect(response.status).toBe(201)
  return (await response.json()) as Record<string, unknown>
}

describe('an imported PUT (put: replace)', () => {
  it('drops an optional field it was not sent, keeps the required and readOnly ones, in the stored order', async () => {
    const { id } = await created({ name: 'A', note: 'kept?', tags: [{ label: 'x' }] })
    const response = await call('PUT', `/items/${String(id)}`, { name: 'B' })
    expect(response.status).toBe(200)
    const body = (await response.json()) as Record<string, unknown>
    expect(body).toEqual({ id, name: 'B' })
    expect(Object.keys(body)).toEqual(['name', 'id'])
  })

  it('restating every optional field keeps the stored order and appends what is new', async () => {
    const { id } = await created({ name: 'A', tags: [{ label: 'x' }] })
    const body = (await (await call('PUT', `/items/${String(id)}`, { note: 'n', tags: [{ label: 'y' }], name: 'C' })).json()) as Record<
      string,
      unknown
    >
    expect(Object.keys(body)).toEqual(['name', 'tags', 'id', 'note'])
    expect(body).toEqual({ id, name: 'C', tags: [{ label: 'y' }], note: 'n' })
    expect(await (await call('GET', `/items/${String(id)}`)).json()).toEqual(body)
  })

  it('never answers a writeOnly value inside an array item', async () => {
    const { id } = await created({ name: 'A' })
    const put = await call('PUT', `/items/${String(id)}`, { name: 'A', tags: [{ label: 'x', code: 'hidden-1' }, { label: 'y' }] })
    const text = await put.text()
    expect(put.status).toBe(200)
    expect(text).not.toContain('hidden-1')
    expect((JSON.parse(text) as { tags: unknown }).tags).toEqual([{ label: 'x' }, { label: 'y' }])
    expect(await (await call('GET', `/items/${String(id)}`)).text()).not.toContain('hidden-1')
  })

  it('takes the bearer token as the pattern always did, and refuses any other', async () => {
    const { id } = await created({ name: 'A' })
    const token = auth.replace(/^Bearer /, '')
    for (const header of [auth, `bearer   ${token}  `, `BEARER ${token}`])
      expect((await call('PUT', `/items/${String(id)}`, { name: 'B' }, { authorization: header })).status).toBe(200)
    for (const header of [`Bearer ${token}x`, `Bearer  ${token} x`, token, ''])
      expect((await call('PUT', `/items/${String(id)}`, { name: 'B' }, { authorization: header })).status).toBe(401)
  })

  it('selects the declared media type by the Content-Type, its parameters and case aside', async () => {
    const { id } = await created({ name: 'A' })
    for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON ; charset=utf-8'])
      expect((await call('PUT', `/items/${String(id)}`, { name: 'B' }, { 'content-type': type })).status).toBe(200)
    expect((await call('PUT', `/items/${String(id)}`, { name: 'B' }, { 'content-type': 'text/plain' })).status).toBe(415)
  })
})

describe('an imported API answers', () => {
  it('under the content type its document declares', async () => {
    const { id } = await created({ name: 'A' })
    expect((await call('PUT', `/items/${String(id)}`, { name: 'B' })).headers.get('content-type')).toBe('application/json')
    expect((await call('GET', `/items/${String(id)}`)).headers.get('content-type')).toBe('application/vnd.shop+json')
  })

  it('reads a query when there is one, and the defaults when there is none', async () => {
    await created({ name: 'A' })
    const all = (await (await call('GET', '/items')).json()) as unknown[]
    expect(all.length).toBeGreaterThan(1)
    expect(await (await call('GET', '/items?limit=1')).json()).toHaveLength(1)
    expect((await call('GET', '/items?limit=many')).status).toBe(400)
  })

  it('routes literals before templates, ignores a trailing slash and decodes a segment', async () => {
    expect((await call('GET', '/items/mine')).status).toBe(200)
    const { id } = await created({ name: 'A' })
    expect(await (await call('GET', `/items/${String(id)}/`)).json()).toMatchObject({ id })
    // `%3N` is the digit N: the segment is matched decoded.
    const encoded = String(id).replace(/^\d/, (digit) => `%3${digit}`)
    expect(await (await call('GET', `/items/${encoded}`)).json()).toMatchObject({ id })
  })
})

describe('RouteTable', () => {
  const table = new RouteTable([
    { method: 'GET', path: '/{org}/repos', operation: 'repos' },
    { method: 'GET', path: '/{user}/starred', operation: 'starred' },
    { method: 'GET', path: '/files/{name}.{ext}', operation: 'file' },
    { method: 'GET', path: '/things/{id}', operation: 'thing' },
  ])

  it('hands over only the parameters of the branch that matched', () => {
    expect(table.match('GET', '/ada/starred')).toEqual({ operation: 'starred', params: { user: 'ada' } })
    expect(table.match('GET', '/ada/repos')).toEqual({ operation: 'repos', params: { org: 'ada' } })
    expect(table.match('GET', '/files/notes.tar.gz')).toEqual({ operation: 'file', params: { name: 'notes', ext: 'tar.gz' } })
  })

  it('matches a whole-segment parameter as its pattern does: not across a line break, not when empty', () => {
    expect(table.match('GET', '/things/a%20b')).toEqual({ operation: 'thing', params: { id: 'a b' } })
    expect(table.match('GET', '/things/a%0Ab')).toBeUndefined()
    expect(table.match('GET', '/things//')).toBeUndefined()
    expect(table.match('GET', '//things/7')).toBeUndefined()
    expect(table.match('PUT', '/things/7')).toEqual({ allowed: ['GET'] })
  })

  it('answers a HEAD by the GET of its path, with that GET’s parameters', () => {
    expect(table.match('HEAD', '/things/7')).toEqual({ operation: 'thing', params: { id: '7' } })
    expect(table.match('HEAD', '/ada/repos')).toEqual({ operation: 'repos', params: { org: 'ada' } })
  })

  it('tries a template with literal text after it before the bare template (custom methods)', () => {
    const custom = new RouteTable([
      { method: 'DELETE', path: '/deployments/{name}', operation: 'delete' },
      { method: 'DELETE', path: '/deployments/{name}:deleteRevision', operation: 'deleteRevision' },
    ])
    expect(custom.match('DELETE', '/deployments/d1:deleteRevision')).toEqual({ operation: 'deleteRevision', params: { name: 'd1' } })
    expect(custom.match('DELETE', '/deployments/d1')).toEqual({ operation: 'delete', params: { name: 'd1' } })
  })
})

describe('projector', () => {
  it('returns a value holding no writeOnly field as it is, and copies only what it strips', async () => {
    const contract = await importOpenApi(shop, { name: 'shop' })
    const project = projector(contract.document)
    const clean = { id: 1, name: 'A', tags: [{ label: 'x' }, { label: 'y' }] }
    expect(project(item, clean)).toBe(clean)
    const secret = { id: 1, name: 'A', tags: [{ label: 'x' }, { label: 'y', code: 'c' }] }
    const projected = project(item, secret) as typeof secret
    expect(projected).toEqual({ id: 1, name: 'A', tags: [{ label: 'x' }, { label: 'y' }] })
    expect(projected.tags[0]).toBe(secret.tags[0])
    expect(secret.tags[1]).toEqual({ label: 'y', code: 'c' })
  })
})
