import { z } from 'zod'
import type { ReadingChoice } from '../contracts/provenance.ts'
import { railsUsers, type RailsUserRecord, type RailsUsersRuleId } from '../contracts/rails-users.ts'
import type { Issue } from '../contracts/issue.ts'
import { humanize, rails } from '../contracts/rails.ts'
import { isoSeconds } from '../fixtures/faker.ts'
import { hashPassword } from '../fixtures/password.ts'
import { railsEmailKey, seedRailsUsers, type RailsUsersDb } from '../fixtures/rails-users.ts'
import { choose, fieldsFollowing, type Chosen } from './readings.ts'
import { because } from './causes.ts'
import { authenticate, halt, parseJsonObject, readBody, respond, run, type Dialect, type Reply } from './reply.ts'
import { defineApi, type Params, type RequestLike, type TwinApi } from './twin-api.ts'
import { saveDirty } from './save.ts'
import { fieldOrder, takenEmail } from './validation.ts'

const dialect = rails satisfies Dialect

// validation.messages: custom — the app words its own messages, but for the two the doc's 422 example shows.
const DOCUMENTED_MESSAGES = /^(?:Email has already been taken|Password is too short \(minimum is \d+ characters\))$/
function customWording(reply: ReturnType<typeof rails.validation>): ReturnType<typeof rails.validation> {
  const errors = reply.body.errors.map((e) =>
    DOCUMENTED_MESSAGES.test(e.message) ? e : { path: e.path, message: `${humanize(e.path)} has an unsupported value` },
  )
  return { ...reply, body: { ...reply.body, errors } }
}

type Changes = NonNullable<ReturnType<typeof railsUsers.user.parse>>

/** What the rails-users resolver follows: the chosen readings and the attribute schema built from them. */
export interface RailsUsersReadings {
  readonly rule: Chosen<RailsUsersRuleId>
  readonly user: z.ZodType<Changes>
  /** The attributes strong parameters permit and cast (body.type-cast, per field); the others go as sent. */
  readonly cast: ReadonlySet<string>
}

// body.names: none, per field — no presence validation on that name, so a blank one is saved.
const withoutPresence = (names: readonly string[]): z.ZodType<Changes> =>
  names.length === 0 ? railsUsers.user : railsUsers.user.safeExtend(Object.fromEntries(names.map((name) => [name, z.string().optional()])))

/**
 * Resolves a reading choice for rails-users (defaults where unnamed; an unknown rule or value throws).
 * @example railsUsersReadings({ 'body.type-cast': 'strict' }).rule['body.type-cast'] // 'strict'
 */
export function railsUsersReadings(choice?: ReadingChoice): RailsUsersReadings {
  const rule = choose('rails-users', railsUsers.rules, choice)
  return {
    rule,
    user: withoutPresence(fieldsFollowing(railsUsers.rules, rule, 'body.names', 'none')),
    cast: new Set(fieldsFollowing(railsUsers.rules, rule, 'body.type-cast', 'cast')),
  }
}
const DEFAULTS = railsUsersReadings()

/**
 * `PUT /users/{id}` in a Rails controller's order: authenticate (before_action) → set_user (404) → authorize own
 * profile (the documented 401) → `params.require(:user).permit(…)` (400) → validations (422) → save → render.
 */
