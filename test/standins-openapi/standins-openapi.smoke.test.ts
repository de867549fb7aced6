// Smoke test for the hand-written OpenAPI stand-in servers: CRUD round trips, refusals, and
// that every breakable rule really changes the behaviour it names.
import { createRequire } from 'node:module'
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import formatsModule, { type FormatsPlugin } from 'ajv-formats'
import { afterAll, describe, expect, it } from 'vitest'
import * as galaxy from './galaxy.ts'
import * as petstore31 from './petstore-31.ts'
import * as expanded from './petstore-expanded.ts'

interface Answer {
  status: number
  type: string
  headers: Headers
  body: unknown
}

interface Options {
  body?: unknown
  raw?: string | ArrayBuffer
  headers?: Record<string, string>
}

async function call(base: string, method: string, path: string, options: Options = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers }
  let body: string | ArrayBuffer | undefined = options.raw
  if (options.body !== undefined) {
    body = JSON.stringify(options.body)
    headers['content-type'] ??= 'application/json'
  }
  const response = await fetch(base + path, { method, headers, body })
  const text = await response.text()
  const type = response.headers.get('content-type') ?? ''
  return {
    status: response.status,
    type,
    headers: response.headers,
    body: text === '' ? undefined : type.includes('json') ? (JSON.parse(text) as unknown) : text,
  }
}

function record(value: unknown): Record<string, unknown> {
  expect(typeof value === 'object' && value !== null && !Array.isArray(value)).toBe(true)
  return value as Record<string, unknown>
}

// Answers are checked against the documents' own schemas (not the servers' copies of them).
const require = createRequire(import.meta.url)
const addFormats = ((formatsModule as unknown as { default?: FormatsPlugin }).default ?? formatsModule) as FormatsPlugin
const ajv = new Ajv2020({ strict: false, allErrors: true })
addFormats(ajv)
for (const module of [galaxy, petstore31, expanded]) {
  const json = module.document.replace(/\.yaml$/, '.json')
  ajv.addSchema(require(json) as object, module.document)
}
function schema(document: string, pointer: string): ValidateFunction {
  const validate = ajv.getSchema(`${document}#${pointer}`)
  if (!validate) throw new Error(`no schema at ${document}#${pointer}`)
  return validate
}
/** Asserts that a value matches a schema of a document. */
function conforms(document: string, pointer: string, value: unknown): void {
  const validate = schema(document, pointer)
  expect(validate(value) ? [] : validate.errors).toEqual([])
}
function violates(document: string, pointer: string, value: unknown): void {
  expect(schema(document, pointer)(value)).toBe(false)
}

const G = galaxy.document
const P = petstore31.document
const E = expanded.document
const S = '/components/schemas/'

const started: { close(): Promise<void> }[] = []
async function track<T extends { close(): Promise<void> }>(server: Promise<T>): Promise<T> {
  const running = await server
  started.push(running)
  return running
}
afterAll(async () => {
  await Promise.all(started.map((server) => server.close()))
})

describe('documents', () => {
  it('resolve with require.resolve', () => {
    const require = createRequire(import.meta.url)
    for (const document of [galaxy.document, petstore31.document, expanded.document]) {
      expect(require.resolve(document)).toMatch(/\.(ya?ml|json)$/)
    }
  })
  it('refuse rules they cannot break', async () => {
    await expect(expanded.start({ breaks: ['auth.required'] })).rejects.toThrow(/cannot break/)
  })
})

