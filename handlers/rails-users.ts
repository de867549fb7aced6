import { railsUsers, type RailsUserRecord } from '../contracts/rails-users.ts'
import type { Issue } from '../contracts/issue.ts'
import { rails } from '../contracts/rails.ts'
import { isoSeconds } from '../fixtures/faker.ts'
import { hashPassword } from '../fixtures/password.ts'
import { railsEmailKey, seedRailsUsers, type RailsUsersDb } from '../fixtures/rails-users.ts'
import { authenticate, halt, parseJsonObject, readBody, respond, run, type Dialect, type Reply } from './reply.ts'
import { defineApi, type Params, type RequestLike, type TwinApi } from './twin-api.ts'
import { saveDirty } from './save.ts'
import { fieldOrder, takenEmail } from './validation.ts'

const dialect = rails satisfies Dialect

type Changes = NonNullable<ReturnType<typeof railsUsers.user.parse>>

/**
 * `PUT /users/{id}` in a Rails controller's order: authenticate (before_action) → set_user (404) → authorize own
 * profile (the documented 401) → `params.require(:user).permit(…)` (400) → validations (422) → save → render.
 */
export function resolveRailsUsers(db: RailsUsersDb, request: RequestLike, params: Params): Promise<Reply> {
  return run(dialect, async () => {
    // Puma reads the whole body before Rails runs, so the token is judged once the body has arrived.
    const body = await readBody(request, dialect)
    const actor = authenticate(request, db, dialect)
    const user = find(db, params['id'] ?? '')
    if (user.id !== actor.id) halt(dialect.unauthenticated()) // "Users can only update their own profile."
    const input = permit(parseJsonObject(request, body, dialect))
    const changes = validate(db, user, input)
    const passwordDigest = changes.password === undefined ? undefined : await hashPassword(changes.password)
    // The guards run again after the await, with nothing async between them and the write: another request may
    // have taken the e-mail while the password was hashing.
    const updated = await apply(db, user, passwordDigest === undefined ? changes : validate(db, user, input), passwordDigest)
    return respond(200, railsUsers.responses[200], { status: 'success', message: 'User updated successfully', data: updated })
  })
}


function find(db: RailsUsersDb, rawId: string): RailsUserRecord {
  return (/^\d+$/.test(rawId) && db.users.get('id', Number(rawId))) || halt(dialect.notFound())
}

/** `params.require(:user)`: a missing, non-object or empty `user` is ParameterMissing. */
function permit(body: Record<string, unknown>): Record<string, unknown> {
  const user = body['user']
  if (typeof user !== 'object' || user === null || Array.isArray(user) || Object.keys(user).length === 0) {
    halt(dialect.badRequest('param is missing or the value is empty: user'))
  }
  return user as Record<string, unknown>
}

function validate(db: RailsUsersDb, user: RailsUserRecord, input: Record<string, unknown>): Changes {
  const parsed = railsUsers.user.safeParse(input)
  const issues: Issue[] = [
    ...(parsed.success ? [] : parsed.error.issues),
    ...takenEmail(input, user.id, (email) => db.users.get('email', railsEmailKey(email)), 'taken'),
  ]
  if (issues.length > 0 || !parsed.success) halt(dialect.validation(fieldOrder(issues, railsUsers.user)))
  return parsed.data
}

/** Writes the user synchronously (before its first await), then queues the verification e-mail. */
async function apply(db: RailsUsersDb, user: RailsUserRecord, changes: Changes, passwordDigest: string | undefined): Promise<RailsUserRecord> {
  const { password: _password, email, ...fields } = changes
  const newEmail = email === undefined ? undefined : railsEmailKey(email)
  const emailChanged = newEmail !== undefined && newEmail !== user.email
  const updated = saveDirty(db.users, user, {
    ...fields,
    ...(emailChanged && { email: newEmail, email_verified: false }),
    ...(passwordDigest !== undefined && { password_digest: passwordDigest }),
  }, 'updated_at')
  if (emailChanged) await deliver(db, { to: updated.email, user_id: updated.id, subject: 'Please verify your new email address', sent_at: isoSeconds(new Date()) })
  return updated
}

/** The outbox keeps the last OUTBOX_LIMIT e-mails, so a long-running mock does not grow without bound. */
export const OUTBOX_LIMIT = 1_000

async function deliver(db: RailsUsersDb, email: Parameters<RailsUsersDb['outbox']['create']>[0]): Promise<void> {
  await db.outbox.create(email)
  for (let excess = db.outbox.size - OUTBOX_LIMIT; excess > 0; excess--) {
    const oldest = db.outbox.all()[0]
    if (oldest) db.outbox.delete(oldest)
  }
}

export const railsUsersApi: TwinApi = defineApi(railsUsers, seedRailsUsers, resolveRailsUsers, { dialect, controls: (db) => ({ outbox: () => ({ emails: db.outbox.all() }) }) })
