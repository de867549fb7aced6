import type { CheckContext, Exchange } from './check.ts'
import { snippet } from './assert.ts'

/** The rule ids an API's contract uses for Rails-style validation answers. */
export interface RailsRuleIds<R extends string> {
  /** The constraint itself and any premise it rests on (the first documented or inferred by the contract). */
  readonly constraint: R | readonly R[]
  /** The documented 422 envelope: {status:"error", message:"Failed to update user", errors:[{path, message}]}. */
  readonly shape: R
  /** The rule a message's wording rests on when the doc does not show it (Rails' default full messages). */
  readonly messages?: R
  /**
   * What a refusal of the field alone rests on, where that is not the constraint alone: strong parameters raising
   * on a value permit does not take answer before the model, so such a refusal is body.unpermitted's reading too.
   */
  readonly alone?: R | readonly R[]
}

export interface RailsError {
  readonly path: string
  readonly message: string
}

/** `errors` of a Rails 422 body, when it is a list of {path, message}. */
export function railsErrors(res: Exchange): RailsError[] | undefined {
  const errors = (res.body as { errors?: unknown } | undefined)?.errors
  if (!Array.isArray(errors)) return undefined
  return (errors as unknown[]).filter(
    (e): e is RailsError =>
      typeof e === 'object' && e !== null && 'path' in e && typeof e.path === 'string' && 'message' in e && typeof e.message === 'string',
  )
}

function isRails422(res: Exchange): boolean {
  const body = res.body as { status?: unknown; message?: unknown } | undefined
  return res.status === 422 && body?.status === 'error' && body.message === 'Failed to update user' && railsErrors(res) !== undefined
}

/** Asserts a refusal because of `path`: any 4xx for the constraint, then the documented 422 with `message`. */
export function expectRailsRejected<R extends string>(
  t: CheckContext<R>,
  res: Exchange,
  path: string,
  message: string,
  rules: RailsRuleIds<R>,
): void {
  const constraint: readonly R[] = typeof rules.constraint === 'string' ? [rules.constraint] : rules.constraint
  if (
    !t.expect(
      constraint,
      res.status >= 400 && res.status < 500,
      `${path}: expected a refusal (4xx), got ${res.status} ${snippet(res.text)}`,
    )
  )
    return
  // The envelope rests on the constraint too: a server without an inferred constraint (blank names) accepts.
  if (
    !t.expect(
      [...constraint, rules.shape],
      isRails422(res),
      `expected 422 {status:"error", message:"Failed to update user", errors:[…]}, got ${res.status} ${snippet(res.text)}`,
    )
  )
    return
  const errors = railsErrors(res) ?? []
  // The error's place is the constraint's; its wording, unless the doc shows it, is the messages rule's too.
  if (
    !t.expect(
      constraint,
      errors.some((e) => e.path === path),
      `expected errors to name "${path}", got ${snippet(JSON.stringify(errors))}`,
    )
  )
    return
  t.expect(
    [...constraint, ...(rules.messages === undefined ? [] : [rules.messages])],
    errors.some((e) => e.path === path && e.message === message),
    `expected errors to hold {path:"${path}", message:"${message}"}, got ${snippet(JSON.stringify(errors))}`,
  )
}

/** Asserts `path` passed validation, without writing: an invalid `anchor` (refused under `anchorRule`) beside it makes a conforming server answer 422. */
export function expectRailsAccepted<R extends string>(
  t: CheckContext<R>,
  res: Exchange,
  path: string,
  anchor: string,
  rules: RailsRuleIds<R>,
  anchorRule: R,
): void {
  const errors = railsErrors(res) ?? []
  if (
    !t.expect(
      anchorRule,
      res.status >= 400 && res.status < 500,
      `the invalid ${anchor} sent beside ${path} was accepted: ${res.status} ${snippet(res.text)}`,
    )
  )
    return
  const constraint: readonly R[] = typeof rules.constraint === 'string' ? [rules.constraint] : rules.constraint
  // The field itself named and the anchor not: the server refused the field and stopped (a type error before the
  // model's validations); whether it should take the field is the constraint's question, not the envelope's.
  if (isRails422(res) && errors.some((e) => e.path === path) && !errors.some((e) => e.path === anchor)) {
    t.expect(rules.alone ?? constraint, false, `${path} was refused: ${snippet(JSON.stringify(errors.filter((e) => e.path === path)))}`)
    return
  }
  // Other fields named but not the anchor: the anchor's own rule broke; none named: the envelope.
  const others = isRails422(res) && errors.some((e) => e.path !== anchor && e.path !== path)
  if (
    !t.expect(
      others ? anchorRule : rules.shape,
      isRails422(res) && errors.some((e) => e.path === anchor),
      `expected 422 naming the invalid ${anchor} sent beside ${path}, got ${res.status} ${snippet(res.text)}`,
    )
  )
    return
  t.expect(
    constraint,
    !errors.some((e) => e.path === path),
    `${path} was refused: ${snippet(JSON.stringify(errors.filter((e) => e.path === path)))}`,
  )
}
