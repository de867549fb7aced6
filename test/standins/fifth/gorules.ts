export interface StandinAccount {
  userId: number | string
  token: string
  email: string
  tenant?: number | string
  role?: string
}
export interface Standin {
  url: string
  accounts: { actor: StandinAccount; peer?: StandinAccount; foreign?: StandinAccount }
  close(): Promise<void>
}
/** The documented rule ids this server can break on request (start({ breaks: [...] })). */
export const breakable: readonly string[] = [
  'auth.required',
  'body.enums',
  'body.types',
  'response.shape',
  'response.echo',
  'update.timestamps',
  'update.persists',
]

/*
 * Stand-in for GoRules' `PUT /api/users/{userId}`, written from the documentation page alone.
 * It mimics a NestJS app: a bearer-token guard, a global ValidationPipe (class-validator messages)
 * and Nest's error body `{ statusCode, message, error }`.
 */

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'

const STATUSES = ['active', 'disabled', 'locked'] as const
const TYPES = ['invited', 'member', 'author', 'admin', 'owner'] as const
const BODY_FIELDS = new Set(['firstName', 'lastName', 'status', 'type', 'roles'])
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

// assumed: the JSON body limit is 32 kB (tighter than body-parser's 100 kB default); larger bodies get 413.
const BODY_LIMIT = 32 * 1024
// Bodies are drained (not answered mid-upload) up to this many bytes, beyond which the socket is dropped.
const DRAIN_CAP = 64 * 1024 * 1024
// assumed: firstName/lastName are limited to 100 characters (@MaxLength(100)); the doc gives no limit.
const NAME_MAX = 100
// assumed: at most 25 roles per user (@ArrayMaxSize(25)); the doc gives no limit.
const ROLES_MAX = 25

interface Role {
  id: string
  name: string
  description: string
}

interface UserRecord {
  id: string
  email: string
  type: string
  status: string
  createdAt: Date
  updatedAt: Date
  // unknown: the `body.types` break lets non-strings through into storage.
  firstName: unknown
  lastName: unknown
  isService: boolean
  roleIds: string[]
  token?: string
}

class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body.message === 'string' ? body.message : String(statusCode))
  }
}

const ERROR_NAMES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  500: 'Internal Server Error',
}

function fail(statusCode: number, message: string | string[], headers?: Record<string, string>): HttpError {
  return new HttpError(statusCode, { statusCode, message, error: ERROR_NAMES[statusCode] ?? 'Error' }, headers)
}

function isAdminType(type: string): boolean {
  return type === 'admin' || type === 'owner'
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false
  const s = new Set(a)
  return b.every((x) => s.has(x))
}

function charLength(s: string): number {
  // validator.js counts surrogate pairs as one character.
  return Array.from(s).length
}

interface State {
  users: Map<string, UserRecord>
  roles: Map<string, Role>
  breaks: Set<string>
  actorId: string
}

