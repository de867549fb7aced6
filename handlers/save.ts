import { isoSeconds } from '../fixtures/faker.ts'

/** Whether applying `next` would change any attribute of `current` (compared as JSON values). */
export function hasChanges(current: object, next: object): boolean {
  const before = current as Record<string, unknown>
  for (const key in next) {
    const value = (next as Record<string, unknown>)[key]
    const was = before[key]
    if (value === was) continue
    // Equal primitives were caught above; a primitive against anything else differs. Only objects and arrays
    // (role ids, languages) are compared as JSON, which is what the stringify of every field cost before.
    if (typeof value !== 'object' || value === null || typeof was !== 'object' || was === null) return true
    if (JSON.stringify(was) !== JSON.stringify(value)) return true
  }
  return false
}

/** Now as `isoSeconds` formats it, made once per second rather than once per write. */
function nowStamp(): string {
  const second = Math.floor(Date.now() / 1000)
  if (second !== stampSecond) {
    stampSecond = second
    stampText = isoSeconds(new Date(second * 1000))
  }
  return stampText
}
let stampSecond = Number.NaN
let stampText = ''

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
export function saveDirty<R extends object>(
  store: Updatable<R>,
  record: R,
  next: Partial<R>,
  stamp: keyof R,
  { always = false, clock }: SaveOptions = {},
): R {
  if (!always && !hasChanges(record, next)) return record
  return store.update(record, (draft) => {
    Object.assign(draft, next)
    ;(draft as Record<keyof R, unknown>)[stamp] = clock === undefined ? nowStamp() : clock(new Date())
  })
}
