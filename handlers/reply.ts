import type { z } from 'zod'
import { UniqueKeyError } from '../fixtures/unique-key-error.ts'
import { dropPollutingKeys, pollutingKeys, scanJson } from './json-limits.ts'
import { serializer } from './serialize.ts'

/**
 * What a pipeline step answers with: a status and a JSON body, before it becomes a `Response`. A body of
 * `undefined` is no body at all (a 204); `text` is a body sent as it is, under the `content-type` in `headers`
 * (an imported API's `text/plain` or XML answer).
 */
export interface Reply {
  readonly status: number
  readonly body: unknown
  readonly text?: string
  /** Headers beyond content-type and CORS (`allow` on a 405, `retry-after` on a 503). */
  readonly headers?: Readonly<Record<string, string>>
  /** Why a refusal was given (handlers/causes.ts): learned pieces may hold for one cause. Never sent to a client. */
  readonly cause?: string
}

/** The error bodies a vendor's stack renders for failures every API shares, before and around its handler. */
export interface Dialect {
  readonly name: string
  badRequest(message: string): Reply
  serverError(message: string): Reply
  /** Any other refusal in the API's error shape: apitwin's own (Host check, injected failures) on an API's path. */
  error(status: number, message: string): Reply
  /** The body is over the server's limit (`apitwin serve --body-limit`). */
  payloadTooLarge(limit: number): Reply
  /** No route for this path, as the vendor's router answers it (`path` as requested, with its leading slash). */
  routeNotFound(method: string, path: string): Reply
  /** The path exists under another method: Laravel's 405 with `Allow`; Rails and Fastify route on both (404). */
  methodNotAllowed(method: string, path: string, allowed: readonly string[]): Reply
  /** Present when the stack refuses a body it has no parser for (Fastify's 415); absent: such a body is ignored. */
  unsupportedMediaType?(type: string): Reply
  /**
   * True when the stack's JSON parser refuses a `__proto__` key or a `constructor.prototype` (Fastify's
   * secure-json-parse: 400); absent, such a key is dropped before the request is handled, as PHP's and Ruby's
   * parsers make it an ordinary key that no form request or strong parameters permit.
   */
  readonly forbidsProtoKeys?: boolean
}

/**
 * Ends the pipeline early with a reply (401, 404, 422, …). Thrown, not returned, so a handler reads as a straight
 * list of steps instead of a ladder of `if (result.error) return …`. Not an `Error`: it is control flow, never
 * reported, and capturing a stack trace on every 401 cost 13% of the server's time (measured with --cpu-prof).
 */
export class Halt {
  readonly reply: Reply
  constructor(reply: Reply) {
    this.reply = reply
  }
}

export function halt(reply: Reply): never {
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- control flow, not an error: see Halt
  throw new Halt(reply)
}

// Every API answer is cross-origin readable, so a frontend on another port can call the standalone server. The
// header is set here, at birth, because adding it afterwards made the server copy the headers of every response
// (measured: the largest single cost after the socket write); MSW ignores it.
const jsonHeaders = { 'content-type': 'application/json', 'access-control-allow-origin': '*' }

/** A reply as a Fetch `Response`, for MSW and the browser; the Node server writes replies without one. */
export function toResponse(reply: Reply): Response {
  const headers = reply.headers ? { ...jsonHeaders, ...reply.headers } : jsonHeaders
  if (reply.text !== undefined) return new Response(reply.text, { status: reply.status, headers })
  if (reply.body === undefined) {
    const { 'content-type': _type, ...rest } = headers
    return new Response(null, { status: reply.status, headers: rest })
  }
  return new Response(JSON.stringify(reply.body), { status: reply.status, headers })
}