function seed(breaks: Set<string>): { state: State; actor: UserRecord; peer: UserRecord } {
  const roles = new Map<string, Role>()
  const roleList: Role[] = [
    { id: '5b0e2b7c-3f1a-4c6e-9d2a-1f7c8e4a6b01', name: 'Editor', description: 'Can create and edit decision models' },
    { id: '8c4d1e9f-6a2b-4d3c-8e5f-2a9b7c1d3e02', name: 'Viewer', description: 'Read-only access to decision models' },
    { id: 'a1f3c5e7-9b2d-4f6a-b8c0-3d5e7f9a1b03', name: 'Publisher', description: 'Can release decisions to environments' },
    { id: 'd7e9f1a3-5c7b-4e9d-a1f3-4b6d8f0a2c04', name: 'Auditor', description: 'Can read audit logs and simulations' },
  ]
  for (const r of roleList) roles.set(r.id, r)

  const tok = (): string => randomBytes(24).toString('hex')
  const at = (iso: string): Date => new Date(iso)
  const users = new Map<string, UserRecord>()
  const mk = (u: UserRecord): UserRecord => {
    users.set(u.id, u)
    return u
  }
  mk({
    id: '0b1e6f3a-7c2d-4e8f-9a1b-5c3d7e9f1a10',
    email: 'olivia.owner@acme.test',
    type: 'owner',
    status: 'active',
    createdAt: at('2024-01-08T09:12:44.310Z'),
    updatedAt: at('2024-06-02T14:01:09.502Z'),
    firstName: 'Olivia',
    lastName: 'Owner',
    isService: false,
    roleIds: [],
    token: tok(),
  })
  const actor = mk({
    id: '1c2f7a4b-8d3e-4f9a-8b2c-6d4e8f0a2b21',
    email: 'alice.admin@acme.test',
    type: 'admin',
    status: 'active',
    createdAt: at('2024-02-11T10:20:00.000Z'),
    updatedAt: at('2024-02-11T10:20:00.000Z'),
    firstName: 'Alice',
    lastName: 'Admin',
    isService: false,
    roleIds: ['5b0e2b7c-3f1a-4c6e-9d2a-1f7c8e4a6b01'],
    token: tok(),
  })
  const peer = mk({
    id: '2d3a8b5c-9e4f-4a0b-9c3d-7e5f9a1b3c32',
    email: 'martin.member@acme.test',
    type: 'member',
    status: 'active',
    createdAt: at('2024-03-19T08:45:31.128Z'),
    updatedAt: at('2024-04-01T16:30:12.007Z'),
    firstName: 'Martin',
    lastName: 'Member',
    isService: false,
    roleIds: ['8c4d1e9f-6a2b-4d3c-8e5f-2a9b7c1d3e02'],
    token: tok(),
  })
  mk({
    id: '3e4b9c6d-0f5a-4b1c-8d4e-8f6a0b2c4d43',
    email: 'bruno.admin@acme.test',
    type: 'admin',
    status: 'active',
    createdAt: at('2024-03-20T11:00:00.000Z'),
    updatedAt: at('2024-03-20T11:00:00.000Z'),
    firstName: 'Bruno',
    lastName: 'Second',
    isService: false,
    roleIds: [],
    token: tok(),
  })
  mk({
    id: '4f5c0d7e-1a6b-4c2d-9e5f-9a7b1c3d5e54',
    email: 'ada.author@acme.test',
    type: 'author',
    status: 'active',
    createdAt: at('2024-04-02T12:00:00.000Z'),
    updatedAt: at('2024-05-05T12:00:00.000Z'),
    firstName: 'Ada',
    lastName: 'Author',
    isService: false,
    roleIds: ['5b0e2b7c-3f1a-4c6e-9d2a-1f7c8e4a6b01', 'a1f3c5e7-9b2d-4f6a-b8c0-3d5e7f9a1b03'],
    token: tok(),
  })
  mk({
    id: '5a6d1e8f-2b7c-4d3e-8f6a-0b8c2d4e6f65',
    email: 'ivan.invited@acme.test',
    type: 'invited',
    status: 'active',
    createdAt: at('2024-05-14T07:30:00.000Z'),
    updatedAt: at('2024-05-14T07:30:00.000Z'),
    firstName: 'Ivan',
    lastName: 'Invited',
    isService: false,
    roleIds: [],
  })
  mk({
    id: '6b7e2f9a-3c8d-4e4f-9a7b-1c9d3e5f7a76',
    email: 'dora.disabled@acme.test',
    type: 'member',
    status: 'disabled',
    createdAt: at('2024-01-30T09:00:00.000Z'),
    updatedAt: at('2024-07-01T09:00:00.000Z'),
    firstName: 'Dora',
    lastName: 'Disabled',
    isService: false,
    roleIds: [],
    token: tok(),
  })
  mk({
    id: '7c8f3a0b-4d9e-4f5a-8b8c-2d0e4f6a8b87',
    email: 'ci-bot@acme.test',
    type: 'member',
    status: 'active',
    createdAt: at('2024-02-01T00:00:00.000Z'),
    updatedAt: at('2024-02-01T00:00:00.000Z'),
    firstName: 'CI',
    lastName: 'Bot',
    isService: true,
    roleIds: ['a1f3c5e7-9b2d-4f6a-b8c0-3d5e7f9a1b03'],
    token: tok(),
  })
  return { state: { users, roles, breaks, actorId: actor.id }, actor, peer }
}

