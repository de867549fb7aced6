/**
 * Learned dialect pieces (issue 21): what `calibrate` saw a live server answer where no reading of the contract
 * does, kept as templates the mock answers with. Readings are behaviours we enumerated; a learned piece is the
 * server's own wording, error body or status, copied from refusals (requests that changed nothing), with every
 * account value and every id of the request replaced by a placeholder, so no secret or account is ever kept.
 *
 * Placeholders: `<param.NAME>` a path parameter of the request (`<param.id>`), `<LABEL.FIELD>` an account value
 * (`<actor.email>`, `<foreign.userId>`); in a body template `<status>` is the reply's status and `<mock.KEY>` the
 * value the mock put under KEY.
 */

export type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json }

export interface Learned {
  /**
   * Where the mock refuses with a status and message the server answers with another status:
   * `"403 Forbidden resource"` → 400.
   */
  readonly statuses?: Readonly<Record<string, number>>
  /** The server's error body by status: its keys and fixed values, `<status>` and `<mock.KEY>` where the mock's go. */
  readonly bodies?: Readonly<Record<string, Readonly<Record<string, Json>>>>
  /**
   * Message texts, one slot at a time (a message, a field's list of errors): the mock's list → the server's, both
   * as JSON arrays of texts with placeholders.
   */
  readonly messages?: Readonly<Record<string, readonly string[]>>
  /**
   * Rules the server states for a field beyond its reading, as Laravel writes them (`first_name: ["max:100"]`): the
   * mock follows them (an API that knows the rule applies it; others ignore it).
   */
  readonly rules?: Readonly<Record<string, readonly string[]>>
  /** The fields in the order the server lists its errors (Laravel's `rules()` order), where it is not the mock's. */
  readonly order?: readonly string[]
  /** The requests that showed them (method, body keys, whose token), so a reviewer can repeat them. */
  readonly seen: readonly string[]
}

/** Learned pieces of one API, by the inferred rule each difference was charged to. */
export type LearnedByRule = Readonly<Record<string, Learned>>

/**
 * Checks a config file's `learned` entry for one API: the problems, each naming the rule and what is wrong.
 * @example validateLearned(gorules.rules, { 'error.body': { seen: [] } }) // []
 */
export function validateLearned(
  rules: Readonly<Record<string, { readonly provenance: { readonly kind: string } }>>,
  learned: unknown,
): string[] {
  if (typeof learned !== 'object' || learned === null || Array.isArray(learned)) return ['must be an object: rule → learned pieces']
  return Object.entries(learned).flatMap(([rule, pieces]) => {
    if (rules[rule]?.provenance.kind !== 'inferred' && rule !== '(unattributed)') return [`"${rule}" is not an inferred rule of this API`]
    if (typeof pieces !== 'object' || pieces === null || Array.isArray(pieces))
      return [`${rule}: must be an object with statuses, bodies, messages and seen`]
    const p = pieces as Record<string, unknown>
    const objectOrAbsent = (key: string) =>
      p[key] === undefined || (typeof p[key] === 'object' && p[key] !== null && !Array.isArray(p[key]))
        ? []
        : [`${rule}.${key}: must be an object`]
    return [
      ...objectOrAbsent('statuses'),
      ...objectOrAbsent('bodies'),
      ...objectOrAbsent('messages'),
      ...objectOrAbsent('rules'),
      ...(p['order'] === undefined || (Array.isArray(p['order']) && p['order'].every((f) => typeof f === 'string'))
        ? []
        : [`${rule}.order: must be a list of fields`]),
      ...(Array.isArray(p['seen']) ? [] : [`${rule}.seen: must be a list of requests`]),
    ]
  })
}

/** Every rule's pieces as one: what the mock applies. */
export function mergeLearned(byRule: LearnedByRule): Learned {
  const parts = Object.values(byRule)
  return {
    statuses: Object.assign({}, ...parts.map((p) => p.statuses ?? {})) as Record<string, number>,
    bodies: Object.assign({}, ...parts.map((p) => p.bodies ?? {})) as Record<string, Record<string, Json>>,
    messages: Object.assign({}, ...parts.map((p) => p.messages ?? {})) as Record<string, string[]>,
    ...(parts.some((p) => p.order) && { order: parts.find((p) => p.order)?.order }),
    ...(parts.some((p) => p.rules) && { rules: Object.assign({}, ...parts.map((p) => p.rules ?? {})) as Record<string, string[]> }),
    seen: parts.flatMap((p) => p.seen),
  }
}

/**
 * One line saying what a rule's learned pieces hold, for `calibrate` and `readings`.
 * @example describeLearned({ bodies: { 401: {…} }, seen: [] }) // '1 error body (401)'
 */
export function describeLearned(learned: Learned): string {
  const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`
  const parts = [
    ...(learned.statuses
      ? [
          `${count(Object.keys(learned.statuses).length, 'status', 'statuses')} (${[...new Set(Object.values(learned.statuses))].join(', ')})`,
        ]
      : []),
    ...(learned.bodies
      ? [`${count(Object.keys(learned.bodies).length, 'error body', 'error bodies')} (${Object.keys(learned.bodies).join(', ')})`]
      : []),
    ...(learned.messages ? [count(Object.keys(learned.messages).length, 'message text', 'message texts')] : []),
    ...(learned.rules
      ? [
          `${count(Object.keys(learned.rules).length, 'field rule', 'field rules')} (${Object.entries(learned.rules)
            .map(([f, r]) => `${f} ${r.join('|')}`)
            .join(', ')})`,
        ]
      : []),
    ...(learned.order ? [`the field order (${learned.order.join(', ')})`] : []),
  ]
  return parts.join(', ') || 'nothing'
}
