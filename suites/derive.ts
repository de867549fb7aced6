import fc from 'fast-check'
import type { z } from 'zod'

/**
 * Cases derived from a contract's zod body schema instead of written per field (issue 9, item 3): limits at the
 * edge and one past it, enum outsiders (wrong case, surrounding spaces), wrong JSON types, null on non-nullable
 * fields and null accepted on nullable ones, format violations, every enum value accepted.
 */

/** What the vendor's framework does by default, so no case asks a conforming server to refuse what it accepts. */
export interface Framework {
  readonly name: 'laravel' | 'rails' | 'nest'
  /** Laravel's TrimStrings middleware: " en " arrives as "en", so padded values are not refusals. */
  readonly trimsStrings: boolean
  /** Rails casts a number sent for a string attribute to "42", and strong parameters drop a scalar sent for an array. */
  readonly castsScalars: boolean
  /** class-validator's @IsOptional() treats null like an absent field, so null is not a refusal. */
  readonly nullIsAbsent: boolean
  /** Laravel files an array element's error under `field.1`; Rails and class-validator under the field. */
  readonly elementKeys: boolean
}

/**
 * The three stacks behind the four vendors, by their defaults.
 * @example deriveCases(gorules.body.shape, frameworks.nest) // no null refusals: @IsOptional() takes null as absent
 */
export const frameworks = {
  laravel: { name: 'laravel', trimsStrings: true, castsScalars: false, nullIsAbsent: false, elementKeys: true },
  rails: { name: 'rails', trimsStrings: false, castsScalars: true, nullIsAbsent: false, elementKeys: false },
  nest: { name: 'nest', trimsStrings: false, castsScalars: false, nullIsAbsent: true, elementKeys: false },
} as const satisfies Record<string, Framework>

export type CaseKind = 'limit' | 'format' | 'enum' | 'type' | 'null' | 'element'

export interface FieldCase {
  readonly field: string
  readonly value: unknown
  /** A conforming server accepts the value (checked beside an invalid anchor, so nothing is written). */
  readonly accepted: boolean
  readonly kind: CaseKind
  /** For reports: "256 characters", "wrong case \"Active\"". */
  readonly what: string
  /** Where the refusal is filed: the field, or `field.1` for an array element under Laravel. */
  readonly errorKey: string
}

export interface Def {
  readonly type: string
  readonly innerType?: z.ZodType
  /** A pipe's (or transform's) input schema: what the client sends. */
  readonly in?: z.ZodType
  readonly element?: z.ZodType
  readonly options?: readonly z.ZodType[]
  readonly entries?: Readonly<Record<string, string | number>>
  readonly values?: readonly unknown[]
  readonly format?: string
  readonly pattern?: RegExp
  readonly checks?: ReadonlyArray<{
    readonly _zod: {
      readonly def: {
        readonly check: string
        readonly format?: string
        readonly pattern?: RegExp
        readonly value?: unknown
        readonly inclusive?: boolean
        readonly maximum?: number
        readonly minimum?: number
      }
    }
  }>
}

/** A zod schema's internal definition (the parts derived cases read). */
export const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def

/** Strips optional (every field of a partial body) and pipes (a transform judges what the client sent by its input), and reports whether null is allowed. */
export function unwrap(schema: z.ZodType): { inner: z.ZodType; nullable: boolean } {
  let inner = schema
  let nullable = false
  for (;;) {
    const def = defOf(inner)
    if ((def.type === 'optional' || def.type === 'nullable' || def.type === 'default') && def.innerType) {
      nullable ||= def.type === 'nullable'
      inner = def.innerType
    } else if (def.type === 'pipe' && def.in) {
      inner = def.in
    } else return { inner, nullable }
  }
}

/** The literal values of an enum, a literal, or a union of them; undefined for anything else. */
export function choices(schema: z.ZodType): unknown[] | undefined {
  const def = defOf(schema)
  if (def.type === 'enum' && def.entries) return Object.values(def.entries)
  if (def.type === 'literal' && def.values) return [...def.values]
  if (def.type === 'union' && def.options) {
    const all = def.options.map(choices)
    return all.every((c) => c !== undefined) ? all.flat() : undefined
  }
  return undefined
}

