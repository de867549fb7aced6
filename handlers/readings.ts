import { readingOfField, validateReadings, type ReadingChoice, type RuleBook } from '../contracts/provenance.ts'

/**
 * The reading every rule of one API follows, looked up once when the API starts (never per request): every
 * inferred rule id → its chosen value, the default where the choice names none. Documented rules have no entry.
 */
export type Chosen<R extends string> = Readonly<Record<R, string>>

/**
 * Resolves a user's choice against a rule book: an unknown rule or value throws, naming the allowed ones (a typo
 * must not silently keep the default).
 * @example choose(medibulut.rules, { 'tenant.forbidden': '404' })['tenant.forbidden'] // '404'
 */
export function choose<R extends string>(
  api: string,
  rules: RuleBook & Readonly<Record<R, unknown>>,
  choice: ReadingChoice = {},
): Chosen<R> {
  const problems = validateReadings(rules, choice)
  if (problems.length > 0) throw new Error(`${api} readings: ${problems.join('; ')}`)
  const chosen: Record<string, string> = {}
  for (const [id, rule] of Object.entries(rules)) {
    if (rule.provenance.kind === 'inferred') chosen[id] = choice[id] ?? rule.provenance.readings.default
  }
  return chosen as Chosen<R>
}

/**
 * The fields of a per-field rule that follow `reading` under the chosen value (every field, or none, for a plain
 * value): resolved once when the API starts, so a request pays nothing for per-field readings.
 * @example fieldsFollowing(medibulut.rules, rule, 'body.formats', 'lenient') // ['mobile'] under "lenient:mobile"
 */
export function fieldsFollowing<R extends string>(
  rules: RuleBook & Readonly<Record<R, unknown>>,
  chosen: Chosen<R>,
  id: R,
  reading: string,
): string[] {
  const rule = rules[id]
  if (!rule || rule.provenance.kind !== 'inferred') throw new Error(`apitwin bug: "${id}" is not an inferred rule`)
  const { default: fallback, fields = [] } = rule.provenance.readings
  return fields.filter((field) => readingOfField(chosen[id], field, fallback) === reading)
}