function serialize(state: State, u: UserRecord): Record<string, unknown> {
  const roles: Role[] = []
  for (const id of u.roleIds) {
    const r = state.roles.get(id)
    if (r) roles.push({ id: r.id, name: r.name, description: r.description })
  }
  return {
    id: u.id,
    email: u.email,
    type: u.type,
    status: u.status,
    createdAt: u.createdAt.toISOString(),
    updatedAt: u.updatedAt.toISOString(),
    firstName: u.firstName,
    lastName: u.lastName,
    isService: u.isService,
    roles,
  }
}

function authenticate(state: State, req: IncomingMessage): UserRecord {
  const header = req.headers.authorization
  const parts = typeof header === 'string' ? header.trim().split(/\s+/) : []
  const scheme = parts[0]
  const token = parts[1]
  let user: UserRecord | undefined
  if (parts.length === 2 && scheme !== undefined && scheme.toLowerCase() === 'bearer' && token !== undefined) {
    for (const u of state.users.values()) {
      if (u.token !== undefined && u.token === token) {
        user = u
        break
      }
    }
  }
  if (!user) {
    if (state.breaks.has('auth.required')) {
      // BREAK auth.required: the guard falls back to a default (admin) user instead of refusing.
      const fallback = state.users.get(state.actorId)
      if (fallback) return fallback
    }
    throw fail(401, 'Invalid or missing access token', { 'WWW-Authenticate': 'Bearer' })
  }
  // assumed: a disabled or locked user's token still authenticates but is refused with 403 (not 401),
  // as a status guard running after the JWT guard would do.
  if (user.status !== 'active') {
    throw fail(403, `User account is ${user.status}`)
  }
  return user
}

interface UpdateDto {
  firstName?: unknown
  lastName?: unknown
  status?: string
  type?: string
  roles?: unknown
}

function validate(state: State, body: Record<string, unknown>): { dto: UpdateDto; errors: string[] } {
  const errors: string[] = []
  const dto: UpdateDto = {}
  const breakTypes = state.breaks.has('body.types')
  const breakEnums = state.breaks.has('body.enums')

  // assumed: unknown properties (including read-only ones like id, email, isService) are refused,
  // not stripped: ValidationPipe({ whitelist: true, forbidNonWhitelisted: true }).
  for (const key of Object.keys(body)) {
    if (!BODY_FIELDS.has(key)) errors.push(`property ${key} should not exist`)
  }

  // assumed: all body fields are optional (partial update despite the PUT verb); absent fields are kept.
  // assumed: an explicit null is not "absent": it is validated (and refused) like any other value.
  for (const f of ['firstName', 'lastName'] as const) {
    if (!Object.hasOwn(body, f)) continue
    const v = body[f]
    if (breakTypes) {
      // BREAK body.types: @IsString() forgotten; only the length check on strings remains.
      if (typeof v === 'string' && charLength(v) > NAME_MAX) errors.push(`${f} must be shorter than or equal to ${NAME_MAX} characters`)
      dto[f] = v
      continue
    }
    // assumed: names must be non-empty strings; numbers are NOT coerced to strings (no enableImplicitConversion).
    if (!(typeof v === 'string' && charLength(v) <= NAME_MAX)) errors.push(`${f} must be shorter than or equal to ${NAME_MAX} characters`)
    if (v === '' || v === null) errors.push(`${f} should not be empty`)
    if (typeof v !== 'string') errors.push(`${f} must be a string`)
    dto[f] = v
  }

  const enums: ['status' | 'type', readonly string[]][] = [
    ['status', STATUSES],
    ['type', TYPES],
  ]
  for (const [f, values] of enums) {
    if (!Object.hasOwn(body, f)) continue
    const v = body[f]
    if (breakEnums) {
      // BREAK body.enums: @IsEnum() replaced by @IsString(); any string is stored.
      if (typeof v !== 'string') errors.push(`${f} must be a string`)
      else dto[f] = v
      continue
    }
    // assumed: enum values are case-sensitive ("Active" is refused).
    if (typeof v !== 'string' || !values.includes(v)) {
      errors.push(`${f} must be one of the following values: ${values.join(', ')}`)
    } else {
      dto[f] = v
    }
  }

  if (Object.hasOwn(body, 'roles')) {
    const v = body.roles
    dto.roles = v
    if (!breakTypes) {
      if (Array.isArray(v)) {
        const arr: unknown[] = v
        if (!arr.every((x) => typeof x === 'string' && UUID_RE.test(x))) errors.push('each value in roles must be a UUID')
        const seen = new Set(arr.map((x) => (typeof x === 'string' ? x.toLowerCase() : x)))
        // assumed: duplicate role ids are refused (@ArrayUnique), not silently de-duplicated.
        if (seen.size !== arr.length) errors.push("All roles's elements must be unique")
        if (arr.length > ROLES_MAX) errors.push(`roles must contain no more than ${ROLES_MAX} elements`)
      } else {
        if (!(typeof v === 'string' && UUID_RE.test(v))) errors.push('each value in roles must be a UUID')
        errors.push("All roles's elements must be unique")
        errors.push(`roles must contain no more than ${ROLES_MAX} elements`)
        errors.push('roles must be an array')
      }
    }
    // BREAK body.types: with the validators gone, roles are not checked here at all (see resolveRoles).
  }
  return { dto, errors }
}

