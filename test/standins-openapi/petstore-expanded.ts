// Swagger Petstore "expanded" (OpenAPI 3.0), implemented by hand from
// @readme/oas-examples/3.0/json/petstore-expanded.json.
import type http from 'node:http'
import {
  check,
  checkBreaks,
  isObject,
  listen,
  parseInteger,
  parseJson,
  readBody,
  sendEmpty,
  sendJson,
  TooLarge,
  type JsonObject,
  type Schema,
} from './kit.ts'

/** The document this server implements, resolvable with require.resolve. */
export const document = '@readme/oas-examples/3.0/json/petstore-expanded.json'

/** Documented rules this server can be told to break, one at a time. */
export const breakable: readonly string[] = ['request.schema', 'response.schema', 'create.status', 'delete.status']

export interface OpenApiStandin {
  url: string
  token: string
  credentials: Record<string, string>
  close(): Promise<void>
}

const NewPet: Schema = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string' }, tag: { type: 'string' } },
}

interface Pet {
  id: number
  name: string
  tag?: string
}

export async function start(options: { breaks?: readonly string[] } = {}): Promise<OpenApiStandin> {
  const breaks = checkBreaks(breakable, options.breaks)
  const pets = new Map<number, Pet>()
  let nextId = 1
  for (const seed of [{ name: 'Rex', tag: 'dog' }, { name: 'Tom', tag: 'cat' }, { name: 'Nemo' }]) {
    const id = nextId++
    pets.set(id, { id, ...seed })
  }

  /** Error answers use the `default` response: an Error { code, message }. */
  function error(res: http.ServerResponse, code: number, message: string): void {
    sendJson(res, code, { code, message })
  }

  function petOut(pet: Pet): JsonObject {
    const out: JsonObject = { id: pet.id, name: pet.name }
    if (pet.tag !== undefined) out.tag = pet.tag
    // The response.schema break: the id goes out as a string.
    if (breaks.has('response.schema')) out.id = String(pet.id)
    return out
  }

  const handler = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> => {
    const method = req.method ?? 'GET'
    const path = url.pathname.replace(/\/+$/, '') || '/'
    const segments = path.split('/').slice(1)

    if (path === '/pets') {
      if (method === 'GET') {
        // tags: form style, exploded (?tags=a&tags=b)
        const tags = url.searchParams.getAll('tags')
        const limitText = url.searchParams.get('limit')
        const limit = limitText === null ? undefined : parseInteger(limitText)
        if (limitText !== null && (limit === undefined || limit > 2147483647 || limit < -2147483648)) {
          return error(res, 400, 'limit must be an int32')
        }
        // assumed: a negative limit is refused with 400; 0 answers an empty list
        if (limit !== undefined && limit < 0) return error(res, 400, 'limit must not be negative')
        let found = [...pets.values()]
        if (tags.length > 0) found = found.filter((pet) => pet.tag !== undefined && tags.includes(pet.tag))
        if (limit !== undefined) found = found.slice(0, limit)
        return sendJson(res, 200, found.map(petOut))
      }
      if (method === 'POST') {
        const parsed = parseJson(req, await readBody(req))
        if (!parsed.ok) return error(res, 400, parsed.problem)
        const body = parsed.value
        if (breaks.has('request.schema')) {
          // The request.schema break: only "is it an object" is checked.
          if (!isObject(body)) return error(res, 400, 'body must be an object')
        } else {
          const problem = check(NewPet, body, 'request')
          if (problem) return error(res, 400, problem)
        }
        const fields = body as JsonObject
        const id = nextId++
        // assumed: properties NewPet does not declare are ignored (not stored)
        const pet: Pet = { id, name: fields.name as string }
        if (fields.tag !== undefined) pet.tag = fields.tag as string
        pets.set(id, pet)
        // The document declares 200 for a create (and no Location header).
        return sendJson(res, breaks.has('create.status') ? 201 : 200, petOut(pet))
      }
      return methodNotAllowed(res, 'GET, POST')
    }

    if (segments[0] === 'pets' && segments.length === 2) {
      if (method !== 'GET' && method !== 'DELETE') return methodNotAllowed(res, 'GET, DELETE')
      const id = parseInteger(decodeURIComponent(segments[1]!))
      if (id === undefined) return error(res, 400, 'id must be an integer')
      // assumed: an unknown id answers 404 through the `default` Error response
      if (method === 'GET') {
        const pet = pets.get(id)
        if (!pet) return error(res, 404, `pet ${id} not found`)
        return sendJson(res, 200, petOut(pet))
      }
      if (!pets.delete(id)) return error(res, 404, `pet ${id} not found`)
      return breaks.has('delete.status') ? sendEmpty(res, 200) : sendEmpty(res, 204)
    }

    error(res, 404, `no operation at ${path}`)
  }

  function methodNotAllowed(res: http.ServerResponse, allow: string): void {
    res.setHeader('Allow', allow)
    error(res, 405, `allowed: ${allow}`)
  }

  const server = await listen(handler, (res, thrown) =>
    thrown instanceof TooLarge ? error(res, 413, 'the body is too large') : error(res, 500, 'internal error'),
  )
  return { url: server.url, token: '', credentials: {}, close: () => server.close() }
}
