import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'

// A Scalar Galaxy server written from its OpenAPI document alone (@scalar/galaxy 3.1.yaml), as a team would write
// its own API: no apitwin code, no schema library, the planets kept in a Map. It is what `verify` must not raise
// false alarms against (issue 19). It accepts one bearer token; every secured operation refuses anything else.

interface Planet extends Record<string, unknown> {
  id: number
}

const TYPES = ['terrestrial', 'gas_giant', 'ice_giant', 'dwarf', 'super_earth']
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i
const URI = /^[a-z][a-z0-9+.-]*:\S*$/i
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

type Check = (v: unknown) => string | undefined
const number =
  (bounds: { above?: number; below?: number } = {}): Check =>
  (v) =>
    typeof v !== 'number'
      ? 'must be a number'
      : bounds.above !== undefined && !(v > bounds.above)
        ? `must be above ${bounds.above}`
        : bounds.below !== undefined && !(v < bounds.below)
          ? `must be below ${bounds.below}`
          : undefined
const string: Check = (v) => (typeof v === 'string' ? undefined : 'must be a string')
/** An object whose known properties pass their checks, the others `rest`'s; `required` ones present. */
const object =
  (known: Record<string, Check>, rest?: Check, required: readonly string[] = []): Check =>
  (v) => {
    if (!isObject(v)) return 'must be an object'
    for (const name of required) if (!(name in v)) return `.${name} is required`
    for (const [key, value] of Object.entries(v)) {
      const check = known[key] ?? rest
      const problem = check?.(value)
      if (problem) return `.${key} ${problem}`
    }
    return undefined
  }
const arrayOf =
  (item: Check): Check =>
  (v) => {
    if (!Array.isArray(v)) return 'must be an array'
    for (const [index, element] of v.entries()) {
      const problem = item(element)
      if (problem) return `[${index}] ${problem}`
    }
    return undefined
  }
const physical = object(
  {
    mass: number({ above: 0 }),
    radius: number({ above: 0 }),
    gravity: number(),
    temperature: object({ min: number(), max: number(), average: number() }, number()),
  },
  number(),
)
const satellite = object(
  {
    id: () => undefined,
    name: string,
    description: (v) => (typeof v === 'string' || v === null ? undefined : 'must be a string or null'),
    diameter: number(),
    type: (v) => (typeof v === 'string' && ['moon', 'asteroid', 'comet'].includes(v) ? undefined : 'must be moon, asteroid or comet'),
    // The orbit's planet is a whole Planet: its own fields are checked when it is sent as one.
    orbit: object({ planet: (v) => (isObject(v) ? undefined : 'must be an object'), orbitalPeriod: number(), distance: number() }),
  },
  undefined,
  ['name'],
)

/** The nested Planet properties the document constrains, for other test servers of the same document. */
export const nestedPlanetChecks = {
  atmosphere: arrayOf(object({ compound: string, percentage: number({ below: 100 }) }, string)),
  satellites: arrayOf(satellite),
  creator: object({ id: () => undefined, name: string }),
} as const

/** What each writable Planet property must be; undefined when it is fine. */
const fields: Record<string, (v: unknown) => string | undefined> = {
  name: (v) => (typeof v === 'string' ? undefined : 'must be a string'),
  description: (v) => (typeof v === 'string' || v === null ? undefined : 'must be a string or null'),
  type: (v) => (typeof v === 'string' && TYPES.includes(v) ? undefined : `must be one of ${TYPES.join(', ')}`),
  habitabilityIndex: (v) => (typeof v === 'number' && v >= 0 && v <= 1 ? undefined : 'must be a number from 0 to 1'),
  physicalProperties: physical,
  atmosphere: nestedPlanetChecks.atmosphere,
  discoveredAt: (v) => (typeof v === 'string' && DATE_TIME.test(v) ? undefined : 'must be a date-time'),
  image: (v) => (typeof v === 'string' || v === null ? undefined : 'must be a string or null'),
  satellites: nestedPlanetChecks.satellites,
  creator: nestedPlanetChecks.creator,
  tags: (v) => (Array.isArray(v) && v.every((t) => typeof t === 'string') ? undefined : 'must be an array of strings'),
  successCallbackUrl: (v) => (typeof v === 'string' && URI.test(v) ? undefined : 'must be a URI'),
  failureCallbackUrl: (v) => (typeof v === 'string' && URI.test(v) ? undefined : 'must be a URI'),
}
const READ_ONLY = new Set(['id', 'lastUpdated'])

