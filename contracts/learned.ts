/**
 * Learned dialect pieces (issue 21): what `calibrate` saw a live server answer where no reading of the contract
 * does, kept as templates the mock answers with. Readings are behaviours we enumerated; a learned piece is the
 * server's own wording, error body or status, copied from refusals (requests that changed nothing), with every
 * account value and every id of the request replaced by a placeholder, so no secret or account is ever kept.
 *
 * Placeholders: `<param.NAME>` a path parameter of the request (`<param.id>`), `<body.PATH>` an id the request's
 * body sent (a UUID or a number of four digits or more: `<body.roles.0>`), `<LABEL.FIELD>` an account value
 * (`<actor.email>`, `<foreign.userId>`); in a body template `<status>` is the reply's status, `<mock.KEY>` the
 * value the mock put under KEY and `<mock.KEY[0]>` the first text of the mock's list there (a server answering one
 * message where the mock lists them, as a NestJS service's BadRequestException beside the ValidationPipe's list).
 */

export type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json }

/** The pieces themselves: statuses, error bodies and texts the mock answers with instead of its own. */
export interface LearnedPieces {
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
}

/** Pieces that hold for one cause of refusal only, with the requests that showed them. */
export interface CausePieces extends LearnedPieces {
  readonly seen: readonly string[]
}

export interface Learned extends LearnedPieces {
  /**
   * Pieces by the cause the mock gives its refusal (`auth.missing`, `auth.invalid`, `route`, `not-found`,
   * `validation`, `roles.exist`: handlers/causes.ts), where one status has several causes the server answers
   * differently (a missing token without `error`, a bad token with its own text; Rails' routing 404 beside the
   * controller's "User not found"). They come before the pieces above, which hold for every cause.
   */
  readonly causes?: Readonly<Record<string, CausePieces>>
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
    if (!isPlainObject(pieces)) return [`${rule}: must be an object with statuses, bodies, messages and seen`]
    const causes = pieces['causes']
    if (causes !== undefined && !isPlainObject(causes)) return [`${rule}.causes: must be an object: cause → learned pieces`]
    return [
      ...piecesProblems(rule, pieces),
      ...Object.entries(causes ?? {}).flatMap(([cause, scoped]) =>
        isPlainObject(scoped) ? piecesProblems(`${rule}.causes.${cause}`, scoped) : [`${rule}.causes.${cause}: must be an object`],
      ),
      ...(pieces['rules'] === undefined || isPlainObject(pieces['rules']) ? [] : [`${rule}.rules: must be an object: field → rules`]),
      ...(pieces['order'] === undefined || (Array.isArray(pieces['order']) && pieces['order'].every((f) => typeof f === 'string'))
        ? []
        : [`${rule}.order: must be a list of fields`]),
    ]
  })
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

function piecesProblems(where: string, p: Record<string, unknown>): string[] {
  const objectOrAbsent = (key: string) => (p[key] === undefined || isPlainObject(p[key]) ? [] : [`${where}.${key}: must be an object`])
  return [
    ...objectOrAbsent('statuses'),
    ...objectOrAbsent('bodies'),
    ...objectOrAbsent('messages'),
    ...(Array.isArray(p['seen']) ? [] : [`${where}.seen: must be a list of requests`]),
  ]
}

/** Every rule's pieces as one: what the mock applies. */
export function mergeLearned(byRule: LearnedByRule): Learned {
  const parts = Object.values(byRule)
  const causes: Record<string, CausePieces> = {}
  for (const [cause, scoped] of parts.flatMap((p) => Object.entries(p.causes ?? {}))) {
    const before = causes[cause]
    causes[cause] = before === undefined ? scoped : { ...mergePieces([before, scoped]), seen: [...before.seen, ...scoped.seen] }
  }
  const order = parts.find((p) => p.order)?.order
  const rules = parts.some((p) => p.rules) ? (Object.assign({}, ...parts.map((p) => p.rules ?? {})) as Record<string, string[]>) : undefined
  return {
    ...mergePieces(parts),
    ...(Object.keys(causes).length > 0 && { causes }),
    ...(order && { order }),
    ...(rules && { rules }),
    seen: parts.flatMap((p) => p.seen),
  }
}

function mergePieces(parts: readonly LearnedPieces[]): Required<Pick<LearnedPieces, 'statuses' | 'bodies' | 'messages'>> {
  return {
    statuses: Object.assign({}, ...parts.map((p) => p.statuses ?? {})) as Record<string, number>,
    bodies: Object.assign({}, ...parts.map((p) => p.bodies ?? {})) as Record<string, Record<string, Json>>,
    messages: Object.assign({}, ...parts.map((p) => p.messages ?? {})) as Record<string, string[]>,
  }
}

/**
 * One line saying what a rule's learned pieces hold, for `calibrate` and `readings`.
 * @example describeLearned({ bodies: { 401: {…} }, seen: [] }) // '1 error body (401)'
 * @example describeLearned({ causes: { route: { bodies: { 404: {…} }, seen: [] } }, seen: [] }) // 'for route: 1 error body (404)'
 */
export function describeLearned(learned: Learned): string {
  const general = describePieces(learned)
  const scoped = Object.entries(learned.causes ?? {}).map(([cause, pieces]) => `for ${cause}: ${describePieces(pieces) || 'nothing'}`)
  return [...(general === '' ? [] : [general]), ...scoped].join('; ') || 'nothing'
}

function describePieces(learned: LearnedPieces): string {
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
  return parts.join(', ')
}