// Set for the whole test run (vitest.config.ts): every 200 is also parsed in full and compared with the serializer's.
const CHECK_RESPONSES =
  (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.['APITWIN_CHECK_RESPONSES'] === '1'

/**
 * The last step: the mock never returns a body its own contract would reject. The body is cut to the response
 * schema's keys by a serializer compiled once per schema (which also strips anything internal, such as a password
 * hash): its values come from records the store validated on write with the same field schemas, so re-parsing
 * them on every request (6 µs for flextell's four ISO timestamps) proved nothing new. A schema the serializer
 * cannot reproduce is parsed in full, and with APITWIN_CHECK_RESPONSES=1 (the test suite) every body is parsed
 * in full too and must equal the serializer's: see handlers/serialize.ts.
 */
export function respond<S extends z.ZodType>(status: number, schema: S, body: z.input<S>): Reply {
  const serialize = serializer(schema)
  if (serialize === undefined || CHECK_RESPONSES) {
    const parsed = schema.safeParse(body)
    if (!parsed.success) {
      throw new Error(`apitwin bug: the mock built a ${status} body its contract rejects: ${parsed.error.message}`)
    }
    if (serialize !== undefined && JSON.stringify(serialize(body)) !== JSON.stringify(parsed.data)) {
      throw new Error(
        `apitwin bug: the ${status} serializer's body differs from the contract's parse: ${JSON.stringify(serialize(body))} vs ${JSON.stringify(parsed.data)}`,
      )
    }
    return { status, body: parsed.data }
  }
  return { status, body: serialize(body) }
}

/**
 * Thrown by a transport's `text()` when the body passes its size limit; the rest of the body is never buffered.
 * `readBody` turns it into the dialect's 413.
 */
export class BodyTooLarge extends Error {
  readonly limit: number
  constructor(limit: number) {
    super(`The request body is larger than ${limit} bytes`)
    this.name = 'BodyTooLarge'
    this.limit = limit
  }
}

/** Thrown by a transport's `text()` when the body's bytes are not UTF-8; `parseJsonObject` answers it 400. */
export class InvalidUtf8 extends Error {
  constructor() {
    super('The request body is not valid UTF-8')
    this.name = 'InvalidUtf8'
  }
}

/** A body read whole but whose bytes were not UTF-8: kept apart so each stack refuses it at its own step. */
export const INVALID_UTF8: unique symbol = Symbol('invalid UTF-8')
export type RawBody = string | typeof INVALID_UTF8

/**
 * Reads the whole body, as every vendor's server does before the application sees the request (PHP-FPM, Puma,
 * Fastify): authentication then judges the token when the request is handled, not before a slow body arrived.
 * A body over the transport's limit is the dialect's 413, here, before any other step.
 * @example const body = await readBody(request, laravel) // then authenticate, …, parseJsonObject(request, body, laravel)
 */
export async function readBody(
  request: { text(): Promise<string> },
  dialect: Pick<Dialect, 'payloadTooLarge' | 'badRequest'>,
): Promise<RawBody> {
  try {
    return await request.text()
  } catch (error) {
    if (error instanceof BodyTooLarge) halt(dialect.payloadTooLarge(error.limit))
    if (error instanceof InvalidUtf8) return INVALID_UTF8
    // The client went away mid-body (or the transport failed): nothing to validate, and nobody to log it for.
    halt(dialect.badRequest('The request body could not be read to its end; send it again.'))
  }
}

// Laravel's `Request::isJson()`: a Content-Type containing "/json" or "+json" (application/json, application/vnd.api+json).
const JSON_TYPE = /\/json|\+json/i

/**
 * The body as a JSON object. An empty body is `{}` (every field of these updates is optional); malformed JSON,
 * invalid UTF-8 or a non-object is a 400 in the vendor's dialect, because no field can be validated in it.
 *
 * A body that is not declared JSON (another Content-Type, or none) is what the stack makes of it:
 * - Fastify (`unsupportedMediaType` in the dialect) refuses it, 415 FST_ERR_CTP_INVALID_MEDIA_TYPE;
 * - Laravel and Rails (inferred) parse a body only when its Content-Type names a parser they have ("Laravel:
 *   `$request->isJson()` is false, so `input()` holds no JSON field"; Rails: "params are parsed only for
 *   registered MIME types"), so the body is ignored and the request runs with no fields (Rails then answers its
 *   ParameterMissing 400). The mock stores nothing from such a body, as they would not.
 * @example parseJsonObject(request, '{"name":"Ada"}', laravel) // { name: 'Ada' } when Content-Type is application/json
 */
export function parseJsonObject(
  request: { readonly headers: Pick<Headers, 'get'> },
  body: RawBody,
  dialect: Dialect,
): Record<string, unknown> {
  if (body === '') return {}
  const type = request.headers.get('content-type')
  if (type === null || !JSON_TYPE.test(type)) {
    if (dialect.unsupportedMediaType) halt(dialect.unsupportedMediaType(type ?? ''))
    return {}
  }
  if (body === INVALID_UTF8) halt(dialect.badRequest('The request body is not valid UTF-8; send UTF-8 encoded JSON.'))
  if (body.trim() === '') return {}
  // Shape limits before parsing (handlers/json-limits.ts): no later step meets a body nested too deep to handle.
  const scan = scanJson(body)
  if (scan.problem !== undefined) halt(dialect.badRequest(`The request body is refused: ${scan.problem}.`))
  let value: unknown
  try {
    value = JSON.parse(body)
  } catch {
    halt(dialect.badRequest('The request body is not valid JSON; send a JSON object.'))
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    halt(dialect.badRequest('The request body must be a JSON object.'))
  }
  if (scan.suspectKeys && pollutingKeys(value).length > 0) {
    if (dialect.forbidsProtoKeys === true) halt(dialect.badRequest('Object contains forbidden prototype property'))
    dropPollutingKeys(value)
  }
  return value as Record<string, unknown>
}

/** `readBody` then `parseJsonObject`, for a stack that parses as it reads (Fastify). */
export async function readJsonObject(
  request: { readonly headers: Pick<Headers, 'get'>; text(): Promise<string> },
  dialect: Dialect,
): Promise<Record<string, unknown>> {
  return parseJsonObject(request, await readBody(request, dialect), dialect)
}

/** The token of an `Authorization: Bearer <token>` header, or undefined when there is none. */
export function bearerToken(request: { readonly headers: Pick<Headers, 'get'> }): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get('authorization') ?? '')
  return match?.[1]
}

