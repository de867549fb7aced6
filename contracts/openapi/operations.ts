import type { OpenApiDocument } from './document.ts'
import { OpenApiImportError } from './import-error.ts'
import { deref, isObject, pointer, type JsonObject } from './pointer.ts'

export type ParameterLocation = 'path' | 'query' | 'header' | 'cookie'

export interface OpenApiParameter {
  readonly name: string
  readonly in: ParameterLocation
  readonly required: boolean
  /** The parameter's schema as the document has it (`$ref`s unresolved); undefined when it uses `content`. */
  readonly schema: unknown
  /** `form` + `explode` (OpenAPI's default for query) sends `?a=1&a=2`; otherwise `?a=1,2`. */
  readonly explode: boolean
  readonly pointer: string
}

/** One media type of a body: its schema and the examples the document gives for it. */
export interface OpenApiMedia {
  readonly schema: unknown
  readonly examples: readonly unknown[]
  readonly pointer: string
}

export interface OpenApiResponse {
  readonly status: string
  readonly content: Readonly<Record<string, OpenApiMedia>>
  /** Response header names the document declares, lower-cased (`location`). */
  readonly headers: readonly string[]
  readonly pointer: string
}

/** A security scheme as the twin checks it. OAuth2 and OpenID Connect are bearer tokens to a mock. */
export type SecurityScheme =
  | { readonly kind: 'bearer'; readonly name: string }
  | { readonly kind: 'basic'; readonly name: string }
  | { readonly kind: 'apiKey'; readonly name: string; readonly in: 'header' | 'query' | 'cookie'; readonly key: string }
  /** A scheme a mock cannot check (mutualTLS, an unknown http scheme): always satisfied. */
  | { readonly kind: 'unchecked'; readonly name: string }

/** Alternatives (any one suffices), each a set of schemes that must all be satisfied; empty: public. */
export type SecurityRequirements = ReadonlyArray<readonly SecurityScheme[]>

export interface OpenApiOperation {
  /** `METHOD /path/{template}`, unique in the document. */
  readonly key: string
  readonly method: string
  readonly path: string
  readonly operationId: string | undefined
  readonly pointer: string
  readonly parameters: readonly OpenApiParameter[]
  readonly requestBody:
    { readonly required: boolean; readonly content: Readonly<Record<string, OpenApiMedia>>; readonly pointer: string } | undefined
  /** By status key as written: `200`, `2XX`, `default`. */
  readonly responses: Readonly<Record<string, OpenApiResponse>>
  readonly security: SecurityRequirements
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const

/** The most operations one document may hold (the GitHub description has 1,223). */
export const MAX_OPERATIONS = 20_000

/**
 * Every operation of the document, path-level parameters merged (an operation's own win by name and location),
 * `$ref`s of path items, parameters, bodies, responses and examples followed. Schemas stay as written: they are
 * bundled and compiled per operation on first use.
 * @example indexOperations(doc).find((op) => op.key === 'GET /pets/{petId}')
 */
export function indexOperations(doc: OpenApiDocument): OpenApiOperation[] {
  const root = doc.root
  const schemes = securitySchemes(doc)
  const globalSecurity = requirements(root['security'], schemes, '#/security') ?? []
  const operations: OpenApiOperation[] = []
  const paths = isObject(root['paths']) ? root['paths'] : {}
  for (const [path, rawItem] of Object.entries(paths)) {
    const itemPointer = pointer(['paths', path])
    // The Paths Object takes specification extensions beside the paths (`x-codegen-contextRoot`).
    if (path.startsWith('x-')) continue
    if (!path.startsWith('/')) throw new OpenApiImportError(itemPointer, 'a path must start with "/"')
    const item = deref(root, rawItem)
    if (!isObject(item)) continue
    const shared = parameters(doc, item['parameters'], `${itemPointer}/parameters`)
    for (const method of METHODS) {
      const raw = item[method]
      if (!isObject(raw)) continue
      const opPointer = `${itemPointer}/${method}`
      const own = parameters(doc, raw['parameters'], `${opPointer}/parameters`)
      const merged = [...own, ...shared.filter((p) => !own.some((o) => o.name === p.name && o.in === p.in))]
      for (const name of path.match(/\{[^}]+\}/g) ?? []) {
        if (!merged.some((p) => p.in === 'path' && `{${p.name}}` === name)) {
          // A template without its parameter still routes; the value is then a plain string.
          merged.push({
            name: name.slice(1, -1),
            in: 'path',
            required: true,
            schema: { type: 'string' },
            explode: false,
            pointer: opPointer,
          })
        }
      }
      const body = deref(root, raw['requestBody'])
      operations.push({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        operationId: typeof raw['operationId'] === 'string' ? raw['operationId'] : undefined,
        pointer: opPointer,
        parameters: merged,
        requestBody: isObject(body)
          ? {
              required: body['required'] === true,
              content: media(doc, body['content'], `${opPointer}/requestBody/content`),
              pointer: `${opPointer}/requestBody`,
            }
          : undefined,
        responses: responses(doc, raw['responses'], `${opPointer}/responses`),
        security: requirements(raw['security'], schemes, `${opPointer}/security`) ?? globalSecurity,
      })
      if (operations.length > MAX_OPERATIONS)
        throw new OpenApiImportError('#/paths', `the document has more than ${MAX_OPERATIONS} operations; split it`)
    }
  }
  return operations
}

