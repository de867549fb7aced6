import type { z } from 'zod'

/** What a pipeline step answers with: a status and a JSON body, before it becomes a `Response`. */
export interface Reply {
  readonly status: number
  readonly body: unknown
  /** Headers beyond content-type and CORS (`allow` on a 405, `retry-after` on a 503). */
  readonly headers?: Readonly<Record<string, string>>
}

/** The error bodies a vendor's stack renders for failures every API shares. */
export interface Dialect {
  readonly name: string
  badRequest(message: string): Reply
  serverError(message: string): Reply
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
  throw new Halt(reply)
}

// Every API answer is cross-origin readable, so a frontend on another port can call the standalone server. The
// header is set here, at birth, because adding it afterwards made the server copy the headers of every response
// (measured: the largest single cost after the socket write); MSW ignores it.
const jsonHeaders = { 'content-type': 'application/json', 'access-control-allow-origin': '*' }

/** A reply as a Fetch `Response`, for MSW and the browser; the Node server writes replies without one. */
export function toResponse(reply: Reply): Response {
  return new Response(JSON.stringify(reply.body), { status: reply.status, headers: reply.headers ? { ...jsonHeaders, ...reply.headers } : jsonHeaders })
}

/**
 * The last step: the mock never returns a body its own contract would reject, so a success body is parsed
 * through the contract's response schema (which also strips anything internal, such as a password hash).
 */
export function respond<S extends z.ZodType>(status: number, schema: S, body: z.input<S>): Reply {
  const parsed = schema.safeParse(body)
  if (!parsed.success) {
    throw new Error(`apitwin bug: the mock built a ${status} body its contract rejects: ${parsed.error.message}`)
  }
  return { status, body: parsed.data }
}

/**
 * Reads the request body as a JSON object. An empty body is `{}` (every field of these updates is optional);
 * malformed JSON or a non-object is a 400 in the vendor's dialect, because no field can be validated in it.
 */
export async function readJsonObject(request: { text(): Promise<string> }, dialect: Dialect): Promise<Record<string, unknown>> {
  const text = await request.text()
  if (text.trim() === '') return {}
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    halt(dialect.badRequest('The request body is not valid JSON; send a JSON object.'))
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    halt(dialect.badRequest('The request body must be a JSON object.'))
  }
  return value as Record<string, unknown>
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
export function authenticate<U>(request: { readonly headers: Pick<Headers, 'get'> }, db: TokenStores<U>, dialect: { unauthenticated(): Reply }): U {
  const token = bearerToken(request)
  const session = token === undefined ? undefined : db.tokens.get('token', token)
  return (session && db.users.get('id', session.user_id)) || halt(dialect.unauthenticated())
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
    console.error(error)
    return dialect.serverError('The mock failed to handle this request; see the apitwin log.')
  }
}
