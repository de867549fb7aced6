import type { OpenApiCollection } from '../contracts/openapi/collections.ts'
import type { OpenApiContract } from '../contracts/openapi/contract.ts'
import {
  jsonMedia,
  successStatuses,
  validationStatusOf,
  type OpenApiMedia,
  type OpenApiOperation,
  type OpenApiParameter,
} from '../contracts/openapi/operations.ts'
import { deref, isObject } from '../contracts/openapi/pointer.ts'
import { PAGE_PARAMS } from '../contracts/openapi/rules.ts'
import { objectShape, propertySchema, timestampRole, typesOf, type ObjectShape } from '../contracts/openapi/schema-shape.ts'
import type { SchemaIssue } from '../contracts/openapi/validator.ts'
import { createFaker, isoSeconds } from '../fixtures/faker.ts'
import { scopedKey, validSample, vouch, type OpenApiDb, type OpenApiRecord, type OpenApiStore } from '../fixtures/openapi-seed.ts'
import { hashPassword } from '../fixtures/password.ts'
import type { OpenApiErrors } from './openapi-errors.ts'
import { coerceBody, excused } from './openapi-leniency.ts'
import type { SecretSplit } from './openapi-project.ts'
import type { OpenApiReadings } from './openapi-readings.ts'
import { JSON_LIMITS, pollutingKeys, scanJson } from './json-limits.ts'
import { INVALID_UTF8, halt, readBody, run, type RawBody, type Reply } from './reply.ts'
import type { Params, RequestLike } from './twin-api.ts'

/** The CRUD role an operation plays in its collection. */
type Role = 'list' | 'create' | 'read' | 'replace' | 'merge' | 'delete'

/** Everything the resolver reads about one imported API, worked out once per start (never per request). */
export interface PreparedOpenApi {
  readonly contract: OpenApiContract
  readonly readings: OpenApiReadings
  readonly errors: OpenApiErrors
  readonly seed: number
  readonly operations: ReadonlyMap<string, OpenApiOperation>
  readonly roles: ReadonlyMap<string, { readonly collection: OpenApiCollection; readonly role: Role }>
  readonly collections: ReadonlyMap<string, OpenApiCollection>
  /** Item shapes per collection (properties, required): which fields are server-owned, timestamps, readOnly. */
  readonly shapes: ReadonlyMap<string, ItemFields>
  readonly project: (schema: unknown, value: unknown) => unknown
  /** A body's write-only values taken out by JSON pointer (`splitter`): hashed and kept beside the record. */
  readonly split: (schema: unknown, value: unknown) => SecretSplit
  /** Example answers per `operation key + status`, drawn on first use and kept (deterministic by seed). */
  readonly answers: Map<string, unknown>
}

/** What the twin owns in an item, and what a client may write. */
export interface ItemFields {
  readonly shape: ObjectShape
  readonly readOnly: ReadonlySet<string>
  readonly created: readonly string[]
  readonly updated: readonly string[]
  /** Timestamp fields that hold a date only (`format: date`). */
  readonly dateOnly: ReadonlySet<string>
  /** The fields a PUT keeps when the client does not restate them: required, readOnly, created ones and the id. */
  readonly kept: ReadonlySet<string>
  /**
   * When the item schema is a plain object (properties, required, additionalProperties; no allOf, oneOf, if, …):
   * its property schemas, so an update checks only the fields it changes (the rest fitted when last written).
   */
  readonly plain:
    { readonly properties: ReadonlyMap<string, unknown>; readonly required: readonly string[]; readonly closed: boolean } | undefined
}

// Keywords that leave an object schema "plain": each property can be checked on its own.
const PLAIN = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'description',
  'title',
  'example',
  'examples',
  'readOnly',
  'writeOnly',
  'nullable',
  'deprecated',
  'externalDocs',
  'xml',
  'default',
  '$id',
  '$schema',
  '$comment',
])

/**
 * What an item of each collection holds: its shape, which fields are readOnly, which are timestamps the twin sets.
 * @example itemFields(contract).get('planets')?.readOnly.has('id')
 */
export function itemFields(contract: OpenApiContract): Map<string, ItemFields> {
  const out = new Map<string, ItemFields>()
  for (const collection of contract.collections) {
    const shape = objectShape(contract.document, collection.itemSchema)
    if (!shape) continue
    const readOnly = new Set<string>()
    const writeOnly = new Set<string>()
    const created: string[] = []
    const updated: string[] = []
    const dateOnly = new Set<string>()
    for (const name of Object.keys(shape.properties)) {
      const node = propertySchema(contract.document, shape, name)
      const raw = shape.properties[name]
      if (node['readOnly'] === true || (isObject(raw) && raw['readOnly'] === true)) readOnly.add(name)
      if (node['writeOnly'] === true || (isObject(raw) && raw['writeOnly'] === true)) writeOnly.add(name)
      const role = timestampRole(name, node)
      if (role === 'created') created.push(name)
      if (role === 'updated') updated.push(name)
      if (role && node['format'] === 'date') dateOnly.add(name)
    }
    const node = deref(contract.document.root, collection.itemSchema)
    const plain =
      isObject(node) &&
      Object.keys(node).every((key) => PLAIN.has(key) || key.startsWith('x-')) &&
      typeof (node['additionalProperties'] ?? true) === 'boolean'
        ? {
            properties: new Map(Object.entries(shape.properties)),
            required: [...shape.required].filter((name) => !writeOnly.has(name)),
            closed: node['additionalProperties'] === false,
          }
        : undefined
    const kept = new Set([...shape.required, ...readOnly, ...created, collection.idField])
    out.set(collection.name, { shape, readOnly, created, updated, dateOnly, kept, plain })
  }
  return out
}

/**
 * One request to an imported API, through the same pipeline as the four hand-written resolvers: read the body →
 * authenticate (401) → validate parameters → scope (the parent exists, else 404) → find (404, or 410 after a
 * delete) → validate the body and content type (415, 400/422) → apply to the store → respond with what the
 * document declares. Operations outside any collection answer their example (or a value drawn from the schema).
 * Nothing awaits between the checks and the write they guard.
 * @example await resolveOpenApi(prepared, db, request, { planetId: '1' }, 'GET /planets/{planetId}')
 */
