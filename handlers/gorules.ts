import { gorules, type GorulesBody, type GorulesUserRecord } from '../contracts/gorules.ts'
import type { Issue } from '../contracts/issue.ts'
import { nest } from '../contracts/nest.ts'
import { seedGorules, type GorulesDb } from '../fixtures/gorules.ts'
import { authenticate, halt, readJsonObject, respond, run, type Dialect, type Reply } from './reply.ts'
import { defineApi, type Params, type RequestLike, type TwinApi } from './twin-api.ts'
import { saveDirty } from './save.ts'

const dialect = nest satisfies Dialect
const MANAGERS: ReadonlySet<GorulesUserRecord['type']> = new Set(['admin', 'owner'])

/**
 * `PUT /api/users/{userId}` in a NestJS app's order: auth guard (401) → ParseUUIDPipe (400) → find (404) → role
 * guard (403) → ValidationPipe (422) → service rules (roles exist, one owner; 422) → save → the bare user.
 */
export function resolveGorules(db: GorulesDb, request: RequestLike, params: Params): Promise<Reply> {
  return run(dialect, async () => {
    // Fastify reads and parses the body (413, 415, 400) before any Nest guard runs; from here on nothing awaits, so
    // the token is judged, and the write made, against the data as it is when the request is handled.
    const input = await readJsonObject(request, dialect)
    const actor = authenticate(request, db, dialect)
    const userId = params['userId'] ?? ''
    if (!gorules.params.shape.userId.safeParse(userId).success) halt(dialect.badRequest('Validation failed (uuid is expected)'))
    const user = db.users.get('id', userId.toLowerCase()) ?? halt(dialect.notFound('User not found'))
    authorize(actor, user, input)
    const changes = validate(db, user, input)
    const updated = apply(db, user, changes)
    return respond(200, gorules.responses[200], { ...updated, roles: updated.roleIds.flatMap((id) => db.roles.get('id', id) ?? []) })
  })
}


/** Admins and the owner manage users; anyone else may change only their own name. */
function authorize(actor: GorulesUserRecord, user: GorulesUserRecord, input: Record<string, unknown>): void {
  if (MANAGERS.has(actor.type)) return
  const ownNameOnly = actor.id === user.id && ['status', 'type', 'roles'].every((key) => input[key] === undefined)
  if (!ownNameOnly) halt(dialect.forbidden())
}

function validate(db: GorulesDb, user: GorulesUserRecord, input: Record<string, unknown>): GorulesBody {
  const parsed = gorules.body.safeParse(input)
  if (!parsed.success) halt(dialect.validation(parsed.error.issues))
  const issues: Issue[] = []
  for (const id of parsed.data.roles ?? []) {
    if (!db.roles.get('id', id.toLowerCase())) issues.push({ code: 'custom', path: ['roles'], message: `Role ${id} does not exist` })
  }
  const type = parsed.data.type
  if (type === 'owner' && user.type !== 'owner') issues.push({ code: 'custom', path: ['type'], message: 'There can only be one owner' })
  if (type !== undefined && type !== 'owner' && user.type === 'owner') issues.push({ code: 'custom', path: ['type'], message: 'The owner cannot be demoted; an organisation keeps exactly one owner' })
  if (issues.length > 0) halt(dialect.validation(issues))
  return parsed.data
}

function apply(db: GorulesDb, user: GorulesUserRecord, changes: GorulesBody): GorulesUserRecord {
  const { roles, ...fields } = changes
  const updated = saveDirty(db.users, user, { ...fields, ...(roles !== undefined && { roleIds: roles.map((id) => id.toLowerCase()) }) }, 'updatedAt')
  // Disabling (or locking) a user ends their sessions: the token they hold stops working.
  if (updated.status !== 'active') {
    const session = db.tokens.get('user', updated.id)
    if (session) db.tokens.delete(session)
  }
  return updated
}

export const gorulesApi: TwinApi = defineApi(gorules, seedGorules, resolveGorules, { dialect, controls: (db) => ({ roles: () => ({ roles: db.roles.all() }) }) })