export function resolveRailsUsers(
  db: RailsUsersDb,
  request: RequestLike,
  params: Params,
  readings: RailsUsersReadings = DEFAULTS,
): Promise<Reply> {
  return run(dialect, async () => {
    // Puma reads the whole body before Rails runs, so the token is judged once the body has arrived.
    const body = await readBody(request, dialect)
    const actor = authenticate(request, db, dialect)
    const rawId = params['id'] ?? ''
    // path.id: constraint — `id: /\d+/` on the route: a non-numeric id matches no route (Rails' routing 404).
    if (readings.rule['path.id'] === 'constraint' && !/^\d+$/.test(rawId))
      halt(because('route', dialect.routeNotFound('PUT', `/users/${rawId}`)))
    // order.find-before-authorize: authorize-first — any id but your own is the documented 401, found or not.
    if (readings.rule['order.find-before-authorize'] === 'authorize-first' && rawId !== String(actor.id))
      halt(because('forbidden', dialect.unauthenticated()))
    const user = find(db, rawId)
    if (user.id !== actor.id) halt(because('forbidden', dialect.unauthenticated())) // "Users can only update their own profile."
    const input = permit(parseJsonObject(request, body, dialect), readings)
    const changes = validate(db, user, input, readings)
    const passwordDigest = changes.password === undefined ? undefined : await hashPassword(changes.password)
    // The guards run again after the await, with nothing async between them and the write: another request may
    // have taken the e-mail while the password was hashing.
    const updated = apply(db, user, passwordDigest === undefined ? changes : validate(db, user, input, readings), passwordDigest, readings)
    return respond(200, railsUsers.responses[200], { status: 'success', message: 'User updated successfully', data: updated })
  })
}

function find(db: RailsUsersDb, rawId: string): RailsUserRecord {
  return (/^\d+$/.test(rawId) && db.users.get('id', Number(rawId))) || halt(because('not-found', dialect.notFound()))
}

const SCALARS = ['first_name', 'last_name', 'email', 'password', 'locale', 'expo_push_token'] as const
const LISTS = ['feature_flags', 'notifications'] as const
const isScalar = (value: unknown) => value === null || ['string', 'number', 'boolean'].includes(typeof value)
/** Whether `permit(:first_name, …, feature_flags: [])` takes the attribute with this value (nil is a permitted scalar). */
const permits = (key: string, value: unknown) =>
  (SCALARS as readonly string[]).includes(key)
    ? isScalar(value)
    : (LISTS as readonly string[]).includes(key) && Array.isArray(value) && value.every(isScalar)
/** ActiveModel's string type: `true` → "t", `false` → "f", a number → its `to_s`. */
const castString = (value: unknown) => (value === true ? 't' : value === false ? 'f' : typeof value === 'number' ? String(value) : value)

/**
 * `params.require(:user).permit(…)`: a missing, non-object or empty `user` is ParameterMissing (or, with
 * `params.fetch(:user, {})`, nothing to change). Under `body.type-cast: cast` strong parameters drop what is not
 * a permitted scalar (a list for a string, a scalar for a list) and ActiveRecord casts scalars to strings.
 */
/** The User model's columns ParamsWrapper wraps (password is no column: has_secure_password keeps a digest). */
const WRAPPED = ['first_name', 'last_name', 'email', 'feature_flags', 'notifications', 'locale', 'expo_push_token']

function permit(body: Record<string, unknown>, { rule, cast }: RailsUsersReadings): Record<string, unknown> {
  // body.wrapped: wrap — a root-less JSON body's column attributes arrive as params[:user].
  const wraps = rule['body.wrapped'] === 'wrap' || rule['body.wrapped'] === 'wrap-fetch'
  const wrapped = wraps && !('user' in body) ? Object.fromEntries(Object.entries(body).filter(([key]) => WRAPPED.includes(key))) : undefined
  const user = wrapped ?? body['user']
  const empty = typeof user !== 'object' || user === null || Array.isArray(user) || Object.keys(user).length === 0
  if (
    empty &&
    (rule['body.wrapped'] === 'fetch' || rule['body.wrapped'] === 'wrap-fetch') &&
    (user === undefined || (typeof user === 'object' && user !== null && !Array.isArray(user)))
  )
    return {}
  if (empty) halt(because('params', dialect.badRequest('param is missing or the value is empty: user')))
  const attributes = user as Record<string, unknown>
  // body.unpermitted: refused — action_on_unpermitted_parameters = :raise, before any validation. What permit does
  // not take raises: an unknown attribute, and a value of a shape permit does not list (a list or an object for a
  // string, anything but a list of scalars for `feature_flags: []`), alone, whatever body.type-cast says: permit
  // runs before the model could cast or refuse it.
  const unpermitted = rule['body.unpermitted'] === 'refused' ? Object.keys(attributes).filter((key) => !permits(key, attributes[key])) : []
  if (unpermitted.length > 0)
    halt(because('params', dialect.validation(unpermitted.map((key): Issue => ({ code: 'custom', path: [key], message: 'unpermitted' })))))
  if (cast.size === 0) return attributes
  // body.type-cast, field by field: a field on `strict` goes to validation as sent.
  const permitted: Record<string, unknown> = {}
  for (const key of SCALARS) {
    if (!(key in attributes)) continue
    if (!cast.has(key)) permitted[key] = attributes[key]
    else if (isScalar(attributes[key])) permitted[key] = castString(attributes[key])
  }
  for (const key of LISTS) {
    const list = attributes[key]
    if (!(key in attributes)) continue
    if (!cast.has(key)) permitted[key] = list
    else if (Array.isArray(list) && list.every((item) => item !== null && isScalar(item))) permitted[key] = list.map(castString)
  }
  return permitted
}

