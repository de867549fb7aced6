import { flextell, type FlextellBody, type FlextellRuleId, type FlextellUserRecord } from '../contracts/flextell.ts'
import type { Issue } from '../contracts/issue.ts'
import { laravelDialect, laravelEveryRule, type LaravelDialect, type LaravelMessages, type LaravelSummary } from '../contracts/laravel.ts'
import type { ReadingChoice } from '../contracts/provenance.ts'
import { seedFlextell, type FlextellDb } from '../fixtures/flextell.ts'
import { hashPassword } from '../fixtures/password.ts'
import { choose, fieldsFollowing, type Chosen } from './readings.ts'
import { authenticate, halt, parseJsonObject, readBody, respond, run, type Dialect, type Reply } from './reply.ts'
import { saveDirty } from './save.ts'
import { fieldOrder, laravelLoose, missingIds, takenEmail, type LaravelLooseFields } from './validation.ts'
import { defineApi, type Params, type RequestLike, type TwinApi } from './twin-api.ts'
import { because } from './causes.ts'

/** What the flextell resolver follows: the chosen reading of each inferred rule and the dialect built from them. */
export interface FlextellReadings {
  readonly rule: Chosen<FlextellRuleId>
  readonly dialect: LaravelDialect
  /** The fields that take Laravel's loose forms (body.coercion, per field); undefined when none does. */
  readonly loose: LaravelLooseFields | undefined
}

/**
 * Resolves a reading choice for flextell (defaults where unnamed; an unknown rule or value throws).
 * @example flextellReadings({ 'validation.status': '400' }).dialect.validation([]).status // 400
 */
export function flextellReadings(choice?: ReadingChoice): FlextellReadings {
  const rule = choose('flextell', flextell.rules, choice)
  const dialect = laravelDialect({
    authEnvelope: rule['auth.body'] === 'envelope' ? { success: false } : {},
    notFound: rule['user.not-found-body'] === 'generic' ? 'generic' : 'model',
    validationStatus: Number(rule['validation.status']),
    messages: rule['validation.messages'] as LaravelMessages,
    summary: rule['validation.summary'] as LaravelSummary,
  }) satisfies Dialect
  const laravel = fieldsFollowing(flextell.rules, rule, 'body.coercion', 'laravel')
  const loose =
    laravel.length === 0
      ? undefined
      : { booleans: laravel.filter((f) => f === 'is_active'), integerLists: laravel.filter((f) => f === 'role_ids') }
  return { rule, dialect, loose }
}
const DEFAULTS = flextellReadings()

// UserResource fields the Form Request does not accept, and the model's tenant_id (the column a user must never
// move by): `body.read-only: prohibited` refuses them by name (`refused`: any key outside the body).
const READ_ONLY = [...Object.keys(flextell.responses[200].shape.data.shape).filter((key) => !(key in flextell.body.shape)), 'tenant_id']

/**
 * `PUT /api/v1/users/{id}` in the order Laravel runs it: auth:sanctum middleware → tenant middleware →
 * route-model binding → Form Request (authorize, rules) → controller (save) → UserResource.
 */
export function resolveFlextell(
  db: FlextellDb,
  request: RequestLike,
  params: Params,
  readings: FlextellReadings = DEFAULTS,
): Promise<Reply> {
  const { dialect } = readings
  return run(dialect, async () => {
    // PHP has the whole body before Laravel runs, so the token is judged once the body has arrived.
    const body = await readBody(request, dialect)
    const actor = authenticate(request, db, dialect)
    const tenantId = scope(actor, request, readings)
    const user = find(db, tenantId, params['id'] ?? '', readings)
    authorize(actor, user, readings)
    const input = parseJsonObject(request, body, dialect)
    const changes = validate(db, user, input, readings)
    const passwordHash = changes.password === undefined ? undefined : await hashPassword(changes.password)
    // The guards run again after the await, with nothing async between them and the write: another request may
    // have taken the e-mail while the password was hashing.
    const updated = apply(db, user, passwordHash === undefined ? changes : validate(db, user, input, readings), passwordHash, readings)
    return respond(200, flextell.responses[200], {
      // inferred: the doc shows `success: "<string>"`; a Laravel controller puts its flash-style message there.
      success: 'User updated successfully.',
      // `roles` before the record's fields (it has none of that name; the serializer restores the schema's order):
      // a key added after spreading a 20-field record takes V8's slow path, ~1 µs a response (measured).
      data: { roles: updated.role_ids.map((id) => db.roles.get('id', id)).filter((role) => role !== undefined), ...updated },
    })
  })
}