export function resolveOpenApi(
  api: PreparedOpenApi,
  db: OpenApiDb,
  request: RequestLike,
  params: Params,
  operationKey: string | undefined,
): Promise<Reply> {
  return run(api.errors.dialect, async () => {
    const operation = operationKey === undefined ? undefined : api.operations.get(operationKey)
    if (!operation) return api.errors.dialect.routeNotFound('?', request.url ?? '/')
    const raw = await readBody(request, api.errors.dialect)
    authenticate(api, db, operation, request)
    const query = queryOf(request.url)
    const values = parameters(api, operation, request, params, query)
    const role = api.roles.get(operation.key)
    // Scope and find before the body, in the order the docstring gives (Laravel's route-model binding runs before
    // its form request: an unknown id with a bad body is a 404); `crud` finds the record again, synchronously with
    // the write, since hashing a write-only value awaits in between.
    if (role) found(api, db, operation, role.collection, role.role, values)
    const body = parseBody(api, operation, request, raw)
    if (!role) return answer(api, operation)
    // Write-only values (a password) are hashed here, after the checks that read no record (credentials, which are
    // fixed per start, parameters, the body's schema, on the value in clear) and before `crud`, which finds the
    // record, checks the change and writes it in one synchronous step: nothing awaits between a check on the store
    // and the write it guards. A body without write-only values does not await at all.
    const split = WRITES.has(role.role) && isObject(body) ? api.split(role.collection.itemSchema, body) : undefined
    const secrets = split && split.secrets.length > 0 ? await hashSecrets(split.secrets) : undefined
    return crud(api, db, operation, role.collection, role.role, values, secrets ? split?.value : body, query, secrets)
  })
}

/** The roles whose body is stored. */
const WRITES: ReadonlySet<Role> = new Set(['create', 'replace', 'merge'])

/**
 * Write-only values as their hashes (PBKDF2, Web Crypto: runs in the browser too), by JSON pointer. A string is
 * hashed as it is (so a password verifies against it); any other value as its JSON text.
 * @example await hashSecrets([['/password', 's3cret!!']]) // { '/password': 'pbkdf2_sha256$10000$…' }
 */
export async function hashSecrets(secrets: SecretSplit['secrets']): Promise<Record<string, string>> {
  const hashed = await Promise.all(
    secrets.map(
      async ([pointer, value]) => [pointer, await hashPassword(typeof value === 'string' ? value : JSON.stringify(value))] as const,
    ),
  )
  return Object.fromEntries(hashed)
}

// --- authenticate ---------------------------------------------------------------------------------------------

function authenticate(api: PreparedOpenApi, db: OpenApiDb, operation: OpenApiOperation, request: RequestLike): void {
  if (operation.security.length === 0 || operation.security.some((alternative) => alternative.length === 0)) return
  let cookies: Map<string, string> | undefined
  const satisfied = operation.security.some((alternative) =>
    alternative.every((scheme) => {
      switch (scheme.kind) {
        case 'bearer': {
          const header = request.headers.get('authorization') ?? ''
          // The header as the twin hands it out is the common case: one comparison instead of the pattern's match.
          return header === bearerHeaderOf(db) || /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] === db.secrets.bearer
        }
        case 'basic': {
          const encoded = /^Basic\s+(\S+)\s*$/i.exec(request.headers.get('authorization') ?? '')?.[1]
          try {
            return encoded !== undefined && atob(encoded) === db.secrets.basic
          } catch {
            return false
          }
        }
        case 'apiKey': {
          const expected = db.secrets.apiKeys.get(scheme.name)
          if (scheme.in === 'header') return request.headers.get(scheme.key) === expected
          if (scheme.in === 'query') return queryOf(request.url).get(scheme.key) === expected
          cookies ??= cookieMap(request.headers.get('cookie'))
          return cookies.get(scheme.key) === expected
        }
        default:
          return true
      }
    }),
  )
  if (satisfied) return
  const first = operation.security[0]?.[0]
  const status = api.readings.authStatus
  const challenge =
    status !== 401 ? undefined : first?.kind === 'basic' ? 'Basic realm="apitwin"' : first?.kind === 'bearer' ? 'Bearer' : undefined
  // Credentials sent but wrong are told apart from none sent: servers answer the two differently (401 and 403),
  // and a learned status (calibrate) is keyed by the message it replaces.
  const sent = request.headers.get('authorization') !== null || operation.security.some((a) => a.some((s) => presented(s, request)))
  halt(
    api.errors.reply(
      operation,
      status,
      sent
        ? 'The credentials sent are not valid; GET /__twin/apis lists the ones this twin takes.'
        : `${operation.method} ${operation.path} needs credentials (${operation.security.map((alternative) => alternative.map((scheme) => scheme.name).join(' + ')).join(' or ')}); GET /__twin/apis lists them.`,
      [],
      challenge ? { 'www-authenticate': challenge } : undefined,
    ),
  )
}

/**
 * `Bearer <token>`, exactly the header the pattern above takes for the twin's token; none when the token holds
 * white space (the pattern's `\S+` never takes such a token, so neither may the shortcut).
 */
function bearerHeaderOf(db: OpenApiDb): string | undefined {
  const { bearer } = db.secrets
  const known = bearerHeaders.get(db.secrets)
  if (known?.bearer === bearer) return known.header
  const header = /\s/.test(bearer) ? undefined : `Bearer ${bearer}`
  bearerHeaders.set(db.secrets, { bearer, header })
  return header
}
// Per set of credentials (a start's, fixed until the next): built once, not per request; kept with the token it
// was built from, so a changed token can never meet an old header.
const bearerHeaders = new WeakMap<object, { readonly bearer: string; readonly header: string | undefined }>()

/** Whether the request carries a credential where `scheme` puts one (right or wrong). */
function presented(scheme: OpenApiOperation['security'][number][number], request: RequestLike): boolean {
  if (scheme.kind !== 'apiKey') return false
  if (scheme.in === 'header') return request.headers.get(scheme.key) !== null
  if (scheme.in === 'query') return queryOf(request.url).has(scheme.key)
  return cookieMap(request.headers.get('cookie')).has(scheme.key)
}

function cookieMap(header: string | null): Map<string, string> {
  const out = new Map<string, string>()
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=')
    if (at > 0) out.set(part.slice(0, at).trim(), part.slice(at + 1).trim())
  }
  return out
}

/** What the resolver reads of a query string. */
type Query = Pick<URLSearchParams, 'get' | 'getAll' | 'has'>

