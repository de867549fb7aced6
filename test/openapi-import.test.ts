import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { importOpenApi, type OpenApiContract } from '../contracts/openapi/contract.ts'
import { OpenApiImportError } from '../contracts/openapi/import-error.ts'
import { startServer, type RunningServer } from '../server/serve.ts'
import { buildRequest, checkAnswer, responseAjv, type CollectionIds, type DiscoveredOpenApi } from './helpers/openapi-requests.ts'

// Three public documents nobody here wrote, installed as dev dependencies: every operation answered as the
// document allows (checked with Ajv, not the twin's own validator), and each inferred collection's
// create → read → update → read → delete → read behaving as its readings say.
const require = createRequire(import.meta.url)
const documents = {
  galaxy: { file: require.resolve('@scalar/galaxy/3.1.yaml'), text: true },
  'petstore-30': { file: require.resolve('@readme/oas-examples/3.0/json/petstore.json'), text: false },
  'petstore-31': { file: require.resolve('@readme/oas-examples/3.1/json/petstore.json'), text: false },
} as const

const ajv = responseAjv()

async function serve(
  name: keyof typeof documents,
  readings: Record<string, string> = {},
): Promise<{ server: RunningServer; contract: OpenApiContract; api: DiscoveredOpenApi; ids: () => Promise<CollectionIds[]> }> {
  const { file, text } = documents[name]
  const raw = readFileSync(file, 'utf8')
  const contract = await importOpenApi(text ? raw : (JSON.parse(raw) as Record<string, unknown>), { name })
  const server = await startServer({ port: 0, log: false, apis: [], openapi: { [name]: contract }, readings: { [name]: readings } })
  const { apis } = (await (await fetch(`${server.url}/__twin/apis`)).json()) as { apis: DiscoveredOpenApi[] }
  const api = apis.find((a) => a.name === name) as DiscoveredOpenApi
  const ids = async () =>
    ((await (await fetch(api.controls['collections'] as string)).json()) as { collections: CollectionIds[] }).collections
  return { server, contract, api, ids }
}