/** The Form Request's authorize(): the doc names no rule finer than the tenant (authz.peer). */
function authorize(actor: FlextellUserRecord, user: FlextellUserRecord, { rule, dialect }: FlextellReadings): void {
  if (rule['authz.peer'] === 'self' && actor.id !== user.id) halt(because('forbidden', dialect.forbidden()))
}

function scope(actor: FlextellUserRecord, request: RequestLike, { rule, dialect }: FlextellReadings): number {
  const header = request.headers.get('x-tenant')
  if (header === null) return actor.tenant_id
  if (/^\s*\d+\s*$/.test(header) && Number(header) === actor.tenant_id) return actor.tenant_id
  // A tenant the caller does not belong to (or a header that names no tenant) is refused, never widened.
  return halt(
    because(
      'tenant.membership',
      rule['tenant.membership'] === '404' ? dialect.modelNotFound('App\\Models\\Tenant', header.trim()) : dialect.forbidden(),
    ),
  )
}

function find(db: FlextellDb, tenantId: number, rawId: string, { rule, dialect }: FlextellReadings): FlextellUserRecord {
  const user = /^\d+$/.test(rawId) ? db.users.get('id', Number(rawId)) : undefined
  if (!user || user.deleted_at !== null) {
    halt(
      rule['user.not-found'] === '422'
        ? dialect.validation([{ code: 'custom', path: ['id'], message: 'exists' }])
        : because('not-found', dialect.modelNotFound('App\\Models\\User', rawId)),
    )
  }
  if (user.tenant_id !== tenantId) {
    // Scoped binding: a user of another tenant is invisible, the same 404 as an unknown id; or found, then refused.
    halt(
      because(
        'tenant.not-found',
        rule['tenant.not-found'] === '403' ? dialect.forbidden() : dialect.modelNotFound('App\\Models\\User', rawId),
      ),
    )
  }
  return user
}

function validate(
  db: FlextellDb,
  user: FlextellUserRecord,
  raw: Record<string, unknown>,
  { rule, dialect, loose }: FlextellReadings,
): FlextellBody {
  const input = loose === undefined ? raw : laravelLoose(raw, loose)
  const parsed = flextell.body.safeParse(input)
  // The index keys e-mails as the database compares them (case-folded unless the reading is case-sensitive).
  const holderOf = (email: string) => db.users.get('email', db.emailKey(email))
  const issues: Issue[] = parsed.success ? [] : laravelEveryRule(flextell.body, input, parsed.error.issues)
  if (rule['body.read-only'] !== 'dropped') {
    const refused = rule['body.read-only'] === 'refused' ? Object.keys(raw).filter((key) => !(key in flextell.body.shape)) : READ_ONLY
    for (const key of refused) if (key in raw) issues.push({ code: 'custom', path: [key], message: 'prohibited' })
  }
  // body.confirmation: required-with — password_confirmation is required whenever a password is sent.
  const confirmation = input['password_confirmation']
  if (rule['body.confirmation'] === 'required-with' && input['password'] != null && (confirmation == null || confirmation === ''))
    issues.push({ code: 'custom', path: ['password_confirmation'], message: 'required_with:password' })
  if (rule['email.unique'] === 'enforced') issues.push(...takenEmail(input, user.id, holderOf, 'unique'))
  if (rule['roles.exist'] === 'exists') issues.push(...missingIds(input, 'role_ids', (id) => db.roles.get('id', id) !== undefined))
  if (issues.length > 0 || !parsed.success) halt(because('validation', dialect.validation(fieldOrder(issues, flextell.body))))
  return parsed.data
}

function apply(
  db: FlextellDb,
  user: FlextellUserRecord,
  changes: FlextellBody,
  passwordHash: string | undefined,
  { rule }: FlextellReadings,
): FlextellUserRecord {
  const { password: _password, password_confirmation: _confirmation, role_ids, ...fields } = changes
  // roles.exist: ignored — the sync drops ids that name no role.
  const roleIds = role_ids === undefined ? undefined : (role_ids ?? []).filter((id) => db.roles.get('id', id) !== undefined)
  return saveDirty(
    db.users,
    user,
    {
      ...fields,
      ...(roleIds !== undefined && { role_ids: roleIds }),
      ...(passwordHash !== undefined && { password_hash: passwordHash }),
    },
    'updated_at',
    { always: rule['update.timestamps'] === 'always' },
  )
}

export const flextellApi: TwinApi = defineApi(
  flextell,
  (options, { rule }) => seedFlextell({ ...options, caseSensitiveEmails: rule['email.case-insensitive'] === 'sensitive' }),
  flextellReadings,
  resolveFlextell,
  {
    dialect: DEFAULTS.dialect,
    controls: (db) => ({ roles: () => ({ roles: db.roles.all() }) }),
  },
)