function queryOf(url: string | undefined): Query {
  const at = url?.indexOf('?') ?? -1
  return url === undefined || at === -1 ? NO_QUERY : new URLSearchParams(url.slice(at + 1))
}
// Most requests have no query string: one read-only empty query for all of them rather than a URLSearchParams each.
const NO_QUERY: Query = Object.freeze({ get: () => null, getAll: () => [], has: () => false })

// --- parameters -----------------------------------------------------------------------------------------------

/** The most query values one parameter may carry. */
const MAX_QUERY_VALUES = 100

function parameters(
  api: PreparedOpenApi,
  operation: OpenApiOperation,
  request: RequestLike,
  params: Params,
  query: Query,
): Map<string, unknown> {
  const values = new Map<string, unknown>()
  const issues: SchemaIssue[] = []
  let cookies: Map<string, string> | undefined
  for (const parameter of operation.parameters) {
    // OpenAPI: header parameters named Accept, Content-Type or Authorization are ignored.
    if (
      parameter.in === 'header' &&
      (parameter.name === 'accept' || parameter.name === 'content-type' || parameter.name === 'authorization')
    )
      continue
    let raw: string | readonly string[] | undefined
    if (parameter.in === 'path') raw = params[parameter.name]
    else if (parameter.in === 'query') {
      const all = query.getAll(parameter.name)
      raw = all.length === 0 ? undefined : all.length === 1 ? all[0] : all.slice(0, MAX_QUERY_VALUES)
    } else if (parameter.in === 'header') raw = request.headers.get(parameter.name) ?? undefined
    else raw = (cookies ??= cookieMap(request.headers.get('cookie'))).get(parameter.name)
    // parameter.checks: tolerated — a query or header parameter outside its schema is ignored (the default applies),
    // as servers that clamp or drop what they cannot use do; request.format: annotation — formats are not checked.
    const tolerated = api.readings.parameters === 'tolerated' && (parameter.in === 'query' || parameter.in === 'header')
    if (raw === undefined) {
      if (parameter.required && !tolerated)
        issues.push({
          path: [parameter.in, parameter.name],
          keyword: 'required',
          message: `the ${parameter.in} parameter "${parameter.name}" is required`,
        })
      continue
    }
    if (parameter.schema === undefined) {
      values.set(parameter.name, raw)
      continue
    }
    const value = coerce(api, parameter, raw)
    const checked = api.contract.check(parameter.schema, 'request')(value)
    const found =
      checked.length === 0
        ? checked
        : checked.filter((issue) => !(issue.keyword === 'format' && api.readings.parameterFormats === 'annotation'))
    if (found.length > 0 && tolerated) continue
    for (const issue of found) issues.push({ ...issue, path: [parameter.in, parameter.name, ...issue.path] })
    values.set(parameter.name, value)
  }
  if (issues.length > 0) invalid(api, operation, issues)
  return values
}

/** A parameter's text as the JSON value its schema describes: `"7"` → 7 for an integer, `a,b` → ['a','b'] for an array. */
function coerce(api: PreparedOpenApi, parameter: OpenApiParameter, raw: string | readonly string[]): unknown {
  const { types, itemTypes } = parameterTypes(api, parameter)
  if (itemTypes) {
    const list = typeof raw === 'string' ? (parameter.explode ? [raw] : raw.split(',')) : raw
    return list.map((item) => scalar(item, itemTypes))
  }
  return scalar(typeof raw === 'string' ? raw : (raw[0] as string), types)
}

/** The JSON types a parameter's schema allows, and its items' when it is an array; read once per parameter. */
function parameterTypes(api: PreparedOpenApi, parameter: OpenApiParameter): ParameterTypes {
  let found = parameterTypeCache.get(parameter)
  if (found) return found
  const node = deref(api.contract.document.root, parameter.schema)
  const types = isObject(node) ? typesOf(node) : []
  if (types.includes('array') || (isObject(node) && node['items'] !== undefined)) {
    const items = isObject(node) ? deref(api.contract.document.root, node['items']) : undefined
    found = { types, itemTypes: isObject(items) ? typesOf(items) : [] }
  } else found = { types, itemTypes: undefined }
  parameterTypeCache.set(parameter, found)
  return found
}
interface ParameterTypes {
  readonly types: readonly string[]
  /** Set when the parameter is an array. */
  readonly itemTypes: readonly string[] | undefined
}
const parameterTypeCache = new WeakMap<OpenApiParameter, ParameterTypes>()

function scalar(raw: string, types: readonly string[]): unknown {
  if ((types.includes('integer') || types.includes('number')) && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw.trim()))
    return Number(raw)
  if (types.includes('boolean') && (raw === 'true' || raw === 'false')) return raw === 'true'
  if (types.includes('null') && raw === 'null') return null
  return raw
}

// --- body -----------------------------------------------------------------------------------------------------

