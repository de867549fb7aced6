/**
 * Every rule of a contract is either documented (the seed doc states it) or inferred (our reading of what the
 * vendor's stack does where the doc is silent or contradicts itself). `verify` fails on a broken documented rule
 * and only warns on a broken inferred one unless `--strict`, so staging runs stay free of false alarms.
 *
 * An inferred rule also lists its *readings*: every plausible behaviour a server of that stack might have, the
 * first being the one the mock follows by default. A user switches the mock to another reading
 * (`apitwin serve --reading medibulut.tenant.forbidden=404`, `createTwin({ readings })`, the config file), and
 * `calibrate` finds which reading a live server follows.
 */
export type Provenance =
  | { readonly kind: 'documented'; readonly source: string }
  | { readonly kind: 'inferred'; readonly why: string; readonly readings: Readings }

/** The plausible behaviours behind an inferred rule. */
export interface Readings {
  /** The reading the mock follows unless told otherwise. */
  readonly default: string
  /** Every reading, the default included: its value → what a server following it does. */
  readonly options: Readonly<Record<string, string>>
  /**
   * Where the rule is really one choice per field (coercion, formats, nullability): the fields a reading may name,
   * `strict:color;lenient:mobile` (each named field follows its reading, the others the default).
   */
  readonly fields?: readonly string[]
}

export interface Rule {
  readonly text: string
  readonly provenance: Provenance
}

/**
 * A rule the seed doc states; `source` quotes or points at the doc.
 * @example documented('name: "Maximum string length: 255"', 'name is at most 255 characters')
 */
export function documented(source: string, text: string): Rule {
  return { text, provenance: { kind: 'documented', source } }
}

/**
 * A rule the doc does not state; `why` is the one-line reason we believe the vendor does this, `readings` every
 * plausible behaviour as [value, description] pairs, the one we believe first (pairs, not an object: an object
 * would put "403" before "404" whatever order it was written in). At least two: an inferred rule with no other
 * reading would be documented.
 * @example inferred('Laravel auth middleware answers this body', '401 body is {"message":"Unauthenticated."}',
 *   [['laravel', '{"message":"Unauthenticated."}'], ['envelope', '{"success":false,"message":"Unauthenticated."}']])
 */
export function inferred(
  why: string,
  text: string,
  readings: ReadonlyArray<readonly [string, string]>,
  { fields }: { readonly fields?: readonly string[] } = {},
): Rule {
  const [first] = readings
  if (first === undefined || readings.length < 2)
    throw new Error(`inferred rule "${text}" needs at least two readings, got ${readings.length}`)
  return {
    text,
    provenance: {
      kind: 'inferred',
      why,
      readings: { default: first[0], options: Object.fromEntries(readings), ...(fields && { fields }) },
    },
  }
}

/**
 * A per-field reading's groups, or undefined for a plain one.
 * @example fieldGroups('strict:color;lenient:mobile,phone') // [['strict', ['color']], ['lenient', ['mobile', 'phone']]]
 */
export function fieldGroups(value: string): Array<[string, string[]]> | undefined {
  if (!value.includes(':')) return undefined
  return value.split(';').map((group) => {
    const [reading = '', fields = ''] = group.split(':')
    return [
      reading.trim(),
      fields
        .split(',')
        .map((f) => f.trim())
        .filter((f) => f !== ''),
    ]
  })
}

/**
 * The reading one field follows under `value` (a plain reading, or a per-field one whose unnamed fields follow
 * `fallback`, the rule's default).
 * @example readingOfField('lenient:mobile', 'mobile', 'strict') // 'lenient'
 */
export function readingOfField(value: string, field: string, fallback: string): string {
  const groups = fieldGroups(value)
  if (groups === undefined) return value
  return groups.find(([, fields]) => fields.includes(field))?.[0] ?? fallback
}

/**
 * A per-field reading from field → reading; fields on `fallback` are left out, and one reading for every field is
 * written plainly.
 * @example formatFieldReading({ color: 'strict', mobile: 'lenient' }, 'strict') // 'lenient:mobile'
 */
export function formatFieldReading(byField: Readonly<Record<string, string>>, fallback: string): string {
  const groups = new Map<string, string[]>()
  for (const [field, reading] of Object.entries(byField))
    if (reading !== fallback) groups.set(reading, [...(groups.get(reading) ?? []), field])
  if (groups.size === 0) return fallback
  return [...groups].map(([reading, fields]) => `${reading}:${fields.join(',')}`).join(';')
}

export type RuleBook = Readonly<Record<string, Rule>>

/** The readings the mock follows, per rule id of one API: `{ 'tenant.forbidden': '404' }`. Unnamed rules follow their default. */
export type ReadingChoice = Readonly<Record<string, string>>

/**
 * Checks a reading choice against a rule book; returns the problems, each naming the rule and the allowed values.
 * @example validateReadings(flextell.rules, { 'validation.status': '418' }) // ['validation.status: "418" is not a reading; …']
 */
export function validateReadings(rules: RuleBook, choice: ReadingChoice): string[] {
  return Object.entries(choice).flatMap(([rule, value]) => {
    const found = rules[rule]
    if (!found || found.provenance.kind !== 'inferred') {
      const known = Object.entries(rules)
        .filter(([, r]) => r.provenance.kind === 'inferred')
        .map(([id]) => id)
      return [`"${rule}" is not an inferred rule; rules with readings: ${known.join(', ')}`]
    }
    const options = Object.keys(found.provenance.readings.options)
    const groups = fieldGroups(value)
    if (groups === undefined)
      return options.includes(value) ? [] : [`${rule}: "${value}" is not a reading; choose one of ${options.join(', ')}`]
    const fields = found.provenance.readings.fields
    if (fields === undefined)
      return [`${rule}: "${value}" names fields, but ${rule} is one choice for the whole API; choose one of ${options.join(', ')}`]
    return groups.flatMap(([reading, named]) => [
      ...(options.includes(reading) ? [] : [`${rule}: "${reading}" is not a reading; choose one of ${options.join(', ')}`]),
      ...(named.length === 0 ? [`${rule}: "${reading}:" names no field; name some of ${fields.join(', ')}`] : []),
      ...named
        .filter((f) => !fields.includes(f))
        .map((f) => `${rule}: "${f}" is not a field of this rule; choose among ${fields.join(', ')}`),
    ])
  })
}