describe('galaxy', () => {
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

  it('creates, reads, updates and deletes a planet', async () => {
    const s = await track(galaxy.start())
    const created = await call(s.url, 'POST', '/planets', {
      body: { name: 'Kepler-22b', type: 'super_earth', habitabilityIndex: 0.4 },
      headers: bearer(s.token),
    })
    expect(created.status).toBe(201)
    expect(created.type).toBe('application/json')
    const id = record(created.body).id
    expect(typeof id).toBe('number')
    expect(created.headers.get('location')).toBe(`${s.url}/planets/${String(id)}`)
    conforms(G, S + 'Planet', created.body)

    const read = await call(s.url, 'GET', `/planets/${String(id)}`)
    expect(read.status).toBe(200)
    expect(record(read.body).name).toBe('Kepler-22b')
    conforms(G, S + 'Planet', read.body)

    const updated = await call(s.url, 'PUT', `/planets/${String(id)}`, {
      body: { name: 'Kepler-22c', tags: ['far'] },
      headers: bearer(s.token),
    })
    expect(updated.status).toBe(200)
    conforms(G, S + 'Planet', updated.body)
    const reread = record((await call(s.url, 'GET', `/planets/${String(id)}`)).body)
    expect(reread).toMatchObject({ id, name: 'Kepler-22c', tags: ['far'] })
    expect(reread.type).toBeUndefined()

    const deleted = await call(s.url, 'DELETE', `/planets/${String(id)}`, { headers: bearer(s.token) })
    expect(deleted.status).toBe(204)
    expect(deleted.body).toBeUndefined()
    const gone = await call(s.url, 'GET', `/planets/${String(id)}`)
    expect(gone.status).toBe(404)
    expect(record(gone.body).status).toBe(404)
    conforms(G, S + 'NotFoundError', gone.body)

    const all = await call(s.url, 'GET', '/planets')
    // (PaginatedResource binds its items with $dynamicRef, which the checker cannot follow: items one by one)
    for (const planet of record(all.body).data as unknown[]) conforms(G, S + 'Planet', planet)
    const list = record((await call(s.url, 'GET', '/planets?limit=1&offset=0')).body)
    expect(list.data).toHaveLength(1)
    expect(record(list.meta)).toMatchObject({ limit: 1, offset: 0, total: 2, next: '/planets?limit=1&offset=1' })
  })

  it('refuses invalid bodies with 400 and a BadRequestError', async () => {
    const s = await track(galaxy.start())
    for (const body of [{ description: 'no name' }, { name: 'X', moons: 3 }, { name: 'X', habitabilityIndex: 2 }]) {
      const answer = await call(s.url, 'POST', '/planets', { body, headers: bearer(s.token) })
      expect(answer.status).toBe(400)
      expect(record(answer.body)).toMatchObject({ title: 'Bad Request', status: 400 })
      conforms(G, S + 'BadRequestError', answer.body)
    }
    expect((await call(s.url, 'GET', '/planets/abc')).status).toBe(400)
  })

  it('asks for credentials on secured operations and accepts each scheme', async () => {
    const s = await track(galaxy.start())
    const body = { name: 'Vulcan' }
    const missing = await call(s.url, 'POST', '/planets', { body })
    expect(missing.status).toBe(401)
    expect(record(missing.body).status).toBe(401)
    conforms(G, S + 'UnauthorizedError', missing.body)
    expect((await call(s.url, 'POST', '/planets', { body, headers: bearer('nope') })).status).toBe(401)
    const basic = `Basic ${Buffer.from(s.credentials.basicAuth!).toString('base64')}`
    expect((await call(s.url, 'POST', '/planets', { body, headers: { authorization: basic } })).status).toBe(201)
    const header = { 'x-api-key': s.credentials.apiKeyHeader! }
    expect((await call(s.url, 'POST', '/planets', { body, headers: header })).status).toBe(201)
    const query = `/planets?api_key=${s.credentials.apiKeyQuery!}`
    expect((await call(s.url, 'POST', query, { body })).status).toBe(201)
    const cookie = { cookie: `api_key=${s.credentials.apiKeyCookie!}` }
    expect((await call(s.url, 'POST', '/planets', { body, headers: cookie })).status).toBe(201)
    // GET /me does not list the cookie scheme
    expect((await call(s.url, 'GET', '/me', { headers: cookie })).status).toBe(401)
    expect(record((await call(s.url, 'GET', '/me', { headers: bearer(s.token) })).body)).toEqual({ id: 1, name: 'Marc' })
  })

  it('signs up, hands out tokens, takes images and celestial bodies', async () => {
    const s = await track(galaxy.start())
    const user = { name: 'Hans', email: 'hans@scalar.com', password: '5c4l4r' }
    const signup = await call(s.url, 'POST', '/user/signup', { body: user })
    expect(signup.status).toBe(201)
    expect(record(signup.body).name).toBe('Hans')
    conforms(G, S + 'User', signup.body)
    const again = await call(s.url, 'POST', '/user/signup', { body: user })
    expect(again.status).toBe(409)
    conforms(G, S + 'Conflict', again.body)
    expect((await call(s.url, 'POST', '/user/signup', { body: { email: 'not-an-email', password: 'x' } })).status).toBe(400)
    const token = await call(s.url, 'POST', '/auth/token', { body: { email: user.email, password: user.password } })
    expect(token.status).toBe(201)
    expect(record(token.body).token).toBe(s.token)
    conforms(G, S + 'Token', token.body)
    expect((await call(s.url, 'POST', '/auth/token', { body: { email: user.email, password: 'no' } })).status).toBe(401)

    const form = new FormData()
    form.append('image', new Blob([new Uint8Array([1, 2, 3, 4])], { type: 'image/png' }), 'mars.png')
    const upload = await fetch(`${s.url}/planets/1/image`, { method: 'POST', body: form, headers: bearer(s.token) })
    expect(upload.status).toBe(200)
    const uploaded = record(await upload.json())
    expect(uploaded).toMatchObject({ fileSize: 4, mimeType: 'image/png' })
    conforms(G, S + 'ImageUploadedMessage', uploaded)
    conforms(G, S + 'Planet', (await call(s.url, 'GET', '/planets/1')).body)
    expect(record((await call(s.url, 'GET', '/planets/1')).body).image).toBe(uploaded.imageUrl)

    const moon = await call(s.url, 'POST', '/celestial-bodies', {
      body: { name: 'Deimos', type: 'moon', diameter: 12.4 },
      headers: bearer(s.token),
    })
    expect(moon.status).toBe(201)
    expect(record(moon.body)).toMatchObject({ name: 'Deimos', type: 'moon' })
    conforms(G, S + 'CelestialBody', moon.body)
    const dwarf = await call(s.url, 'POST', '/celestial-bodies', {
      body: { name: 'Ceres', type: 'dwarf', satellites: [{ name: 'Tiny', orbit: { planet: { name: 'Ceres' } } }] },
      headers: bearer(s.token),
    })
    expect(dwarf.status).toBe(201)
    conforms(G, S + 'CelestialBody', dwarf.body)
    conforms(G, S + 'Planet', dwarf.body)
    const untyped = await call(s.url, 'POST', '/celestial-bodies', { body: { name: 'X' }, headers: bearer(s.token) })
    expect(untyped.status).toBe(400)
  })

  it('breaks each rule when told to', async () => {
    const auth = async (breaks: string[]) => {
      const s = await track(galaxy.start({ breaks }))
      return { s, headers: bearer(s.token) }
    }
    {
      const { s, headers } = await auth(['request.schema'])
      const answer = await call(s.url, 'POST', '/planets', { body: { description: 'no name' }, headers })
      expect(answer.status).toBe(201)
      expect(record(answer.body).name).toBeUndefined()
    }
    {
      const { s } = await auth(['response.schema'])
      const answer = await call(s.url, 'GET', '/planets/1')
      expect(record(answer.body).id).toBe('1')
      violates(G, S + 'Planet', answer.body)
    }
    {
      const { s } = await auth(['auth.required'])
      const answer = await call(s.url, 'POST', '/planets', { body: { name: 'X' }, headers: bearer('wrong') })
      expect(answer.status).toBe(201)
    }
    {
      const { s } = await auth(['item.unknown'])
      expect((await call(s.url, 'GET', '/planets/999')).status).toBe(200)
    }
    {
      const { s, headers } = await auth(['create.status'])
      expect((await call(s.url, 'POST', '/planets', { body: { name: 'X' }, headers })).status).toBe(200)
    }
    {
      const { s, headers } = await auth(['create.location'])
      const answer = await call(s.url, 'POST', '/planets', { body: { name: 'X' }, headers })
      expect(answer.status).toBe(201)
      expect(answer.headers.get('location')).toBeNull()
    }
    {
      const { s, headers } = await auth(['delete.status'])
      expect((await call(s.url, 'DELETE', '/planets/2', { headers })).status).toBe(200)
      expect((await call(s.url, 'GET', '/planets/2')).status).toBe(404)
    }
  })
})

