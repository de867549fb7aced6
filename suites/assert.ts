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

/**
 * update.persists, resting on response.echo: the value the 200 showed as taken is still there after a later update.
 * A value the 200 already lost is response.echo's finding (a premise that failed), not a second one here.
 * @example await expectPersists(t, 'title', title, first, () => update(t, { bio: 'second write' }))
 */
export async function expectPersists(
  t: CheckContext<'response.echo' | 'update.persists'>,
  field: string,
  sent: unknown,
  first: Readonly<Record<string, unknown>>,
  later: () => Promise<Readonly<Record<string, unknown>>>,
): Promise<void> {
  const shown = JSON.stringify(first[field])
  if (!t.given('response.echo', first[field] === sent, `the 200 showed ${field} ${shown}, not the value sent`)) return
  const after = (await later())[field]
  t.expect(
    'update.persists',
    after === sent,
    `${field} was ${JSON.stringify(after)} after a later update; expected ${JSON.stringify(sent)}`,
  )
}