describe.each(Object.keys(documents) as Array<keyof typeof documents>)('imported %s', (name) => {
  let served: Awaited<ReturnType<typeof serve>>
  beforeAll(async () => {
    served = await serve(name)
  })
  afterAll(() => served.server.close())

  it('lists its operations, accounts and credentials in GET /__twin/apis', async () => {
    const { apis } = (await (await fetch(`${served.server.url}/__twin/apis`)).json()) as {
      apis: Array<{ name: string; operations: unknown[]; accounts: unknown[] }>
    }
    const entry = apis.find((a) => a.name === name)
    expect(entry?.operations).toHaveLength(served.contract.operations.length)
    expect(entry?.accounts).toHaveLength(1)
    expect(served.contract.collections.length).toBeGreaterThan(0)
  })

  it('answers every operation with a status, content type and body its document allows', async () => {
    const problems: string[] = []
    for (const operation of served.contract.operations) {
      await fetch(`${served.server.url}/__twin/reset`, { method: 'POST' })
      const { url, init } = buildRequest(served.contract, served.api, await served.ids(), operation)
      const response = await fetch(url, init)
      const body = await response.text()
      if (response.status >= 300) problems.push(`${operation.key}: a valid request was answered ${response.status} ${body.slice(0, 200)}`)
      problems.push(...checkAnswer(served.contract, ajv, operation, response.status, response.headers.get('content-type'), body))
    }
    expect(problems).toEqual([])
  })

  it('refuses a secured operation without credentials (401), as its document allows', async () => {
    const secured = served.contract.operations.filter(
      (op) => op.security.length > 0 && op.security.every((alternative) => alternative.length > 0),
    )
    expect(secured.length).toBeGreaterThan(0)
    for (const operation of secured) {
      const { url, init } = buildRequest(served.contract, served.api, await served.ids(), operation, { credentials: false })
      const response = await fetch(url, init)
      const text = await response.text()
      expect(response.status, operation.key).toBe(401)
      expect(checkAnswer(served.contract, ajv, operation, 401, response.headers.get('content-type'), text)).toEqual([])
    }
  })

  it('runs create → read → update → read → delete → read on each collection as its readings say', async () => {
    await fetch(`${served.server.url}/__twin/reset`, { method: 'POST' })
    const byKey = new Map(served.contract.operations.map((op) => [op.key, op]))
    let exercised = 0
    for (const collection of served.contract.collections) {
      const ops = collection.operations
      const send = async (key: string | undefined, overrides: Record<string, string> = {}, body?: unknown) => {
        const operation = byKey.get(key as string)
        if (!operation) throw new Error(`no operation ${key}`)
        const { url, init } = buildRequest(served.contract, served.api, await served.ids(), operation, { overrides, seed: 3 })
        if (body !== undefined) init.body = JSON.stringify(body)
        const response = await fetch(url, init)
        const text = await response.text()
        expect(checkAnswer(served.contract, ajv, operation, response.status, response.headers.get('content-type'), text)).toEqual([])
        return { status: response.status, json: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>) }
      }
      if (!ops.create || !ops.read || !ops.delete) continue
      exercised++
      const created = await send(ops.create)
      expect(created.status, `${collection.name} create`).toBeLessThan(300)
      // Where the create answers the item, its id names it; else the newest item of the collection is the one.
      const ids = (await served.ids()).find((c) => c.name === collection.name)
      const id = String(created.json?.[collection.idField] ?? ids?.items.at(-1)?.id)
      // The document may bound the id its reads take (petstore's orderId ≤ 10) below the ids a create gives out.
      const param = byKey.get(ops.read)?.parameters.find((p) => p.in === 'path' && p.name === collection.param)
      if (param && served.contract.check(param.schema, 'request')(collection.idType === 'string' ? id : Number(id)).length > 0) continue
      const read = await send(ops.read, { [collection.param]: id })
      expect(read.status, `${collection.name} read ${id}`).toBe(200)
      expect(String(read.json?.[collection.idField])).toBe(id)
      const update = ops.merge ?? ops.replace
      if (update) {
        const updated = await send(update, { [collection.param]: id })
        expect(updated.status, `${collection.name} update`).toBeLessThan(300)
      }
      const deleted = await send(ops.delete, { [collection.param]: id })
      expect(deleted.status, `${collection.name} delete`).toBeLessThan(300)
      const after = await send(ops.read, { [collection.param]: id })
      expect(after.status, `${collection.name} read after delete`).toBe(404)
    }
    expect(exercised).toBeGreaterThan(0)
  })

  it('draws the same data for the same seed', async () => {
    const again = await serve(name)
    try {
      await fetch(`${served.server.url}/__twin/reset`, { method: 'POST' })
      for (const c of await served.ids()) expect((await again.ids()).find((d) => d.name === c.name)?.items).toEqual(c.items)
    } finally {
      await again.server.close()
    }
  })
})