describe('petstore 3.1', () => {
  const oauth = (token: string) => ({ authorization: `Bearer ${token}` })

  it('creates, reads, updates and deletes a pet', async () => {
    const s = await track(petstore31.start())
    const key = { api_key: s.credentials.api_key! }
    const created = await call(s.url, 'POST', '/pet', {
      body: { name: 'Rex', photoUrls: [], status: 'available' },
      headers: oauth(s.token),
    })
    expect(created.status).toBe(200)
    const id = record(created.body).id
    expect(typeof id).toBe('number')
    conforms(P, S + 'Pet', created.body)

    const read = await call(s.url, 'GET', `/pet/${String(id)}`, { headers: key })
    expect(read.status).toBe(200)
    conforms(P, S + 'Pet', read.body)
    expect(record(read.body)).toMatchObject({ id, name: 'Rex', photoUrls: [] })

    const updated = await call(s.url, 'PUT', '/pet', {
      body: { id, name: 'Rex II', photoUrls: ['a.jpg'], status: 'sold' },
      headers: oauth(s.token),
    })
    expect(updated.status).toBe(200)
    const reread = await call(s.url, 'GET', `/pet/${String(id)}`, { headers: key })
    expect(record(reread.body)).toMatchObject({ id, name: 'Rex II', photoUrls: ['a.jpg'], status: 'sold' })

    expect((await call(s.url, 'DELETE', `/pet/${String(id)}`, { headers: oauth(s.token) })).status).toBe(200)
    expect((await call(s.url, 'GET', `/pet/${String(id)}`, { headers: key })).status).toBe(404)
    expect((await call(s.url, 'PUT', '/pet', { body: { id, name: 'x', photoUrls: [] }, headers: oauth(s.token) })).status).toBe(404)
  })

  it('refuses invalid requests with the declared statuses', async () => {
    const s = await track(petstore31.start())
    const missing = await call(s.url, 'POST', '/pet', { body: { name: 'NoPhotos' }, headers: oauth(s.token) })
    expect(missing.status).toBe(405)
    const badStatus = await call(s.url, 'PUT', '/pet', {
      body: { id: 1, name: 'x', photoUrls: [], status: 'gone' },
      headers: oauth(s.token),
    })
    expect(badStatus.status).toBe(400)
    expect(badStatus.body).toBeUndefined()
    const key = { api_key: s.credentials.api_key! }
    expect((await call(s.url, 'GET', '/pet/abc', { headers: key })).status).toBe(400)
    expect((await call(s.url, 'GET', '/pet/findByStatus?status=lost', { headers: oauth(s.token) })).status).toBe(400)
    expect((await call(s.url, 'GET', '/store/order/11')).status).toBe(400)
  })

  it('asks for credentials where the document declares security', async () => {
    const s = await track(petstore31.start())
    expect((await call(s.url, 'POST', '/pet', { body: { name: 'x', photoUrls: [] } })).status).toBe(401)
    expect((await call(s.url, 'GET', '/pet/1')).status).toBe(401)
    expect((await call(s.url, 'GET', '/pet/1', { headers: { api_key: 'wrong' } })).status).toBe(401)
    expect((await call(s.url, 'GET', '/store/inventory')).status).toBe(401)
    expect((await call(s.url, 'GET', '/store/order/1')).status).toBe(200)
  })

  it('answers the other operations', async () => {
    const s = await track(petstore31.start())
    const key = { api_key: s.credentials.api_key! }
    const byStatus = await call(s.url, 'GET', '/pet/findByStatus?status=available&status=pending', {
      headers: oauth(s.token),
    })
    expect(byStatus.body).toHaveLength(2)
    for (const pet of byStatus.body as unknown[]) conforms(P, S + 'Pet', pet)
    const byTags = await call(s.url, 'GET', '/pet/findByTags?tags=lazy', { headers: oauth(s.token) })
    expect(byTags.body).toHaveLength(1)
    const form = await call(s.url, 'POST', '/pet/2', {
      raw: 'name=Kit&status=sold',
      headers: { ...oauth(s.token), 'content-type': 'application/x-www-form-urlencoded' },
    })
    expect(form.status).toBe(200)
    expect(record((await call(s.url, 'GET', '/pet/2', { headers: key })).body)).toMatchObject({ name: 'Kit', status: 'sold' })
    const upload = await call(s.url, 'POST', '/pet/1/uploadImage', {
      raw: new Uint8Array([1, 2, 3]).buffer,
      headers: { ...oauth(s.token), 'content-type': 'application/octet-stream' },
    })
    expect(record(upload.body)).toMatchObject({ code: 200 })
    conforms(P, S + 'ApiResponse', upload.body)
    const inventory = await call(s.url, 'GET', '/store/inventory', { headers: key })
    expect(inventory.body).toEqual({ available: 1, sold: 1 })
    conforms(P, '/paths/~1store~1inventory/get/responses/200/content/application~1json/schema', inventory.body)

    const order = await call(s.url, 'POST', '/store/order', { body: { petId: 1, quantity: 2 } })
    expect(record(order.body)).toMatchObject({ id: 3, petId: 1, quantity: 2, status: 'placed', complete: false })
    conforms(P, S + 'Order', order.body)
    expect((await call(s.url, 'GET', '/store/order/3')).status).toBe(200)
    expect((await call(s.url, 'DELETE', '/store/order/3')).status).toBe(200)
    expect((await call(s.url, 'GET', '/store/order/3')).status).toBe(404)

    const user = { username: 'grace', firstName: 'Grace', password: 'cobol', userStatus: 1 }
    expect((await call(s.url, 'POST', '/user', { body: user })).status).toBe(200)
    const grace = await call(s.url, 'GET', '/user/grace')
    expect(record(grace.body)).toMatchObject({ username: 'grace', firstName: 'Grace' })
    conforms(P, S + 'User', grace.body)
    expect((await call(s.url, 'POST', '/user/createWithList', { body: [{ username: 'a' }, { username: 'b' }] })).status).toBe(200)
    const login = await call(s.url, 'GET', '/user/login?username=grace&password=cobol')
    expect(login.status).toBe(200)
    expect(typeof login.body).toBe('string')
    expect(login.headers.get('x-expires-after')).toMatch(/^\d{4}-/)
    expect((await call(s.url, 'PUT', '/user/grace', { body: { firstName: 'G.' } })).status).toBe(200)
    expect(record((await call(s.url, 'GET', '/user/grace')).body).firstName).toBe('G.')
    expect((await call(s.url, 'DELETE', '/user/grace')).status).toBe(200)
    expect((await call(s.url, 'GET', '/user/grace')).status).toBe(404)
    expect((await call(s.url, 'GET', '/user/logout')).status).toBe(200)
  })

  it('breaks each rule when told to', async () => {
    {
      const s = await track(petstore31.start({ breaks: ['request.schema'] }))
      const answer = await call(s.url, 'POST', '/pet', { body: { name: 'NoPhotos' }, headers: oauth(s.token) })
      expect(answer.status).toBe(200)
      expect(record(answer.body).photoUrls).toBeUndefined()
    }
    {
      const s = await track(petstore31.start({ breaks: ['response.schema'] }))
      const answer = await call(s.url, 'GET', '/pet/1', { headers: { api_key: s.credentials.api_key! } })
      expect(answer.status).toBe(200)
      expect(record(answer.body).photoUrls).toBeUndefined()
      violates(P, S + 'Pet', answer.body)
    }
    {
      const s = await track(petstore31.start({ breaks: ['auth.required'] }))
      const answer = await call(s.url, 'POST', '/pet', { body: { name: 'x', photoUrls: [] }, headers: oauth('wrong') })
      expect(answer.status).toBe(200)
    }
    {
      const s = await track(petstore31.start({ breaks: ['item.unknown'] }))
      const answer = await call(s.url, 'GET', '/pet/999', { headers: { api_key: s.credentials.api_key! } })
      expect(answer.status).toBe(200)
    }
    {
      const s = await track(petstore31.start({ breaks: ['validation.status'] }))
      const answer = await call(s.url, 'PUT', '/pet', {
        body: { id: 1, name: 'x', photoUrls: [], status: 'gone' },
        headers: oauth(s.token),
      })
      expect(answer.status).toBe(422)
    }
  })
})

