import type { OpenApiOperation } from '../contracts/openapi/operations.ts'
import type { Account, Credential } from '../fixtures/account.ts'

/** Where an imported API's credentials go in one request: headers and query parameters. */
export interface Placed {
  readonly headers: Readonly<Record<string, string>>
  readonly query: ReadonlyArray<readonly [string, string]>
  /** The values sent, so a check can register them as secrets (never echoed in a 200). */
  readonly values: readonly string[]
}

/** An operation needs credentials: it has security and no alternative is empty (public). */
export function needsCredentials(operation: OpenApiOperation): boolean {
  return (
    operation.security.length > 0 &&
    operation.security.every((alternative) => alternative.length > 0) &&
    operation.security.some((alternative) => alternative.every((scheme) => scheme.kind !== 'unchecked'))
  )
}

/**
 * The credentials of the first security alternative of `operation` the account can satisfy, placed as the scheme
 * says; undefined when it can satisfy none. An operation without security needs none (empty placement).
 * With `spoil`, each value is replaced by a wrong one of the same shape (the "wrong token" case).
 * @example placeCredentials(op, actor)?.headers // { authorization: 'Bearer …' }
 */
export function placeCredentials(operation: OpenApiOperation, account: Account, { spoil = false } = {}): Placed | undefined {
  if (operation.security.length === 0 || operation.security.some((alternative) => alternative.length === 0))
    return { headers: {}, query: [], values: [] }
  const owned = account.credentials ?? {}
  const alternative = operation.security.find((schemes) =>
    schemes.every((scheme) => scheme.kind === 'unchecked' || owned[scheme.name] !== undefined),
  )
  if (!alternative) return undefined
  const headers: Record<string, string> = {}
  const query: Array<readonly [string, string]> = []
  const cookies: string[] = []
  const values: string[] = []
  for (const scheme of alternative) {
    const credential = owned[scheme.name]
    if (!credential) continue
    const value = spoil ? spoiled(credential) : credential.value
    values.push(credential.value)
    if (credential.in === 'header') headers[credential.name] = value
    else if (credential.in === 'query') query.push([credential.name, value])
    else cookies.push(`${credential.name}=${value}`)
  }
  if (cookies.length > 0) headers['cookie'] = cookies.join('; ')
  return { headers, query, values }
}

/** A wrong value in the credential's own scheme: `Bearer <other>`, `Basic <other>`, or another key. */
function spoiled(credential: Credential): string {
  const scheme = /^(Bearer|Basic)\s+/i.exec(credential.value)?.[1]
  if (scheme?.toLowerCase() === 'basic') return `Basic ${btoa('apitwin-wrong:apitwin-wrong-password')}`
  return `${scheme === undefined ? '' : `${scheme} `}apitwin-wrong-token-0000000000`
}

/**
 * Credentials for a live server from `--token` and `--credential scheme=value`: a bearer or OAuth scheme takes the
 * token as `Bearer <token>`, an API key the token itself, unless a `--credential` names the scheme; HTTP Basic only
 * a `--credential` (`user:password`).
 * @example liveCredentials(contract.operations, 'tok123456', { api_key: 'k-123456789' })
 */
export function liveCredentials(
  operations: readonly OpenApiOperation[],
  token: string | undefined,
  given: Readonly<Record<string, string>>,
): Record<string, Credential> {
  const out: Record<string, Credential> = {}
  for (const scheme of operations.flatMap((operation) => operation.security.flat())) {
    if (out[scheme.name] !== undefined || scheme.kind === 'unchecked') continue
    // A bare token is no user:password: Basic takes only what --credential gives it, so an alternative the token
    // can satisfy (bearer, OAuth, an API key) is placed instead of a Basic header bound to fail.
    const value = given[scheme.name] ?? (scheme.kind === 'basic' ? undefined : token)
    if (value === undefined) continue
    if (scheme.kind === 'bearer')
      out[scheme.name] = { in: 'header', name: 'authorization', value: /^Bearer\s/i.test(value) ? value : `Bearer ${value}` }
    else if (scheme.kind === 'basic')
      out[scheme.name] = { in: 'header', name: 'authorization', value: /^Basic\s/i.test(value) ? value : `Basic ${btoa(value)}` }
    else out[scheme.name] = { in: scheme.in, name: scheme.key, value }
  }
  return out
}
