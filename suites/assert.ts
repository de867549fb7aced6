import type { z } from 'zod'
import type { CheckContext, Exchange } from './check.ts'

/** A response body cut short enough for a one-line finding. */
export function snippet(text: string): string {
  return text.length > 160 ? `${text.slice(0, 160)}…` : text
}

export function expectStatus<R extends string>(t: CheckContext<R>, res: Exchange, rule: R, status: number, what: string): boolean {
  return t.expect(rule, res.status === status, `${what}: expected ${status}, got ${res.status} ${snippet(res.text)}`)
}

/** Asserts the exact JSON body (key order ignored). */
export function expectBody<R extends string>(t: CheckContext<R>, res: Exchange, rule: R, body: Record<string, unknown>): boolean {
  const same = JSON.stringify(sortKeys(res.body)) === JSON.stringify(sortKeys(body))
  return t.expect(rule, same, `expected body ${JSON.stringify(body)}, got ${snippet(res.text)}`)
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (typeof value !== 'object' || value === null) return value
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, sortKeys(v)]))
}

export function pick<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, value[k]])) as Pick<T, K>
}

/** Keys of a returned user that must never be there. */
export function leakedSecrets(user: unknown): string[] {
  return typeof user === 'object' && user !== null ? Object.keys(user).filter((key) => /password|remember_token|digest/i.test(key)) : []
}

/** A 200 for a password change, and neither the password nor any password-like key in the body. */
export function expectPasswordNotReturned<R extends string>(t: CheckContext<R>, res: Exchange, password: string, rules: { readonly status: R; readonly secret: R }, user: unknown): void {
  expectStatus(t, res, rules.status, 200, 'a password change')
  const leaked = leakedSecrets(user)
  t.expect(rules.secret, !res.text.includes(password) && leaked.length === 0, `the 200 body returns the password or ${leaked.join(', ') || 'its text'}: ${snippet(res.text)}`)
}

/**
 * A successful update: status 200, the body fits the contract's 200 schema, and the user in it (`userOf`) carries
 * no password-like key. Returns the parsed body.
 */
export function expectUpdated<R extends string, S extends z.ZodType>(
  t: CheckContext<R>,
  res: Exchange,
  schema: S,
  userOf: (body: z.output<S>) => unknown,
  rules: { readonly shape: R; readonly secret: R },
): z.output<S> {
  expectStatus(t, res, rules.shape, 200, 'a valid update')
  t.matches(rules.shape, schema, res.body, 'body')
  const body = schema.parse(res.body)
  const leaked = leakedSecrets(userOf(body))
  t.expect(rules.secret, leaked.length === 0, `the 200 body returns ${leaked.join(', ')}`)
  return body
}