describe('petstore expanded', () => {
  it('creates, reads and deletes a pet (the document has no update)', async () => {
    const s = await track(expanded.start())
    expect(s.token).toBe('')
    const created = await call(s.url, 'POST', '/pets', { body: { name: 'Rex', tag: 'dog' } })
    expect(created.status).toBe(200)
    const id = record(created.body).id
    expect(typeof id).toBe('number')
    conforms(E, S + 'Pet', created.body)
    expect(record((await call(s.url, 'GET', `/pets/${String(id)}`)).body)).toEqual({ id, name: 'Rex', tag: 'dog' })
    const dogs = await call(s.url, 'GET', '/pets?tags=dog&limit=10')
    expect(dogs.body).toHaveLength(2)
    const deleted = await call(s.url, 'DELETE', `/pets/${String(id)}`)
    expect(deleted.status).toBe(204)
    const gone = await call(s.url, 'GET', `/pets/${String(id)}`)
    expect(gone.status).toBe(404)
    expect(record(gone.body)).toMatchObject({ code: 404 })
    conforms(E, S + 'Error', gone.body)
  })

  it('refuses an invalid body with 400 and an Error', async () => {
    const s = await track(expanded.start())
    const answer = await call(s.url, 'POST', '/pets', { body: { tag: 'nameless' } })
    expect(answer.status).toBe(400)
    expect(record(answer.body)).toMatchObject({ code: 400 })
    conforms(E, S + 'Error', answer.body)
    expect(typeof record(answer.body).message).toBe('string')
    expect((await call(s.url, 'POST', '/pets', { body: { name: 7 } })).status).toBe(400)
    expect((await call(s.url, 'GET', '/pets?limit=x')).status).toBe(400)
  })

  it('breaks each rule when told to', async () => {
    {
      const s = await track(expanded.start({ breaks: ['request.schema'] }))
      expect((await call(s.url, 'POST', '/pets', { body: { tag: 'nameless' } })).status).toBe(200)
    }
    {
      const s = await track(expanded.start({ breaks: ['response.schema'] }))
      const answer = await call(s.url, 'GET', '/pets/1')
      expect(record(answer.body).id).toBe('1')
      violates(E, S + 'Pet', answer.body)
    }
    {
      const s = await track(expanded.start({ breaks: ['create.status'] }))
      expect((await call(s.url, 'POST', '/pets', { body: { name: 'x' } })).status).toBe(201)
    }
    {
      const s = await track(expanded.start({ breaks: ['delete.status'] }))
      expect((await call(s.url, 'DELETE', '/pets/1')).status).toBe(200)
    }
  })
})
