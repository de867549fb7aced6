import type { Target } from './target.ts'

/**
 * Default verify (no --allow-writes) promises to change nothing. A request that carries a password, or an email
 * other than the actor's own, could take over or lock out the account on a server that breaks a single rule, so
 * `send` lets it through only when it carries at least two refusals the docs state (a server breaking one of them
 * still refuses the other and writes nothing), and never with a password the docs accept.
 */
export interface WriteGuard {
  /** The updatable fields inside a body (`user` for Rails); undefined when the body has none. */
  fields?(body: unknown): Readonly<Record<string, unknown>> | undefined
  /**
   * The keys of `fields` whose value a conforming server must refuse by a documented rule: a too-short or
   * unconfirmed password counts under `password`, a malformed or taken email under `email`.
   */
  refusals(fields: Readonly<Record<string, unknown>>, target: Target): readonly string[]
}

/** Thrown by `send` in place of a request that could write credentials; the check is reported as skipped. */
export class UnsafeWrite extends Error {
  override name = 'UnsafeWrite'
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

const PASSWORD_KEY = /^(?:current_)?password(?:_confirmation)?$/

/**
 * Why `body` must not be sent to `target` without --allow-writes, or undefined when it is safe.
 * @example unsafeWrite({ email: 'new@example.com' }, target, undefined) // "it would change the actor's email …"
 */
export function unsafeWrite(body: unknown, target: Target, guard: WriteGuard | undefined): string | undefined {
  if (target.allowWrites || !isRecord(body)) return undefined
  const fields = guard?.fields ? guard.fields(body) : body
  if (!fields) return undefined
  const actorEmail = target.accounts.actor.email
  const hasPassword = Object.keys(fields).some((key) => PASSWORD_KEY.test(key))
  const email = fields['email']
  const changesEmail =
    email !== undefined &&
    !(typeof email === 'string' && actorEmail !== undefined && email.trim().toLowerCase() === actorEmail.toLowerCase())
  if (!hasPassword && !changesEmail) return undefined
  const what = hasPassword ? "a password (the actor's could change)" : `email ${JSON.stringify(email)} (the actor's could change)`
  const refused = new Set(guard?.refusals(fields, target) ?? [])
  if (hasPassword && !refused.has('password')) return `it would send ${what} that the docs accept; pass --allow-writes to run it`
  if (refused.size < 2)
    return `it would send ${what} with fewer than two documented refusals beside it, so a server breaking one rule would store it; pass --allow-writes to run it`
  return undefined
}

/**
 * Whether an email value is one a conforming server refuses by a documented rule: not an address, longer than
 * `max`, or exactly another account's address (case-insensitive uniqueness is a reading, so it does not count).
 * @example emailRefused('not-an-email', target, 255) // true
 */
export function emailRefused(value: unknown, target: Target, max = Number.POSITIVE_INFINITY): boolean {
  if (typeof value !== 'string') return true
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value) || value.length > max) return true
  return (['peer', 'foreign'] as const).some((label) => target.accounts[label]?.email === value)
}

/**
 * Whether the password in `fields` is one the docs refuse: shorter than `min`, or (where the docs ask for a
 * confirmation) without a matching one.
 * @example passwordRefused({ password: 'correct-horse-1', password_confirmation: 'x' }, 8, true) // true
 */
export function passwordRefused(fields: Readonly<Record<string, unknown>>, min: number, confirmed: boolean): boolean {
  const password = fields['password']
  if (password === undefined) return confirmed && fields['password_confirmation'] !== undefined
  if (typeof password !== 'string' || password.length < min) return true
  return confirmed && fields['password_confirmation'] !== password
}