/** The stores `authenticate` reads: tokens by value, users by id (every API's fixtures have both). */
export interface TokenStores<U> {
  readonly tokens: { get(index: 'token', value: string): { readonly user_id: string | number } | undefined }
  readonly users: { get(index: 'id', value: string | number): U | undefined }
}

/**
 * The pipeline's first step: the user whose bearer token the request carries, or the dialect's 401.
 * @example const actor = authenticate(request, db, laravel)
 */
export function authenticate<U>(
  request: { readonly headers: Pick<Headers, 'get'> },
  db: TokenStores<U>,
  dialect: { unauthenticated(): Reply },
): U {
  const token = bearerToken(request)
  const session = token === undefined ? undefined : db.tokens.get('token', token)
  // One 401 in the mock, two causes: servers often word a missing token and a bad one apart (learned per cause).
  return (
    (session && db.users.get('id', session.user_id)) ||
    halt({ ...dialect.unauthenticated(), cause: token === undefined ? 'auth.missing' : 'auth.invalid' })
  )
}

/**
 * Runs a pipeline to its reply: a halt becomes its reply, anything unexpected a 500 in the vendor's dialect, so a
 * bug in the mock is an answer, never a crashed server. A reply, not a `Response`: the Node server writes it
 * straight to the socket, MSW wraps it with `toResponse`.
 */
export async function run(dialect: Dialect, pipeline: () => Promise<Reply>): Promise<Reply> {
  try {
    return await pipeline()
  } catch (error) {
    if (error instanceof Halt) return error.reply
    // A key another record holds reached the store unchecked (the `email.unique: unchecked` reading): the
    // database's unique index refuses it, which a Laravel or Rails app answers as a 500 — no stack, it is expected.
    if (error instanceof UniqueKeyError) {
      console.error(`apitwin: ${error.message} (a unique index refused it, as the vendor's database would: 500)`)
      return dialect.serverError('Duplicate entry for a unique key.')
    }
    console.error(error)
    return dialect.serverError('The mock failed to handle this request; see the apitwin log.')
  }
}
