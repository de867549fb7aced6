import { medibulut, medibulutRoles, type MedibulutBody, type MedibulutUserRecord } from '../contracts/medibulut.ts'
import type { Issue } from '../contracts/issue.ts'
import { laravel } from '../contracts/laravel.ts'
import { medibulutEmailKey, seedMedibulut, type MedibulutDb } from '../fixtures/medibulut.ts'
import { hashPassword } from '../fixtures/password.ts'
import { authenticate, halt, parseJsonObject, readBody, respond, run, type Dialect, type Reply } from './reply.ts'
import { defineApi, type Params, type RequestLike, type TwinApi } from './twin-api.ts'
import { saveDirty } from './save.ts'
import { fieldOrder, missingIds, takenEmail } from './validation.ts'

const dialect = laravel satisfies Dialect

/**
 * `PATCH /{tenantId}/users/{id}` in Laravel's order: auth:sanctum → {tenant} binding (404) → tenant membership
 * (403) → scoped {user} binding (404) → Form Request rules (422) → save → UserResource.
 */
export function resolveMedibulut(db: MedibulutDb, request: RequestLike, params: Params): Promise<Reply> {
  return run(dialect, async () => {
    // PHP has the whole body before Laravel runs, so the token is judged once the body has arrived.
    const body = await readBody(request, dialect)
    const actor = authenticate(request, db, dialect)
    const tenantId = scope(db, actor, params['tenantId'] ?? '')
    const user = find(db, tenantId, params['id'] ?? '')
    const input = parseJsonObject(request, body, dialect)
    const changes = validate(db, user, input)
    const passwordHash = changes.password === undefined ? undefined : await hashPassword(changes.password)
    // The guards run again after the await, with nothing async between them and the write: another request may
    // have taken the e-mail while the password was hashing.
    const updated = apply(db, user, passwordHash === undefined ? changes : validate(db, user, input), passwordHash)
    return respond(200, medibulut.responses[200], { data: updated })
  })
}


function scope(db: MedibulutDb, actor: MedibulutUserRecord, rawTenant: string): number {
  const tenant = /^\d+$/.test(rawTenant) ? db.tenants.get('id', Number(rawTenant)) : undefined
  if (!tenant) halt(dialect.modelNotFound('App\\Models\\Tenant', rawTenant))
  return tenant.id === actor.tenant_id ? tenant.id : halt(dialect.forbidden())
}

function find(db: MedibulutDb, tenantId: number, rawId: string): MedibulutUserRecord {
  const user = /^\d+$/.test(rawId) ? db.users.get('id', Number(rawId)) : undefined
  // Scoped binding: a user of another tenant does not exist under this tenant's path.
  return user && user.tenant_id === tenantId ? user : halt(dialect.modelNotFound('App\\Models\\User', rawId))
}

function validate(db: MedibulutDb, user: MedibulutUserRecord, input: Record<string, unknown>): MedibulutBody {
  const parsed = medibulut.body.safeParse(input)
  const issues: Issue[] = [
    ...(parsed.success ? [] : parsed.error.issues),
    ...takenEmail(input, user.id, (email) => db.users.get('email', medibulutEmailKey(email)), 'unique'),
    // exists:users,id scoped to the tenant: a user of another clinic is as unknown as no user.
    ...missingIds(input, 'authorized_users', (id) => db.users.get('id', id)?.tenant_id === user.tenant_id),
  ]
  if (issues.length > 0 || !parsed.success) halt(dialect.validation(fieldOrder(issues, medibulut.body)))
  return parsed.data
}

function apply(db: MedibulutDb, user: MedibulutUserRecord, changes: MedibulutBody, passwordHash: string | undefined): MedibulutUserRecord {
  const { password: _password, password_confirmation: _confirmation, bonus_rate, ...fields } = changes
  return saveDirty(db.users, user, {
    ...fields,
    // decimal:2 cast: stored and returned as a two-decimal string.
    ...(bonus_rate !== undefined && { bonus_rate: bonus_rate.toFixed(2) }),
    ...(passwordHash !== undefined && { password_hash: passwordHash }),
  }, 'updated_at')
}

export const medibulutApi: TwinApi = defineApi(medibulut, seedMedibulut, resolveMedibulut, {
  dialect,
  // role_id takes the slug or the table's number (contracts/medibulut.ts, role.reading).
  controls: () => ({ roles: () => ({ roles: Object.entries(medibulutRoles).map(([id, number]) => ({ id, number })) }) }),
})
