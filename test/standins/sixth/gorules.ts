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
 * Stand-in for GoRules "PUT /api/users/{userId}", modelled on a NestJS backend:
 * passport-style AuthGuard, ParseUUIDPipe on the path, a ValidationPipe with
 * class-validator messages and Nest's {statusCode, message, error} error body.
 */

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { randomBytes, randomUUID } from 'node:crypto'
import type { AddressInfo } from 'node:net'

const USER_TYPES = ['invited', 'member', 'author', 'admin', 'owner'] as const
const USER_STATUSES = ['active', 'disabled', 'locked'] as const
type UserType = (typeof USER_TYPES)[number]
type UserStatus = (typeof USER_STATUSES)[number]

interface Role {
  id: string
  name: string
  description: string
}

interface User {
  id: string
  email: string
  type: string
  status: string
  createdAt: string
  updatedAt: string
  firstName: unknown
  lastName: unknown
  isService: boolean
  roleIds: string[]
}

interface UserView {
  id: string
  email: string
  type: string
  status: string
  createdAt: string
  updatedAt: string
  firstName: unknown
  lastName: unknown
  isService: boolean
  roles: (Role | string)[]
}

interface UpdateDto {
  firstName?: unknown
  lastName?: unknown
  status?: string
  type?: string
  roles?: string[]
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(typeof body['message'] === 'string' ? body['message'] : `HTTP ${String(status)}`)
  }
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  500: 'Internal Server Error',
}

function nestError(status: number, message: string | string[]): HttpError {
  return new HttpError(status, { statusCode: status, message, error: REASONS[status] ?? 'Error' })
}

// class-validator's isUUID(value, 'all') pattern, which ParseUUIDPipe and @IsUUID() use by default.
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

// assumed: JSON bodies are capped at 100 kB (Express body-parser's default), larger ones get 413.
const BODY_LIMIT = 100 * 1024
const DISCARD_LIMIT = 16 * 1024 * 1024
// assumed: names are varchar(255) columns, so longer values are refused with class-validator's MaxLength text.
const NAME_MAX = 255
// assumed: at most 50 role ids per request (ArrayMaxSize), a guard against hostile payloads.
const ROLES_MAX = 50

const ALLOWED_FIELDS = ['firstName', 'lastName', 'status', 'type', 'roles'] as const

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function has(o: Record<string, unknown>, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k)
}

function iso(ms: number): string {
  return new Date(ms).toISOString()
}

