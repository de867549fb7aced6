import type { ReadingChoice } from '../contracts/provenance.ts'
import type { Check, Suite } from './check.ts'
import { observationKey, probesOf, runProbe, type Probe } from './probes.ts'
import { referenceOf } from './reference.ts'

/** What the mock observes under each reading of one rule, the other rules as `readings` say: value → observation. */
export type ReadingTable = ReadonlyMap<string, string>

const tables = new Map<string, Promise<ReadingTable>>()
/** Two imported documents may share a name across one process (tests): tables are kept per rule book too. */
const books = new WeakMap<object, number>()
let nextBook = 0
const bookId = (suite: Suite): number => {
  const known = books.get(suite.rules)
  if (known !== undefined) return known
  books.set(suite.rules, ++nextBook)
  return nextBook
}

/**
 * Runs `probe` against a fresh reference mock under each reading of its rule (the other rules as `readings`
 * say), once per process for the same question.
 * @example await readingTable(suites.gorules, probe, {}) // Map { '400' => '400', '422' => '422' }
 */
export function readingTable(suite: Suite, probe: Probe, readings: ReadingChoice = {}): Promise<ReadingTable> {
  const rule = suite.rules[probe.rule]
  if (!rule || rule.provenance.kind !== 'inferred')
    throw new Error(`apitwin bug: probe for "${probe.rule}", which is not an inferred rule of ${suite.api}`)
  const values = Object.keys(rule.provenance.readings.options)
  const cacheKey = `${suite.api} ${bookId(suite)} ${probe.rule} ${observationKey(readings)}`
  let table = tables.get(cacheKey)
  if (!table) {
    table = (async () => {
      const out = new Map<string, string>()
      for (const value of values) {
        const result = await runProbe(suite, probe, await referenceOf(suite, { ...readings, [probe.rule]: value }))
        if ('observed' in result) out.set(value, observationKey(result.observed))
      }
      return out
    })()
    tables.set(cacheKey, table)
  }
  return table
}

/** The readings of a rule whose observation is `observed`. */
export function readingsObserving(table: ReadingTable, observed: string): string[] {
  return [...table].filter(([, key]) => key === observed).map(([value]) => value)
}

/**
 * One check per inferred rule of `suite`: the server answers the rule's probe as the mock does under the reading
 * the server is judged by (`readings`, else the default). A different answer is a finding on that inferred rule
 * (a warning unless --strict) that names the reading the server seems to follow, ready for `--reading` or
 * `apitwin calibrate`. This is what makes every reading of every rule observable by `verify`.
 * @example const checks = [...suite.checks, ...probeChecks(suite, { 'validation.status': '422' })]
 */
export function probeChecks(suite: Suite, readings: ReadingChoice = {}): Check[] {
  return probesOf(suite).map((probe): Check => ({
    title: `${probe.rule}: answers as its reading says (probe)`,
    ...(probe.needs && { needs: probe.needs }),
    async run(t) {
      const rule = suite.rules[probe.rule]
      const expected = readings[probe.rule] ?? (rule?.provenance.kind === 'inferred' ? rule.provenance.readings.default : '')
      const observed = observationKey(await probe.observe(t))
      const table = await readingTable(suite, probe, readings)
      // A per-field reading is no row of the table: ask the mock under it.
      const asked = table.has(expected)
        ? undefined
        : await runProbe(suite, probe, await referenceOf(suite, { ...readings, [probe.rule]: expected }))
      const wanted = asked === undefined ? table.get(expected) : 'observed' in asked ? observationKey(asked.observed) : undefined
      if (wanted === undefined) return
      const matching = readingsObserving(table, observed)
      const hint =
        matching.length > 0
          ? `: the server follows ${matching.map((value) => `${suite.api}.${probe.rule}=${value}`).join(' or ')}`
          : `: no reading of this rule answers that (${[...table].map(([value, key]) => `${value} → ${key}`).join('; ')})`
      t.expect(probe.rule, wanted === observed, `observed ${observed}, the ${expected} reading answers ${wanted}${hint}`)
    },
  }))
}