function resolveRoles(state: State, raw: unknown): string[] {
  let ids: string[]
  if (state.breaks.has('body.types')) {
    // BREAK body.types: the service wraps whatever came in ([].concat(roles)) and stringifies it.
    const list: unknown[] = Array.isArray(raw) ? raw : [raw]
    ids = [...new Set(list.map((x) => (typeof x === 'string' ? x : (JSON.stringify(x) ?? String(x))).toLowerCase()))]
  } else {
    const list: unknown[] = Array.isArray(raw) ? raw : []
    ids = list.filter((x): x is string => typeof x === 'string').map((x) => x.toLowerCase())
  }
  const missing = ids.filter((id) => !state.roles.has(id))
  if (missing.length > 0) {
    // assumed: unknown role ids refuse the whole update with 400 (service-level BadRequestException),
    // rather than being silently dropped; validation errors proper are 422 but this one is 400.
    throw fail(400, `Role(s) not found: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`)
  }
  return ids
}

function findTarget(state: State, rawId: string): UserRecord {
  // assumed: a non-UUID userId is 404 "User not found" (no ParseUUIDPipe; the lookup simply finds nothing),
  // rather than Nest's 400 "Validation failed (uuid is expected)".
  if (!UUID_RE.test(rawId)) throw fail(404, 'User not found')
  // assumed: user ids are matched case-insensitively (UUIDs are stored lower-case).
  const u = state.users.get(rawId.toLowerCase())
  if (!u) throw fail(404, 'User not found')
  return u
}

function checkVisibility(actor: UserRecord, target: UserRecord): void {
  // assumed: members/authors/invited users cannot see or update other users; they get 404 (existence is
  // hidden), not 403. Admins and the owner may update anyone (with the restrictions below).
  if (!isAdminType(actor.type) && actor.id !== target.id) throw fail(404, 'User not found')
}

