import { flextell, type FlextellBody, type FlextellUserRecord } from '../contracts/flextell.ts'
import type { Issue } from '../contracts/issue.ts'
import { laravel } from '../contracts/laravel.ts'
import { emailKey, seedFlextell, type FlextellDb } from '../fixtures/flextell.ts'
import { hashPassword } from '../fixtures/password.ts'
import { authenticate, halt, parseJsonObject, readBody, respond, run, type Dialect, type Reply } from './reply.ts'
import { saveDirty } from './save.ts'
import { fieldOrder, missingIds, takenEmail } from './validation.ts'
import { defineApi, type Params, type RequestLike, type TwinApi } from './twin-api.ts'

const dialect = laravel satisfies Dialect

/**
 * `PUT /api/v1/users/{id}` in the order Laravel runs it: auth:sanctum middleware → tenant middleware →
 * route-model binding → Form Request (authorize, rules) → controller (save) → UserResource.
 */
export function resolveFlextell(db: FlextellDb, request: RequestLike, params: Params): Promise<Reply> {
  return run(dialect, async () => {
    // PHP has the whole body before Laravel runs, so the token is judged once the body has arrived.
    const body = await readBody(request, dialect)
    const actor = authenticate(request, db, dialect)
    const tenantId = scope(actor, request)
    const user = find(db, tenantId, params['id'] ?? '')
    // authorize: the doc names no rule finer than the tenant, so any member of the tenant may update its users.
    const input = parseJsonObject(request, body, dialect)
    const changes = validate(db, user, input)
    const passwordHash = changes.password === undefined ? undefined : await hashPassword(changes.password)
    // The guards run again after the await, with nothing async between them and the write: another request may
    // have taken the e-mail while the password was hashing.
    const updated = apply(db, user, passwordHash === undefined ? changes : validate(db, user, input), passwordHash)
    return respond(200, flextell.responses[200], {
      // inferred: the doc shows `success: "<string>"`; a Laravel controller puts its flash-style message there.
      success: 'User updated successfully.',
      data: { ...updated, roles: updated.role_ids.flatMap((id) => db.roles.get('id', id) ?? []) },
    })
  })
}


function scope(actor: FlextellUserRecord, request: RequestLike): number {
  const header = request.headers.get('x-tenant')
  if (header === null) return actor.tenant_id
  // A tenant the caller does not belong to (or a header that names no tenant) is refused, never widened.
  return /^\s*\d+\s*$/.test(header) && Number(header) === actor.tenant_id ? actor.tenant_id : halt(dialect.forbidden())
}

function find(db: FlextellDb, tenantId: number, rawId: string): FlextellUserRecord {
  const user = /^\d+$/.test(rawId) ? db.users.get('id', Number(rawId)) : undefined
  // A user of another tenant is invisible to this scope, so it is the same 404 as an unknown id.
  if (!user || user.tenant_id !== tenantId || user.deleted_at !== null) {
    halt(dialect.modelNotFound('App\\Models\\User', rawId))
  }
  return user
}

function validate(db: FlextellDb, user: FlextellUserRecord, input: Record<string, unknown>): FlextellBody {
  const parsed = flextell.body.safeParse(input)
  const issues: Issue[] = [
    ...(parsed.success ? [] : parsed.error.issues),
    ...takenEmail(input, user.id, (email) => db.users.get('email', emailKey(email)), 'unique'),
    ...missingIds(input, 'role_ids', (id) => db.roles.get('id', id) !== undefined),
  ]
  if (issues.length > 0 || !parsed.success) halt(dialect.validation(fieldOrder(issues, flextell.body)))
  return parsed.data
}

function apply(db: FlextellDb, user: FlextellUserRecord, changes: FlextellBody, passwordHash: string | undefined): FlextellUserRecord {
  const { password: _password, password_confirmation: _confirmation, role_ids, ...fields } = changes
  return saveDirty(db.users, user, {
    ...fields,
    ...(role_ids !== undefined && { role_ids: role_ids ?? [] }),
    ...(passwordHash !== undefined && { password_hash: passwordHash }),
  }, 'updated_at')
}

export const flextellApi: TwinApi = defineApi(flextell, seedFlextell, resolveFlextell, { dialect, controls: (db) => ({ roles: () => ({ roles: db.roles.all() }) }) })