function parameters(doc: OpenApiDocument, raw: unknown, at: string): OpenApiParameter[] {
  if (!Array.isArray(raw)) return []
  return raw.flatMap((entry, index): OpenApiParameter[] => {
    const parameter = deref(doc.root, entry)
    if (!isObject(parameter) || typeof parameter['name'] !== 'string') return []
    const location = parameter['in']
    if (location !== 'path' && location !== 'query' && location !== 'header' && location !== 'cookie') {
      throw new OpenApiImportError(
        `${at}/${index}/in`,
        `parameter location ${JSON.stringify(location)} is not one of path, query, header, cookie`,
      )
    }
    const style = parameter['style'] ?? (location === 'query' || location === 'cookie' ? 'form' : 'simple')
    return [
      {
        name: location === 'header' ? parameter['name'].toLowerCase() : parameter['name'],
        in: location,
        required: location === 'path' || parameter['required'] === true,
        schema: parameter['schema'],
        explode: typeof parameter['explode'] === 'boolean' ? parameter['explode'] : style === 'form',
        pointer: `${at}/${index}`,
      },
    ]
  })
}

function media(doc: OpenApiDocument, raw: unknown, at: string): Record<string, OpenApiMedia> {
  if (!isObject(raw)) return {}
  const out: Record<string, OpenApiMedia> = {}
  for (const [type, entry] of Object.entries(raw)) {
    if (!isObject(entry)) continue
    const examples: unknown[] = []
    if (entry['example'] !== undefined) examples.push(entry['example'])
    if (isObject(entry['examples'])) {
      for (const example of Object.values(entry['examples'])) {
        const resolved = deref(doc.root, example)
        if (isObject(resolved) && resolved['value'] !== undefined) examples.push(resolved['value'])
      }
    }
    out[type.toLowerCase()] = { schema: entry['schema'], examples, pointer: `${at}/${type.replaceAll('~', '~0').replaceAll('/', '~1')}` }
  }
  return out
}

function responses(doc: OpenApiDocument, raw: unknown, at: string): Record<string, OpenApiResponse> {
  if (!isObject(raw)) return {}
  const out: Record<string, OpenApiResponse> = {}
  for (const [status, entry] of Object.entries(raw)) {
    const response = deref(doc.root, entry)
    if (!isObject(response)) continue
    const key = status.toUpperCase() === 'DEFAULT' ? 'default' : status.toUpperCase()
    const statusPointer = `${at}/${status}`
    out[key] = {
      status: key,
      content: media(doc, response['content'], `${statusPointer}/content`),
      headers: isObject(response['headers']) ? Object.keys(response['headers']).map((name) => name.toLowerCase()) : [],
      pointer: statusPointer,
    }
  }
  return out
}