function handleUpdate(state: State, actor: UserRecord, target: UserRecord, dto: UpdateDto): Record<string, unknown> {
  const self = actor.id === target.id
  const statusChanges = dto.status !== undefined && dto.status !== target.status
  const typeChanges = dto.type !== undefined && dto.type !== target.type
  let roleIdsSent: string[] | undefined

  if (!isAdminType(actor.type)) {
    // assumed: a non-admin may edit only their own first/last name; sending status/type/roles is
    // tolerated only when it changes nothing.
    let rolesChange = false
    if (dto.roles !== undefined) {
      roleIdsSent = resolveRoles(state, dto.roles)
      rolesChange = !sameSet(roleIdsSent, target.roleIds)
    }
    if (statusChanges || typeChanges || rolesChange) {
      throw fail(403, 'You are not allowed to change status, type or roles')
    }
  } else {
    // assumed: only the owner may modify the owner's account; admins get 403 (not 404: the owner is visible).
    if (target.type === 'owner' && actor.type !== 'owner') {
      throw fail(403, 'Only the organisation owner can modify the owner account')
    }
    // assumed: admins (and the owner) may edit their own names and roles but not their own type or status
    // (self-lock-out protection); sending the current value is accepted.
    if (self && (statusChanges || typeChanges)) {
      throw fail(403, 'You cannot change your own type or status')
    }
    // assumed: there is exactly one owner; only the owner may make someone else owner, and doing so
    // transfers ownership (the previous owner becomes an admin). Admins get 403.
    if (dto.type === 'owner' && typeChanges && actor.type !== 'owner') {
      throw fail(403, 'Only the organisation owner can transfer ownership')
    }
    if (dto.roles !== undefined) roleIdsSent = resolveRoles(state, dto.roles)
  }

  const transfer = dto.type === 'owner' && typeChanges
  if (transfer) {
    const finalStatus = dto.status ?? target.status
    // assumed: ownership can only go to an active, human (non-service) account: 409 otherwise.
    if (finalStatus !== 'active' || target.isService) {
      throw fail(409, 'Ownership can only be transferred to an active, non-service user')
    }
  }

  const next: UserRecord = { ...target, roleIds: [...target.roleIds] }
  if (dto.firstName !== undefined) next.firstName = dto.firstName
  if (dto.lastName !== undefined) next.lastName = dto.lastName
  if (dto.status !== undefined) next.status = dto.status
  if (dto.type !== undefined) next.type = dto.type
  if (roleIdsSent !== undefined) next.roleIds = roleIdsSent

  // assumed: every successful PUT bumps updatedAt, even when nothing actually changed (@UpdateDateColumn on save).
  if (!state.breaks.has('update.timestamps')) {
    next.updatedAt = new Date(Math.max(Date.now(), target.updatedAt.getTime() + 1))
  }
  // BREAK update.timestamps: updatedAt is never touched (the @UpdateDateColumn was forgotten).

  if (!state.breaks.has('update.persists')) {
    state.users.set(next.id, next)
    if (transfer) {
      state.users.set(actor.id, { ...actor, type: 'admin', updatedAt: new Date(next.updatedAt.getTime()) })
    }
  }
  // BREAK update.persists: the merged entity is returned but never saved.

  let out: Record<string, unknown> = serialize(state, next)
  if (state.breaks.has('response.echo') && dto.roles !== undefined) {
    // BREAK response.echo: the handler returns { ...user, ...dto }, so roles come back as the raw ids sent.
    out = { ...out, roles: dto.roles }
  }
  if (state.breaks.has('response.shape')) {
    // BREAK response.shape: a global interceptor wraps the result in { data: ... }.
    return { data: out }
  }
  return out
}

interface RawBody {
  buf: Buffer
  tooLarge: boolean
  aborted: boolean
}

function readBody(req: IncomingMessage): Promise<RawBody> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    let tooLarge = false
    let done = false
    const finish = (aborted: boolean): void => {
      if (done) return
      done = true
      resolve({ buf: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks), tooLarge, aborted })
    }
    const declared = Number(req.headers['content-length'])
    if (Number.isFinite(declared) && declared > BODY_LIMIT) tooLarge = true
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > BODY_LIMIT) tooLarge = true
      if (!tooLarge) chunks.push(chunk)
      else chunks.length = 0
      if (size > DRAIN_CAP) {
        req.destroy()
        finish(true)
      }
    })
    req.on('end', () => finish(false))
    req.on('error', () => finish(true))
    req.on('close', () => finish(!req.complete))
  })
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'X-Powered-By': 'Express',
    ...headers,
  })
  res.end(text)
}

function contentTypeOf(req: IncomingMessage): string {
  const ct = req.headers['content-type']
  return typeof ct === 'string' ? (ct.split(';')[0] ?? '').trim().toLowerCase() : ''
}

function isJsonType(ct: string): boolean {
  return ct === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(ct)
}

