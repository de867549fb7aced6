import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { nestedPlanetChecks } from '../independent/galaxy-server.ts'

/*
 * A Scalar Galaxy server (@scalar/galaxy 3.1.yaml) as a Spring Boot team might write it, for issue 21 item 4: its
 * behaviour mixes what no single reading of the twin gives, and what calibrate must learn field by field.
 * - Errors are Spring Boot's `{timestamp, status, error, message, path}` (server.error.include-message=always),
 *   application/json, never the document's RFC 7807 shape.
 * - No Authorization header: 401. An Authorization header that is not the token: 403 "Access Denied" (a resource
 *   server whose entry point answers 401 and whose access-denied handler answers 403).
 * - habitabilityIndex takes a numeric string (a Jackson double coerces it); every physicalProperties number is
 *   checked strictly (a hand-written validator).
 * - discoveredAt's date-time format is checked; the callback URLs' uri format is not (no @URL on them).
 * Everything else follows the document as the twin reads it by default (400 for validation, 404, 204, 201 with
 * the Location the document declares, PUT replaces). No apitwin code is imported: the planets live in a Map.
 */

interface Planet extends Record<string, unknown> {
  id: number
}

const TYPES = ['terrestrial', 'gas_giant', 'ice_giant', 'dwarf', 'super_earth']
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i
const NUMERIC = /^-?\d+(\.\d+)?$/
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)

/** physicalProperties: numbers (mass and radius above 0) and a temperature object of numbers. */
function physical(v: unknown): string | undefined {
  if (!isObject(v)) return 'must be an object'
  for (const [key, value] of Object.entries(v)) {
    if (key === 'temperature') {
      if (!isObject(value)) return 'temperature must be an object'
      for (const [name, t] of Object.entries(value)) if (!isNumber(t)) return `temperature.${name} must be a number`
    } else if (!isNumber(value)) return `${key} must be a number`
    else if ((key === 'mass' || key === 'radius') && value <= 0) return `${key} must be greater than 0`
  }
  return undefined
}

const fields: Record<string, (v: unknown) => string | undefined> = {
  name: (v) => (typeof v === 'string' ? undefined : 'must be a string'),
  description: (v) => (typeof v === 'string' || v === null ? undefined : 'must be a string or null'),
  type: (v) => (typeof v === 'string' && TYPES.includes(v) ? undefined : `must be one of ${TYPES.join(', ')}`),
  habitabilityIndex: (v) => {
    const n = typeof v === 'string' && NUMERIC.test(v) ? Number(v) : v
    return isNumber(n) && n >= 0 && n <= 1 ? undefined : 'must be a number from 0 to 1'
  },
  physicalProperties: (v) => physical(v),
  // Nested objects validated as the document says (@Valid on the nested DTOs).
  atmosphere: nestedPlanetChecks.atmosphere,
  discoveredAt: (v) => (typeof v === 'string' && DATE_TIME.test(v) ? undefined : 'must be a date-time'),
  image: (v) => (typeof v === 'string' || v === null ? undefined : 'must be a string or null'),
  satellites: nestedPlanetChecks.satellites,
  creator: nestedPlanetChecks.creator,
  tags: (v) => (Array.isArray(v) && v.every((t) => typeof t === 'string') ? undefined : 'must be an array of strings'),
  successCallbackUrl: (v) => (typeof v === 'string' ? undefined : 'must be a string'),
  failureCallbackUrl: (v) => (typeof v === 'string' ? undefined : 'must be a string'),
}
const READ_ONLY = new Set(['id', 'lastUpdated'])

function parsePlanet(body: unknown): { planet: Record<string, unknown> } | { problem: string } {
  if (!isObject(body)) return { problem: 'the body must be a Planet object' }
  const planet: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(body)) {
    if (READ_ONLY.has(key)) continue
    const check = fields[key]
    if (!check) return { problem: `${key} is not a Planet property` }
    const problem = check(value)
    if (problem) return { problem: `${key} ${problem}` }
    // Stored as Jackson would bind it: the coerced number, not the string.
    planet[key] = key === 'habitabilityIndex' && typeof value === 'string' ? Number(value) : value
  }
  if (typeof planet['name'] !== 'string') return { problem: 'name must not be null' }
  return { planet }
}

const REASONS: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' }

