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