async function handle(state: State, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase()
  const rawUrl = req.url ?? '/'
  const raw = await readBody(req)
  if (raw.aborted) {
    if (!res.headersSent) res.destroy()
    return
  }
  // Body parsing (like Express' json middleware) happens before routing.
  if (raw.tooLarge) throw fail(413, 'request entity too large')
  const ct = contentTypeOf(req)
  const jsonType = isJsonType(ct)
  let body: unknown = undefined
  if (jsonType && raw.buf.length > 0) {
    const text = raw.buf.toString('utf8')
    const first = text.replace(/^[\s\uFEFF]+/, '').charAt(0)
    if (first === '') {
      body = undefined
    } else if (first !== '{' && first !== '[') {
      // body-parser strict mode: only objects and arrays are accepted at top level.
      throw fail(400, `Unexpected token ${JSON.stringify(first)} in JSON at position 0`)
    } else {
      try {
        body = JSON.parse(text) as unknown
      } catch (e) {
        throw fail(400, e instanceof Error ? e.message : 'Unexpected end of JSON input')
      }
    }
  }

  const qIndex = rawUrl.indexOf('?')
  const path = qIndex >= 0 ? rawUrl.slice(0, qIndex) : rawUrl
  const m = /^\/api\/users\/([^/]+)\/?$/.exec(path)
  // assumed: besides the documented PUT, GET /api/users/{userId} exists (same guard and visibility rules)
  // so a client can read a user back; every other method/route is Nest's 404 "Cannot METHOD /path".
  if (!m || (method !== 'PUT' && method !== 'GET')) {
    throw fail(404, `Cannot ${method} ${path}`)
  }
  let userId: string
  try {
    userId = decodeURIComponent(m[1] ?? '')
  } catch {
    throw fail(400, `Failed to decode param '${m[1] ?? ''}'`)
  }

  // Guard first (401/403), then pipes (422), then the handler (404/403/400/409).
  const actor = authenticate(state, req)

  if (method === 'GET') {
    const target = findTarget(state, userId)
    checkVisibility(actor, target)
    send(res, 200, serialize(state, target))
    return
  }

  const hasBody = raw.buf.length > 0
  if (hasBody && !jsonType) {
    // assumed: a non-JSON request body is refused with 415 instead of being silently ignored as {}.
    throw fail(415, 'Content-Type must be application/json')
  }
  const input: unknown = body ?? {}
  // assumed: validation failures are 422 Unprocessable Entity (ValidationPipe({ errorHttpStatusCode: 422 })),
  // with class-validator's messages as an array.
  if (Array.isArray(input) || typeof input !== 'object' || input === null) {
    throw fail(422, ['an unknown value was passed to the validate function'])
  }
  const { dto, errors } = validate(state, input as Record<string, unknown>)
  if (errors.length > 0) throw fail(422, errors)

  const target = findTarget(state, userId)
  checkVisibility(actor, target)
  send(res, 200, handleUpdate(state, actor, target, dto))
}

export async function start(options?: { breaks?: readonly string[] }): Promise<Standin> {
  const breaks = new Set(options?.breaks ?? [])
  for (const b of breaks) {
    if (!breakable.includes(b)) throw new Error(`unknown break: ${b}`)
  }
  const { state, actor, peer } = seed(breaks)

  const server = createServer((req, res) => {
    handle(state, req, res).catch((e: unknown) => {
      if (e instanceof HttpError) {
        send(res, e.statusCode, e.body, e.headers)
      } else {
        send(res, 500, { statusCode: 500, message: 'Internal server error' })
      }
    })
  })
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
    else socket.destroy()
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo

  const account = (u: UserRecord, role: string): StandinAccount => ({
    userId: u.id,
    token: u.token ?? '',
    email: u.email,
    role,
  })

  let closed = false
  return {
    url: `http://127.0.0.1:${port}`,
    accounts: { actor: account(actor, 'admin'), peer: account(peer, 'member') },
    close(): Promise<void> {
      if (closed) return Promise.resolve()
      closed = true
      return new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    },
  }
}
