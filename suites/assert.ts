import type { z } from 'zod'
import type { CheckContext, Exchange, Rules } from './check.ts'

/** A response body cut short enough for a one-line finding. */
export function snippet(text: string): string {
  return text.length > 160 ? `${text.slice(0, 160)}…` : text
}

export function expectStatus<R extends string>(t: CheckContext<R>, res: Exchange, rule: Rules<R>, status: number, what: string): boolean {
  return t.expect(rule, res.status === status, `${what}: expected ${status}, got ${res.status} ${snippet(res.text)}`)
}

/** Asserts the exact JSON body (key order ignored). */
export function expectBody<R extends string>(t: CheckContext<R>, res: Exchange, rule: Rules<R>, body: Record<string, unknown>): boolean {
  const same = JSON.stringify(sortKeys(res.body)) === JSON.stringify(sortKeys(body))
  return t.expect(rule, same, `expected body ${JSON.stringify(body)}, got ${snippet(res.text)}`)
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (typeof value !== 'object' || value === null) return value
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, sortKeys(v)]),
  )
}

export function pick<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, value[k]])) as Pick<T, K>
}

/**
 * A successful update: status 200 and the body fits the contract's 200 schema. Returns the parsed body. (Every
 * 200 is also searched for credentials by the engine, see suites/secrets.ts.)
 */
export function expectUpdated<R extends string, S extends z.ZodType>(
  t: CheckContext<R>,
  res: Exchange,
  schema: S,
  rule: Rules<R>,
): z.output<S> {
  expectStatus(t, res, rule, 200, 'a valid update')
  t.matches(rule, schema, res.body, 'body')
  return schema.parse(res.body)
}