/** A syntactically valid address of exactly `length` characters (local part ≤ 64, labels ≤ 63, as RFC 5321 asks). */
export function emailOfLength(length: number, tag = 'a'): string {
  const local = `${tag}${'x'.repeat(Math.max(0, Math.min(64, length - 10) - tag.length))}`
  let rest = length - local.length - 1 - '.com'.length
  const labels: string[] = []
  while (rest > 0) {
    const size = Math.min(63, rest === 64 ? 62 : rest)
    labels.push('d'.repeat(size))
    rest -= size + 1
  }
  const email = `${local}@${labels.join('.')}.com`
  if (email.length !== length) throw new Error(`emailOfLength(${length}) built ${email.length} characters`)
  return email
}

/**
 * A string of `length` that a server checking more than the doc states would still take for this field: digits
 * for a phone number, a URL for a URL, letters otherwise. A limit case must fail or pass on its length alone.
 */
function plausible(field: string, length: number): string {
  if (/phone|mobile/i.test(field)) return '1'.repeat(length)
  const url = 'https://example.com/'
  if (/url|avatar|photo/i.test(field) && length >= url.length + 1) return `${url}${'a'.repeat(length - url.length)}`
  return 'a'.repeat(length)
}

const wrongCase = (value: string): string | undefined => {
  const flipped = value === value.toLowerCase() ? value.charAt(0).toUpperCase() + value.slice(1) : value.toLowerCase()
  return flipped === value ? undefined : flipped
}

/** One value a regex accepts, from fast-check, the same for the same seed. */
function matching(pattern: RegExp, seed: number): string | undefined {
  const [value] = fc.sample(fc.stringMatching(pattern), { seed, numRuns: 1 })
  return value !== undefined && pattern.test(value) ? value : undefined
}

const NOT_MATCHING = ['x', '!!', 'apitwin not valid', '0', '#zz']

