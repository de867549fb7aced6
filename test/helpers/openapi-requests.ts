import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import type { OpenApiContract } from '../../contracts/openapi/contract.ts'
import { toJsonSchema } from '../../contracts/openapi/json-schema.ts'
import { jsonMedia, responseFor, successStatuses, type OpenApiOperation } from '../../contracts/openapi/operations.ts'
import { createFaker } from '../../fixtures/faker.ts'
import { validSample } from '../../fixtures/openapi-seed.ts'

/** One imported API as discovery publishes it. */
export interface DiscoveredOpenApi {
  readonly name: string
  readonly baseUrl: string
  readonly accounts: ReadonlyArray<{ readonly credentials?: Readonly<Record<string, { in: string; name: string; value: string }>> }>
  readonly controls: Readonly<Record<string, string>>
}

export interface CollectionIds {
  readonly name: string
  readonly path: string
  readonly param: string
  readonly parentParams: readonly string[]
  readonly items: ReadonlyArray<{ readonly scope: readonly string[]; readonly id: unknown }>
}

export interface Built {
  readonly url: string
  readonly init: RequestInit & { method: string; headers: Record<string, string> }
}

/**
 * A request to `operation` that a conforming server must accept: credentials for its first security alternative,
 * path ids of seeded items (a nested one under its own parent), required parameters and a body drawn valid from
 * the document (its examples first).
 */
export function buildRequest(
  contract: OpenApiContract,
  api: DiscoveredOpenApi,
  collections: readonly CollectionIds[],
  operation: OpenApiOperation,
  { seed = 1, credentials = true, overrides = {} }: { seed?: number; credentials?: boolean; overrides?: Record<string, string> } = {},
): Built {
  const faker = createFaker(seed)
  const headers: Record<string, string> = {}
  const query = new URLSearchParams()
  const cookies: string[] = []
  const place = (where: string, name: string, value: string) => {
    if (where === 'header') headers[name] = value
    else if (where === 'query') query.append(name, value)
    else cookies.push(`${name}=${value}`)
  }
  const [alternative] = operation.security
  if (credentials && alternative) {
    for (const scheme of alternative) {
      const credential = api.accounts[0]?.credentials?.[scheme.name]
      if (credential) place(credential.in, credential.name, credential.value)
    }
  }
  // Ids: the deepest collection whose item path is a prefix of the operation's path, scope and id together.
  const owner = collections
    .filter((c) => operation.path === c.path || operation.path.startsWith(`${c.path}/`))
    .sort((a, b) => b.path.length - a.path.length)[0]
  const ids: Record<string, string> = {}
  const item = owner?.items[0]
  if (owner && item) {
    owner.parentParams.forEach((name, index) => (ids[name] = String(item.scope[index])))
    ids[owner.param] = String(item.id)
  }
  // A list or create of a nested collection: the parent's scope from one of its children's items.
  for (const c of collections)
    if (operation.path.startsWith(`${c.path.slice(0, c.path.lastIndexOf('/'))}`) && c.items[0])
      c.parentParams.forEach((name, index) => (ids[name] ??= String(c.items[0]?.scope[index])))
  let path = operation.path
  for (const parameter of operation.parameters) {
    const given = overrides[parameter.name] ?? ids[parameter.name]
    if (parameter.in !== 'path' && !parameter.required && given === undefined) continue
    if (parameter.in === 'header' && ['accept', 'content-type', 'authorization'].includes(parameter.name)) continue
    const drawn = given ?? validSample(contract, faker, parameter.schema, 'request')
    const asText = (value: unknown): string => (typeof value === 'string' ? value : (JSON.stringify(value) ?? ''))
    const text = Array.isArray(drawn) ? drawn.map(asText) : [asText(drawn)]
    if (parameter.in === 'path') path = path.replace(`{${parameter.name}}`, encodeURIComponent(text.join(',')))
    else if (parameter.in === 'query' && parameter.explode) for (const value of text) place('query', parameter.name, value)
    else place(parameter.in, parameter.name, text.join(','))
  }
  if (cookies.length > 0) headers['cookie'] = cookies.join('; ')
  let body: string | undefined
  const media = operation.requestBody && jsonMedia(operation.requestBody.content)
  if (media && media[1].schema !== undefined) {
    headers['content-type'] = media[0].includes('*') ? 'application/json' : media[0]
    body = JSON.stringify(validSample(contract, faker, media[1].schema, 'request', media[1].examples))
  } else if (operation.requestBody?.required) {
    const [type] = Object.keys(operation.requestBody.content)
    headers['content-type'] = type ?? 'application/octet-stream'
    body = type === 'application/x-www-form-urlencoded' ? 'name=x' : 'x'
  }
  const search = query.toString()
  return {
    url: `${api.baseUrl}${path}${search ? `?${search}` : ''}`,
    init: { method: operation.method, headers, ...(body !== undefined && { body }) },
  }
}

/**
 * Whether an answer is one the document allows, checked with Ajv (JSON Schema 2020-12) on the document's
 * schemas — a validator other than the one the twin uses. Returns the problems, none when it is allowed. A 2xx of
 * an operation that declares no 2xx and no `default` is allowed (the document gives nothing else to answer),
 * and so are the errors the twin must give (401, 404, 405, 409, 410, 413, 415, and 400/422 for validation) when
 * the operation does not declare them; their bodies are then problem+json or the document's error schema.
 */
export function checkAnswer(
  contract: OpenApiContract,
  ajv: Ajv2020,
  operation: OpenApiOperation,
  status: number,
  contentType: string | null,
  text: string,
): string[] {
  const where = `${operation.key} → ${status}`
  const declared = responseFor(operation, status)
  const noSuccess = successStatuses(operation).length === 0 && operation.responses['default'] === undefined
  if (!declared) {
    if (status >= 200 && status < 300 && noSuccess) return []
    if ([400, 401, 404, 405, 409, 410, 413, 415, 422].includes(status)) return []
    return [`${where}: status not declared (${Object.keys(operation.responses).join(', ')})`]
  }
  const types = Object.keys(declared.content)
  if (types.length === 0) return text === '' || status === 204 ? [] : [`${where}: the document declares no body, got ${text.slice(0, 80)}`]
  if (text === '' && status === 204) return []
  const type = (contentType ?? '').split(';')[0]?.trim() ?? ''
  // Parameters (`; charset=utf-8`) are part of a declared key but not of what a media type names.
  const base = (t: string) => t.split(';')[0]?.trim().toLowerCase() ?? ''
  if (!types.map(base).some((t) => t === type || t === '*/*' || (t.endsWith('/*') && type.startsWith(t.slice(0, -1))))) {
    // An error the twin gives in problem+json where the document declares another error type is a reading (error.body).
    if (status >= 400 && type === 'application/problem+json') return []
    return [`${where}: content type ${type} is not one of ${types.join(', ')}`]
  }
  const media =
    declared.content[type] ?? Object.entries(declared.content).find(([t]) => base(t) === type)?.[1] ?? jsonMedia(declared.content)?.[1]
  if (!media || media.schema === undefined || !/json/.test(type)) return []
  const validate = ajv.compile(toJsonSchema(contract.document, media.schema, 'response'))
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return [`${where}: body is not JSON: ${text.slice(0, 80)}`]
  }
  return validate(value) ? [] : [`${where}: ${ajv.errorsText(validate.errors)} in ${text.slice(0, 300)}`]
}

/** Ajv for JSON Schema 2020-12 with formats, lenient about OpenAPI's annotation keywords. */
export function responseAjv(): Ajv2020 {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true })
  addFormats.default(ajv)
  return ajv
}