describe('readings of an imported API', () => {
  it('galaxy: the create status and its Location are documented; delete.then=410 answers Gone', async () => {
    const { server, contract, api, ids } = await serve('galaxy', { 'delete.then': '410' })
    try {
      expect(contract.rules['create.status']?.provenance.kind).toBe('documented')
      const auth = api.accounts[0]?.credentials?.['bearerAuth']?.value as string
      const planet = (await ids()).find((c) => c.name === 'planets')?.items[0]?.id
      expect((await fetch(`${api.baseUrl}/planets/${String(planet)}`, { method: 'DELETE', headers: { authorization: auth } })).status).toBe(
        204,
      )
      const gone = await fetch(`${api.baseUrl}/planets/${String(planet)}`)
      expect(gone.status).toBe(410)
      expect(await gone.json()).toMatchObject({ status: 410 })
    } finally {
      await server.close()
    }
  })

  it('petstore: validation.status is documented (400); PATCH-less, PUT on an unknown user is 404 unless put.unknown=create', async () => {
    for (const [reading, expected] of [
      ['404', 404],
      ['create', 201],
    ] as const) {
      const { server, contract, api } = await serve('petstore-30', { 'put.unknown': reading })
      try {
        expect(contract.rules['validation.status']?.provenance.kind).toBe('documented')
        const response = await fetch(`${api.baseUrl}/user/nobody-yet`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'nobody-yet', email: 'n@example.com' }),
        })
        // 201 is not declared for PUT /user/{username}: the document declares no 2xx at all, so any 2xx is the reading's.
        expect(response.status).toBe(expected)
        if (expected === 201) expect(await (await fetch(`${api.baseUrl}/user/nobody-yet`)).json()).toMatchObject({ username: 'nobody-yet' })
      } finally {
        await server.close()
      }
    }
  })

  it('answers a bad body with the validation status in the chosen error body, and refuses unknown fields when told', async () => {
    const { server, api } = await serve('galaxy', { 'body.unknown': 'refused', 'error.body': 'problem' })
    try {
      const auth = api.accounts[0]?.credentials?.['bearerAuth']?.value as string
      const bad = await fetch(`${api.baseUrl}/planets`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'X', type: 'terrestrial', mood: 'sunny' }),
      })
      expect(bad.status).toBe(400)
      expect(bad.headers.get('content-type')).toBe('application/problem+json')
      expect(await bad.json()).toMatchObject({ status: 400, errors: [{ pointer: '/body/mood' }] })
      const wrongType = await fetch(`${api.baseUrl}/planets`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'text/plain' },
        body: 'x',
      })
      expect(wrongType.status).toBe(415)
    } finally {
      await server.close()
    }
  })

  it('refuses an unknown reading naming the allowed values', async () => {
    await expect(serve('galaxy', { 'delete.then': 'sideways' })).rejects.toThrow(
      /delete.then: "sideways" is not a reading; choose one of 404, 410/,
    )
  })

  it('keeps writeOnly fields and secrets out of every answer', async () => {
    const doc = {
      openapi: '3.1.0',
      info: { title: 'Accounts', version: '1' },
      paths: {
        '/accounts': {
          post: {
            requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Account' } } } },
            responses: {
              201: { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Account' } } } },
            },
          },
        },
        '/accounts/{id}': {
          get: {
            parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
            responses: {
              200: { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Account' } } } },
            },
          },
        },
      },
      components: {
        schemas: {
          Account: {
            type: 'object',
            required: ['name'],
            properties: {
              id: { type: 'integer', readOnly: true },
              name: { type: 'string' },
              pin: { type: 'string', writeOnly: true },
              password: { type: 'string' },
              created_at: { type: 'string', format: 'date-time', readOnly: true },
            },
          },
        },
      },
    }
    const server = await startServer({ port: 0, log: false, apis: [], openapi: { accounts: doc } })
    try {
      const created = await fetch(`${server.url}/accounts/accounts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 999, name: 'Ada', pin: '1234', password: 'hunter22' }),
      })
      expect(created.status).toBe(201)
      const body = (await created.json()) as Record<string, unknown>
      expect(body).not.toHaveProperty('pin')
      expect(body).not.toHaveProperty('password')
      expect(body['id']).not.toBe(999)
      expect(body['created_at']).toMatch(/^\d{4}-\d\d-\d\dT/)
      const read = await fetch(`${server.url}/accounts/accounts/${String(body['id'])}`)
      expect(await read.json()).toEqual(body)
    } finally {
      await server.close()
    }
  })
})

describe('documents apitwin refuses at start, in one line naming the JSON pointer', () => {
  it.each([
    [{ swagger: '2.0', info: { title: 'x' }, paths: {} }, /^#\/swagger: Swagger 2\.0 is not supported/],
    [{ openapi: '4.0.0', info: { title: 'x' }, paths: {} }, /^#\/openapi: OpenAPI "4\.0\.0" is not supported/],
    [
      {
        openapi: '3.0.3',
        info: { title: 'x' },
        paths: {
          '/a': {
            get: { responses: { 200: { description: 'x', content: { 'application/json': { schema: { $ref: 'other.yaml#/A' } } } } } },
          },
        },
      },
      /^#\/paths\/~1a\/get\/responses\/200\/content\/application~1json\/schema\/\$ref: the \$ref "other\.yaml#\/A" points outside the document/,
    ],
    [
      {
        openapi: '3.1.0',
        info: { title: 'x' },
        paths: { '/a': { get: { responses: { 200: { $ref: '#/components/responses/Missing' } } } } },
      },
      /points at nothing/,
    ],
    ['openapi: 3.0.0\ninfo: [unclosed', /^#: the document is neither JSON nor valid YAML/],
  ])('refuses %#', async (doc, message) => {
    const error = await importOpenApi(doc as never).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(OpenApiImportError)
    expect((error as Error).message).toMatch(message)
    expect((error as Error).message).not.toContain('\n')
  })
})
