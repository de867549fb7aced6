import type { Issue } from '../contracts/issue.ts'
import { isoSeconds } from '../fixtures/faker.ts'

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

/** Whether applying `next` would change any attribute of `current` (compared as JSON values). */
export function hasChanges(current: object, next: object): boolean {
  return Object.entries(next).some(([key, value]) => JSON.stringify((current as Record<string, unknown>)[key]) !== JSON.stringify(value))
}

/** What `saveDirty` needs of a store: an update that applies a change to a draft. */
export interface Updatable<R> {
  update(record: R, change: (draft: R) => void): Promise<R>
}

/**
 * Saves `next` onto `record` the way Eloquent and ActiveRecord do: when no attribute is dirty nothing is written
 * and the timestamp stays; otherwise one update that also sets `stamp` to now. A new password hash always counts
 * as dirty (it is salted).
 * @example await saveDirty(db.users, user, { title: 'CTO' }, 'updated_at')
 */
export async function saveDirty<R extends object>(store: Updatable<R>, record: R, next: Partial<R>, stamp: keyof R): Promise<R> {
  if (!hasChanges(record, next)) return record
  return store.update(record, (draft) => {
    Object.assign(draft, next)
    ;(draft as Record<keyof R, unknown>)[stamp] = isoSeconds(new Date())
  })
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
