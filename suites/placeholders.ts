import { swapsOf, toPlaceholders } from '../handlers/placeholders.ts'
import type { Target } from './target.ts'

/**
 * Values of one server (account ids, tenants, e-mails, tokens) replaced by placeholders so two servers' texts
 * compare. Only whole values are replaced: a value inside a longer number or word is a different value (tenant
 * `2` is not in "255 characters", user `21` is not in "987654321"), so `diff` shows what the server said.
 */

/**
 * A function replacing `target`'s own account values (ids, emails, tokens, tenants) with `<label.field>`, and any
 * UUID or ISO timestamp with `<uuid>` / `<time>`; the longest values first, so an e-mail goes before an id in it.
 * @example accountPlaceholders(target)('No query results for model [App\\Models\\User] 3') // '… <foreign.userId>'
 */
export function accountPlaceholders(target: Pick<Target, 'accounts'>): (text: string) => string {
  const swaps = swapsOf(accountSwaps(target))
  return (text) => {
    const out = toPlaceholders(text, swaps).replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<uuid>')
    return out.replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})/g, '<time>')
  }
}

/** A target's account values, each with its placeholder (`<actor.email>`, `<foreign.userId>`). */
export function accountSwaps(target: Pick<Target, 'accounts'>): Array<readonly [string | number | undefined, string]> {
  return Object.entries(target.accounts).flatMap(([label, account]) =>
    account ? (['email', 'token', 'userId', 'tenant'] as const).map((field) => [account[field], `<${label}.${field}>`] as const) : [],
  )
}

/** Each value of one side's accounts and request, with every placeholder it could stand for. */
export type ValueNames = ReadonlyMap<string, ReadonlySet<string>>

/**
 * One side's values by name: its accounts' (`<actor.userId>`) and the request's path parameters (`<id>`). A value
 * two names share (a tenant `2` that is also a user id) keeps both.
 * @example valueNames(target, { id: '7' }).get('7') // Set { '<id>', '<foreign.userId>' }
 */
export function valueNames(target: Pick<Target, 'accounts'>, params: Readonly<Record<string, string | number>> = {}): ValueNames {
  const out = new Map<string, Set<string>>()
  const pairs = [...accountSwaps(target), ...Object.entries(params).map(([name, value]) => [value, `<${name}>`] as const)]
  for (const [value, name] of pairs) {
    if (value === undefined || String(value) === '') continue
    const names = out.get(String(value)) ?? new Set<string>()
    out.set(String(value), names.add(name))
  }
  return out
}

/**
 * Whether two servers' texts say the same: equal but for values, each pair of values equal as sent or standing for
 * a common name. Replacing each value by one placeholder breaks on a collision — the server's tenant `1` is also a
 * count ("(and 1 more error)") or the foreign user's id — so the comparison keeps every name a value may stand for.
 * @example sameWording('No user 5', 'No user 9', mockNames, liveNames) // true when 5 and 9 are each side's <id>
 */
export function sameWording(mock: string, live: string, mockNames: ValueNames, liveNames: ValueNames): boolean {
  if (mock === live) return true
  const values = [...new Set([...mockNames.keys(), ...liveNames.keys()])].sort((a, b) => b.length - a.length)
  if (values.length === 0) return false
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const whole = new RegExp(`(?<![A-Za-z0-9_])(?<!\\d\\.)(${values.map(escape).join('|')})(?![A-Za-z0-9_])(?!\\.\\d)`)
  const [mine, theirs] = [mock.split(whole), live.split(whole)]
  if (mine.length !== theirs.length) return false
  return mine.every((part, i) => {
    const other = theirs[i] ?? ''
    if (part === other) return true
    // Odd places hold the values the split captured; even places are text, which must be equal.
    if (i % 2 === 0) return false
    const names = mockNames.get(part)
    return [...(liveNames.get(other) ?? [])].some((name) => names?.has(name) === true)
  })
}

/**
 * Whether two lists of texts say the same, line for line in any order, by {@link sameWording}.
 * @example sameLines(['id: No user 5'], ['id: No user 9'], mockNames, liveNames)
 */
export function sameLines(mock: readonly string[], live: readonly string[], mockNames: ValueNames, liveNames: ValueNames): boolean {
  if (mock.length !== live.length) return false
  const left = [...live]
  return mock.every((line) => {
    const at = left.findIndex((other) => sameWording(line, other, mockNames, liveNames))
    return at !== -1 && left.splice(at, 1).length === 1
  })
}