function securitySchemes(doc: OpenApiDocument): ReadonlyMap<string, SecurityScheme> {
  const components = doc.root['components']
  const raw = isObject(components) && isObject(components['securitySchemes']) ? components['securitySchemes'] : {}
  const out = new Map<string, SecurityScheme>()
  for (const [name, entry] of Object.entries(raw)) {
    const scheme = deref(doc.root, entry)
    if (!isObject(scheme)) continue
    const type = scheme['type']
    if (type === 'http' && typeof scheme['scheme'] === 'string' && scheme['scheme'].toLowerCase() === 'bearer')
      out.set(name, { kind: 'bearer', name })
    else if (type === 'http' && typeof scheme['scheme'] === 'string' && scheme['scheme'].toLowerCase() === 'basic')
      out.set(name, { kind: 'basic', name })
    else if (type === 'oauth2' || type === 'openIdConnect') out.set(name, { kind: 'bearer', name })
    else if (
      type === 'apiKey' &&
      typeof scheme['name'] === 'string' &&
      (scheme['in'] === 'header' || scheme['in'] === 'query' || scheme['in'] === 'cookie')
    ) {
      out.set(name, {
        kind: 'apiKey',
        name,
        in: scheme['in'],
        key: scheme['in'] === 'header' ? scheme['name'].toLowerCase() : scheme['name'],
      })
    } else out.set(name, { kind: 'unchecked', name })
  }
  return out
}

/** A `security` array as requirements; undefined when absent (the operation inherits the document's). */
function requirements(raw: unknown, schemes: ReadonlyMap<string, SecurityScheme>, at: string): SecurityRequirements | undefined {
  if (!Array.isArray(raw)) return undefined
  return raw.map((entry, index) => {
    if (!isObject(entry)) return []
    return Object.keys(entry).map((name) => {
      const scheme = schemes.get(name)
      if (!scheme)
        throw new OpenApiImportError(
          `${at}/${index}/${name.replaceAll('~', '~0').replaceAll('/', '~1')}`,
          `security scheme "${name}" is not declared under components.securitySchemes`,
        )
      return scheme
    })
  })
}

/** The operation's 2xx statuses as declared, lowest first (`2XX` read as 200). */
export function successStatuses(operation: OpenApiOperation): readonly number[] {
  let found = successes.get(operation)
  if (found === undefined) successes.set(operation, (found = computeSuccesses(operation)))
  return found
}
// Asked on every request of an imported API; worked out once per operation.
const successes = new WeakMap<OpenApiOperation, readonly number[]>()

function computeSuccesses(operation: OpenApiOperation): number[] {
  return Object.keys(operation.responses)
    .filter((status) => /^2(\d\d|XX)$/.test(status))
    .map((status) => (status === '2XX' ? 200 : Number(status)))
    .sort((a, b) => a - b)
}

/** The response the document gives for `status`: exact, then its class (`4XX`), then `default`. */
export function responseFor(operation: OpenApiOperation, status: number): OpenApiResponse | undefined {
  return operation.responses[String(status)] ?? operation.responses[`${String(status)[0]}XX`] ?? operation.responses['default']
}

/** The JSON media type among `content`'s, if any: `application/json`, `…+json`, then a wildcard. */
export function jsonMedia(content: Readonly<Record<string, OpenApiMedia>>): readonly [string, OpenApiMedia] | undefined {
  const entries = Object.entries(content)
  return (
    entries.find(([type]) => type === 'application/json') ??
    entries.find(([type]) => /^application\/[\w.+-]*\+json$|\/json$/.test(type.split(';')[0] ?? '')) ??
    entries.find(([type]) => type === '*/*' || type === 'application/*')
  )
}

export type { JsonObject }

/** 4xx statuses that say something other than "this input is invalid". */
const NOT_VALIDATION = new Set([401, 403, 404, 405, 406, 408, 409, 410, 412, 413, 415, 428, 429])

/**
 * The status a request that fails validation answers on `operation`: `preferred` (the validation.status rule's 400
 * or 422) unless the operation declares neither and declares its own status for bad input instead (Swagger's
 * petstore declares only "405 Invalid input" on POST /pet, so a server answering 405 there follows its document).
 * @example validationStatusOf(postPet, 400) // 405
 */
export function validationStatusOf(operation: OpenApiOperation, preferred: number): number {
  const declared = Object.keys(operation.responses).map(Number)
  if (declared.includes(400) || declared.includes(422)) return preferred
  const own = declared.filter((status) => status >= 400 && status < 500 && !NOT_VALIDATION.has(status))
  if (own.length > 0) return own[0] as number
  // A 405 an operation declares of itself cannot mean "method not allowed" (the method is the operation's).
  return declared.includes(405) ? 405 : preferred
}
