import { isoSeconds } from '../fixtures/faker.ts'

/** Whether applying `next` would change any attribute of `current` (compared as JSON values). */
export function hasChanges(current: object, next: object): boolean {
  return Object.entries(next).some(([key, value]) => JSON.stringify((current as Record<string, unknown>)[key]) !== JSON.stringify(value))
}

/** What `saveDirty` needs of a store: an update that applies a change to a draft. */
export interface Updatable<R> {
  update(record: R, change: (draft: R) => void): R
}

export interface SaveOptions {
  /** Move the timestamp even when nothing changed (`touch()`), instead of Eloquent's dirty-only save. */
  readonly always?: boolean
  /** How the timestamp is written (default: to the second, as Rails and Laravel render it). */
  readonly clock?: (now: Date) => string
}

/**
 * Saves `next` onto `record` the way Eloquent and ActiveRecord do: when no attribute is dirty nothing is written
 * and the timestamp stays; otherwise one update that also sets `stamp` to now. A new password hash always counts
 * as dirty (it is salted). Synchronous, so the checks a handler ran just before it still hold when it writes.
 * @example saveDirty(db.users, user, { title: 'CTO' }, 'updated_at')
 */
export function saveDirty<R extends object>(store: Updatable<R>, record: R, next: Partial<R>, stamp: keyof R, { always = false, clock = isoSeconds }: SaveOptions = {}): R {
  if (!always && !hasChanges(record, next)) return record
  return store.update(record, (draft) => {
    Object.assign(draft, next)
    ;(draft as Record<keyof R, unknown>)[stamp] = clock(new Date())
  })
}
