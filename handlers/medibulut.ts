import { z } from 'zod'
import {
  E164_OR_EMPTY,
  medibulut,
  medibulutBonusRate,
  medibulutRoles,
  passwordCriteria,
  type MedibulutBody,
  type MedibulutRuleId,
  type MedibulutUserRecord,
} from '../contracts/medibulut.ts'
import type { Issue } from '../contracts/issue.ts'
import { mergeLearned, type LearnedByRule } from '../contracts/learned.ts'
import { laravelDialect, laravelEveryRule, type LaravelDialect, type LaravelMessages } from '../contracts/laravel.ts'
import type { ReadingChoice } from '../contracts/provenance.ts'
import { MEDIBULUT_SERVICE_IDS, seedMedibulut, type MedibulutDb } from '../fixtures/medibulut.ts'
import { hashPassword } from '../fixtures/password.ts'
import { choose, fieldsFollowing, type Chosen } from './readings.ts'
import { authenticate, halt, parseJsonObject, readBody, respond, run, type Dialect, type Reply } from './reply.ts'
import { defineApi, type Params, type RequestLike, type TwinApi } from './twin-api.ts'
import { saveDirty } from './save.ts'
import { fieldOrder, laravelLoose, missingIds, takenEmail, type LaravelLooseFields } from './validation.ts'

/** What the medibulut resolver follows: the chosen readings, the dialect and the body schema built from them. */
export interface MedibulutReadings {
  readonly rule: Chosen<MedibulutRuleId>
  readonly dialect: LaravelDialect
  readonly body: z.ZodType<MedibulutBody>
  /** The fields that take Laravel's loose forms (body.coercion, per field); undefined when none does. */
  readonly loose: LaravelLooseFields | undefined
}

/** The body schema a reading choice makes: each inferred constraint of the table swapped for its other reading, field by field. */
function bodyFor(rule: Chosen<MedibulutRuleId>, limits: Readonly<Record<string, LearnedLimits>> = {}): z.ZodType<MedibulutBody> {
  const base = medibulut.body.shape
  const on = (id: MedibulutRuleId, reading: string) => new Set(fieldsFollowing(medibulut.rules, rule, id, reading))
  const pick = (id: MedibulutRuleId, reading: string, schemas: Readonly<Record<string, z.ZodType>>) =>
    Object.fromEntries(Object.entries(schemas).filter(([key]) => on(id, reading).has(key)))
  const fields: Record<string, z.ZodType> = {
    // body.formats: lenient — the doc names formats without rules, so an app may check none of them.
    ...pick('body.formats', 'lenient', {
      mobile: z.string().optional(),
      phone: z.string().nullable().optional(),
      color: z.string().optional(),
      photo: z.string().nullable().optional(),
      password: z.string().optional(),
      // No type rule of its own; whether it takes null stays body.nullable's (a null is refused as `string` would
      // refuse it unless that reading makes it nullable), so each probe sees its own rule only.
      password_confirmation: z
        .unknown()
        .refine((value) => value !== null, { error: 'string' })
        .optional(),
    }),
    // body.lengths: unlimited — no max:255 (TEXT columns).
    ...pick('body.lengths', 'unlimited', {
      first_name: z.string().optional(),
      last_name: z.string().optional(),
      email: z.email().optional(),
      identity_number: z.string().nullable().optional(),
    }),
    // body.range: any — "e.g., 15 for 15%" states no bounds.
    ...(rule['body.range'] === 'any' && { bonus_rate: medibulutBonusRate('any').optional() }),
    // body.permissions: any — "etc.": any string is a permission.
    ...(rule['body.permissions'] === 'any' && { permissions: z.array(z.string()).optional() }),
    // body.ids: any-integer — "array of integers" states no sign; exists — any integer here, then `exists` (validate).
    ...(rule['body.ids'] !== 'positive' && { service_ids: z.array(z.int({ error: 'integer' })).optional() }),
  }
  // body.password-strength: Password::min(8)->…; criteria beyond the minimum are checked after it (and listed after
  // its message), in Laravel's order, on a string only (its `after` hook returns for anything else).
  const criteria = passwordCriteria(rule['body.password-strength'])
  if (criteria.mixedCase || criteria.letters || criteria.symbols || criteria.numbers) {
    const password = on('body.formats', 'lenient').has('password') ? z.string() : z.string().min(8)
    fields['password'] = password
      .superRefine((value, ctx) => {
        for (const need of passwordNeeds(criteria, value)) ctx.addIssue({ code: 'custom', message: need })
      })
      .optional()
  }
  // body.lengths, learned: the server's own `max:N` where it stated one (first_name max:100 for a VARCHAR(100)), and
  // `digits:N` on identity_number (digits:11, a national id). digits:N fixes the length, so it replaces the default
  // max:255 (our reading, which the server answered with its digits text instead); a max it stated stays. The digits
  // rule is checked on strings only: its text was seen for a string, never beside "must be a string".
  const text: Readonly<Record<string, { string: () => z.ZodString | z.ZodEmail; nullable: boolean; digits: boolean }>> = {
    first_name: { string: () => z.string(), nullable: false, digits: false },
    last_name: { string: () => z.string(), nullable: false, digits: false },
    email: { string: () => z.email(), nullable: false, digits: false },
    identity_number: { string: () => z.string(), nullable: true, digits: true },
  }
  for (const [key, { max, digits }] of Object.entries(limits)) {
    const known = text[key]
    const length = known?.digits === true ? digits : undefined
    if (known === undefined || (max === undefined && length === undefined)) continue
    const string = max === undefined ? known.string() : known.string().max(max)
    const checked = length === undefined ? string : string.refine((value) => new RegExp(`^\\d{${length}}$`).test(value), `digits:${length}`)
    fields[key] = known.nullable ? checked.nullable().optional() : checked.optional()
  }
  // body.nullable: nullable — the field takes null (it clears a nullable column, leaves the others as they were);
  // none — phone takes "" but not null (the example's "" is no null without ConvertEmptyStringsToNull).
  for (const key of on('body.nullable', 'nullable')) {
    const schema = fields[key] ?? base[key as keyof typeof base]
    if (schema !== undefined) fields[key] = schema.nullable()
  }
  if (on('body.nullable', 'none').has('phone'))
    fields['phone'] = on('body.formats', 'lenient').has('phone')
      ? z.string().optional()
      : z.string().regex(E164_OR_EMPTY, { error: 'regex' }).optional()
  // The extended schema parses to the same fields, plus nulls under `nullable` that `apply` drops for NOT NULL columns.
  return medibulut.body.safeExtend(fields) as unknown as z.ZodType<MedibulutBody>
}