function validate(
  db: RailsUsersDb,
  user: RailsUserRecord,
  raw: Record<string, unknown>,
  { rule, user: schema }: RailsUsersReadings,
): Changes {
  // Devise strips and downcases its case-insensitive keys before validating them (email.normalized).
  const input =
    rule['email.normalized'] === 'downcase' && typeof raw['email'] === 'string' ? { ...raw, email: railsEmailKey(raw['email']) } : raw
  const parsed = schema.safeParse(input)
  // The index keys e-mails as the database compares them (case-folded unless the reading is case-sensitive).
  const holderOf = (email: string) => db.users.get('email', db.emailKey(email))
  const issues: Issue[] = [...(parsed.success ? [] : parsed.error.issues), ...takenEmail(input, user.id, holderOf, 'taken')]
  if (issues.length > 0 || !parsed.success) {
    const refusal = dialect.validation(fieldOrder(issues, railsUsers.user))
    halt(because('validation', rule['validation.messages'] === 'custom' ? customWording(refusal) : refusal))
  }
  return parsed.data
}

/** Writes the user, then queues the verification e-mail; synchronous, so nothing runs between the guards and the write. */
function apply(
  db: RailsUsersDb,
  user: RailsUserRecord,
  changes: Changes,
  passwordDigest: string | undefined,
  { rule }: RailsUsersReadings,
): RailsUserRecord {
  const { password: _password, email, ...fields } = changes
  const newEmail = email === undefined ? undefined : rule['email.normalized'] === 'downcase' ? railsEmailKey(email) : email
  const emailChanged = newEmail !== undefined && newEmail !== user.email
  const updated = saveDirty(
    db.users,
    user,
    {
      ...fields,
      ...(emailChanged && { email: newEmail, email_verified: false }),
      ...(passwordDigest !== undefined && { password_digest: passwordDigest }),
    },
    'updated_at',
  )
  if (emailChanged)
    deliver(db, {
      to: updated.email,
      user_id: updated.id,
      subject: 'Please verify your new email address',
      sent_at: isoSeconds(new Date()),
    })
  return updated
}

/** The outbox keeps the last OUTBOX_LIMIT e-mails, so a long-running mock does not grow without bound. */
export const OUTBOX_LIMIT = 1_000

function deliver(db: RailsUsersDb, email: Parameters<RailsUsersDb['outbox']['create']>[0]): void {
  db.outbox.create(email)
  for (let excess = db.outbox.size - OUTBOX_LIMIT; excess > 0; excess--) {
    const oldest = db.outbox.all()[0]
    if (oldest) db.outbox.delete(oldest)
  }
}

export const railsUsersApi: TwinApi = defineApi(
  railsUsers,
  (options, { rule }) => seedRailsUsers({ ...options, caseSensitiveEmails: rule['email.case-insensitive'] === 'sensitive' }),
  railsUsersReadings,
  resolveRailsUsers,
  { dialect, controls: (db) => ({ outbox: () => ({ emails: db.outbox.all() }) }) },
)
