import type { OpenApiOperation } from '../contracts/openapi/operations.ts'
import type { CheckContext, Exchange } from './check.ts'
import { placeCredentials } from './openapi-credentials.ts'

/** How a request of a derived check authenticates: as the actor, not at all, with a wrong value, in a wrong scheme. */
export type AuthMode = 'valid' | 'none' | 'wrong-token' | 'wrong-scheme'

export interface OperationRequest {
  readonly params?: Readonly<Record<string, string | number>>
  readonly body?: unknown
  readonly auth?: AuthMode
  /** Query parameters of the operation itself (credentials placed in the query come after them). */
  readonly query?: ReadonlyArray<readonly [string, string]>
  /** Header parameters of the operation itself (lower-case names; credentials win where they share one). */
  readonly headers?: Readonly<Record<string, string>>
}

/** An answer and the `curl` line that reproduces the request (credentials as placeholders, never their values). */
export interface Sent {
  readonly exchange: Exchange
  readonly curl: string
}

/**
 * Sends one request of an imported API's `operation` through the check's own `send` (so the engine's secret scan
 * and write guard see it), with the actor's credentials placed as the document's security says.
 * @example const { exchange, curl } = await sendOperation(t, op, { params: { planetId: 1 }, auth: 'none' })
 */
export async function sendOperation<R extends string>(
  t: CheckContext<R>,
  operation: OpenApiOperation,
  request: OperationRequest = {},
): Promise<Sent> {
  const auth = request.auth ?? 'valid'
  const actor = t.account('actor')
  const placed =
    auth === 'none' ? { headers: {}, query: [], values: [] } : placeCredentials(operation, actor, { spoil: auth === 'wrong-token' })
  if (!placed)
    throw new Error(
      `${operation.key}: the actor has no credentials for ${operation.security.map((a) => a.map((s) => s.name).join(' + ')).join(' or ')}; give them with --token or --credential SCHEME=VALUE`,
    )
  for (const value of placed.values) t.secret(value)
  let headers: Record<string, string> = { ...request.headers, ...placed.headers }
  let query = [...(request.query ?? []), ...placed.query]
  if (auth === 'wrong-scheme') {
    // The same secret in another scheme: a bearer token sent as Basic, an API key or Basic value sent as Bearer.
    const [value] = placed.values
    const bearer = value !== undefined && /^Bearer\s+(\S+)/i.exec(value)?.[1]
    headers = { ...request.headers, authorization: bearer ? `Basic ${btoa(`${bearer}:`)}` : `Bearer ${value ?? 'apitwin-no-credential'}` }
    query = [...(request.query ?? [])]
  }
  const exchange = await t.send({
    as: 'anonymous',
    method: operation.method,
    path: operation.path,
    headers,
    query,
    ...(request.params && { params: request.params }),
    ...(request.body !== undefined && { body: request.body }),
  })
  return {
    exchange,
    curl: curlOf(
      t.target.baseUrl,
      operation,
      request,
      Object.keys(headers).filter((name) => request.headers?.[name] === undefined || placed.headers[name] !== undefined),
      query.slice(request.query?.length ?? 0).map(([name]) => name),
    ),
  }
}

/** A curl line for the request, each credential shown as `$APITWIN_CREDENTIAL` so it can go into a report. */
function curlOf(
  baseUrl: string,
  operation: OpenApiOperation,
  request: OperationRequest,
  credentialHeaders: readonly string[],
  credentialQuery: readonly string[],
): string {
  const path = operation.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(request.params?.[name] ?? `{${name}}`)))
  const pairs = [
    ...(request.query ?? []).map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`),
    ...credentialQuery.map((name) => `${encodeURIComponent(name)}=$APITWIN_CREDENTIAL`),
  ]
  const search = pairs.length > 0 ? `?${pairs.join('&')}` : ''
  const parts = ['curl', '-X', operation.method, quote(`${baseUrl}${path}${search}`)]
  for (const [name, value] of Object.entries(request.headers ?? {}))
    if (!credentialHeaders.includes(name)) parts.push('-H', quote(`${name}: ${value}`))
  for (const name of credentialHeaders) parts.push('-H', quote(`${name}: $APITWIN_CREDENTIAL`).replace(/^'/, '"').replace(/'$/, '"'))
  if (request.body !== undefined) parts.push('-H', quote('content-type: application/json'), '--data', quote(JSON.stringify(request.body)))
  return parts.join(' ')
}

/** Single-quoted for a POSIX shell. */
function quote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`
}