/** Columns that hold null (the 200 example shows them null or empty); a null for any other is no change. */
const NULLABLE_COLUMNS: ReadonlySet<string> = new Set(['identity_number', 'phone', 'photo', 'mobile', 'color'])

// required-fields: create-rules — the 422 example's six required fields.
const CREATE_RULES = ['first_name', 'last_name', 'email', 'password', 'status'] as const

/**
 * Resolves a reading choice for medibulut (defaults where unnamed; an unknown rule or value throws).
 * @example medibulutReadings({ 'tenant.forbidden': '404' }).rule['tenant.forbidden'] // '404'
 */
export function medibulutReadings(choice?: ReadingChoice, learned?: LearnedByRule): MedibulutReadings {
  const rule = choose('medibulut', medibulut.rules, choice)
  const dialect = laravelDialect({
    authStatus: Number(rule['auth.required']),
    authEnvelope: rule['auth.body'] === 'envelope' ? { data: null } : {},
    notFound: rule['user.not-found'] === 'generic' ? 'generic' : 'model',
    messages: rule['validation.messages'] as LaravelMessages,
  }) satisfies Dialect
  const laravel = fieldsFollowing(medibulut.rules, rule, 'body.coercion', 'laravel')
  const loose =
    laravel.length === 0
      ? undefined
      : { integers: laravel.filter((f) => f === 'status'), integerLists: laravel.filter((f) => f !== 'status') }
  return { rule, dialect, body: bodyFor(rule, learnedLimits(learned)), loose }
}
const DEFAULTS = medibulutReadings()

/** A field's learned Laravel limits: `max:N`, `digits:N`. */
interface LearnedLimits {
  readonly max?: number
  readonly digits?: number
}

