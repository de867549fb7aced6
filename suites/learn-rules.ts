import { laravelMessage, type LaravelMessages } from '../contracts/laravel.ts'
import type { Issue } from '../contracts/issue.ts'
import { isLaravelSummary } from '../handlers/learned-replies.ts'
import type { Pair } from './diff.ts'

/**
 * Learns a field's Laravel limit the server states in its own refusal (issue 21): "The first name field must not be
 * greater than 100 characters." is `max:100` on first_name, word for word Laravel's message for that rule. Only
 * what a refusal says is learned (nothing is probed, nothing written): a text naming the field, equal to Laravel's
 * message for `max:N` or `digits:N` (either wording) with N taken from the text, that the mock did not give for
 * that field. A field seen with two limits of one kind keeps none of that kind. The mock then refuses past N as the server does (handlers take
 * `Learned.rules`).
 */

const WORDINGS: readonly LaravelMessages[] = ['laravel10', 'laravel9']

/** The Laravel rule a text is the message of, for `field`: `max:100`, `digits:11`; undefined for any other text. */
export function laravelRuleOf(field: string, text: string): string | undefined {
  for (const n of text.match(/\d+/g) ?? []) {
    const max = { code: 'too_big', origin: 'string', maximum: Number(n), path: [field], message: '', input: '' } as Issue
    if (WORDINGS.some((wording) => laravelMessage(max, wording) === text)) return `max:${n}`
    // "The identity number field must be 11 digits.": a fixed-length number kept as text (a national id).
    const digits: Issue = { code: 'custom', path: [field], message: `digits:${n}`, input: '' }
    if (WORDINGS.some((wording) => laravelMessage(digits, wording) === text)) return `digits:${n}`
  }
  return undefined
}

/** The kind of rule a learned value is (`max`, `digits`): a field keeps one value of each kind. */
const kindOf = (value: string) => value.replace(/:.*$/, '')

/** What one learner concluded: rules per field, the rule of the contract they were charged to, the requests. */
export interface LearnedRules {
  readonly byRule: ReadonlyMap<string, { readonly rules: Record<string, string[]>; readonly seen: readonly string[] }>
}

/**
 * Collects the pairs `diff` sends both sides; `result` holds the limits the server stated and the mock did not.
 * @example const rules = rulesLearner(); await diff(suite, live, mock, { onPair: rules.add }); rules.result()
 */
export function rulesLearner(): { add(pair: Pair): void; result(): LearnedRules } {
  const found = new Map<string, { field: string; rule: string; value: string; seen: string[] }>()
  const conflicts = new Set<string>()
  return {
    add(pair) {
      const [mock, live] = [pair.mock.exchange.body, pair.live.exchange.body]
      if (!isLaravelSummary(mock) || !isLaravelSummary(live)) return
      const [mine, theirs] = [errorsOf(mock), errorsOf(live)]
      for (const [field, texts] of Object.entries(theirs)) {
        // Top-level fields only: an element's limit (`service_ids.0`) is not a field's.
        if (field.includes('.')) continue
        for (const text of texts) {
          if (mine[field]?.includes(text)) continue
          const value = laravelRuleOf(field, text)
          if (value === undefined) continue
          // One value per field and kind: a field may state a max and a digits rule, not two maxima.
          const slot = `${field} ${kindOf(value)}`
          const before = found.get(slot)
          if (before !== undefined && before.value !== value) conflicts.add(slot)
          const entry = before ?? { field, rule: pair.charge('error messages'), value, seen: [] }
          if (entry.seen.length < 5 && !entry.seen.includes(pair.request)) entry.seen.push(pair.request)
          found.set(slot, entry)
        }
      }
    },
    result() {
      const byRule = new Map<string, { rules: Record<string, string[]>; seen: string[] }>()
      for (const [slot, { field, rule, value, seen }] of found) {
        if (conflicts.has(slot)) continue
        const entry = byRule.get(rule) ?? { rules: {}, seen: [] }
        entry.rules[field] = [...(entry.rules[field] ?? []), value]
        entry.seen.push(...seen.filter((s) => !entry.seen.includes(s)))
        byRule.set(rule, entry)
      }
      return { byRule }
    },
  }
}

function errorsOf(body: unknown): Record<string, string[]> {
  const errors = (body as { errors: Record<string, unknown> }).errors
  return Object.fromEntries(Object.entries(errors).map(([key, texts]) => [key, Array.isArray(texts) ? texts.map(String) : []]))
}
