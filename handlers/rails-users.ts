import { railsUsers, type RailsUserRecord } from '../contracts/rails-users.ts'
import type { Issue } from '../contracts/issue.ts'
import { rails } from '../contracts/rails.ts'
import { isoSeconds } from '../fixtures/faker.ts'
import { hashPassword } from '../fixtures/password.ts'
import { railsEmailKey, seedRailsUsers, type RailsUsersDb } from '../fixtures/rails-users.ts'
import { bearerToken, halt, readJsonObject, respond, run, type Dialect } from './reply.ts'
import type { Params, RequestLike, TwinApi } from './twin-api.ts'
import { fieldOrder, hasChanges } from './validation.ts'

const dialect = rails satisfies Dialect

type Changes = NonNullable<ReturnType<typeof railsUsers.user.parse>>

/**
 * `PUT /users/{id}` in a Rails controller's order: authenticate (before_action) → set_user (404) → authorize own
 * profile (the documented 401) → `params.require(:user).permit(…)` (400) → validations (422) → save → render.
 */
export function resolveRailsUsers(db: RailsUsersDb, request: RequestLike, params: Params): Promise<Response> {
  return run(dialect, async () => {
    const actor = authenticate(db, request)
    const user = find(db, params['id'] ?? '')
    if (user.id !== actor.id) halt(dialect.unauthenticated()) // "Users can only update their own profile."
    const changes = validate(db, user, permit(await readJsonObject(request, dialect)))
    const updated = await apply(db, user, changes)
    return respond(200, railsUsers.responses[200], { status: 'success', message: 'User updated successfully', data: updated })
  })
}

function authenticate(db: RailsUsersDb, request: RequestLike): RailsUserRecord {
  const token = bearerToken(request)
  const owner = token === undefined ? undefined : db.tokens.get('token', token)
  return (owner && db.users.get('id', owner.user_id)) || halt(dialect.unauthenticated())
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
  const issues: Issue[] = parsed.success ? [] : [...parsed.error.issues]
  if (typeof input['email'] === 'string') {
    const holder = db.users.get('email', railsEmailKey(input['email']))
    if (holder && holder.id !== user.id) issues.push({ code: 'custom', path: ['email'], message: 'taken' })
  }
  if (issues.length > 0 || !parsed.success) halt(dialect.validation(fieldOrder(issues, railsUsers.user)))
  return parsed.data
}

async function apply(db: RailsUsersDb, user: RailsUserRecord, changes: Changes): Promise<RailsUserRecord> {
  const { password, email, ...fields } = changes
  const next: Partial<RailsUserRecord> = { ...fields, ...(email !== undefined && { email: railsEmailKey(email) }) }
  const emailChanged = next.email !== undefined && next.email !== user.email
  const passwordDigest = password === undefined ? undefined : await hashPassword(password)
  if (!hasChanges(user, next) && passwordDigest === undefined) return user
  const updated = await db.users.update(user, (draft) => {
    Object.assign(draft, next)
    if (passwordDigest !== undefined) draft.password_digest = passwordDigest
    if (emailChanged) draft.email_verified = false
    draft.updated_at = isoSeconds(new Date())
  })
  if (emailChanged) {
    await db.outbox.create({ to: updated.email, user_id: updated.id, subject: 'Please verify your new email address', sent_at: isoSeconds(new Date()) })
  }
  return updated
}

export const railsUsersApi: TwinApi = {
  name: railsUsers.name,
  title: railsUsers.title,
  method: railsUsers.method,
  path: railsUsers.path,
  async start(options) {
    const db = await seedRailsUsers(options)
    return {
      accounts: db.accounts,
      resolve: (request, params) => resolveRailsUsers(db, request, params),
      controls: { outbox: () => ({ emails: db.outbox.all() }) },
    }
  },
}