/** The `max:N` and `digits:N` rules calibrate learned (`Learned.rules`), by field; a field with two of a kind keeps none of it. */
function learnedLimits(learned: LearnedByRule | undefined): Record<string, LearnedLimits> {
  const out: Record<string, LearnedLimits> = {}
  for (const [field, rules] of Object.entries(learned === undefined ? {} : (mergeLearned(learned).rules ?? {}))) {
    const one = (kind: string) => {
      const values = rules.flatMap((r) => new RegExp(`^${kind}:(\\d+)$`).exec(r)?.[1] ?? [])
      return values.length === 1 ? { [kind]: Number(values[0]) } : {}
    }
    const limits: LearnedLimits = { ...one('max'), ...one('digits') }
    if (Object.keys(limits).length > 0) out[field] = limits
  }
  return out
}

/**
 * The Laravel keys of the criteria `value` misses, in the order Password's `after` hook adds them (its regexes:
 * a lowercase letter before an uppercase one or the other way round, \pL, \p{Z}|\p{S}|\p{P}, \pN).
 * @example passwordNeeds(passwordCriteria('letters-numbers'), 'abcdefgh') // ['password.numbers']
 */
export function passwordNeeds(criteria: ReturnType<typeof passwordCriteria>, value: string): string[] {
  return [
    ...(criteria.mixedCase && !/(\p{Ll}+.*\p{Lu})|(\p{Lu}+.*\p{Ll})/u.test(value) ? ['password.mixed'] : []),
    ...(criteria.letters && !/\p{L}/u.test(value) ? ['password.letters'] : []),
    ...(criteria.symbols && !/\p{Z}|\p{S}|\p{P}/u.test(value) ? ['password.symbols'] : []),
    ...(criteria.numbers && !/\p{N}/u.test(value) ? ['password.numbers'] : []),
  ]
}

/**
 * `PATCH /{tenantId}/users/{id}` in Laravel's order: auth:sanctum → {tenant} binding (404) → tenant membership
 * (403) → scoped {user} binding (404) → Form Request rules (422) → save → UserResource.
 */
export function resolveMedibulut(
  db: MedibulutDb,
  request: RequestLike,
  params: Params,
  readings: MedibulutReadings = DEFAULTS,
): Promise<Reply> {
  const { dialect } = readings
  return run(dialect, async () => {
    // PHP has the whole body before Laravel runs, so the token is judged once the body has arrived.
    const body = await readBody(request, dialect)
    const actor = authenticate(request, db, dialect)
    const tenantId = scope(db, actor, params['tenantId'] ?? '', params['id'] ?? '', readings)
    const user = find(db, tenantId, params['id'] ?? '', readings)
    const input = parseJsonObject(request, body, dialect)
    const changes = validate(db, user, input, readings)
    const passwordHash = changes.password === undefined ? undefined : await hashPassword(changes.password)
    // The guards run again after the await, with nothing async between them and the write: another request may
    // have taken the e-mail while the password was hashing.
    const updated = apply(db, user, passwordHash === undefined ? changes : validate(db, user, input, readings), passwordHash)
    return respond(200, medibulut.responses[200], { data: updated })
  })
}

function scope(
  db: MedibulutDb,
  actor: MedibulutUserRecord,
  rawTenant: string,
  rawId: string,
  { rule, dialect }: MedibulutReadings,
): number {
  const tenant = /^\d+$/.test(rawTenant) ? db.tenants.get('id', Number(rawTenant)) : undefined
  if (!tenant) halt(dialect.modelNotFound('App\\Models\\Tenant', rawTenant))
  if (tenant.id === actor.tenant_id) return tenant.id
  // tenant.forbidden: binding-first — the scoped binding finds no such user of that tenant before membership is asked.
  if (rule['tenant.forbidden'] === 'binding-first') {
    const user = /^\d+$/.test(rawId) ? db.users.get('id', Number(rawId)) : undefined
    if (user?.tenant_id !== tenant.id) halt(dialect.modelNotFound('App\\Models\\User', rawId))
  }
  return halt(rule['tenant.forbidden'] === '404' ? dialect.modelNotFound('App\\Models\\Tenant', rawTenant) : dialect.forbidden())
}

function find(db: MedibulutDb, tenantId: number, rawId: string, { rule, dialect }: MedibulutReadings): MedibulutUserRecord {
  const user = /^\d+$/.test(rawId) ? db.users.get('id', Number(rawId)) : undefined
  if (!user) halt(dialect.modelNotFound('App\\Models\\User', rawId))
  // Scoped binding: a user of another tenant does not exist under this tenant's path (or is found, then refused).
  if (user.tenant_id !== tenantId)
    halt(rule['tenant.not-found'] === '403' ? dialect.forbidden() : dialect.modelNotFound('App\\Models\\User', rawId))
  return user
}

