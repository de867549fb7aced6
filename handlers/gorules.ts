import { gorules, type GorulesBody, type GorulesRuleId, type GorulesUserRecord } from '../contracts/gorules.ts'
import type { Issue } from '../contracts/issue.ts'
import { nestDialect, type NestDialect } from '../contracts/nest.ts'
import type { ReadingChoice } from '../contracts/provenance.ts'
import { seedGorules, type GorulesDb } from '../fixtures/gorules.ts'
import { choose, fieldsFollowing, type Chosen } from './readings.ts'
import { because } from './causes.ts'
import { authenticate, halt, readJsonObject, respond, run, type Dialect, type Reply } from './reply.ts'
import { defineApi, type Params, type RequestLike, type TwinApi } from './twin-api.ts'
import { saveDirty } from './save.ts'

const MANAGERS: ReadonlySet<GorulesUserRecord['type']> = new Set(['admin', 'owner'])
const DECLARED = new Set(Object.keys(gorules.body.shape))

/** What the gorules resolver follows: the chosen reading of each inferred rule and the dialect built from them. */
export interface GorulesReadings {
  readonly rule: Chosen<GorulesRuleId>
  readonly dialect: NestDialect
  /** The fields Fastify's ajv coerces (body.coercion, per field). */
  readonly coerced: ReadonlySet<string>
}

/**
 * Resolves a reading choice for gorules (defaults where unnamed; an unknown rule or value throws).
 * @example gorulesReadings({ 'validation.status': '422' }).dialect.validation([]).status // 422
 */
export function gorulesReadings(choice?: ReadingChoice): GorulesReadings {
  const rule = choose('gorules', gorules.rules, choice)
  const dialect = nestDialect({
    validationStatus: rule['validation.status'] === '422' ? 422 : 400,
    body: rule['error.body'] === 'message' ? 'message' : 'nest',
  }) satisfies Dialect
  return { rule, dialect, coerced: new Set(fieldsFollowing(gorules.rules, rule, 'body.coercion', 'ajv')) }
}
const DEFAULTS = gorulesReadings()

/**
 * `PUT /api/users/{userId}` in a NestJS app's order: auth guard (401) → ParseUUIDPipe (400) → find (404) → role
 * guard (403) → ValidationPipe (400) → service rules (roles exist, one owner) → save → the bare user; the
 * ValidationPipe moves earlier under `order.validation`.
 */
export function resolveGorules(db: GorulesDb, request: RequestLike, params: Params, readings: GorulesReadings = DEFAULTS): Promise<Reply> {
  const { dialect } = readings
  return run(dialect, async () => {
    // Fastify reads and parses the body (413, 415, 400) before any Nest guard runs; from here on nothing awaits, so
    // the token is judged, and the write made, against the data as it is when the request is handled.
    const input = await readJsonObject(request, dialect)
    const actor = authenticate(request, db, dialect)
    // order.validation: where the ValidationPipe judges the body — after the guards (last), between a roles guard
    // and the service's lookup (after-guard), or before any of it (first).
    const order = readings.rule['order.validation']
    if (order === 'after-guard') guardRoles(actor, params['userId'] ?? '', input, readings)
    const early = order === 'last' ? undefined : validate(input, readings)
    const user = find(db, params['userId'] ?? '', readings)
    if (order !== 'after-guard') guardRoles(actor, user.id, input, readings)
    guardOwner(actor, user, readings)
    const changes = serviceRules(db, user, early ?? validate(input, readings), readings)
    const updated = apply(db, user, changes, readings)
    // `roles` first, as in flextell's resolver: cheaper than adding it after the record's spread.
    return respond(200, gorules.responses[200], {
      roles: updated.roleIds.map((id) => db.roles.get('id', id)).filter((role) => role !== undefined),
      ...updated,
    })
  })
}

function find(db: GorulesDb, userId: string, { rule, dialect }: GorulesReadings): GorulesUserRecord {
  const notFound = () => because('not-found', rule['user.not-found'] === '403' ? dialect.forbidden() : dialect.notFound('User not found'))
  if (!gorules.params.shape.userId.safeParse(userId).success)
    halt(rule['path.uuid'] === '404' ? notFound() : because('params', dialect.badRequest('Validation failed (uuid is expected)')))
  return db.users.get('id', userId.toLowerCase()) ?? halt(notFound())
}

/** Admins and the owner manage users; anyone else may change only their own name (the caller's type and the id alone). */
function guardRoles(actor: GorulesUserRecord, userId: string, input: Record<string, unknown>, { rule, dialect }: GorulesReadings): void {
  // authz.admin: none — no roles guard at all.
  if (MANAGERS.has(actor.type) || rule['authz.admin'] === 'none') return
  if (actor.id !== userId.toLowerCase())
    halt(because('forbidden', rule['authz.admin'] === '404' ? dialect.notFound('User not found') : dialect.forbidden()))
  if (['status', 'type', 'roles'].some((key) => input[key] !== undefined)) halt(because('forbidden', dialect.forbidden()))
}

