import type { LearnedByRule } from '../contracts/learned.ts'
import { formatFieldReading, type ReadingChoice } from '../contracts/provenance.ts'
import { readingTable, readingsObserving } from './probe-checks.ts'
import { diff, type Difference } from './diff.ts'
import { learn } from './learn.ts'
import { observationKey, probesOf, runProbe, type Probe } from './probes.ts'
import { referenceOf } from './reference.ts'
import type { Target } from './target.ts'
import { leftBehindOn, type Suite } from './check.ts'

/** What calibration concluded about one inferred rule. */
export type Calibration =
  /**
   * Exactly one reading answers as the server does. `inferredFrom`: the rule was not probed itself (its probe is
   * irreversible), its reading is the only one under which the named rule's observation is explained.
   */
  | {
      readonly rule: string
      readonly status: 'found'
      readonly value: string
      readonly default: string
      readonly inferredFrom?: string
      /** Other readings that answer alike on this server (the default not among them): the first listed is taken. */
      readonly alike?: readonly string[]
    }
  /** Several readings answer alike here (the rule cannot show on this server, e.g. uniqueness case after downcasing). */
  | { readonly rule: string; readonly status: 'indistinguishable'; readonly values: readonly string[]; readonly observed: string }
  /** No reading answers as the server does: reported with what was seen, never guessed. */
  | { readonly rule: string; readonly status: 'uncovered'; readonly observed: string; readonly readings: Readonly<Record<string, string>> }
  /**
   * The probe could not run here (writes not allowed, an account missing, a disposable target needed). `candidates`:
   * the readings still possible given what the rules depending on it observed.
   */
  | { readonly rule: string; readonly status: 'skipped'; readonly reason: string; readonly candidates?: readonly string[] }
  | { readonly rule: string; readonly status: 'error'; readonly reason: string }
  /** No reading answered as the server did, but the mock with the learned pieces does (its wording, body or status). */
  | { readonly rule: string; readonly status: 'learned'; readonly default: string; readonly observed: string }

export interface CalibrationResult {
  readonly api: string
  /** The readings found (only rules with exactly one matching reading). */
  readonly readings: ReadingChoice
  readonly rules: readonly Calibration[]
  /** What the server answers that no reading does, learned from its refusals, by rule (empty when not asked to learn). */
  readonly learned: LearnedByRule
  /**
   * What still differs between the server and the mock under everything calibrate found and learned (a last diff):
   * behaviour no reading and no learned piece covers, named by rule so nothing is left unsaid.
   */
  readonly remaining: readonly Difference[]
  /**
   * What calibrate's requests left changed on the server (a restore it refused), once each: the server it measured
   * last is not the one it started with, and the user must put it back.
   */
  readonly leftBehind: readonly string[]
}

type Seen = { observed: string } | { skipped: string } | { error: string }

/** Every combination of one reading per rule: [{a: x, b: y}, …]; one empty combination for no rules. */
function combinations(suite: Suite, rules: readonly string[]): Array<Record<string, string>> {
  return rules.reduce<Array<Record<string, string>>>(
    (acc, rule) => {
      const known = suite.rules[rule]
      const values = known?.provenance.kind === 'inferred' ? Object.keys(known.provenance.readings.options) : []
      return acc.flatMap((combo) => values.map((value) => ({ ...combo, [rule]: value })))
    },
    [{}],
  )
}

const only = <T>(values: readonly T[]): T | undefined => (new Set(values).size === 1 ? values[0] : undefined)

const asKeys = (key: string | undefined): string[] | undefined => {
  const parsed: unknown = key === undefined ? undefined : JSON.parse(key)
  return Array.isArray(parsed) && parsed.every((k) => typeof k === 'string') ? parsed : undefined
}

/**
 * A per-field reading that answers `observed`, for a rule whose readings name fields and whose probe observes the
 * list of refused keys (`service_ids.0` is `service_ids`'): each field takes a reading under which it is refused
 * or taken as the server did (the default where it fits), and the mock under the result must answer exactly as
 * the server did. Undefined when no such choice exists.
 */
