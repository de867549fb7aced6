// Scalar Galaxy (OpenAPI 3.1), implemented by hand from @scalar/galaxy/3.1.yaml.
import type http from 'node:http'
import { randomBytes, randomUUID } from 'node:crypto'
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
  type JsonObject,
  type Schema,
} from './kit.ts'

/** The document this server implements, resolvable with require.resolve. */
export const document = '@scalar/galaxy/3.1.yaml'

/** Documented rules this server can be told to break, one at a time. */
export const breakable: readonly string[] = [
  'request.schema',
  'response.schema',
  'auth.required',
  'item.unknown',
  'create.status',
  'create.location',
  'delete.status',
]

export interface OpenApiStandin {
  url: string
  token: string
  credentials: Record<string, string>
  close(): Promise<void>
}

// ---- Schemas (components/schemas) -----------------------------------------------------------

const float: Schema = { type: 'number' }

const User: Schema = {
  type: 'object',
  properties: { id: { type: 'integer', format: 'int64', readOnly: true }, name: { type: 'string' } },
}

const Credentials: Schema = {
  type: 'object',
  required: ['email', 'password'],
  properties: { email: { type: 'string', format: 'email' }, password: { type: 'string' } },
}

// allOf [User, Credentials]
const SignupBody: Schema = {
  type: 'object',
  required: ['email', 'password'],
  properties: {
    id: { type: 'integer', format: 'int64', readOnly: true },
    name: { type: 'string' },
    email: { type: 'string', format: 'email' },
    password: { type: 'string' },
  },
}

const PLANET_TYPES = ['terrestrial', 'gas_giant', 'ice_giant', 'dwarf', 'super_earth'] as const
const SATELLITE_TYPES = ['moon', 'asteroid', 'comet'] as const

const Satellite: Schema = {
  type: 'object',
  required: ['name'],
  properties: {
    id: { type: 'integer', format: 'int64', readOnly: true },
    name: { type: 'string' },
    description: { type: 'string', nullable: true },
    diameter: float,
    type: { type: 'string', enum: SATELLITE_TYPES },
    orbit: {
      type: 'object',
      properties: {
        planet: { type: 'lazy', get: () => Planet },
        orbitalPeriod: float,
        distance: float,
      },
    },
  },
}

const Planet: Schema = {
  type: 'object',
  required: ['id', 'name'],
  additionalProperties: false,
  properties: {
    id: { type: 'integer', format: 'int64', readOnly: true },
    name: { type: 'string' },
    description: { type: 'string', nullable: true },
    type: { type: 'string', enum: PLANET_TYPES },
    habitabilityIndex: { type: 'number', minimum: 0, maximum: 1 },
    physicalProperties: {
      type: 'object',
      additionalProperties: float,
      properties: {
        mass: { type: 'number', exclusiveMinimum: 0 },
        radius: { type: 'number', exclusiveMinimum: 0 },
        gravity: float,
        temperature: {
          type: 'object',
          additionalProperties: float,
          properties: { min: float, max: float, average: float },
        },
      },
    },
    atmosphere: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: { type: 'string' },
        properties: { compound: { type: 'string' }, percentage: { type: 'number', exclusiveMaximum: 100 } },
      },
    },
    discoveredAt: { type: 'string', format: 'date-time' },
    image: { type: 'string', nullable: true },
    satellites: { type: 'array', items: Satellite },
    creator: User,
    tags: { type: 'array', items: { type: 'string' } },
    lastUpdated: { type: 'string', format: 'date-time', readOnly: true },
    successCallbackUrl: { type: 'string', format: 'uri' },
    failureCallbackUrl: { type: 'string', format: 'uri' },
  },
}

// ---- Stored shapes --------------------------------------------------------------------------

interface StoredUser {
  id: number
  name?: string
  email: string
  password: string
}

/** Error bodies follow BadRequestError / UnauthorizedError / ForbiddenError / NotFoundError / Conflict. */
function problem(status: number, title: string, detail: string): JsonObject {
  const slug = title.toLowerCase().replace(/\s+/g, '-')
  return { type: `https://example.com/errors/${slug}`, title, status, detail }
}