/** The planet a body describes (read-only fields ignored), or the first problem with it. */
function parsePlanet(body: unknown): { planet: Record<string, unknown> } | { problem: string } {
  if (!isObject(body)) return { problem: 'the body must be a Planet object' }
  const planet: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(body)) {
    if (READ_ONLY.has(key)) continue
    const check = fields[key]
    if (!check) return { problem: `${key} is not a Planet property` }
    const problem = check(value)
    if (problem) return { problem: `${key} ${problem}` }
    planet[key] = value
  }
  if (typeof planet['name'] !== 'string') return { problem: 'name is required' }
  return { planet }
}

/**
 * Starts the server on an ephemeral port.
 * @example const galaxy = await startGalaxy('s3cret-token-1'); galaxy.url // http://127.0.0.1:PORT
 */
export async function startGalaxy(token: string): Promise<{ url: string; close: () => Promise<void> }> {
  const planets = new Map<number, Planet>()
  let next = 1
  for (const name of ['Mars', 'Venus', 'Jupiter'])
    planets.set(next, { id: next++, name, type: 'terrestrial', lastUpdated: new Date(0).toISOString() })

  const send = (res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, body === undefined ? headers : { 'content-type': 'application/json', ...headers })
    res.end(body === undefined ? undefined : JSON.stringify(body))
  }
  const problem = (res: ServerResponse, status: number, title: string, detail: string) =>
    send(res, status, { type: 'about:blank', title, status, detail })
  const authorized = (req: IncomingMessage) => req.headers.authorization === `Bearer ${token}`
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
    if (secured && !authorized(req)) return problem(res, 401, 'Unauthorized', 'a valid token is required')

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
      if (!body) return problem(res, 400, 'Bad Request', 'the body is not JSON')
      const parsed = parsePlanet(body.value)
      if ('problem' in parsed) return problem(res, 400, 'Bad Request', parsed.problem)
      const planet: Planet = { ...parsed.planet, id: next++, lastUpdated: new Date().toISOString() }
      planets.set(planet.id, planet)
      return send(res, 201, planet, { location: `/planets/${planet.id}` })
    }
    if (item) {
      const id = Number(item[1])
      if (!Number.isInteger(id)) return problem(res, 400, 'Bad Request', 'planetId must be an integer')
      const found = planets.get(id)
      if (method === 'PUT') {
        const body = await readBody(req)
        if (!body) return problem(res, 400, 'Bad Request', 'the body is not JSON')
        const parsed = parsePlanet(body.value)
        if ('problem' in parsed) return problem(res, 400, 'Bad Request', parsed.problem)
        if (!found) return problem(res, 404, 'Not Found', `planet ${id} does not exist`)
        const planet: Planet = { ...parsed.planet, id, lastUpdated: new Date().toISOString() }
        planets.set(id, planet)
        return send(res, 200, planet)
      }
      if (!found) return problem(res, 404, 'Not Found', `planet ${id} does not exist`)
      if (method === 'GET') return send(res, 200, found)
      if (method === 'DELETE') {
        planets.delete(id)
        return send(res, 204)
      }
    }
    if (url.pathname === '/me' && method === 'GET') return send(res, 200, { id: 1, name: 'Marc' })
    return problem(res, 404, 'Not Found', `no route for ${method} ${url.pathname}`)
  }

  const server: Server = createServer(
    (req, res) => void handle(req, res).catch(() => problem(res, 500, 'Internal Server Error', 'unexpected')),
  )
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}
