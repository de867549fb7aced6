import type { ReadingChoice } from '../contracts/provenance.ts'
import type { Suite } from './check.ts'
import { readingTable, readingsObserving } from './probe-checks.ts'
import { observationKey, probes, runProbe, type Probe } from './probes.ts'
import type { Target } from './target.ts'

/** What calibration concluded about one inferred rule. */
export type Calibration =
  /** Exactly one reading answers as the server does. */
  | { readonly rule: string; readonly status: 'found'; readonly value: string; readonly default: string }
  /** Several readings answer alike here (the rule cannot show on this server, e.g. uniqueness case after downcasing). */
  | { readonly rule: string; readonly status: 'indistinguishable'; readonly values: readonly string[]; readonly observed: string }
  /** No reading answers as the server does: reported with what was seen, never guessed. */
  | { readonly rule: string; readonly status: 'uncovered'; readonly observed: string; readonly readings: Readonly<Record<string, string>> }
  /** The probe could not run here (writes not allowed, an account missing, a disposable target needed). */
  | { readonly rule: string; readonly status: 'skipped'; readonly reason: string }
  | { readonly rule: string; readonly status: 'error'; readonly reason: string }

export interface CalibrationResult {
  readonly api: string
  /** The readings found (only rules with exactly one matching reading). */
  readonly readings: ReadingChoice
  readonly rules: readonly Calibration[]
}

/**
 * Finds which reading of each inferred rule a server follows: asks the server each rule's probe once, then
 * compares its answer with the mock's under every reading of that rule, the other rules at the readings found so
 * far (repeated until nothing changes, since one rule's answer can depend on another's reading).
 * @example const { readings } = await calibrate(suites.medibulut, target) // { 'tenant.forbidden': '404' }
 */
export async function calibrate(suite: Suite, target: Target): Promise<CalibrationResult> {
  const observed = new Map<Probe, { observed: string } | { skipped: string } | { error: string }>()
  for (const probe of probes[suite.api] ?? []) {
    const result = await runProbe(suite, probe, target)
    observed.set(probe, 'observed' in result ? { observed: observationKey(result.observed) } : result)
  }
  let readings: Record<string, string> = {}
  let rules: Calibration[] = []
  for (let pass = 0; pass < 4; pass++) {
    const next: Record<string, string> = {}
    rules = []
    for (const [probe, seen] of observed) {
      if ('skipped' in seen) {
        rules.push({ rule: probe.rule, status: 'skipped', reason: seen.skipped })
        continue
      }
      if ('error' in seen) {
        rules.push({ rule: probe.rule, status: 'error', reason: seen.error })
        continue
      }
      const { [probe.rule]: _self, ...others } = readings
      const table = await readingTable(suite, probe, others)
      const matching = readingsObserving(table, seen.observed)
      const rule = suite.rules[probe.rule]
      const byDefault = rule?.provenance.kind === 'inferred' ? rule.provenance.readings.default : ''
      if (matching.length === 1 && matching[0] !== undefined) {
        next[probe.rule] = matching[0]
        rules.push({ rule: probe.rule, status: 'found', value: matching[0], default: byDefault })
      } else if (matching.length > 1) {
        rules.push({ rule: probe.rule, status: 'indistinguishable', values: matching, observed: seen.observed })
      } else {
        rules.push({ rule: probe.rule, status: 'uncovered', observed: seen.observed, readings: Object.fromEntries(table) })
      }
    }
    const stable = observationKey(next) === observationKey(readings)
    readings = next
    if (stable) break
  }
  return { api: suite.api, readings, rules }
}
