import type { Issue } from '../contracts/issue.ts'

/**
 * Orders issues by the body's field order, as Laravel and Rails report errors in the order their rules are
 * declared; issues the handler adds (unique, exists) then sit beside the schema's own for the same field.
 */
export function fieldOrder(issues: readonly Issue[], body: { readonly shape: object }): Issue[] {
  const order = Object.keys(body.shape)
  const rank = (issue: Issue) => {
    const index = order.indexOf(String(issue.path[0]))
    return index === -1 ? order.length : index
  }
  return issues
    .map((issue, index) => ({ issue, index }))
    .sort((a, b) => rank(a.issue) - rank(b.issue) || a.index - b.index)
    .map(({ issue }) => issue)
}

/**
 * The "email already taken" issue, when `input.email` belongs to a user other than `userId`; `holderOf` looks
 * the address up through the API's own (normalising) email index. `rule` is the dialect's key for it.
 */
export function takenEmail(
  input: Record<string, unknown>,
  userId: unknown,
  holderOf: (email: string) => { readonly id: unknown } | undefined,
  rule: string,
): Issue[] {
  const email = input['email']
  if (typeof email !== 'string') return []
  const holder = holderOf(email)
  return holder && holder.id !== userId ? [{ code: 'custom', path: ['email'], message: rule }] : []
}

/**
 * Laravel's `exists` rule over an array field (`role_ids.*`, `authorized_users.*`): one issue per integer id that
 * `exists` rejects, filed under `field.N`. Non-integers are left to the schema's own type issue.
 */
export function missingIds(input: Record<string, unknown>, field: string, exists: (id: number) => boolean): Issue[] {
  const ids = input[field]
  if (!Array.isArray(ids)) return []
  return ids.flatMap((id, index): Issue[] =>
    Number.isInteger(id) && !exists(id as number) ? [{ code: 'custom', path: [field, index], message: 'exists' }] : [],
  )
}

/** Which fields take which of Laravel's loose forms (the `body.coercion` reading). */
export interface LaravelLooseFields {
  /** `boolean`: true, false, 1, 0, "1", "0" pass; stored as a boolean (the model's boolean cast). */
  readonly booleans?: readonly string[]
  /** `integer` (or `in:0,1` on an integer column): "5" passes; stored as 5. */
  readonly integers?: readonly string[]
  /** `array` + `field.*` integer: each "5" passes; stored as 5. */
  readonly integerLists?: readonly string[]
  /** `numeric`: "15.5" passes; stored as 15.5. */
  readonly numerics?: readonly string[]
}

const BOOLEANS = new Map<unknown, boolean>([
  [true, true],
  [false, false],
  [1, true],
  [0, false],
  ['1', true],
  ['0', false],
])
const INTEGER = /^[+-]?\d+$/
const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/

function looseInteger(value: unknown): unknown {
  return typeof value === 'string' && INTEGER.test(value.trim()) ? Number(value) : value
}

/**
 * The body as a Laravel app sees it after validation and its model casts: the loose forms Laravel's rules accept
 * turned into the values it stores (`"1"` → true for a boolean, `"5"` → 5 for an integer). Anything else is left
 * for the schema to refuse. The input is not changed.
 * @example laravelLoose({ is_active: '1', role_ids: ['5'] }, { booleans: ['is_active'], integerLists: ['role_ids'] })
 * // { is_active: true, role_ids: [5] }
 */
export function laravelLoose(input: Record<string, unknown>, fields: LaravelLooseFields): Record<string, unknown> {
  const out = { ...input }
  // Only keys the body has are touched: writing an absent key (even as undefined) and deleting it again turned the
  // object into a slow dictionary, which made this the costliest step of a medibulut update (--cpu-prof).
  for (const key of fields.booleans ?? []) if (key in out && BOOLEANS.has(out[key])) out[key] = BOOLEANS.get(out[key])
  for (const key of fields.integers ?? []) if (key in out) out[key] = looseInteger(out[key])
  for (const key of fields.integerLists ?? []) {
    const list = out[key]
    if (Array.isArray(list)) out[key] = list.map(looseInteger)
  }
  for (const key of fields.numerics ?? []) {
    const value = out[key]
    if (typeof value === 'string' && NUMERIC.test(value.trim())) out[key] = Number(value)
  }
  return out
}