/** A body as the operation declares it: `undefined` when there is none or it is not JSON/form (kept unparsed). */
function parseBody(api: PreparedOpenApi, operation: OpenApiOperation, request: RequestLike, raw: RawBody): unknown {
  const declared = operation.requestBody
  const empty = raw === '' || (raw !== INVALID_UTF8 && raw.trim() === '')
  if (!declared) return undefined
  if (empty) {
    if (declared.required) invalid(api, operation, [{ path: ['body'], keyword: 'required', message: 'a request body is required' }])
    return undefined
  }
  const header = request.headers.get('content-type') ?? ''
  const semicolon = header.indexOf(';')
  const type = (semicolon === -1 ? header : header.slice(0, semicolon)).trim().toLowerCase()
  const media = mediaFor(declared.content, type)
  if (!media) {
    halt(
      api.errors.reply(
        operation,
        415,
        `Content-Type ${JSON.stringify(type || '(none)')} is not accepted; send one of ${Object.keys(declared.content).join(', ')}`,
      ),
    )
  }
  if (raw === INVALID_UTF8) halt(api.errors.reply(operation, 400, 'The request body is not valid UTF-8.'))
  const [mediaType, { schema }] = media
  let value: unknown
  if (/json/.test(mediaType) || (mediaType === '*/*' && /json/.test(type))) {
    // Shape limits before parsing (handlers/json-limits.ts), answered as any other invalid body: the validation
    // status, in the document's error format; no later step (the validator, the store, the answer) meets such a body.
    const scan = scanJson(raw)
    if (scan.problem !== undefined) invalid(api, operation, [{ path: ['body'], keyword: 'limit', message: scan.problem }])
    try {
      value = JSON.parse(raw)
    } catch {
      halt(api.errors.reply(operation, 400, 'The request body is not valid JSON.'))
    }
    // JSON.parse keeps `__proto__` as a plain key, but copying it by assignment would set a prototype: refused,
    // as no document can mean it as a field.
    const polluting = scan.suspectKeys ? pollutingKeys(value) : []
    if (polluting.length > 0)
      invalid(
        api,
        operation,
        polluting.map((path) => ({
          path: ['body', ...path],
          keyword: 'propertyNames',
          message: `"${path.at(-1) ?? ''}" is not accepted as a key: it would reach an object's prototype`,
        })),
      )
  } else if (mediaType === 'application/x-www-form-urlencoded') {
    const form = new URLSearchParams(raw)
    const shape = objectShape(api.contract.document, schema)
    const out: Record<string, unknown> = {}
    const keys = new Set(form.keys())
    if (keys.size > JSON_LIMITS.keys)
      invalid(api, operation, [
        { path: ['body'], keyword: 'limit', message: `the form has ${keys.size} fields; at most ${JSON_LIMITS.keys} are accepted` },
      ])
    if (keys.has('__proto__') || keys.has('constructor'))
      invalid(api, operation, [
        { path: ['body'], keyword: 'propertyNames', message: 'a form field named "__proto__" or "constructor" is not accepted' },
      ])
    for (const key of keys) {
      const node = shape ? propertySchema(api.contract.document, shape, key) : {}
      out[key] = scalar(form.get(key) ?? '', typesOf(node))
    }
    value = out
  } else {
    // XML, multipart, binary: accepted as declared, not modelled.
    return undefined
  }
  if (schema === undefined) return value
  value = coerceBody(value, api.readings.coerced)
  const issues = excused(api.contract.check(schema, 'request')(value), api.readings)
  const shape = objectShape(api.contract.document, schema)
  if (api.readings.unknownFields === 'refused' && shape && !shape.statesExtras && isObject(value)) {
    for (const key of Object.keys(value)) {
      if (!Object.hasOwn(shape.properties, key))
        issues.push({ path: [key], keyword: 'additionalProperties', message: `"${key}" is not a field of this body` })
      else if (readOnlyOf(api, shape).has(key))
        issues.push({ path: [key], keyword: 'readOnly', message: `"${key}" is set by the server; leave it out` })
    }
  }
  if (issues.length > 0)
    invalid(
      api,
      operation,
      issues.map((issue) => ({ ...issue, path: ['body', ...issue.path] })),
    )
  return value
}

/** The declared media type a request's Content-Type selects: the same one exactly, else `major/*`, else `*\/*`. */
function mediaFor(content: Readonly<Record<string, OpenApiMedia>>, type: string): readonly [string, OpenApiMedia] | undefined {
  const index = mediaIndexOf(content)
  const exact = index.exact.get(type)
  if (exact) return exact
  const slash = type.indexOf('/')
  return index.declared.get(`${slash === -1 ? type : type.slice(0, slash)}/*`) ?? index.declared.get('*/*')
}

/** A body's declared media types by name (as written, and without parameters), the first of each; built once. */
function mediaIndexOf(content: Readonly<Record<string, OpenApiMedia>>): MediaIndex {
  let index = mediaIndexes.get(content)
  if (index) return index
  index = { exact: new Map(), declared: new Map() }
  for (const entry of Object.entries(content)) {
    const bare = entry[0].split(';')[0]?.trim() ?? ''
    if (!index.exact.has(bare)) index.exact.set(bare, entry)
    if (!index.declared.has(entry[0])) index.declared.set(entry[0], entry)
  }
  mediaIndexes.set(content, index)
  return index
}
interface MediaIndex {
  readonly exact: Map<string, readonly [string, OpenApiMedia]>
  readonly declared: Map<string, readonly [string, OpenApiMedia]>
}
// Asked on every request with a body; the document never changes, so each content map is indexed once.
const mediaIndexes = new WeakMap<object, MediaIndex>()

/** The fields of a request body's shape marked readOnly (on the property or the schema it refers to); found once. */
function readOnlyOf(api: PreparedOpenApi, shape: ObjectShape): ReadonlySet<string> {
  let found = readOnlyFields.get(shape)
  if (found) return found
  found = new Set(
    Object.keys(shape.properties).filter((key) => {
      const raw = shape.properties[key]
      return propertySchema(api.contract.document, shape, key)['readOnly'] === true || (isObject(raw) && raw['readOnly'] === true)
    }),
  )
  readOnlyFields.set(shape, found)
  return found
}
const readOnlyFields = new WeakMap<ObjectShape, ReadonlySet<string>>()

function invalid(api: PreparedOpenApi, operation: OpenApiOperation, issues: readonly SchemaIssue[]): never {
  const [first] = issues
  const detail = first
    ? `${first.path.join('.') || 'request'}: ${first.message}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`
    : 'The request is invalid.'
  halt(api.errors.reply(operation, validationStatusOf(operation, api.readings.validationStatus), detail, issues))
}

/**
 * The record a write is about to store, judged: refused with what the readings do not excuse (a format the server
 * leaves unchecked is), else vouched for, so the store takes this verdict instead of checking every field again.
 * Synchronous, so nothing runs between the check and the write.
 */
function vouchChecked(
  api: PreparedOpenApi,
  operation: OpenApiOperation,
  found: readonly SchemaIssue[],
  data: Record<string, unknown>,
): void {
  const issues = excused(found, api.readings)
  if (issues.length > 0)
    invalid(
      api,
      operation,
      issues.map((issue) => ({ ...issue, path: ['body', ...issue.path] })),
    )
  vouch(data)
}

// --- collections ----------------------------------------------------------------------------------------------