async function fieldByField(suite: Suite, probe: Probe, others: ReadingChoice, observed: string): Promise<string | undefined> {
  const rule = suite.rules[probe.rule]
  if (rule?.provenance.kind !== 'inferred' || rule.provenance.readings.fields === undefined) return undefined
  const { default: fallback, fields } = rule.provenance.readings
  const seen = asKeys(observed)
  const table = [...(await readingTable(suite, probe, others))].map(([value, key]) => [value, asKeys(key)] as const)
  if (seen === undefined || table.some(([, keys]) => keys === undefined)) return undefined
  const fieldOf = (key: string) => key.replace(/\.\d+$/, '')
  const byField: Record<string, string> = {}
  for (const key of new Set([...seen, ...table.flatMap(([, keys]) => keys ?? [])])) {
    const field = fieldOf(key)
    if (!fields.includes(field)) return undefined
    const fits = table.filter(([, keys]) => (keys ?? []).includes(key) === seen.includes(key)).map(([value]) => value)
    const current = byField[field]
    const candidates = current === undefined ? fits : fits.filter((v) => v === current)
    const chosen = candidates.includes(fallback) ? fallback : candidates[0]
    if (chosen === undefined) return undefined
    byField[field] = chosen
  }
  const value = formatFieldReading(byField, fallback)
  const check = await runProbe(suite, probe, await referenceOf(suite, { ...others, [probe.rule]: value }))
  return 'observed' in check && observationKey(check.observed) === observed ? value : undefined
}

/**
 * Finds which reading of each inferred rule a server follows: asks the server each rule's probe once, then
 * compares its answer with the mock's under every reading of that rule, the other rules at the readings found so
 * far (repeated until nothing changes, since one rule's answer can depend on another's reading). A probe's
 * `given` declares the rules its answer depends on; where one of them is not settled (its probe could not run, or
 * no single reading matched), the two are searched jointly: every combination of their readings, so a server
 * that neither downcases e-mails nor compares them case-insensitively is found as such, and an irreversible rule
 * is inferred from the observation of the rule that depends on it, or reported with the readings still possible.
 * @example const { readings } = await calibrate(suites.medibulut, target) // { 'tenant.forbidden': '404' }
 */