/** authz.owner: owner-only — the owner's account is the owner's alone (admins, anyone the roles guard lets by). */
function guardOwner(actor: GorulesUserRecord, user: GorulesUserRecord, { rule, dialect }: GorulesReadings): void {
  if (rule['authz.owner'] === 'owner-only' && user.type === 'owner' && actor.type !== 'owner')
    halt(because('authz.owner', dialect.forbidden()))
}

/** Fastify's ajv with `coerceTypes: "array"` on `fields`: scalars cast to the declared string, a lone value wrapped in a list. */
function ajvCoerced(input: Record<string, unknown>, fields: ReadonlySet<string>): Record<string, unknown> {
  const out = { ...input }
  for (const key of ['firstName', 'lastName']) {
    const value = out[key]
    if (fields.has(key) && (typeof value === 'number' || typeof value === 'boolean')) out[key] = String(value)
  }
  if (fields.has('roles') && typeof out['roles'] === 'string') out['roles'] = [out['roles']]
  return out
}

/** The ValidationPipe (or Fastify's schema): the body alone, judged against the DTO. */
function validate(raw: Record<string, unknown>, { rule, dialect, coerced }: GorulesReadings): GorulesBody {
  const input = coerced.size === 0 ? raw : ajvCoerced(raw, coerced)
  // forbidNonWhitelisted: every undeclared property is a constraint failure of its own, listed first as class-validator does.
  const undeclared: Issue[] =
    rule['body.whitelist'] === 'rejected'
      ? Object.keys(input)
          .filter((key) => !DECLARED.has(key))
          .map((key) => ({ code: 'custom', path: [key], message: `property ${key} should not exist` }))
      : []
  const parsed = gorules.body.safeParse(input)
  // class-validator runs every decorator of a property: @IsUUID('4', { each: true }) checks a lone value itself,
  // and (registered before @IsArray, decorators apply bottom-up) says so first.
  const roles = input['roles']
  const lone: Issue[] =
    roles !== undefined &&
    roles !== null &&
    !Array.isArray(roles) &&
    !(typeof roles === 'string' && gorules.entities.role.shape.id.safeParse(roles).success)
      ? [{ code: 'custom', path: ['roles'], message: 'each value in roles must be a UUID' }]
      : []
  if (!parsed.success || undeclared.length > 0)
    halt(because('validation', dialect.validation([...undeclared, ...lone, ...(parsed.error?.issues ?? [])])))
  return parsed.data
}

function serviceRules(db: GorulesDb, user: GorulesUserRecord, body: GorulesBody, { rule, dialect }: GorulesReadings): GorulesBody {
  // The service's own refusals, after the ValidationPipe: a server often throws them apart (a BadRequestException
  // with one message), so each is marked with its rule.
  const issues: Issue[] = []
  if (rule['roles.exist'] === 'refused') {
    for (const id of body.roles ?? []) {
      if (!db.roles.get('id', id.toLowerCase())) issues.push({ code: 'custom', path: ['roles'], message: `Role ${id} does not exist` })
    }
  }
  const unknownRoles = issues.length
  const type = body.type
  if (rule['owner.single'] === 'enforced') {
    if (type === 'owner' && user.type !== 'owner') issues.push({ code: 'custom', path: ['type'], message: 'There can only be one owner' })
    if (type !== undefined && type !== 'owner' && user.type === 'owner')
      issues.push({ code: 'custom', path: ['type'], message: 'The owner cannot be demoted; an organisation keeps exactly one owner' })
  }
  if (issues.length > 0) halt(because(unknownRoles > 0 ? 'roles.exist' : 'owner.single', dialect.validation(issues)))
  return body
}

function apply(db: GorulesDb, user: GorulesUserRecord, changes: GorulesBody, { rule }: GorulesReadings): GorulesUserRecord {
  const { roles, ...fields } = changes
  // roles.exist: ignored — ids that name no role are dropped.
  const roleIds = roles?.map((id) => id.toLowerCase()).filter((id) => db.roles.get('id', id) !== undefined)
  // A Node server stamps with `new Date().toISOString()`: milliseconds kept.
  const updated = saveDirty(db.users, user, { ...fields, ...(roleIds !== undefined && { roleIds }) }, 'updatedAt', {
    clock: (now) => now.toISOString(),
  })
  // Disabling (or locking) a user ends their sessions: the token they hold stops working.
  if (updated.status !== 'active' && rule['status.sessions'] === 'revoked') {
    const session = db.tokens.get('user', updated.id)
    if (session) db.tokens.delete(session)
  }
  return updated
}

export const gorulesApi: TwinApi = defineApi(gorules, seedGorules, gorulesReadings, resolveGorules, {
  dialect: DEFAULTS.dialect,
  controls: (db) => ({ roles: () => ({ roles: db.roles.all() }) }),
})