function crud(
  api: PreparedOpenApi,
  db: OpenApiDb,
  operation: OpenApiOperation,
  collection: OpenApiCollection,
  role: Role,
  values: ReadonlyMap<string, unknown>,
  body: unknown,
  query: Query,
  secrets: Readonly<Record<string, string>> | undefined,
): Reply {
  const store = db.collections.get(collection.name) as OpenApiStore
  const scope = scopeOf(api, db, operation, collection, values)
  if (role === 'list') return list(api, operation, collection, store, scope, query)
  if (role === 'create') return create(api, db, operation, collection, store, scope, isObject(body) ? body : {}, undefined, secrets)
  const id = idOf(collection, values.get(collection.param))
  const key = scopedKey(scope, id)
  const record = store.get('key', key)
  if (!record) {
    if (role === 'replace' && api.readings.putUnknown === 'create' && isObject(body))
      return create(api, db, operation, collection, store, scope, body, id, secrets)
    missing(api, db, operation, collection, scope, id)
  }
  if (role === 'read') return item(api, operation, collection, record.data, successStatuses(operation)[0] ?? 200)
  if (role === 'delete') {
    store.delete(record)
    db.tombstones.get(collection.name)?.add(key)
    const declared = successStatuses(operation)
    const status =
      declared.length === 1
        ? (declared[0] as number)
        : declared.includes(api.readings.deleteStatus) || declared.length === 0
          ? api.readings.deleteStatus
          : (declared[0] as number)
    return item(api, operation, collection, record.data, status)
  }
  const fields = api.shapes.get(collection.name)
  const sent = writable(api, operation, collection, isObject(body) ? body : {})
  const current = record.data
  const mode = role === 'replace' ? api.readings.put : api.readings.patch
  let next: Record<string, unknown>
  if (mode === 'replace') {
    // Built in the stored item's key order (a new order per update cost V8 its fast paths: 4x the time per PUT).
    // Required fields the client did not restate keep their value: the stored item must still fit the document.
    if (fields && keepsAll(fields.kept, current, sent)) {
      // Nothing dropped: a copy of the stored item (its shape, in one step) with the sent fields written over it is
      // the same object as the loop below builds, without adding every field one by one.
      next = { ...current }
      for (const key in sent) next[key] = sent[key]
    } else {
      next = {}
      const required = fields?.shape.required
      for (const key in current) {
        if (key in sent) next[key] = sent[key]
        else if (required?.has(key) || key === collection.idField || fields?.readOnly.has(key) || fields?.created.includes(key))
          next[key] = current[key]
      }
      for (const key in sent) if (!(key in current)) next[key] = sent[key]
    }
  } else if (mode === 'merge-patch') next = mergePatch(current, sent) as Record<string, unknown>
  else next = { ...current, ...sent }
  for (const name of fields?.readOnly ?? [])
    if (name in current) next[name] = current[name]
    else delete next[name]
  for (const name of fields?.created ?? []) if (name in current) next[name] = current[name]
  next[collection.idField] = current[collection.idField]
  stamp(api, collection, next, 'updated')
  vouchChecked(api, operation, checkChange(api, collection, fields, current, next), next)
  const updated = store.update(record, (draft) => {
    const writable = draft as { data: Readonly<Record<string, unknown>>; secrets?: Readonly<Record<string, string>> }
    writable.data = next
    // A new write-only value replaces the old one; one not sent is kept, under every PUT reading too (a client
    // cannot restate a password it can never read back).
    if (secrets) writable.secrets = { ...record.secrets, ...secrets }
  })
  return item(api, operation, collection, updated.data, successStatuses(operation)[0] ?? 200)
}

/** Whether a PUT keeps every field of `current`: each is one the item keeps anyway, or one the client sent. */
function keepsAll(kept: ReadonlySet<string>, current: Readonly<Record<string, unknown>>, sent: Readonly<Record<string, unknown>>): boolean {
  for (const key in current) if (!kept.has(key) && !(key in sent)) return false
  return true
}

/** The item an operation names exists (its parents too), else the 404 (or 410) `crud` would answer. */
function found(
  api: PreparedOpenApi,
  db: OpenApiDb,
  operation: OpenApiOperation,
  collection: OpenApiCollection,
  role: Role,
  values: ReadonlyMap<string, unknown>,
): void {
  const scope = scopeOf(api, db, operation, collection, values)
  if (role === 'list' || role === 'create' || (role === 'replace' && api.readings.putUnknown === 'create')) return
  const id = idOf(collection, values.get(collection.param))
  if (!db.collections.get(collection.name)?.get('key', scopedKey(scope, id))) missing(api, db, operation, collection, scope, id)
}

function missing(
  api: PreparedOpenApi,
  db: OpenApiDb,
  operation: OpenApiOperation,
  collection: OpenApiCollection,
  scope: string,
  id: unknown,
): never {
  const gone = api.readings.deleteThen === 410 && db.tombstones.get(collection.name)?.has(scopedKey(scope, id))
  halt(
    api.errors.reply(
      operation,
      gone ? 410 : 404,
      `${collection.name} ${String(id)} ${gone ? 'was deleted' : 'does not exist'}${scope === '' ? '' : ` under ${scope}`}.`,
    ),
  )
}

/**
 * The issues of an updated item: with a plain item schema, only the fields that differ from the stored item (which
 * fitted when written) and the required ones, each by its own property schema; otherwise the whole item.
 */
function checkChange(
  api: PreparedOpenApi,
  collection: OpenApiCollection,
  fields: ItemFields | undefined,
  current: Readonly<Record<string, unknown>>,
  next: Readonly<Record<string, unknown>>,
): readonly SchemaIssue[] {
  const plain = fields?.plain
  if (!plain) return api.contract.check(collection.itemSchema, 'response')(next)
  const issues: SchemaIssue[] = []
  for (const key in next) {
    const value = next[key]
    if (value === current[key]) continue
    const property = plain.properties.get(key)
    if (property === undefined) {
      if (plain.closed)
        issues.push({ path: [key], keyword: 'additionalProperties', message: `"${key}" is not a field of ${collection.name}` })
      continue
    }
    for (const issue of api.contract.check(property, 'response')(value)) issues.push({ ...issue, path: [key, ...issue.path] })
  }
  for (const name of plain.required)
    if (!(name in next)) issues.push({ path: [], keyword: 'required', message: `Instance does not have required property "${name}".` })
  return issues
}

/** The scope of a nested collection: its ancestors' ids, each of which must exist (else 404). */
function scopeOf(
  api: PreparedOpenApi,
  db: OpenApiDb,
  operation: OpenApiOperation,
  collection: OpenApiCollection,
  values: ReadonlyMap<string, unknown>,
): string {
  if (collection.parent === undefined) return ''
  let scope = ''
  let current: OpenApiCollection | undefined = api.collections.get(collection.parent)
  const chain: OpenApiCollection[] = []
  while (current) {
    chain.unshift(current)
    current = current.parent === undefined ? undefined : api.collections.get(current.parent)
  }
  for (const ancestor of chain) {
    const id = idOf(ancestor, values.get(ancestor.param))
    if (!db.collections.get(ancestor.name)?.get('key', scopedKey(scope, id))) {
      halt(api.errors.reply(operation, 404, `${ancestor.name} ${String(id)} does not exist${scope === '' ? '' : ` under ${scope}`}.`))
    }
    scope = scope === '' ? String(id) : `${scope}/${String(id)}`
  }
  return scope
}