function validate(
  db: MedibulutDb,
  user: MedibulutUserRecord,
  raw: Record<string, unknown>,
  { rule, dialect, body, loose }: MedibulutReadings,
): MedibulutBody {
  const input = loose === undefined ? raw : laravelLoose(raw, loose)
  const parsed = body.safeParse(input)
  // The index keys e-mails as the database compares them (case-folded unless the reading is case-sensitive).
  const holderOf = (email: string) => db.users.get('email', db.emailKey(email))
  const roleId = input['role_id']
  const issues: Issue[] = [
    // role.reading: string — `string|in:…`: anything but text (null aside: `required`) fails `string`, listed before
    // `in` (fieldOrder keeps a field's issues in this order); 2 passes `in` as PHP compares it ("2"), 5 fails both.
    ...(rule['role.reading'] === 'string' && roleId !== undefined && roleId !== null && typeof roleId !== 'string'
      ? [{ code: 'custom', path: ['role_id'], message: 'string' } satisfies Issue]
      : []),
    ...(parsed.success ? [] : laravelEveryRule(body, input, parsed.error.issues)),
    ...(rule['required-fields'] === 'create-rules'
      ? CREATE_RULES.filter((key) => input[key] === undefined).map((key): Issue => ({ code: 'custom', path: [key], message: 'required' }))
      : []),
    // role.reading: slug-only — the numeric ids the schema also takes are refused like any other outsider.
    ...(rule['role.reading'] === 'slug-only' &&
    roleId !== undefined &&
    !(typeof roleId === 'string' && roleId in medibulutRoles) &&
    !parsed.error?.issues.some((issue) => issue.path[0] === 'role_id')
      ? [{ code: 'custom', path: ['role_id'], message: 'in' } satisfies Issue]
      : []),
    ...(rule['email.unique'] === 'enforced' ? takenEmail(input, user.id, holderOf, 'unique') : []),
    // exists:users,id, scoped to the tenant unless the rule reads otherwise.
    ...missingIds(input, 'authorized_users', (id) => {
      const other = db.users.get('id', id)
      return other !== undefined && (rule['body.authorized-users'] === 'any-tenant' || other.tenant_id === user.tenant_id)
    }),
    // body.ids: exists — exists:services,id on every id that passed `integer` (missingIds skips the others, as Laravel does).
    ...(rule['body.ids'] === 'exists' ? missingIds(input, 'service_ids', (id) => MEDIBULUT_SERVICE_IDS.includes(id)) : []),
  ]
  if (issues.length > 0 || !parsed.success) halt(dialect.validation(fieldOrder(issues, medibulut.body)))
  return parsed.data
}

function apply(db: MedibulutDb, user: MedibulutUserRecord, changes: MedibulutBody, passwordHash: string | undefined): MedibulutUserRecord {
  const { password: _password, password_confirmation: _confirmation, bonus_rate, ...given } = changes
  // body.nullable: nullable — a null sent for a NOT NULL column leaves it as it was.
  // A loop rather than fromEntries(entries().filter()): it was a visible share of a medibulut update (--cpu-prof).
  const fields: Partial<typeof given> = {}
  for (const key in given) {
    const value = given[key as keyof typeof given]
    if (value !== null || NULLABLE_COLUMNS.has(key)) (fields as Record<string, unknown>)[key] = value
  }
  return saveDirty(
    db.users,
    user,
    {
      ...fields,
      // decimal:2 cast: stored and returned as a two-decimal string.
      ...(bonus_rate !== undefined && bonus_rate !== null && { bonus_rate: bonus_rate.toFixed(2) }),
      ...(passwordHash !== undefined && { password_hash: passwordHash }),
    },
    'updated_at',
  )
}

export const medibulutApi: TwinApi = defineApi(
  medibulut,
  (options, { rule }) => seedMedibulut({ ...options, caseSensitiveEmails: rule['email.case-insensitive'] === 'sensitive' }),
  medibulutReadings,
  resolveMedibulut,
  {
    dialect: DEFAULTS.dialect,
    // role_id takes the slug or the table's number (contracts/medibulut.ts, role.reading).
    controls: () => ({ roles: () => ({ roles: Object.entries(medibulutRoles).map(([id, number]) => ({ id, number })) }) }),
  },
)
