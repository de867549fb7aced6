import type { Target } from './target.ts'

/**
 * Values of one server (account ids, tenants, e-mails, tokens) replaced by placeholders so two servers' texts
 * compare. Only whole values are replaced: a value inside a longer number or word is a different value (tenant
 * `2` is not in "255 characters", user `21` is not in "987654321"), so `diff` shows what the server said.
 */

const WORD = '[A-Za-z0-9_]'
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * Every whole occurrence of `value` in `text` replaced: not touching a letter, digit or underscore on either
 * side, nor a decimal point that continues a number ("2" is not in "1.2" or "2.5").
 * @example replaceWhole('user 21 of 121 (21.5)', '21', '<id>') // 'user <id> of 121 (21.5)'
 */
export function replaceWhole(text: string, value: string, placeholder: string): string {
  if (value === '') return text
  return text.replace(new RegExp(`(?<!${WORD})(?<!\\d\\.)${escape(value)}(?!${WORD})(?!\\.\\d)`, 'g'), () => placeholder)
}

/**
 * A function replacing `target`'s own account values (ids, emails, tokens, tenants) with `<label.field>`, and any
 * UUID or ISO timestamp with `<uuid>` / `<time>`; the longest values first, so an e-mail goes before an id in it.
 * @example accountPlaceholders(target)('No query results for model [App\\Models\\User] 3') // '… <foreign.userId>'
 */
export function accountPlaceholders(target: Pick<Target, 'accounts'>): (text: string) => string {
  const swaps: Array<[string, string]> = []
  for (const [label, account] of Object.entries(target.accounts)) {
    if (!account) continue
    for (const [field, value] of [['email', account.email], ['token', account.token], ['userId', account.userId], ['tenant', account.tenant]] as const) {
      if (value !== undefined && String(value).length > 0) swaps.push([String(value), `<${label}.${field}>`])
    }
  }
  swaps.sort(([a], [b]) => b.length - a.length)
  return (text) => {
    let out = swaps.reduce((t, [value, placeholder]) => replaceWhole(t, value, placeholder), text)
    out = out.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<uuid>')
    return out.replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})/g, '<time>')
  }
}