/** A path segment as the id type: integers are normalised (`007` → 7), anything else stays text. */
function idOf(collection: OpenApiCollection, value: unknown): unknown {
  if (collection.idType === 'string') return String(value)
  const number = typeof value === 'number' ? value : Number(value)
  return Number.isFinite(number) ? number : String(value)
}

/**
 * The body's fields a client may write: unknown ones and readOnly ones dropped (`body.unknown: ignored`). A field the
 * request schema takes but a closed item schema (`additionalProperties: false`) cannot hold (flextell's `role_ids`,
 * answered as `roles`) is dropped too: the request was valid, and storing it would make the item invalid.
 */
function writable(
  api: PreparedOpenApi,
  operation: OpenApiOperation,
  collection: OpenApiCollection,
  body: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const fields = api.shapes.get(collection.name)
  if (!fields) return { ...body }
  const request = requestShape(api, operation)
  const out: Record<string, unknown> = {}
  for (const key in body) {
    if (fields.readOnly.has(key)) continue
    // hasOwn, not `in`: a body key such as "constructor" or "toString" is no field of the item.
    if (!Object.hasOwn(fields.shape.properties, key) && (!fields.shape.statesExtras || fields.shape.closed)) continue
    // A field of the item that this request does not take (flextell's PUT sends no `deleted_at`) is unknown here.
    if (request && !request.statesExtras && !Object.hasOwn(request.properties, key)) continue
    out[key] = body[key]
  }
  return out
}

/** The object shape of an operation's JSON request body, found once per operation (undefined: none, or not an object). */
function requestShape(api: PreparedOpenApi, operation: OpenApiOperation): ObjectShape | undefined {
  if (requestShapes.has(operation)) return requestShapes.get(operation)
  const media = operation.requestBody && jsonMedia(operation.requestBody.content)
  const shape = media?.[1].schema === undefined ? undefined : objectShape(api.contract.document, media[1].schema)
  requestShapes.set(operation, shape)
  return shape
}
const requestShapes = new WeakMap<OpenApiOperation, ObjectShape | undefined>()

function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {}
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key]
    else out[key] = mergePatch(out[key], value)
  }
  return out
}

/** Sets the twin's timestamps: `created` ones on create (and `updated` with them), `updated` ones on every change. */
function stamp(api: PreparedOpenApi, collection: OpenApiCollection, data: Record<string, unknown>, when: 'created' | 'updated'): void {
  const fields = api.shapes.get(collection.name)
  if (!fields) return
  const now = nowStamp()
  if (when === 'created') for (const name of fields.created) data[name] = fields.dateOnly.has(name) ? now.slice(0, 10) : now
  for (const name of fields.updated) data[name] = fields.dateOnly.has(name) ? now.slice(0, 10) : now
}

/** Now to the second, made once per second rather than once per write. */
function nowStamp(): string {
  const second = Math.floor(Date.now() / 1000)
  if (second !== stampSecond) {
    stampSecond = second
    stampText = isoSeconds(new Date(second * 1000))
  }
  return stampText
}
let stampSecond = Number.NaN
let stampText = ''

function create(
  api: PreparedOpenApi,
  db: OpenApiDb,
  operation: OpenApiOperation,
  collection: OpenApiCollection,
  store: OpenApiStore,
  scope: string,
  body: Readonly<Record<string, unknown>>,
  pathId: unknown,
  secrets: Readonly<Record<string, string>> | undefined,
): Reply {
  const fields = api.shapes.get(collection.name)
  const data = writable(api, operation, collection, body)
  const given = pathId ?? data[collection.idField]
  let id: unknown = given
  if (id !== undefined && store.get('key', scopedKey(scope, id))) {
    halt(api.errors.reply(operation, 409, `${collection.name} ${idText(id)} already exists${scope === '' ? '' : ` under ${scope}`}.`))
  }
  id ??= newId(api, db, collection, store, scope)
  // No id the schema accepts could be drawn: answer the document's example instead of inventing an invalid item.
  if (id === undefined) return answer(api, operation)
  data[collection.idField] = id
  // Server-owned and required fields the client did not send: drawn once per collection (deterministic by seed).
  if (fields) {
    const filler =
      api.answers.get(`fill ${collection.name}`) ?? validSample(api.contract, createFaker(api.seed), collection.itemSchema, 'response')
    api.answers.set(`fill ${collection.name}`, filler)
    for (const name of fields.shape.required) if (!(name in data) && isObject(filler) && name in filler) data[name] = filler[name]
    for (const name of fields.readOnly)
      if (!(name in data) && name !== collection.idField && isObject(filler) && name in filler && fields.shape.required.has(name))
        data[name] = filler[name]
  }
  stamp(api, collection, data, 'created')
  vouchChecked(api, operation, api.contract.check(collection.itemSchema, 'response')(data), data)
  const record: OpenApiRecord = store.create({ parent: scope, data, ...(secrets && { secrets }) })
  const declared = successStatuses(operation)
  const preferred = pathId !== undefined ? 201 : api.readings.createStatus
  const status =
    declared.length === 1
      ? (declared[0] as number)
      : declared.includes(preferred) || declared.length === 0
        ? preferred
        : (declared[0] as number)
  const reply = item(api, operation, collection, record.data, status)
  if (!api.readings.location) return reply
  const location = collection.itemPath.replace(/\{([^}]+)\}/g, (_, name: string) =>
    name === collection.param
      ? encodeURIComponent(idText(id))
      : encodeURIComponent(scope.split('/')[collection.parentParams.indexOf(name)] ?? name),
  )
  return { ...reply, headers: { ...reply.headers, location: `/${api.contract.name}${location}` } }
}

function newId(api: PreparedOpenApi, db: OpenApiDb, collection: OpenApiCollection, store: OpenApiStore, scope: string): unknown {
  // The next counter value when the id schema takes it; else a drawn id; undefined when none is free after 50 tries.
  const fields = api.shapes.get(collection.name)
  const node = fields ? propertySchema(api.contract.document, fields.shape, collection.idField) : {}
  const check = api.contract.check(node, 'response')
  for (let attempt = 0; attempt < 50; attempt++) {
    const counter = db.counters.get(collection.name) ?? 1
    db.counters.set(collection.name, counter + 1)
    let id: unknown =
      collection.idType === 'string'
        ? node['format'] === 'uuid'
          ? uuidOf(api.seed, collection.name, counter)
          : `${collection.name.split('.').at(-1)}-${counter}`
        : counter
    if (check(id).length > 0)
      id = validSample(api.contract, createFaker(api.seed + counter), node, 'response', [], { examplesFirst: false })
    if (id !== undefined && !store.get('key', scopedKey(scope, id))) return id
  }
  return undefined
}