export async function calibrate(
  suite: Suite,
  target: Target,
  { learn: learning = true }: { readonly learn?: boolean } = {},
): Promise<CalibrationResult> {
  const observed = new Map<Probe, Seen>()
  for (const probe of probesOf(suite)) {
    const result = await runProbe(suite, probe, target)
    observed.set(probe, 'observed' in result ? { observed: observationKey(result.observed) } : result)
  }
  const defaultOf = (rule: string) => {
    const known = suite.rules[rule]
    return known?.provenance.kind === 'inferred' ? known.provenance.readings.default : ''
  }
  let readings: Record<string, string> = {}
  /** A rule whose own probe observed the server and matched one reading (not one inferred from a dependent). */
  const settledByOwnProbe = (rule: string) => {
    const own = [...observed].find(([probe]) => probe.rule === rule)?.[1]
    return own !== undefined && 'observed' in own && readings[rule] !== undefined
  }
  let rules: Calibration[] = []
  for (let pass = 0; pass < 4; pass++) {
    const next: Record<string, string> = {}
    const byRule = new Map<string, Calibration>()
    // Rules settled from a dependent's observation, and the candidates left for the others.
    const derived = new Map<string, { value?: string; candidates: string[]; from: string }>()
    for (const [probe, seen] of observed) {
      if ('skipped' in seen) {
        byRule.set(probe.rule, { rule: probe.rule, status: 'skipped', reason: seen.skipped })
        continue
      }
      if ('error' in seen) {
        byRule.set(probe.rule, { rule: probe.rule, status: 'error', reason: seen.error })
        continue
      }
      const { [probe.rule]: _self, ...others } = readings
      // The rules this probe's answer depends on that are not settled: searched jointly with it.
      const open = Object.keys(probe.given ?? {}).filter(
        (rule) => suite.rules[rule]?.provenance.kind === 'inferred' && !settledByOwnProbe(rule),
      )
      const matches: Array<{ combo: Record<string, string>; value: string }> = []
      const tables: Record<string, string> = {}
      for (const combo of combinations(suite, open)) {
        const table = await readingTable(suite, probe, { ...others, ...combo })
        for (const value of readingsObserving(table, seen.observed)) matches.push({ combo, value })
        for (const [value, key] of table) tables[[...Object.values(combo), value].join(' + ')] = key
      }
      let values = [...new Set(matches.map((m) => m.value))]
      // No reading answers as a whole: where the rule is a choice per field, look for one field by field.
      if (values.length === 0 && open.length === 0) {
        const perField = await fieldByField(suite, probe, others, seen.observed)
        if (perField !== undefined) values = [perField]
      }
      if (values.length === 1 && values[0] !== undefined) {
        next[probe.rule] = values[0]
        byRule.set(probe.rule, { rule: probe.rule, status: 'found', value: values[0], default: defaultOf(probe.rule) })
      } else if (values.length > 1 && !values.includes(defaultOf(probe.rule))) {
        // Several readings answer as the server does, the default not: any of them serves the mock, the default not.
        const [value = '', ...alike] = values
        next[probe.rule] = value
        byRule.set(probe.rule, { rule: probe.rule, status: 'found', value, default: defaultOf(probe.rule), alike })
      } else if (values.length > 1) {
        byRule.set(probe.rule, { rule: probe.rule, status: 'indistinguishable', values, observed: seen.observed })
      } else {
        byRule.set(probe.rule, { rule: probe.rule, status: 'uncovered', observed: seen.observed, readings: tables })
      }
      for (const rule of open) {
        const candidates = [...new Set(matches.map((m) => m.combo[rule]).filter((v): v is string => v !== undefined))]
        const value = only(candidates)
        derived.set(rule, { ...(value !== undefined && { value }), candidates, from: probe.rule })
      }
    }
    for (const [rule, { value, candidates, from }] of derived) {
      const own = byRule.get(rule)
      // Only a rule its own probe could not settle takes a reading from another's observation.
      if (own !== undefined && own.status !== 'skipped' && own.status !== 'error') continue
      if (value !== undefined) {
        next[rule] = value
        byRule.set(rule, { rule, status: 'found', value, default: defaultOf(rule), inferredFrom: from })
      } else if (own?.status === 'skipped') byRule.set(rule, { ...own, candidates })
    }
    rules = [...observed.keys()].flatMap((probe) => byRule.get(probe.rule) ?? [])
    const stable = observationKey(next) === observationKey(readings)
    readings = next
    if (stable) break
  }
  // The mock mirrors what the live run may do: the same writes, no disposable-only checks.
  const mockUnder = async (pieces?: LearnedByRule) => ({
    ...(await referenceOf(suite, readings, pieces)),
    allowWrites: target.allowWrites,
    disposable: false,
  })
  const remaining = async (pieces?: LearnedByRule) => (await diff(suite, target, await mockUnder(pieces))).differences
  if (!learning) return { api: suite.api, readings, rules, learned: {}, remaining: await remaining(), leftBehind: leftBehindOn(target) }
  const learned = await learn(suite, target, await mockUnder())
  if (Object.keys(learned).length === 0)
    return { api: suite.api, readings, rules, learned, remaining: await remaining(), leftBehind: leftBehindOn(target) }
  // A rule no reading covered is covered when the mock, with what was learned, answers its probe as the server did.
  const withLearned = await referenceOf(suite, readings, learned)
  const covered: Calibration[] = []
  for (const found of rules) {
    const probe = probesOf(suite).find((p) => p.rule === found.rule)
    if (found.status !== 'uncovered' || probe === undefined) {
      covered.push(found)
      continue
    }
    await withLearned.reset?.()
    const result = await runProbe(suite, probe, withLearned)
    covered.push(
      'observed' in result && observationKey(result.observed) === found.observed
        ? { rule: found.rule, status: 'learned', default: defaultOf(found.rule), observed: found.observed }
        : found,
    )
  }
  const still = await remaining(learned)
  return { api: suite.api, readings, rules: covered, learned, remaining: still, leftBehind: leftBehindOn(target) }
}
