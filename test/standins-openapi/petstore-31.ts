// Swagger Petstore (OpenAPI 3.1), implemented by hand from @readme/oas-examples/3.1/json/petstore.json.
import type http from 'node:http'
import { randomBytes } from 'node:crypto'
import {
  check,
  checkBreaks,
  isObject,
  listen,
  mediaType,
  parseInteger,
  parseJson,
  pick,
  readBody,
  sendEmpty,
  sendJson,
  text,
  TooLarge,
  type Json,
  type JsonObject,
  type Schema,
} from './kit.ts'

/** The document this server implements, resolvable with require.resolve. */
export const document = '@readme/oas-examples/3.1/json/petstore.json'

/** Documented rules this server can be told to break, one at a time. */
export const breakable: readonly string[] = ['request.schema', 'response.schema', 'auth.required', 'item.unknown', 'validation.status']

export interface OpenApiStandin {
  url: string
  token: string
  credentials: Record<string, string>
  close(): Promise<void>
}

// ---- Schemas (components/schemas) -----------------------------------------------------------

const int64: Schema = { type: 'integer', format: 'int64' }
const int32: Schema = { type: 'integer', format: 'int32' }
const string: Schema = { type: 'string' }

const Category: Schema = { type: 'object', properties: { id: int64, name: string } }
const Tag: Schema = { type: 'object', properties: { id: int64, name: string } }
const PET_STATUSES = ['available', 'pending', 'sold'] as const
const Pet: Schema = {
  type: 'object',
  required: ['name', 'photoUrls'],
  properties: {
    id: { type: 'integer', format: 'int64', readOnly: true },
    category: Category,
    name: string,
    photoUrls: { type: 'array', items: string },
    tags: { type: 'array', items: Tag },
    status: { type: 'string', enum: PET_STATUSES },
  },
}
const Order: Schema = {
  type: 'object',
  properties: {
    id: int64,
    petId: int64,
    quantity: int32,
    shipDate: { type: 'string', format: 'date-time' },
    status: { type: 'string', enum: ['placed', 'approved', 'delivered'] },
    complete: { type: 'boolean' },
  },
}
const User: Schema = {
  type: 'object',
  properties: {
    id: int64,
    username: string,
    firstName: string,
    lastName: string,
    email: string,
    password: string,
    phone: string,
    userStatus: int32,
  },
}
const UserArray: Schema = { type: 'array', items: User }