/**
 * Starts the server on an ephemeral port of 127.0.0.1.
 * @example const galaxy = await startSpringGalaxy('s3cret-token-1'); galaxy.url // http://127.0.0.1:PORT
 */
export async function startSpringGalaxy(token: string): Promise<{ url: string; close: () => Promise<void> }> {
  const planets = new Map<number, Planet>()
  let next = 1
  for (const name of ['Mars', 'Venus', 'Jupiter'])
    planets.set(next, { id: next++, name, type: 'terrestrial', lastUpdated: new Date(0).toISOString() })

  const send = (res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, body === undefined ? headers : { 'content-type': 'application/json', ...headers })
    res.end(body === undefined ? undefined : JSON.stringify(body))
  }
  // Spring Boot's BasicErrorController body; its timestamp is an offset date-time, its path the request's.
  const error = (res: ServerResponse, req: IncomingMessage, status: number, message: string) =>
    send(res, status, {
      timestamp: new Date().toISOString().replace('Z', '+00:00'),
      status,
      error: REASONS[status] ?? 'Error',
      message,
      path: new URL(req.url ?? '/', 'http://galaxy').pathname,
    })
  const readBody = async (req: IncomingMessage) => {
    let text = ''
    for await (const chunk of req) text += String(chunk)
    try {
      return { value: text === '' ? undefined : (JSON.parse(text) as unknown) }
    } catch {
      return undefined
    }
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://galaxy')
    const method = req.method ?? 'GET'
    const item = /^\/planets\/([^/]+)$/.exec(url.pathname)
    const secured =
      (method !== 'GET' &&
        (url.pathname === '/planets' ||
          item !== null ||
          /^\/planets\/[^/]+\/image$/.test(url.pathname) ||
          url.pathname === '/celestial-bodies')) ||
      url.pathname === '/me'
    if (secured) {
      const given = req.headers.authorization
      if (given === undefined) return error(res, req, 401, 'Full authentication is required to access this resource')
      if (given !== `Bearer ${token}`) return error(res, req, 403, 'Access Denied')
    }

    if (url.pathname === '/planets' && method === 'GET') {
      const limit = Math.max(1, Number(url.searchParams.get('limit') ?? 10) || 10)
      const offset = Math.max(0, Number(url.searchParams.get('offset') ?? 0) || 0)
      const all = [...planets.values()]
      return send(res, 200, {
        data: all.slice(offset, offset + limit),
        meta: {
          limit,
          offset,
          total: all.length,
          next: offset + limit < all.length ? `/planets?limit=${limit}&offset=${offset + limit}` : null,
        },
      })
    }
    if (url.pathname === '/planets' && method === 'POST') {
      const body = await readBody(req)
      if (!body) return error(res, req, 400, 'JSON parse error')
      const parsed = parsePlanet(body.value)
      if ('problem' in parsed) return error(res, req, 400, `Validation failed: ${parsed.problem}`)
      const planet: Planet = { ...parsed.planet, id: next++, lastUpdated: new Date().toISOString() }
      planets.set(planet.id, planet)
      // The document declares the Location header of a create (ResponseEntity.created).
      return send(res, 201, planet, { location: `/planets/${planet.id}` })
    }
    if (item) {
      const id = Number(item[1])
      if (!Number.isInteger(id)) return error(res, req, 400, 'Failed to convert value of type String to required type long')
      const found = planets.get(id)
      if (method === 'PUT') {
        const body = await readBody(req)
        if (!body) return error(res, req, 400, 'JSON parse error')
        const parsed = parsePlanet(body.value)
        if ('problem' in parsed) return error(res, req, 400, `Validation failed: ${parsed.problem}`)
        if (!found) return error(res, req, 404, `Planet ${id} not found`)
        const planet: Planet = { ...parsed.planet, id, lastUpdated: new Date().toISOString() }
        planets.set(id, planet)
        return send(res, 200, planet)
      }
      if (!found) return error(res, req, 404, `Planet ${id} not found`)
      if (method === 'GET') return send(res, 200, found)
      if (method === 'DELETE') {
        planets.delete(id)
        return send(res, 204)
      }
    }
    if (url.pathname === '/me' && method === 'GET') return send(res, 200, { id: 1, name: 'Marc' })
    return error(res, req, 404, `No endpoint ${method} ${url.pathname}`)
  }

  const server: Server = createServer((req, res) => void handle(req, res).catch(() => error(res, req, 500, 'unexpected')))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}
