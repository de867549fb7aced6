import type { z } from 'zod'
import type { railsUsers } from '../contracts/rails-users.ts'
import type { Twin } from './start-twin.ts'

/** One e-mail rails-users "sent" (the verification mail after an email change). */
export type OutboxEmail = z.infer<typeof railsUsers.entities.email>

/** The rails-users outbox: the same body as `GET /__twin/rails-users/outbox`. */
export interface Outbox {
  readonly emails: readonly OutboxEmail[]
}

/**
 * The rails-users outbox of a twin, typed (`twin.state('rails-users').controls.outbox()` is `unknown`, since the
 * controls differ per API).
 * @example
 * const twin = await createTwin()
 * outbox(twin).emails[0]?.subject // 'Please verify your new email address'
 */
export function outbox(twin: Twin): Outbox {
  const control = twin.state('rails-users').controls?.['outbox']
  if (!control)
    throw new Error(
      'this twin has no rails-users outbox; create it with rails-users (createTwin() from apitwin or apitwin/handlers/rails-users)',
    )
  return control() as Outbox
}
