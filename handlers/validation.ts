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
  return issues.map((issue, index) => ({ issue, index }))
    .sort((a, b) => rank(a.issue) - rank(b.issue) || a.index - b.index)
    .map(({ issue }) => issue)
}


/**
 * The "email already taken" issue, when `input.email` belongs to a user other than `userId`; `holderOf` looks
 * the address up through the API's own (normalising) email index. `rule` is the dialect's key for it.
 */
export function takenEmail(input: Record<string, unknown>, userId: unknown, holderOf: (email: string) => { readonly id: unknown } | undefined, rule: string): Issue[] {
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
  return ids.flatMap((id, index): Issue[] => (Number.isInteger(id) && !exists(id as number) ? [{ code: 'custom', path: [field, index], message: 'exists' }] : []))
}