/** Cases for one value schema (a field, or an array's element when `element` is set). */
function valueCases(schema: z.ZodType, framework: Framework, seed: number, field = ''): Array<Omit<FieldCase, 'field' | 'errorKey'>> {
  const { inner, nullable } = unwrap(schema)
  const def = defOf(inner)
  const out: Array<Omit<FieldCase, 'field' | 'errorKey'>> = []
  const accept = (value: unknown, kind: CaseKind, what: string) => out.push({ value, accepted: true, kind, what })
  const refuse = (value: unknown, kind: CaseKind, what: string) => out.push({ value, accepted: false, kind, what })

  if (nullable) accept(null, 'null', 'null')
  else if (!framework.nullIsAbsent && !framework.castsScalars) refuse(null, 'null', 'null')

  const values = choices(inner)
  if (values !== undefined) {
    for (const value of values) accept(value, 'enum', JSON.stringify(value))
    const strings = values.filter((v): v is string => typeof v === 'string')
    const numbers = values.filter((v): v is number => typeof v === 'number')
    if (strings.length > 0) {
      refuse('apitwin-outsider', 'enum', '"apitwin-outsider"')
      const sample = strings.find((s) => /[a-z]/i.test(s))
      const flipped = sample === undefined ? undefined : wrongCase(sample)
      if (flipped !== undefined && !strings.includes(flipped)) refuse(flipped, 'enum', `wrong case ${JSON.stringify(flipped)}`)
      if (sample !== undefined && !framework.trimsStrings)
        refuse(` ${sample} `, 'enum', `surrounding spaces ${JSON.stringify(` ${sample} `)}`)
    }
    if (numbers.length > 0) refuse(Math.max(...numbers) + 1, 'enum', String(Math.max(...numbers) + 1))
    if (strings.length > 0 && numbers.length === 0) refuse(42, 'type', '42 (a number)')
    if (numbers.length > 0 && strings.length === 0 && !framework.castsScalars) refuse('apitwin', 'type', '"apitwin" (a string)')
    return out
  }

  switch (def.type) {
    case 'string': {
      const str = inner as z.ZodString
      const format = str.format ?? undefined
      const pattern = (def.checks ?? []).map((c) => c._zod.def).find((c) => c.check === 'string_format' && c.format === 'regex')?.pattern
      const max = str.maxLength
      const min = str.minLength
      const fill = (length: number) => (format === 'email' ? emailOfLength(length, `apitwin${seed % 1000}`) : plausible(field, length))
      if (max !== null && pattern === undefined && format !== 'uuid' && format !== 'url') {
        // RFC 5321 caps an address at 254 characters: a server validating e-mails strictly (Laravel's email:rfc,strict)
        // refuses a longer one whatever its length rule says, so the longest address it must take is 254.
        const longest = format === 'email' ? Math.min(max, 254) : max
        accept(fill(longest), 'limit', `${longest} characters`)
        refuse(fill(max + 1), 'limit', `${max + 1} characters`)
      }
      if (min !== null && min > 0 && pattern === undefined) {
        accept('p'.repeat(min), 'limit', `${min} characters`)
        refuse('p'.repeat(min - 1), 'limit', `${min - 1} characters`)
      }
      if (format === 'email') {
        refuse('not-an-email', 'format', '"not-an-email"')
        refuse('apitwin@', 'format', '"apitwin@"')
        if (max === null) accept(`apitwin.derived${seed % 1000}@example.com`, 'format', 'an email address')
      }
      if (format === 'uuid') {
        refuse('not-a-uuid', 'format', '"not-a-uuid"')
        refuse('00000000-0000-4000-8000-00000000000', 'format', 'a UUID one digit short')
      }
      if (format === 'url') refuse('not a url', 'format', '"not a url"')
      if (pattern !== undefined) {
        const good = matching(pattern, seed)
        if (good !== undefined) accept(good, 'format', JSON.stringify(good))
        const bad = NOT_MATCHING.find((v) => !pattern.test(v))
        if (bad !== undefined) refuse(bad, 'format', JSON.stringify(bad))
      }
      if (!framework.castsScalars) {
        refuse(42, 'type', '42 (a number)')
        refuse(true, 'type', 'true (a boolean)')
      }
      return out
    }
    case 'boolean':
      accept(true, 'type', 'true')
      accept(false, 'type', 'false')
      refuse('apitwin', 'type', '"apitwin" (a string)')
      refuse(['x'], 'type', '["x"] (an array)')
      return out
    case 'number': {
      const num = inner as z.ZodNumber
      if (num.format === 'safeint' || num.format === 'int') {
        refuse(1.5, 'type', '1.5 (not an integer)')
      }
      refuse('apitwin', 'type', '"apitwin" (a string)')
      const lo = num.minValue
      const hi = num.maxValue
      if (lo !== null && Number.isFinite(lo) && lo > Number.MIN_SAFE_INTEGER) refuse(lo - 1, 'limit', `${lo - 1} (below ${lo})`)
      if (hi !== null && Number.isFinite(hi) && hi < Number.MAX_SAFE_INTEGER) refuse(hi + 1, 'limit', `${hi + 1} (above ${hi})`)
      return out
    }
    case 'array': {
      accept([], 'type', '[]')
      if (!framework.castsScalars) refuse('apitwin', 'type', '"apitwin" (not an array)')
      if (def.element) {
        const element = valueCases(def.element, { ...framework, nullIsAbsent: true }, seed)
        const firstGood = element.find((c) => c.accepted && c.value !== null)
        const allGood = choices(unwrap(def.element).inner)
        if (allGood !== undefined) accept(allGood, 'element', `every value ${JSON.stringify(allGood)}`)
        for (const c of element.filter((e) => !e.accepted && e.kind !== 'null')) {
          // A valid element first, so Laravel's error lands on `field.1` and the array itself is well-formed.
          out.push({
            value: firstGood === undefined ? [c.value] : [firstGood.value, c.value],
            accepted: false,
            kind: 'element',
            what: `an element ${c.what}`,
          })
        }
      }
      return out
    }
    default:
      return out
  }
}

/**
 * Every derived case of a body shape, field by field, in the shape's order. `skip` leaves fields to hand-written
 * checks (transforms, unions of formats); `seed` fixes the generated values.
 * @example deriveCases(flextell.body.shape, frameworks.laravel).filter((c) => c.field === 'name')
 */
export function deriveCases(
  shape: Readonly<Record<string, z.ZodType>>,
  framework: Framework,
  { skip = [] as readonly string[], seed = 1 } = {},
): FieldCase[] {
  return Object.entries(shape).flatMap(([field, schema]) => {
    if (skip.includes(field)) return []
    return valueCases(schema, framework, seed, field).map((c) => ({
      ...c,
      field,
      errorKey: c.kind === 'element' && framework.elementKeys && Array.isArray(c.value) ? `${field}.${c.value.length - 1}` : field,
    }))
  })
}