type Scheme = 'bearerAuth' | 'basicAuth' | 'apiKeyHeader' | 'apiKeyQuery' | 'apiKeyCookie' | 'oAuth2' | 'openIdConnect'

/** Root `security`: any one of these alternatives (all schemes of an alternative together). */
const ROOT_SECURITY: readonly (readonly Scheme[])[] = [
  ['bearerAuth'],
  ['basicAuth'],
  ['apiKeyQuery'],
  ['apiKeyHeader'],
  ['apiKeyHeader', 'apiKeyQuery'],
  ['apiKeyCookie'],
  ['oAuth2'],
  ['openIdConnect'],
]
/** GET /me has its own list (no cookie, no OpenID Connect). */
const ME_SECURITY: readonly (readonly Scheme[])[] = [
  ['basicAuth'],
  ['oAuth2'],
  ['bearerAuth'],
  ['apiKeyHeader'],
  ['apiKeyQuery'],
  ['apiKeyHeader', 'apiKeyQuery'],
]

function cookie(req: http.IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=')
    if (key === name) return decodeURIComponent(rest.join('='))
  }
  return undefined
}

export async function start(options: { breaks?: readonly string[] } = {}): Promise<OpenApiStandin> {
  const breaks = checkBreaks(breakable, options.breaks)
  const secret = randomBytes(12).toString('hex')
  const token = `galaxy-token-${secret}`
  const credentials: Record<string, string> = {
    basicAuth: 'marc@scalar.com:i-love-scalar',
    apiKeyHeader: `galaxy-header-key-${secret}`,
    apiKeyQuery: `galaxy-query-key-${secret}`,
    apiKeyCookie: `galaxy-cookie-key-${secret}`,
  }

  const planets = new Map<number, JsonObject>()
  const bodies = new Map<number, JsonObject>()
  const users = new Map<number, StoredUser>()
  let nextPlanetId = 1
  let nextBodyId = 1
  let nextUserId = 1
  const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')

  const planetSeeds: JsonObject[] = [
    {
      name: 'Mars',
      description: 'The red planet',
      type: 'terrestrial',
      habitabilityIndex: 0.68,
      physicalProperties: { mass: 0.107, radius: 0.532, gravity: 0.378, temperature: { min: 130, max: 308, average: 210 } },
      atmosphere: [{ compound: 'CO2', percentage: 95.3 }],
      discoveredAt: '1610-01-07T00:00:00Z',
      image: null,
      satellites: [{ name: 'Phobos', description: null, diameter: 22.2, type: 'moon' }],
      tags: ['solar-system', 'rocky', 'explored'],
    },
    { name: 'Jupiter', description: 'A gas giant with a great red spot', type: 'gas_giant', tags: ['solar-system'] },
  ]
  for (const seed of planetSeeds) {
    const id = nextPlanetId++
    planets.set(id, { id, ...seed, lastUpdated: now() })
  }
  const bodySeeds: JsonObject[] = [
    { name: 'Pluto', type: 'dwarf' },
    { name: 'Moon', type: 'moon', diameter: 3474.8 },
  ]
  for (const seed of bodySeeds) {
    const id = nextBodyId++
    bodies.set(id, { id, ...seed })
  }
  for (const seed of [
    { name: 'Marc', email: 'marc@scalar.com', password: 'i-love-scalar' },
    { name: 'Cam', email: 'cam@scalar.com', password: 'scalar-is-cool' },
  ]) {
    const id = nextUserId++
    users.set(id, { id, ...seed })
  }

  /** Which schemes of the list the request satisfies. */
  function satisfied(req: http.IncomingMessage, url: URL): Set<Scheme> {
    const ok = new Set<Scheme>()
    const authorization = req.headers.authorization ?? ''
    const bearer = /^Bearer\s+(.+)$/i.exec(authorization)?.[1]?.trim()
    // Bearer, OAuth2 and OpenID Connect access tokens all arrive as `Authorization: Bearer`.
    // The auth.required break: the token is only checked for presence, never compared.
    if (bearer !== undefined && (bearer === token || (breaks.has('auth.required') && bearer !== ''))) {
      ok.add('bearerAuth').add('oAuth2').add('openIdConnect')
    }
    const basic = /^Basic\s+(.+)$/i.exec(authorization)?.[1]
    if (basic !== undefined && Buffer.from(basic, 'base64').toString('utf8') === credentials.basicAuth) ok.add('basicAuth')
    if (req.headers['x-api-key'] === credentials.apiKeyHeader) ok.add('apiKeyHeader')
    if (url.searchParams.get('api_key') === credentials.apiKeyQuery) ok.add('apiKeyQuery')
    if (cookie(req, 'api_key') === credentials.apiKeyCookie) ok.add('apiKeyCookie')
    return ok
  }

  /** True when allowed; otherwise answers 401 and returns false. */
  function authorize(req: http.IncomingMessage, res: http.ServerResponse, url: URL, security: readonly (readonly Scheme[])[]): boolean {
    const ok = satisfied(req, url)
    if (security.some((alternative) => alternative.every((scheme) => ok.has(scheme)))) return true
    // assumed: missing or wrong credentials answer 401 with an UnauthorizedError body, even where
    // the operation lists no 401 (the document's Unauthorized response is used for it).
    sendJson(res, 401, problem(401, 'Unauthorized', 'Valid credentials are required for this operation.'), {
      'WWW-Authenticate': 'Bearer, Basic realm="galaxy"',
      'X-Request-ID': randomUUID(),
    })
    return false
  }

  function badRequest(res: http.ServerResponse, detail: string): void {
    sendJson(res, 400, problem(400, 'Bad Request', detail), { 'X-Request-ID': randomUUID() })
  }
  function notFound(res: http.ServerResponse, what: string): void {
    sendJson(res, 404, problem(404, 'Not Found', `${what} does not exist.`))
  }

  /** Reads and validates a JSON body; answers 400 and returns undefined on failure. */
  async function jsonBody(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    schema: Schema,
    skipSchema = false,
  ): Promise<JsonObject | undefined> {
    const body = await readBody(req)
    // assumed: only JSON bodies are read; an application/xml body is refused with 400.
    const parsed = parseJson(req, body)
    if (!parsed.ok) {
      badRequest(res, parsed.problem)
      return undefined
    }
    if (!skipSchema) {
      const found = check(schema, parsed.value, 'request')
      if (found) {
        badRequest(res, found)
        return undefined
      }
    } else if (!isObject(parsed.value)) {
      badRequest(res, 'body must be an object')
      return undefined
    }
    return parsed.value as JsonObject
  }

  // assumed: a nested orbit planet sent without its (readOnly) id gets the surrounding planet's id, 0 if none
  /** Nested planets (satellite orbits) need an id in answers; they inherit the surrounding planet's. */
  function completePlanet(planet: JsonObject, id: number): JsonObject {
    const satellites = planet.satellites
    if (Array.isArray(satellites)) {
      planet.satellites = satellites.map((satellite) => (isObject(satellite) ? completeSatellite(satellite, id) : satellite))
    }
    return planet
  }
  function completeSatellite(satellite: JsonObject, planetId: number): JsonObject {
    const orbit = satellite.orbit
    if (isObject(orbit) && isObject(orbit.planet)) {
      const nested = orbit.planet
      const nestedId = typeof nested.id === 'number' ? nested.id : planetId
      orbit.planet = completePlanet({ id: nestedId, ...nested }, nestedId)
    }
    return satellite
  }

  // assumed: properties a schema does not declare (where it allows them) are dropped, not stored
  /** Builds the stored planet from a validated request body. */
  function toPlanet(body: JsonObject, id: number): JsonObject {
    // The request.schema break: whatever came in is stored as it is.
    const fields = breaks.has('request.schema') ? { ...body } : (pick(Planet, body) as JsonObject)
    delete fields.id
    delete fields.lastUpdated
    return completePlanet({ id, ...fields, lastUpdated: now() }, id)
  }

  function planetHeaders(planet: JsonObject): Record<string, string> {
    const lastUpdated = typeof planet.lastUpdated === 'string' ? planet.lastUpdated : now()
    return {
      'X-Request-ID': randomUUID(),
      ETag: `"${Buffer.from(JSON.stringify(planet)).toString('base64url').slice(-16)}"`,
      'Last-Modified': lastUpdated,
      // assumed: answers are not cached, the data is live
      'X-Cache-Control': 'no-cache',
    }
  }

  const handler = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> => {
    const method = req.method ?? 'GET'
    const path = url.pathname.replace(/\/+$/, '') || '/'
    const segments = path.split('/').slice(1)

    // ---- /planets
    if (path === '/planets') {
      if (method === 'GET') {
        const limitText = url.searchParams.get('limit') ?? undefined
        const offsetText = url.searchParams.get('offset') ?? undefined
        const limit = limitText === undefined ? 10 : parseInteger(limitText)
        const offset = offsetText === undefined ? 0 : parseInteger(offsetText)
        // assumed: a non-integer limit/offset is refused with 400 (the operation lists no error)
        if (limit === undefined) return badRequest(res, 'limit must be an integer')
        if (offset === undefined) return badRequest(res, 'offset must be an integer')
        // assumed: negative values are treated as 0, limit is capped at 100
        const size = Math.min(Math.max(limit, 0), 100)
        const start = Math.max(offset, 0)
        const all = [...planets.values()]
        const data = all.slice(start, start + size)
        const nextOffset = start + size
        const next = size > 0 && nextOffset < all.length ? `/planets?limit=${size}&offset=${nextOffset}` : null
        return sendJson(
          res,
          200,
          { data, meta: { limit: size, offset: start, total: all.length, next } },
          {
            'X-Request-ID': randomUUID(),
            'X-Pagination-Total': String(all.length),
            'X-Pagination-Page': String(size > 0 ? Math.floor(start / size) + 1 : 1),
            'X-Pagination-Per-Page': String(size),
            'X-Cache-Control': 'no-cache',
          },
        )
      }
      if (method === 'POST') {
        if (!authorize(req, res, url, ROOT_SECURITY)) return
        const started = Date.now()
        // assumed: the request body is optional in the document, but a planet needs a name: no body is a 400
        const body = await jsonBody(req, res, Planet, breaks.has('request.schema'))
        if (!body) return
        const id = nextPlanetId++
        const planet = toPlanet(body, id)
        planets.set(id, planet)
        const headers: Record<string, string> = {
          'X-Request-ID': randomUUID(),
          'X-Processing-Time': String(Date.now() - started),
        }
        if (!breaks.has('create.location')) headers.Location = `${base}/planets/${id}`
        return sendJson(res, breaks.has('create.status') ? 200 : 201, planet, headers)
      }
      return methodNotAllowed(res, 'GET, POST')
    }

    // ---- /planets/{planetId} and /planets/{planetId}/image
    if (segments[0] === 'planets' && (segments.length === 2 || (segments.length === 3 && segments[2] === 'image'))) {
      const isImage = segments.length === 3
      if (isImage && method !== 'POST') return methodNotAllowed(res, 'POST')
      if (!isImage && !['GET', 'PUT', 'DELETE'].includes(method)) return methodNotAllowed(res, 'GET, PUT, DELETE')
      // GET is public (security: []); PUT, DELETE and the image upload use the root security.
      if (method !== 'GET' && !authorize(req, res, url, ROOT_SECURITY)) return
      const id = parseInteger(decodeURIComponent(segments[1]!))
      if (id === undefined) return badRequest(res, 'planetId must be an integer')

      if (isImage) return uploadImage(req, res, id)

      if (method === 'GET') {
        const planet = planets.get(id)
        if (!planet) {
          // The item.unknown break: an unknown id answers a made-up planet.
          if (breaks.has('item.unknown')) return sendJson(res, 200, { id, name: 'Unknown planet' }, planetHeaders({}))
          return notFound(res, `Planet ${id}`)
        }
        // The response.schema break: the id goes out as a string.
        const answer = breaks.has('response.schema') ? { ...planet, id: String(id) } : planet
        return sendJson(res, 200, answer, planetHeaders(planet))
      }
      if (method === 'PUT') {
        const body = await jsonBody(req, res, Planet, breaks.has('request.schema'))
        if (!body) return
        if (!planets.has(id)) return notFound(res, `Planet ${id}`)
        // assumed: PUT replaces the whole planet (fields left out are removed); the id stays
        const planet = toPlanet(body, id)
        planets.set(id, planet)
        return sendJson(res, 200, planet)
      }
      // DELETE
      if (!planets.delete(id)) return notFound(res, `Planet ${id}`)
      return breaks.has('delete.status') ? sendEmpty(res, 200) : sendEmpty(res, 204)
    }

    // ---- /celestial-bodies
    if (path === '/celestial-bodies') {
      if (method !== 'POST') return methodNotAllowed(res, 'POST')
      if (!authorize(req, res, url, ROOT_SECURITY)) return
      const parsed = parseJson(req, await readBody(req))
      // assumed: refusals answer 400 with a BadRequestError body (the operation lists only 201)
      if (!parsed.ok) return badRequest(res, parsed.problem)
      const value = parsed.value
      if (!isObject(value)) return badRequest(res, 'body must be an object')
      // oneOf Planet | Satellite, told apart by the `type` discriminator
      const kind = value.type
      const isPlanet = typeof kind === 'string' && (PLANET_TYPES as readonly string[]).includes(kind)
      const isSatellite = typeof kind === 'string' && (SATELLITE_TYPES as readonly string[]).includes(kind)
      if (!isPlanet && !isSatellite) {
        return badRequest(res, `body.type must be one of ${[...PLANET_TYPES, ...SATELLITE_TYPES].join(', ')}`)
      }
      const schema = isPlanet ? Planet : Satellite
      const found = check(schema, value, 'request')
      if (found) return badRequest(res, found)
      const id = nextBodyId++
      const picked = pick(schema, value) as JsonObject
      // assumed: celestial bodies live in their own collection with their own ids
      const stored = isPlanet ? completePlanet({ id, ...picked, lastUpdated: now() }, id) : completeSatellite({ id, ...picked }, 0)
      bodies.set(id, stored)
      return sendJson(res, 201, stored)
    }

    // ---- /user/signup
    if (path === '/user/signup') {
      if (method !== 'POST') return methodNotAllowed(res, 'POST')
      const started = Date.now()
      const body = await jsonBody(req, res, SignupBody)
      if (!body) return
      const email = text(body.email)
      const password = text(body.password)
      if ([...users.values()].some((user) => user.email.toLowerCase() === email.toLowerCase())) {
        return sendJson(res, 409, problem(409, 'Conflict', `A user with email ${email} already exists.`))
      }
      const id = nextUserId++
      const user: StoredUser = { id, email, password }
      if (typeof body.name === 'string') user.name = body.name
      users.set(id, user)
      return sendJson(res, 201, publicUser(user), {
        'X-Request-ID': randomUUID(),
        // assumed: users have no documented item path; Location names /users/{id}
        Location: `${base}/users/${id}`,
        'X-Processing-Time': String(Date.now() - started),
      })
    }

    // ---- /auth/token
    if (path === '/auth/token') {
      if (method !== 'POST') return methodNotAllowed(res, 'POST')
      const body = await jsonBody(req, res, Credentials)
      if (!body) return
      const user = [...users.values()].find((u) => u.email === body.email && u.password === body.password)
      if (!user) return sendJson(res, 401, problem(401, 'Unauthorized', 'Wrong email or password.'))
      // assumed: every account gets the server's one access token
      return sendJson(
        res,
        201,
        { token },
        {
          'X-Request-ID': randomUUID(),
          'X-RateLimit-Limit': '100',
          'X-RateLimit-Remaining': '99',
          'X-RateLimit-Reset': '3600',
        },
      )
    }

    // ---- /me
    if (path === '/me') {
      if (method !== 'GET') return methodNotAllowed(res, 'GET')
      if (!authorize(req, res, url, ME_SECURITY)) return
      // assumed: all accepted credentials belong to the first seeded account (Marc)
      const me = users.get(1) ?? { id: 1, email: 'marc@scalar.com', password: '' }
      return sendJson(res, 200, publicUser(me), {
        'X-Request-ID': randomUUID(),
        ETag: `"user-${me.id}"`,
        'Last-Modified': bootTime,
        'X-Cache-Control': 'no-cache',
      })
    }

    sendJson(res, 404, problem(404, 'Not Found', `No operation at ${path}.`))
  }

  function methodNotAllowed(res: http.ServerResponse, allow: string): void {
    // assumed: an undocumented method on a documented path answers 405 with an Allow header
    res.setHeader('Allow', allow)
    sendEmpty(res, 405)
  }

  function publicUser(user: StoredUser): JsonObject {
    const out: JsonObject = { id: user.id }
    if (user.name !== undefined) out.name = user.name
    return out
  }

  async function uploadImage(req: http.IncomingMessage, res: http.ServerResponse, id: number): Promise<void> {
    const body = await readBody(req)
    if (mediaType(req) !== 'multipart/form-data') return badRequest(res, 'the body must be multipart/form-data')
    const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(req.headers['content-type'] ?? '')
    const marker = boundary?.[1] ?? boundary?.[2]
    if (!marker) return badRequest(res, 'the multipart boundary is missing')
    const image = findPart(body, marker, 'image')
    // assumed: an upload without an `image` part is refused with 400
    if (!image) return badRequest(res, 'the image part is missing')
    const planet = planets.get(id)
    if (!planet) return notFound(res, `Planet ${id}`)
    const extension = image.type === 'image/png' ? 'png' : image.type === 'image/gif' ? 'gif' : 'jpg'
    // assumed: images are "stored" on a CDN address and the planet's `image` points to it
    const imageUrl = `https://cdn.example.com/images/${randomUUID()}.${extension}`
    planet.image = imageUrl
    planet.lastUpdated = now()
    sendJson(
      res,
      200,
      {
        message: 'Image uploaded successfully',
        imageUrl,
        uploadedAt: now(),
        fileSize: image.size,
        mimeType: image.type,
      },
      { 'X-Request-ID': randomUUID(), 'X-Cache-Control': 'no-cache' },
    )
  }

  const bootTime = now()
  const server = await listen(handler, (res, error) => {
    if (error instanceof TooLarge) return badRequest(res, 'the body is too large')
    sendJson(res, 500, problem(500, 'Internal Server Error', 'Something went wrong.'))
  })
  const base = server.url
  return { url: server.url, token, credentials, close: () => server.close() }
}

/** Finds a named part of a multipart/form-data body. */
function findPart(body: Buffer, boundary: string, name: string): { type: string; size: number } | undefined {
  const delimiter = Buffer.from(`--${boundary}`)
  let at = body.indexOf(delimiter)
  while (at !== -1) {
    const next = body.indexOf(delimiter, at + delimiter.length)
    if (next === -1) break
    const part = body.subarray(at + delimiter.length, next)
    const split = part.indexOf('\r\n\r\n')
    if (split !== -1) {
      const head = part.subarray(0, split).toString('utf8')
      const disposition = /content-disposition:[^\r\n]*\bname="([^"]*)"/i.exec(head)
      if (disposition?.[1] === name) {
        const type = /content-type:\s*([^\r\n;]+)/i.exec(head)?.[1]?.trim() ?? 'application/octet-stream'
        // the part's content ends with the CRLF before the next delimiter
        const size = Math.max(0, part.length - split - 4 - 2)
        return { type, size }
      }
    }
    at = next
  }
  return undefined
}
