import fc from 'fast-check'
import type { z } from 'zod'
import type { Check } from './check.ts'
import { runCase, type DerivedApi } from './derived-checks.ts'
import { choices, defOf, unwrap, type FieldCase } from './derive.ts'

const word = (min: number, max: number) =>
  fc.array(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'), { minLength: min, maxLength: max }).map((cs) => cs.join(''))

/**
 * Values a conforming server must refuse, drawn at random: strings past their limit, strings outside an enum,
 * numbers outside their range. Only kinds whose refusal does not hang on a reading of the doc (no random
 * "emails" a lenient RFC check might take, no regex formats that are our reading).
 */
function refusedArbitrary(field: string, schema: z.ZodType, elementKeys: boolean): fc.Arbitrary<FieldCase> | undefined {
  // Pipes are judged by what the client sends (their input), as the derived cases do.
  const { inner } = unwrap(schema)
  const values = choices(inner)
  const make = (value: unknown, kind: FieldCase['kind'], what: string, errorKey = field): FieldCase => ({
    field,
    value,
    accepted: false,
    kind,
    what,
    errorKey,
  })
  if (values !== undefined && values.every((v) => typeof v === 'string')) {
    // No padding, no case change, no empty string: Laravel trims and nulls those; those cases are derived apart.
    return word(1, 24)
      .filter((s) => !values.some((v) => String(v).toLowerCase() === s.toLowerCase()))
      .map((s) => make(s, 'enum', `random outsider ${JSON.stringify(s)}`))
  }
  const def = defOf(inner)
  if (def.type === 'string') {
    const str = inner as z.ZodString
    if (str.maxLength !== null && str.format === null) {
      const max = str.maxLength
      return word(max + 1, max + 64).map((s) => make(s, 'limit', `random ${s.length} characters`))
    }
    return undefined
  }
  if (def.type === 'number') {
    const num = inner as z.ZodNumber
    const hi = num.maxValue
    if (hi !== null && hi < Number.MAX_SAFE_INTEGER)
      return fc
        .integer({ min: Math.floor(hi) + 1, max: Math.floor(hi) + 1_000_000 })
        .map((n) => make(n, 'limit', `random ${n} (above ${hi})`))
    return undefined
  }
  if (def.type === 'array' && def.element) {
    const element = choices(unwrap(def.element).inner)
    if (element === undefined || !element.every((v) => typeof v === 'string')) return undefined
    return word(1, 24)
      .filter((s) => !element.some((v) => String(v).toLowerCase() === s.toLowerCase()))
      .map((s) => make([element[0], s], 'element', `an element random outsider ${JSON.stringify(s)}`, elementKeys ? `${field}.1` : field))
  }
  return undefined
}

export interface PropertyOptions {
  /** The seed; the same seed replays the same values in the same order. */
  readonly seed: number
  /** How many random values to send (each one request). */
  readonly maxCases: number
}

/**
 * The seeded property-based pass: `maxCases` random values a conforming server must refuse, drawn from the
 * contract's schema. The seed is in the title, so a failing run names what replays it (`--seed`).
 * @example propertyCheck(flextellSuite.derived, { seed: 42, maxCases: 20 })
 */
export function propertyCheck<R extends string>(api: DerivedApi<R>, { seed, maxCases }: PropertyOptions): Check<R> | undefined {
  const arbitraries = Object.entries(api.shape)
    .filter(([field]) => !(api.skip ?? []).includes(field))
    .flatMap(([field, schema]) => refusedArbitrary(field, schema, api.framework.elementKeys) ?? [])
  if (arbitraries.length === 0 || maxCases <= 0) return undefined
  return {
    title: `property: ${maxCases} random values the contract refuses are refused (replay with --seed ${seed} --max-cases ${maxCases})`,
    async run(t) {
      // endOnFailure: no shrinking, so a live server gets at most maxCases requests.
      await fc.assert(
        fc.asyncProperty(fc.oneof(...arbitraries), async (c) => void (await runCase(t, api, c))),
        { seed, numRuns: maxCases, endOnFailure: true },
      )
    },
  }
}