export async function start(options?: { breaks?: readonly string[] }): Promise<Standin> {
  const breaks = new Set(options?.breaks ?? [])
  const broken = (rule: string): boolean => breaks.has(rule)

  // ---- seed -------------------------------------------------------------
  const roles = new Map<string, Role>()
  const addRole = (id: string, name: string, description: string): void => {
    roles.set(id, { id, name, description })
  }
  // The doc's example role id exists, so the documented example request succeeds.
  addRole('3c90c3cc-0d44-4b50-8888-8dd25736052a', 'Viewer', 'Can view decisions and their history')
  addRole(randomUUID(), 'Editor', 'Can create and edit decision models')
  addRole(randomUUID(), 'Publisher', 'Can release decisions to environments')
  addRole(randomUUID(), 'Auditor', 'Read-only access to audit logs')
  addRole(randomUUID(), 'Billing', "Manages the organisation's subscription")
  const roleIds = [...roles.keys()]
  const roleAt = (i: number): string => roleIds[i] ?? ''

  const users = new Map<string, User>()
  const tokens = new Map<string, string>() // token -> user id
  const base = Date.parse('2024-03-04T09:15:00.000Z')
  let seq = 0
  const addUser = (
    email: string,
    firstName: string,
    lastName: string,
    type: UserType,
    status: UserStatus,
    opts: { isService?: boolean; roleIds?: string[] } = {},
  ): User => {
    seq += 1
    const created = base + seq * 86_400_000
    const u: User = {
      id: randomUUID(),
      email,
      type,
      status,
      createdAt: iso(created),
      updatedAt: iso(created + 3_600_000),
      firstName,
      lastName,
      isService: opts.isService ?? false,
      roleIds: opts.roleIds ?? [],
    }
    users.set(u.id, u)
    const token = randomBytes(24).toString('hex')
    tokens.set(token, u.id)
    return u
  }
  const tokenOf = (u: User): string => {
    for (const [t, id] of tokens) if (id === u.id) return t
    return ''
  }

  addUser('olivia.owner@example.com', 'Olivia', 'Owner', 'owner', 'active', {
    roleIds: [roleAt(1), roleAt(2), roleAt(4)],
  })
  const actor = addUser('ada.admin@example.com', 'Ada', 'Admin', 'admin', 'active', {
    roleIds: [roleAt(1), roleAt(2)],
  })
  const peer = addUser('mark.member@example.com', 'Mark', 'Member', 'member', 'active', {
    roleIds: [roleAt(0)],
  })
  addUser('aria.author@example.com', 'Aria', 'Author', 'author', 'active', { roleIds: [roleAt(1)] })
  addUser('ivan.invited@example.com', 'Ivan', 'Invited', 'invited', 'active')
  addUser('lena.locked@example.com', 'Lena', 'Locked', 'member', 'locked', { roleIds: [roleAt(0)] })
  addUser('dora.disabled@example.com', 'Dora', 'Disabled', 'author', 'disabled')
  addUser('ci-bot@service.example.com', 'CI', 'Bot', 'member', 'active', {
    isService: true,
    roleIds: [roleAt(2)],
  })

  // ---- helpers ------------------------------------------------------------
  const view = (u: User): UserView => ({
    id: u.id,
    email: u.email,
    type: u.type,
    status: u.status,
    createdAt: u.createdAt,
    updatedAt: u.updatedAt,
    firstName: u.firstName,
    lastName: u.lastName,
    isService: u.isService,
    roles: u.roleIds.map((id) => roles.get(id)).filter((r): r is Role => r !== undefined),
  })

  const send = (res: ServerResponse, status: number, body: unknown, extra?: Record<string, string>): void => {
    const text = JSON.stringify(body)
    res.statusCode = status
    res.setHeader('Content-Type', 'application/json; charset=utf-8')
    res.setHeader('Content-Length', Buffer.byteLength(text))
    if (extra) for (const [k, v] of Object.entries(extra)) res.setHeader(k, v)
    res.end(text)
  }

  const readBody = (req: IncomingMessage): Promise<Buffer | 'too-large'> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = []
      let size = 0
      let over = false
      const declared = Number(req.headers['content-length'])
      if (Number.isFinite(declared) && declared > BODY_LIMIT) over = true
      req.on('data', (chunk: Buffer) => {
        size += chunk.length
        if (size > BODY_LIMIT) over = true
        if (over) {
          chunks.length = 0
          if (size > DISCARD_LIMIT) {
            req.destroy()
            reject(new Error('body too large to drain'))
          }
          return
        }
        chunks.push(chunk)
      })
      req.on('end', () => {
        resolve(over ? 'too-large' : Buffer.concat(chunks))
      })
      req.on('error', reject)
    })

  /** Body-parser stage (runs before guards, as Express middleware does in Nest). */
  const parseJson = async (req: IncomingMessage): Promise<unknown> => {
    const raw = await readBody(req)
    if (raw === 'too-large') throw nestError(413, 'request entity too large')
    if (raw.length === 0) return {}
    const ctype = String(req.headers['content-type'] ?? '').toLowerCase()
    const mime = ctype.split(';')[0]?.trim() ?? ''
    // assumed: a non-empty body that is not declared as JSON is refused with 415 rather than silently ignored (Express would leave req.body empty).
    if (mime !== 'application/json' && !/^application\/[a-z0-9.+-]*\+json$/.test(mime)) {
      throw nestError(415, 'Content-Type must be application/json')
    }
    const text = raw.toString('utf8')
    if (text.trim() === '') return {}
    let parsed: unknown
    try {
      parsed = JSON.parse(text) as unknown
    } catch (e) {
      // Nest surfaces body-parser's SyntaxError text as a plain 400.
      throw nestError(400, e instanceof Error ? e.message : 'Malformed JSON')
    }
    return parsed
  }

  /** AuthGuard('jwt') equivalent. */
  const authenticate = (req: IncomingMessage): User => {
    const header = req.headers.authorization
    const m = typeof header === 'string' ? /^bearer\s+(\S+)\s*$/i.exec(header) : null
    const token = m?.[1]
    const uid = token === undefined ? undefined : tokens.get(token)
    const user = uid === undefined ? undefined : users.get(uid)
    if (user === undefined) {
      // Break auth.required: the guard is missing, anonymous callers act with the seeded admin's rights.
      if (broken('auth.required')) return actor
      // Passport's AuthGuard throws a bare UnauthorizedException: no "error" key.
      throw new HttpError(401, { statusCode: 401, message: 'Unauthorized' })
    }
    // assumed: tokens of disabled or locked accounts are rejected by the JWT strategy (401), not merely forbidden.
    if (user.status !== 'active') {
      throw new HttpError(401, { statusCode: 401, message: 'User account is not active', error: 'Unauthorized' })
    }
    return user
  }

  /** ParseUUIDPipe. */
  const parseUuid = (raw: string): string => {
    let decoded: string
    try {
      decoded = decodeURIComponent(raw)
    } catch {
      decoded = raw
    }
    if (!UUID_RE.test(decoded)) throw nestError(400, 'Validation failed (uuid is expected)')
    // assumed: UUIDs are compared case-insensitively (Postgres uuid column), the canonical form is lower case.
    return decoded.toLowerCase()
  }

  /** ValidationPipe({ whitelist: true, forbidNonWhitelisted: true }) over UpdateUserDto. */
  const validate = (body: unknown): UpdateDto => {
    // assumed: a JSON body that is not an object (array, string, number, null) is a 400 with a single message.
    if (!isPlainObject(body)) throw nestError(400, ['body must be a JSON object'])
    const errors: string[] = []
    // assumed: unknown properties (email, id, isService, ...) are refused, not stripped (forbidNonWhitelisted).
    for (const k of Object.keys(body)) {
      if (!(ALLOWED_FIELDS as readonly string[]).includes(k)) errors.push(`property ${k} should not exist`)
    }
    const dto: UpdateDto = {}
    for (const f of ['firstName', 'lastName'] as const) {
      if (!has(body, f)) continue
      const v = body[f]
      if (broken('body.types')) {
        // Break body.types: the @IsString() decorators were dropped, anything is stored verbatim.
        if (typeof v === 'string' && v.length > NAME_MAX) {
          errors.push(`${f} must be shorter than or equal to ${String(NAME_MAX)} characters`)
        }
        dto[f] = v
        continue
      }
      // assumed: null is not "absent" -- it fails @IsString() (no @IsOptional null pass-through), names are non-nullable.
      if (typeof v !== 'string') {
        // assumed: no implicit conversion, a number is not coerced to a string.
        errors.push(`${f} must be shorter than or equal to ${String(NAME_MAX)} characters`, `${f} must be a string`)
        continue
      }
      // assumed: an empty name is refused (@IsNotEmpty), the UI never clears a name.
      if (v.length === 0) {
        errors.push(`${f} should not be empty`)
        continue
      }
      if (v.length > NAME_MAX) {
        errors.push(`${f} must be shorter than or equal to ${String(NAME_MAX)} characters`)
        continue
      }
      dto[f] = v
    }
    const enumField = (f: 'status' | 'type', allowed: readonly string[]): void => {
      if (!has(body, f)) return
      const v = body[f]
      if (broken('body.enums')) {
        // Break body.enums: @IsEnum() missing, any string passes (only @IsString() left).
        if (typeof v === 'string') dto[f] = v
        else errors.push(`${f} must be a string`)
        return
      }
      // Values are case-sensitive: only the exact documented spellings pass.
      if (typeof v === 'string' && allowed.includes(v)) dto[f] = v
      else errors.push(`${f} must be one of the following values: ${allowed.join(', ')}`)
    }
    enumField('status', USER_STATUSES)
    enumField('type', USER_TYPES)

    if (has(body, 'roles')) {
      const v = body['roles']
      if (broken('body.types')) {
        // Break body.types: @IsArray()/@IsUUID({each}) missing; the service does [].concat(roles) and keeps strings.
        const list: unknown[] = Array.isArray(v) ? v : v === null || v === undefined ? [] : [v]
        dto.roles = list.filter((x): x is string => typeof x === 'string').map((x) => x.toLowerCase())
      } else if (!Array.isArray(v)) {
        // assumed: a single role id given as a bare string is refused (no wrapping into an array).
        // (@IsUUID({ each: true }) checks a non-array value itself, so a lone UUID string only fails @IsArray.)
        if (typeof v !== 'string' || !UUID_RE.test(v)) errors.push('each value in roles must be a UUID')
        errors.push('roles must be an array')
      } else {
        const list: unknown[] = v
        let bad = false
        for (const x of list) if (typeof x !== 'string' || !UUID_RE.test(x)) bad = true
        if (bad) errors.push('each value in roles must be a UUID')
        if (list.length > ROLES_MAX) errors.push(`roles must contain no more than ${String(ROLES_MAX)} elements`)
        if (!bad && list.length <= ROLES_MAX) {
          // assumed: duplicate role ids are de-duplicated silently, first occurrence wins the order.
          dto.roles = [...new Set(list.map((x) => String(x).toLowerCase()))]
        }
      }
    }
    if (errors.length > 0) throw nestError(400, errors)
    return dto
  }

  const sameSet = (a: readonly string[], b: readonly string[]): boolean => {
    const sa = new Set(a)
    const sb = new Set(b)
    if (sa.size !== sb.size) return false
    for (const x of sa) if (!sb.has(x)) return false
    return true
  }

  const isManager = (u: User): boolean => u.type === 'admin' || u.type === 'owner'

  const updateUser = (me: User, targetId: string, dto: UpdateDto): unknown => {
    const self = me.id === targetId
    // assumed: members/authors/invited may only edit themselves; another target is 403 even if it does not exist (checked before the lookup, so ids are not probed).
    if (!isManager(me) && !self) throw nestError(403, 'You can only update your own profile')
    const target = users.get(targetId)
    if (target === undefined) throw nestError(404, `User with id ${targetId} not found`)

    const changesStatus = dto.status !== undefined && dto.status !== target.status
    const changesType = dto.type !== undefined && dto.type !== target.type
    const changesRoles = dto.roles !== undefined && !sameSet(dto.roles, target.roleIds)
    // assumed: non-managers may change only their own names; re-sending the current status/type/roles is tolerated.
    if (!isManager(me) && (changesStatus || changesType || changesRoles)) {
      throw nestError(403, 'Only admins can change status, type or roles')
    }
    // assumed: only the owner can modify the owner account; admins get 403 for it.
    if (target.type === 'owner' && me.type !== 'owner' && !self) {
      throw nestError(403, 'The organisation owner can only be modified by the owner')
    }
    // assumed: granting the owner type is reserved to the owner (ownership transfer), admins get 403.
    if (changesType && dto.type === 'owner' && me.type !== 'owner') {
      throw nestError(403, 'Only the owner can assign the owner type')
    }
    // assumed: nobody may change their own status or type (prevents an admin locking themselves out) -> 403.
    if (self && (changesStatus || changesType)) {
      throw nestError(403, 'You cannot change your own status or type')
    }
    if (dto.roles !== undefined) {
      const missing = dto.roles.filter((id) => !roles.has(id))
      // assumed: unknown role ids are a 422 (well-formed but unprocessable), listing the missing ids.
      if (missing.length > 0) throw nestError(422, `Role(s) not found: ${missing.join(', ')}`)
    }

    // Break update.persists: the service mutates a detached copy and never calls save().
    const entity: User = broken('update.persists') ? { ...target, roleIds: [...target.roleIds] } : target
    // assumed: PUT is a partial update -- omitted fields keep their value; roles, when sent, replace the whole set.
    if (dto.firstName !== undefined) entity.firstName = dto.firstName
    if (dto.lastName !== undefined) entity.lastName = dto.lastName
    if (dto.status !== undefined) entity.status = dto.status
    if (dto.type !== undefined) entity.type = dto.type
    if (dto.roles !== undefined) entity.roleIds = [...dto.roles]
    // assumed: every successful PUT bumps updatedAt (save() always touches the row), even with no effective change.
    if (!broken('update.timestamps')) {
      const prev = Date.parse(entity.updatedAt)
      const now = Date.now()
      entity.updatedAt = iso(Number.isFinite(prev) && now <= prev ? prev + 1 : now)
    }
    // Break update.timestamps: @UpdateDateColumn missing, updatedAt is never touched.

    let out: unknown = view(entity)
    if (broken('response.echo') && dto.roles !== undefined) {
      // Break response.echo: the controller returns { ...saved, ...dto }, so roles come back as raw ids.
      out = { ...view(entity), roles: [...dto.roles] }
    }
    if (broken('response.shape')) out = { data: out }
    return out
  }

  // ---- routing ------------------------------------------------------------
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = (req.method ?? 'GET').toUpperCase()
    const rawUrl = req.url ?? '/'
    const path = rawUrl.split('?')[0] ?? '/'
    // assumed: a single trailing slash is tolerated (Express non-strict routing); matching is case-sensitive.
    const m = /^\/api\/users\/([^/]+)\/?$/.exec(path)
    const notFound = (): never => {
      throw nestError(404, `Cannot ${method} ${path}`)
    }
    if (m === null) {
      // Drain the body so keep-alive connections stay usable.
      req.resume()
      notFound()
      return
    }
    const idRaw = m[1] ?? ''
    if (method === 'PUT') {
      // assumed: order of checks is Nest's pipeline -- body parsing (413/415/400 JSON) -> guard (401) -> ParseUUIDPipe (400)
      // -> ValidationPipe (400) -> service: 403 non-admin foreign target, 404 unknown user, 403 rules, 422 unknown roles.
      const body = await parseJson(req)
      const me = authenticate(req)
      const id = parseUuid(idRaw)
      const dto = validate(body)
      send(res, 200, updateUser(me, id, dto))
      return
    }
    if (method === 'GET') {
      // assumed: a companion GET /api/users/{userId} exists (any authenticated user may read any user of the org).
      req.resume()
      authenticate(req)
      const id = parseUuid(idRaw)
      const u = users.get(id)
      if (u === undefined) throw nestError(404, `User with id ${id} not found`)
      send(res, 200, broken('response.shape') ? { data: view(u) } : view(u))
      return
    }
    // assumed: other methods on the path are Nest's route-not-found 404, not 405.
    req.resume()
    notFound()
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy()
        return
      }
      if (err instanceof HttpError) {
        const extra: Record<string, string> = {}
        if (err.status === 413) extra['Connection'] = 'close'
        send(res, err.status, err.body, extra)
        return
      }
      send(res, 500, { statusCode: 500, message: 'Internal server error' })
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

  const account = (u: User, role: string): StandinAccount => ({
    userId: u.id,
    token: tokenOf(u),
    email: u.email,
    role,
  })

  return {
    url: `http://127.0.0.1:${String(port)}`,
    accounts: { actor: account(actor, 'admin'), peer: account(peer, 'member') },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => {
          if (err) reject(err)
          else resolve()
        })
        server.closeAllConnections()
      }),
  }
}