function uuidOf(seed: number, name: string, counter: number): string {
  const faker = createFaker(seed)
  faker.seed([seed, name.length, counter])
  return faker.string.uuid()
}

// --- responses ------------------------------------------------------------------------------------------------

/** A stored item as the operation's response for `status` declares it: bare, wrapped in its envelope, or the example. */
function item(
  api: PreparedOpenApi,
  operation: OpenApiOperation,
  collection: OpenApiCollection,
  data: Readonly<Record<string, unknown>>,
  status: number,
): Reply {
  const plan = itemPlan(operation, collection, status)
  if (plan === 'empty') return { status, body: undefined }
  if (plan === 'answer') return answer(api, operation, status)
  const { schema, type } = plan
  const projected = api.project(collection.itemSchema, data)
  // The response is the item schema itself: the store validated the record against it, so it fits as it is.
  if (plan.bare) return jsonReply(status, projected, type)
  const base = answerValue(api, operation, status)
  // The envelope the item schema was read from (`{ success, data: User }`), found once: a valid base around a
  // stored (so valid) item is valid, so later answers skip the check.
  const envelope = api.answers.get(answerKeys(operation, status).wrap)
  if (typeof envelope === 'string') return jsonReply(status, { ...(isObject(base) ? base : {}), [envelope]: projected }, type)
  const check = api.contract.check(schema, 'response')
  if (check(projected).length === 0) return jsonReply(status, projected, type)
  const shape = objectShape(api.contract.document, schema)
  for (const [name, property] of Object.entries(shape?.properties ?? {})) {
    const wrapped = { ...(isObject(base) ? base : {}), [name]: projected }
    if (check(wrapped).length === 0) {
      if (property === collection.itemSchema) api.answers.set(answerKeys(operation, status).wrap, name)
      return jsonReply(status, wrapped, type)
    }
  }
  return answer(api, operation, status)
}

/**
 * A JSON body under its declared type. `application/json` is what both transports (the Node server and MSW's
 * `toResponse`) send when a reply names no type, so such a reply names none: the same answer on the wire, one
 * header object fewer per request, and the same reply shape as the hand-written APIs' on the server's hot path.
 */
function jsonReply(status: number, body: unknown, type: string): Reply {
  return type === 'application/json' ? { status, body } : { status, body, headers: { 'content-type': type } }
}

/**
 * How `item` answers `status` on an operation, read from the document once: no content, the operation's example
 * answer, or JSON of `schema` (`bare`: the item schema itself) with its content type.
 */
type ItemPlan = 'empty' | 'answer' | { readonly schema: unknown; readonly type: string; readonly bare: boolean }

function itemPlan(operation: OpenApiOperation, collection: OpenApiCollection, status: number): ItemPlan {
  let plans = itemPlans.get(operation)
  if (plans?.collection !== collection) itemPlans.set(operation, (plans = { collection, byStatus: new Map() }))
  let plan = plans.byStatus.get(status)
  if (plan !== undefined) return plan
  const response =
    operation.responses[String(status)] ??
    operation.responses[`${String(status)[0]}XX`] ??
    (successStatuses(operation).length === 0 ? operation.responses['default'] : undefined)
  const media = response && Object.keys(response.content).length > 0 ? jsonMedia(response.content) : undefined
  if (!response || Object.keys(response.content).length === 0) plan = 'empty'
  else if (!media || media[1].schema === undefined) plan = 'answer'
  else {
    const [type, { schema }] = media
    plan = {
      schema,
      type: type.includes('*') ? 'application/json' : type,
      bare: schema === collection.itemSchema || sameRef(schema, collection.itemSchema),
    }
  }
  plans.byStatus.set(status, plan)
  return plan
}
// Asked on every read and write of an item; the document (and so each operation's responses) never changes.
const itemPlans = new WeakMap<OpenApiOperation, { readonly collection: OpenApiCollection; readonly byStatus: Map<number, ItemPlan> }>()

/** The keys an operation's drawn answer and its envelope's name for `status` are kept under in `answers`. */
function answerKeys(operation: OpenApiOperation, status: number): AnswerKeys {
  let keys = answerKeyCache.get(operation)
  if (!keys) answerKeyCache.set(operation, (keys = new Map<number, AnswerKeys>()))
  let found = keys.get(status)
  if (!found) keys.set(status, (found = { answer: `${operation.key} ${status}`, wrap: `wrap ${operation.key} ${status}` }))
  return found
}
// Built once: a key made per request would be a new string to hash per lookup.
const answerKeyCache = new WeakMap<OpenApiOperation, Map<number, AnswerKeys>>()
interface AnswerKeys {
  readonly answer: string
  readonly wrap: string
}

function sameRef(a: unknown, b: unknown): boolean {
  return (
    isObject(a) &&
    isObject(b) &&
    typeof a['$ref'] === 'string' &&
    a['$ref'] === b['$ref'] &&
    Object.keys(a).length === 1 &&
    Object.keys(b).length === 1
  )
}

const ARRAY_NAMES = /^(data|items|results|records|values|content|list|entries|rows|elements|objects)$/i

