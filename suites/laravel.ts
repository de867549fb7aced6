import type { z } from 'zod'
import { laravelValidation } from '../contracts/laravel.ts'
import { snippet } from './assert.ts'
import type { CheckContext, Exchange } from './check.ts'

/** The rule ids an API's contract uses for Laravel-style validation answers. */
export interface LaravelRuleIds<R extends string> {
  /** The constraint itself (a limit, a type, an enum), documented or inferred. */
  readonly constraint: R
  /** 422 with `errors.<field>`. */
  readonly status: R
  /** Laravel's message text. */
  readonly messages: R
}

/** `errors` of a Laravel 422 body, when the body has that shape. */
export function laravelErrors(res: Exchange): Record<string, unknown> | undefined {
  const body = res.body
  if (typeof body !== 'object' || body === null || !('errors' in body)) return undefined
  const errors = body.errors
  return typeof errors === 'object' && errors !== null && !Array.isArray(errors) ? (errors as Record<string, unknown>) : undefined
}

/**
 * Asserts that the server refused the request because of `field`: any 4xx for the documented constraint; then
 * Laravel's 422 with `errors.<field>` and, when given, the exact message.
 */
export function expectFieldRejected<R extends string>(
  t: CheckContext<R>,
  res: Exchange,
  field: string,
  message: string | undefined,
  rules: LaravelRuleIds<R>,
): void {
  // Not refused at all: the constraint is what broke; the status and message would only repeat it.
  if (
    !t.expect(
      rules.constraint,
      res.status >= 400 && res.status < 500,
      `${field}: expected the request to be rejected (4xx), got ${res.status} ${snippet(res.text)}`,
    )
  )
    return
  const errors = laravelErrors(res)
  const messages = errors?.[field]
  // The status is the refusal's premise; the error's place is the constraint's own (a server without an inferred
  // constraint refuses the anchor beside it and names that alone).
  if (
    !t.expect(
      [rules.constraint, rules.status],
      res.status === 422,
      `${field}: expected 422 with errors["${field}"], got ${res.status} ${snippet(res.text)}`,
    )
  )
    return
  // Named beside other refusals in a 422: the status held, this field's own rule broke.
  if (
    !t.expect(
      errors !== undefined ? rules.constraint : [rules.status, rules.constraint],
      Array.isArray(messages),
      `${field}: expected errors["${field}"], got ${res.status} ${snippet(res.text)}`,
    )
  )
    return
  if (message !== undefined) {
    t.expect(
      [rules.constraint, rules.messages],
      (messages as unknown[]).includes(message),
      `errors["${field}"] is ${JSON.stringify(messages)}; expected "${message}"`,
    )
  }
}

/**
 * Asserts that `field` passed validation without writing anything: the request also carries an invalid `anchor`
 * field (refused under `anchorRule`), so a conforming server answers 422 for the anchor alone (Laravel validates
 * every field at once).
 */
export function expectFieldAccepted<R extends string>(
  t: CheckContext<R>,
  res: Exchange,
  field: string,
  anchor: string,
  rules: LaravelRuleIds<R>,
  anchorRule: R,
): void {
  const errors = laravelErrors(res)
  // Not refused at all: the anchor's own rule broke (and the request may have written).
  if (
    !t.expect(
      anchorRule,
      res.status >= 400 && res.status < 500,
      `the invalid ${anchor} sent beside ${field} was accepted: ${res.status} ${snippet(res.text)}`,
    )
  )
    return
  // Other fields named but not the anchor: the anchor's own rule broke; none named: the envelope.
  const others = errors !== undefined && Object.keys(errors).some((key) => key !== anchor && key !== field)
  if (
    !t.expect(
      others ? anchorRule : rules.status,
      errors?.[anchor] !== undefined,
      `expected a refusal naming ${anchor} (sent invalid beside ${field}), got ${res.status} ${snippet(res.text)}`,
    )
  )
    return
  t.expect(rules.constraint, errors?.[field] === undefined, `${field} was rejected: ${JSON.stringify(errors?.[field])}`)
}

/**
 * The first message Laravel's default wording files under `key` for `fields`, from the contract schema's own
 * issues (what the mock answers by default).
 * @example laravelExpected(flextell.body, { name: 'n'.repeat(256) }, 'name') // 'The name field must not be greater than 255 characters.'
 */
export function laravelExpected(schema: z.ZodType, fields: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const parsed = schema.safeParse(fields)
  return parsed.success ? undefined : laravelValidation(parsed.error.issues).errors[key]?.[0]
}