export async function start(options: { breaks?: readonly string[] } = {}): Promise<OpenApiStandin> {
  const breaks = checkBreaks(breakable, options.breaks)
  const secret = randomBytes(12).toString('hex')
  const token = `petstore-token-${secret}`
  const credentials: Record<string, string> = { api_key: `petstore-key-${secret}` }

  const pets = new Map<number, JsonObject>()
  const orders = new Map<number, JsonObject>()
  const users = new Map<string, JsonObject>()
  let nextPetId = 1

  const petSeeds: JsonObject[] = [
    {
      name: 'doggie',
      category: { id: 1, name: 'Dogs' },
      photoUrls: ['https://example.com/photos/doggie.jpg'],
      tags: [{ id: 1, name: 'friendly' }],
      status: 'available',
    },
    { name: 'kitty', category: { id: 2, name: 'Cats' }, photoUrls: [], tags: [{ id: 2, name: 'lazy' }], status: 'pending' },
  ]
  for (const seed of petSeeds) {
    const id = nextPetId++
    pets.set(id, { id, ...seed })
  }
  orders.set(1, { id: 1, petId: 1, quantity: 1, shipDate: '2026-01-15T10:00:00Z', status: 'placed', complete: false })
  orders.set(2, { id: 2, petId: 2, quantity: 2, shipDate: '2026-02-01T08:30:00Z', status: 'delivered', complete: true })
  users.set('user1', {
    id: 1,
    username: 'user1',
    firstName: 'Ada',
    lastName: 'Lovelace',
    email: 'ada@example.com',
    password: 'secret1',
    phone: '555-0101',
    userStatus: 1,
  })
  users.set('user2', {
    id: 2,
    username: 'user2',
    firstName: 'Alan',
    lastName: 'Turing',
    email: 'alan@example.com',
    password: 'secret2',
    phone: '555-0102',
    userStatus: 1,
  })
  let nextUserId = 3

  /** petstore_auth (OAuth2): `Authorization: Bearer <token>`. */
  function hasOAuth(req: http.IncomingMessage): boolean {
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim()
    // The auth.required break: the token is only checked for presence.
    if (breaks.has('auth.required')) return bearer !== undefined && bearer !== ''
    return bearer === token
  }
  /** api_key: the `api_key` header. */
  function hasApiKey(req: http.IncomingMessage): boolean {
    const key = req.headers['api_key']
    if (breaks.has('auth.required')) return typeof key === 'string' && key !== ''
    return key === credentials.api_key
  }
  /** True when allowed; otherwise answers 401 and returns false. */
  function authorize(req: http.IncomingMessage, res: http.ServerResponse, scheme: 'petstore_auth' | 'api_key'): boolean {
    if (scheme === 'petstore_auth' ? hasOAuth(req) : hasApiKey(req)) return true
    // assumed: no operation lists 401; missing or wrong credentials answer a bodiless 401
    sendEmpty(res, 401, { 'WWW-Authenticate': scheme === 'petstore_auth' ? 'Bearer' : 'api_key' })
    return false
  }

  /**
   * Refuses a request that fails validation with the error status the operation declares.
   * The document declares no error content, so the answer has no body.
   */
  function invalid(res: http.ServerResponse, status: 400 | 405): void {
    // The validation.status break: validation failures answer 422.
    sendEmpty(res, breaks.has('validation.status') ? 422 : status)
  }

  /** Reads a JSON body and checks it; answers `status` and returns undefined on failure. */
  async function jsonBody(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    schema: Schema,
    status: 400 | 405,
  ): Promise<Json | undefined> {
    // assumed: only JSON bodies are read; application/xml (declared for pets) is refused like invalid input
    const parsed = parseJson(req, await readBody(req))
    if (!parsed.ok) {
      invalid(res, status)
      return undefined
    }
    const found = breaks.has('request.schema') && schema === Pet ? petLoose(parsed.value) : check(schema, parsed.value, 'request')
    if (found) {
      invalid(res, status)
      return undefined
    }
    return parsed.value
  }
  /** The request.schema break: a pet only has to be an object; required fields and types go unchecked. */
  function petLoose(value: Json): string | undefined {
    return isObject(value) ? undefined : 'body must be an object'
  }

  // assumed: properties Pet does not declare are dropped, not stored
  function toPet(body: JsonObject, id: number): JsonObject {
    const fields = breaks.has('request.schema') ? { ...body } : (pick(Pet, body) as JsonObject)
    delete fields.id
    return { id, ...fields }
  }

  /** Pet answers; the response.schema break drops the required photoUrls. */
  function petOut(pet: JsonObject): JsonObject {
    if (!breaks.has('response.schema')) return pet
    const { photoUrls: _dropped, ...rest } = pet
    return rest
  }

  function userOut(user: JsonObject): JsonObject {
    // assumed: the stored password is never sent back
    const { password: _password, ...rest } = user
    return rest
  }

  function lowestFreeOrderId(): number {
    // assumed: order ids are the lowest free positive integer, so live orders stay within GET's 1..10
    let id = 1
    while (orders.has(id)) id++
    return id
  }

  function storeUser(body: JsonObject): void {
    const fields = pick(User, body) as JsonObject
    const username = text(fields.username)
    const existing = users.get(username)
    // assumed: creating an existing username replaces that user (keeps its id)
    const id = existing && typeof existing.id === 'number' ? existing.id : nextUserId++
    users.set(username, { ...fields, id, username })
  }
  /** assumed: a user without a username cannot be stored (it is the key of /user/{username}). */
  function missingUsername(value: Json): boolean {
    return !isObject(value) || typeof value.username !== 'string' || value.username === ''
  }

  const handler = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> => {
    const method = req.method ?? 'GET'
    const path = url.pathname.replace(/\/+$/, '') || '/'
    const segments = path.split('/').slice(1).map(decodeURIComponent)

    // ---- /pet
    if (path === '/pet') {
      if (method !== 'POST' && method !== 'PUT') return methodNotAllowed(res, 'POST, PUT')
      if (!authorize(req, res, 'petstore_auth')) return
      if (method === 'POST') {
        // The only declared answer is 405 "Invalid input", used for refusals.
        const body = await jsonBody(req, res, Pet, 405)
        if (body === undefined) return
        const id = nextPetId++
        const pet = toPet(body as JsonObject, id)
        pets.set(id, pet)
        // assumed: the document declares no success answer; like the live petstore, 200 with the pet
        return sendJson(res, 200, pet)
      }
      // PUT: 400 for an invalid body (and id), 404 when the pet is unknown
      const body = await jsonBody(req, res, Pet, 400)
      if (body === undefined) return
      const fields = body as JsonObject
      // assumed: PUT /pet names the pet by the body's id (readOnly elsewhere); without one it is 400 "Invalid ID"
      const id = fields.id
      if (typeof id !== 'number' || !Number.isSafeInteger(id)) return invalid(res, 400)
      if (!pets.has(id)) return sendEmpty(res, 404)
      const pet = toPet(fields, id)
      pets.set(id, pet)
      // assumed: no success answer is declared; 200 with the updated pet
      return sendJson(res, 200, pet)
    }

    if (path === '/pet/findByStatus' || path === '/pet/findByTags') {
      if (method !== 'GET') return methodNotAllowed(res, 'GET')
      if (!authorize(req, res, 'petstore_auth')) return
      if (path === '/pet/findByStatus') {
        const statuses = url.searchParams.getAll('status')
        // status is required (exploded array of the pet statuses)
        if (statuses.length === 0 || statuses.some((s) => !(PET_STATUSES as readonly string[]).includes(s))) {
          return invalid(res, 400)
        }
        return sendJson(res, 200, [...pets.values()].filter((pet) => statuses.includes(text(pet.status))).map(petOut))
      }
      const tags = url.searchParams.getAll('tags')
      if (tags.length === 0) return invalid(res, 400)
      const matches = [...pets.values()].filter(
        (pet) => Array.isArray(pet.tags) && pet.tags.some((tag) => isObject(tag) && tags.includes(text(tag.name))),
      )
      return sendJson(res, 200, matches.map(petOut))
    }

    // ---- /pet/{petId} and /pet/{petId}/uploadImage
    if (segments[0] === 'pet' && (segments.length === 2 || (segments.length === 3 && segments[2] === 'uploadImage'))) {
      const idText = segments[1]!
      if (segments.length === 3) {
        if (method !== 'POST') return methodNotAllowed(res, 'POST')
        if (!authorize(req, res, 'petstore_auth')) return
        const id = parseInteger(idText)
        // assumed: the operation declares only 200; a bad id answers 400, an unknown pet 404
        if (id === undefined) return invalid(res, 400)
        const body = await readBody(req)
        if (mediaType(req) !== 'application/octet-stream') return invalid(res, 400)
        if (!pets.has(id)) return sendEmpty(res, 404)
        return sendJson(res, 200, {
          code: 200,
          type: 'unknown',
          message: `File uploaded for pet ${id}, ${body.length} bytes`,
        })
      }
      if (method === 'GET') {
        if (!authorize(req, res, 'api_key')) return
        const id = parseInteger(idText)
        if (id === undefined) return invalid(res, 400)
        const pet = pets.get(id)
        if (!pet) {
          // The item.unknown break: an unknown id answers a made-up pet.
          if (breaks.has('item.unknown')) return sendJson(res, 200, { id, name: '', photoUrls: [] })
          return sendEmpty(res, 404)
        }
        return sendJson(res, 200, petOut(pet))
      }
      if (method === 'POST') {
        if (!authorize(req, res, 'petstore_auth')) return
        // The only declared answer is 405 "Invalid input".
        const id = parseInteger(idText)
        if (id === undefined) return invalid(res, 405)
        const body = await readBody(req)
        if (mediaType(req) !== 'application/x-www-form-urlencoded') return invalid(res, 405)
        const form = new URLSearchParams(body.toString('utf8'))
        const name = form.get('name')
        const status = form.get('status')
        // assumed: a form status must still be one of the pet statuses
        if (status !== null && !(PET_STATUSES as readonly string[]).includes(status)) return invalid(res, 405)
        const pet = pets.get(id)
        // assumed: an unknown pet is "Invalid input" too (405), the operation declares no 404
        if (!pet) return sendEmpty(res, 405)
        if (name !== null) pet.name = name
        if (status !== null) pet.status = status
        // assumed: no success answer is declared; a bodiless 200
        return sendEmpty(res, 200)
      }
      if (method === 'DELETE') {
        if (!authorize(req, res, 'petstore_auth')) return
        const id = parseInteger(idText)
        if (id === undefined) return invalid(res, 400)
        if (!pets.delete(id)) return sendEmpty(res, 404)
        // assumed: no success answer is declared; a bodiless 200
        return sendEmpty(res, 200)
      }
      return methodNotAllowed(res, 'GET, POST, DELETE')
    }

    // ---- /store
    if (path === '/store/inventory') {
      if (method !== 'GET') return methodNotAllowed(res, 'GET')
      if (!authorize(req, res, 'api_key')) return
      const counts: JsonObject = {}
      for (const pet of pets.values()) {
        const status = typeof pet.status === 'string' ? pet.status : 'unknown'
        counts[status] = (typeof counts[status] === 'number' ? counts[status] : 0) + 1
      }
      return sendJson(res, 200, counts)
    }
    if (path === '/store/order') {
      if (method !== 'POST') return methodNotAllowed(res, 'POST')
      const body = await jsonBody(req, res, Order, 400)
      if (body === undefined) return
      if (!isObject(body)) return invalid(res, 400)
      const id = lowestFreeOrderId()
      // assumed: the server assigns the order id; `complete` defaults to false and `status` to placed
      const order: JsonObject = { status: 'placed', complete: false, ...(pick(Order, body) as JsonObject), id }
      orders.set(id, order)
      return sendJson(res, 200, order)
    }
    if (segments[0] === 'store' && segments[1] === 'order' && segments.length === 3) {
      const id = parseInteger(segments[2])
      if (method === 'GET') {
        if (id === undefined || id < 1 || id > 10) return invalid(res, 400)
        const order = orders.get(id)
        if (!order) return sendEmpty(res, 404)
        return sendJson(res, 200, order)
      }
      if (method === 'DELETE') {
        if (id === undefined || id < 1) return invalid(res, 400)
        if (!orders.delete(id)) return sendEmpty(res, 404)
        // assumed: no success answer is declared; a bodiless 200
        return sendEmpty(res, 200)
      }
      return methodNotAllowed(res, 'GET, DELETE')
    }

    // ---- /user
    if (path === '/user') {
      if (method !== 'POST') return methodNotAllowed(res, 'POST')
      const body = await jsonBody(req, res, User, 400)
      if (body === undefined) return
      if (missingUsername(body)) return invalid(res, 400)
      storeUser(body as JsonObject)
      // `default` without content: a bodiless 200
      return sendEmpty(res, 200)
    }
    if (path === '/user/createWithArray' || path === '/user/createWithList') {
      if (method !== 'POST') return methodNotAllowed(res, 'POST')
      const body = await jsonBody(req, res, UserArray, 400)
      if (body === undefined) return
      if (!Array.isArray(body) || body.some(missingUsername)) return invalid(res, 400)
      for (const user of body) storeUser(user as JsonObject)
      return sendEmpty(res, 200)
    }
    if (path === '/user/login') {
      if (method !== 'GET') return methodNotAllowed(res, 'GET')
      const username = url.searchParams.get('username')
      const password = url.searchParams.get('password')
      if (username === null || password === null) return invalid(res, 400)
      const user = users.get(username)
      if (!user || user.password !== password) return sendEmpty(res, 400)
      const expires = new Date(Date.now() + 3600_000).toISOString()
      return sendJson(res, 200, `logged in user session:${randomBytes(8).toString('hex')}`, {
        'X-Rate-Limit': '5000',
        'X-Expires-After': expires,
      })
    }
    if (path === '/user/logout') {
      if (method !== 'GET') return methodNotAllowed(res, 'GET')
      return sendEmpty(res, 200)
    }
    if (segments[0] === 'user' && segments.length === 2) {
      const username = segments[1]!
      if (method === 'GET') {
        const user = users.get(username)
        if (!user) return sendEmpty(res, 404)
        return sendJson(res, 200, userOut(user))
      }
      if (method === 'PUT') {
        const body = await jsonBody(req, res, User, 400)
        if (body === undefined) return
        if (!isObject(body)) return invalid(res, 400)
        const existing = users.get(username)
        if (!existing) return sendEmpty(res, 404)
        // assumed: the body replaces the user; the path names it, so id and username stay
        users.set(username, { ...(pick(User, body) as JsonObject), id: existing.id ?? 0, username })
        // assumed: no success answer is declared; a bodiless 200
        return sendEmpty(res, 200)
      }
      if (method === 'DELETE') {
        if (!users.delete(username)) return sendEmpty(res, 404)
        // assumed: no success answer is declared; a bodiless 200
        return sendEmpty(res, 200)
      }
      return methodNotAllowed(res, 'GET, PUT, DELETE')
    }

    sendEmpty(res, 404)
  }

  function methodNotAllowed(res: http.ServerResponse, allow: string): void {
    // assumed: an undocumented method on a documented path answers a bodiless 405 with Allow
    res.setHeader('Allow', allow)
    sendEmpty(res, 405)
  }

  const server = await listen(handler, (res, thrown) => sendEmpty(res, thrown instanceof TooLarge ? 400 : 500))
  return { url: server.url, token, credentials, close: () => server.close() }
}