function list(
  api: PreparedOpenApi,
  operation: OpenApiOperation,
  collection: OpenApiCollection,
  store: OpenApiStore,
  scope: string,
  query: Query,
): Reply {
  const status = successStatuses(operation)[0] ?? 200
  const all = store.all().filter((record) => record.parent === scope)
  const { page, limit, offset } = pageOf(api, operation, query, all.length)
  const start = offset ?? (page - 1) * (limit ?? all.length)
  const chosen = (limit === undefined && start === 0 ? all : all.slice(start, start + (limit ?? all.length))).map((record) =>
    api.project(collection.itemSchema, record.data),
  )
  const response = operation.responses[String(status)] ?? operation.responses['2XX'] ?? operation.responses['default']
  const media = response && jsonMedia(response.content)
  if (!media || media[1].schema === undefined) return answer(api, operation, status)
  const [type, { schema }] = media
  const headers = { 'content-type': type.includes('*') ? 'application/json' : type }
  const check = api.contract.check(schema, 'response')
  const node = deref(api.contract.document.root, schema)
  if (isObject(node) && (typesOf(node).includes('array') || node['items'] !== undefined)) {
    if (check(chosen).length === 0) return { status, body: chosen, headers }
    return answer(api, operation, status)
  }
  const shape = objectShape(api.contract.document, schema)
  const base = answerValue(api, operation, status)
  const names = Object.keys(shape?.properties ?? {})
  const arrays = names.filter((name) => {
    const property = shape ? propertySchema(api.contract.document, shape, name) : {}
    return typesOf(property).includes('array') || property['items'] !== undefined || (isObject(base) && Array.isArray(base[name]))
  })
  const key = arrays.find((name) => ARRAY_NAMES.test(name) || name === collection.name.split('.').at(-1)) ?? arrays[0]
  if (key !== undefined) {
    const wrapped = countFields(
      { ...(isObject(base) ? base : {}), [key]: chosen },
      { total: all.length, limit: limit ?? chosen.length, offset: start, page },
    )
    if (check(wrapped).length === 0) return { status, body: wrapped, headers }
    const plain = { ...(isObject(base) ? base : {}), [key]: chosen }
    if (check(plain).length === 0) return { status, body: plain, headers }
  }
  return answer(api, operation, status)
}

function pageOf(
  api: PreparedOpenApi,
  operation: OpenApiOperation,
  query: Query,
  total: number,
): { page: number; limit: number | undefined; offset: number | undefined } {
  if (api.readings.pagination === 'ignored') return { page: 1, limit: undefined, offset: undefined }
  const declared = (names: readonly string[]) => operation.parameters.find((p) => p.in === 'query' && names.includes(p.name))
  const read = (parameter: OpenApiParameter | undefined) => {
    if (!parameter) return undefined
    const raw = query.get(parameter.name)
    const node = deref(api.contract.document.root, parameter.schema)
    const fallback = isObject(node) && typeof node['default'] === 'number' ? node['default'] : undefined
    const value = raw === null ? fallback : Number(raw)
    return value !== undefined && Number.isInteger(value) && value >= 0 ? value : undefined
  }
  const limit = read(declared(PAGE_PARAMS.limit))
  const page = Math.max(1, read(declared(PAGE_PARAMS.page)) ?? 1)
  const offset = read(declared(PAGE_PARAMS.offset))
  return { page, limit: limit === undefined ? undefined : Math.min(limit, Math.max(total, 1)), offset }
}

/** A wrapper's counting fields (`total`, `limit`, `offset`, `page`, in a `meta` object too) set from the list. */
function countFields(
  value: Record<string, unknown>,
  counts: Readonly<Record<'total' | 'limit' | 'offset' | 'page', number>>,
  depth = 0,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...value }
  for (const [key, current] of Object.entries(value)) {
    if (typeof current === 'number') {
      if (/^(total|total_?count|count|total_?items|total_?results)$/i.test(key)) out[key] = counts.total
      else if (/^(limit|per_?page|page_?size)$/i.test(key)) out[key] = counts.limit
      else if (/^(offset|skip)$/i.test(key)) out[key] = counts.offset
      else if (/^(page|current_?page|page_?number)$/i.test(key)) out[key] = counts.page
    } else if (isObject(current) && depth < 2) out[key] = countFields(current, counts, depth + 1)
  }
  return out
}

// --- example answers ------------------------------------------------------------------------------------------

/** The value an operation answers `status` with when nothing stateful applies: its example, else drawn (kept). */
function answerValue(api: PreparedOpenApi, operation: OpenApiOperation, status: number): unknown {
  const key = answerKeys(operation, status).answer
  if (api.answers.has(key)) return api.answers.get(key)
  const response = operation.responses[String(status)] ?? operation.responses[`${String(status)[0]}XX`] ?? operation.responses['default']
  const media = response && jsonMedia(response.content)
  let value: unknown
  if (media && media[1].schema !== undefined) {
    const faker = createFaker(api.seed)
    faker.seed([api.seed, ...Array.from(key, (c) => c.charCodeAt(0)).slice(0, 16)])
    value = validSample(api.contract, faker, media[1].schema, 'response', media[1].examples)
  } else value = media?.[1].examples[0]
  api.answers.set(key, value)
  return value
}

/**
 * The answer of an operation outside the collections (`POST /things/{id}/archive`, `GET /hours`): its lowest
 * declared 2xx (else `default` as 200) with the document's example, or a value drawn from the schema; a response
 * without content is an empty body; a non-JSON one its example text.
 */
function answer(api: PreparedOpenApi, operation: OpenApiOperation, given?: number): Reply {
  const status = given ?? successStatuses(operation)[0] ?? 200
  const response = operation.responses[String(status)] ?? operation.responses[`${String(status)[0]}XX`] ?? operation.responses['default']
  if (!response || Object.keys(response.content).length === 0) return { status, body: undefined }
  const media = jsonMedia(response.content)
  if (!media) {
    const [type, other] = Object.entries(response.content)[0] as [string, OpenApiMedia]
    const example = other.examples.find((e) => typeof e === 'string')
    return {
      status,
      body: null,
      text: typeof example === 'string' ? example : '',
      headers: { 'content-type': concreteType(type) },
    }
  }
  const value = answerValue(api, operation, status)
  if (value === undefined)
    halt(
      api.errors.reply(
        operation,
        500,
        `apitwin cannot draw a valid ${status} body for ${operation.key} from ${media[1].pointer}; give the document an example`,
      ),
    )
  return { status, body: value, headers: { 'content-type': media[0].includes('*') ? 'application/json' : media[0] } }
}

// A type for a range the document declares (`image/*`, as Jellyfin's images are): one a client of that range takes.
const CONCRETE: Readonly<Record<string, string>> = { image: 'png', audio: 'mpeg', video: 'mp4', text: 'plain', font: 'woff2' }

/** The media type answered for a declared one: itself, or a member of the range it names. */
function concreteType(type: string): string {
  if (!type.includes('*')) return type
  const major = type.split('/')[0] ?? '*'
  const minor = CONCRETE[major]
  return minor === undefined ? 'application/octet-stream' : `${major}/${minor}`
}

/** An id as path text: a string or number as it is, anything else (a client's odd id) as JSON. */
function idText(id: unknown): string {
  return typeof id === 'string' || typeof id === 'number' || typeof id === 'bigint' ? String(id) : (JSON.stringify(id) ?? '')
}
