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
