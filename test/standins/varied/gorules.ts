// Stand-in for the GoRules BRMS API (NestJS + Fastify stack), written from the
// "PUT /api/users/{userId} — Update user" documentation page only.
// Doc URL: https://api.example.com/api/users/{userId}  → base path "/api".
import http from 'node:http'
import crypto from 'node:crypto'

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

const BASE = '/api'
const MAX_BODY = 1024 * 1024 // Fastify's default bodyLimit
const STATUSES = ['active', 'disabled', 'locked'] as const
const TYPES = ['invited', 'member', 'author', 'admin', 'owner'] as const
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
// assumed: firstName/lastName are limited to 100 characters; the doc gives no limit.
const NAME_MAX = 100

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
  firstName: unknown // string normally; anything under the body.types break
  lastName: unknown
  isService: boolean
  roleIds: string[]
  token: string | null
  passwordHash: string // scrypt; never serialised
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  500: 'Internal Server Error',
}

function hashPassword(pw: string): Promise<string> {
  const salt = crypto.randomBytes(16)
  return new Promise((resolve, reject) => {
    crypto.scrypt(pw, salt, 32, (err, key) => {
      if (err) reject(err)
      else resolve(`scrypt$${salt.toString('hex')}$${key.toString('hex')}`)
    })
  })
}

export async function start(options?: { breaks?: readonly string[] }): Promise<Standin> {
  const breaks = new Set(options?.breaks ?? [])
  for (const b of breaks) {
    if (!breakable.includes(b)) throw new Error(`gorules standin: unknown break "${b}"`)
  }
  const brk = (id: string) => breaks.has(id)

  const roles: Role[] = [
    { id: crypto.randomUUID(), name: 'Rule Editor', description: 'Can create and edit decision models' },
    { id: crypto.randomUUID(), name: 'Publisher', description: 'Can release decisions to environments' },
    { id: crypto.randomUUID(), name: 'Viewer', description: 'Read-only access to projects' },
  ]

  const created = new Date(Date.now() - 86400_000 * 45).toISOString()
  let lastStamp = 0
  /** Monotonic ISO timestamp (strictly increasing across calls). */
  const stamp = () => {
    let t = Date.now()
    if (t <= lastStamp) t = lastStamp + 1
    lastStamp = t
    return new Date(t).toISOString()
  }

  const mk = async (p: Omit<User, 'id' | 'createdAt' | 'updatedAt' | 'passwordHash' | 'token'> & { withToken: boolean }): Promise<User> => {
    const { withToken, ...rest } = p
    return {
      id: crypto.randomUUID(),
      createdAt: created,
      updatedAt: created,
      passwordHash: await hashPassword(crypto.randomBytes(12).toString('base64url')),
      // assumed: tokens are opaque personal-access tokens with a "gr_" prefix; the doc just says Bearer.
      token: withToken ? `gr_${crypto.randomBytes(24).toString('base64url')}` : null,
      ...rest,
    }
  }

  // No tenants in this API (single organisation). The "foreign" account is the organisation
  // owner, whom an admin may not modify.
  const [actor, peer, foreign, service] = await Promise.all([
    mk({
      email: 'dana.whitfield@example.org',
      type: 'admin',
      status: 'active',
      firstName: 'Dana',
      lastName: 'Whitfield',
      isService: false,
      roleIds: [roles[0]!.id, roles[1]!.id],
      withToken: true,
    }),
    mk({
      email: 'tom.okafor@example.org',
      type: 'member',
      status: 'active',
      firstName: 'Tom',
      lastName: 'Okafor',
      isService: false,
      roleIds: [roles[2]!.id],
      withToken: true,
    }),
    mk({
      email: 'ines.moreau@example.org',
      type: 'owner',
      status: 'active',
      firstName: 'Inès',
      lastName: 'Moreau',
      isService: false,
      roleIds: [],
      withToken: true,
    }),
    mk({
      email: 'ci-bot@example.org',
      type: 'member',
      status: 'active',
      firstName: 'CI',
      lastName: 'Bot',
      isService: true,
      roleIds: [roles[1]!.id],
      withToken: false,
    }),
  ])
  const users = new Map<string, User>()
  for (const u of [actor, peer, foreign, service]) users.set(u.id, u)

  function serialize(u: User): Record<string, unknown> {
    const roleObjs = u.roleIds.map((id) => {
      const r = roles.find((x) => x.id === id)!
      return { id: r.id, name: r.name, description: r.description }
    })
    if (brk('response.shape')) {
      // Break: the entity is returned without its relations and without the isService column.
      return {
        id: u.id,
        email: u.email,
        type: u.type,
        status: u.status,
        createdAt: u.createdAt,
        updatedAt: u.updatedAt,
        firstName: u.firstName,
        lastName: u.lastName,
      }
    }
    return {
      id: u.id,
      email: u.email,
      type: u.type,
      status: u.status,
      createdAt: u.createdAt,
      updatedAt: u.updatedAt,
      firstName: u.firstName,
      lastName: u.lastName,
      isService: u.isService,
      roles: roleObjs,
    }
  }

  function send(res: http.ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}) {
    if (res.headersSent) return
    const text = JSON.stringify(body)
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(text)),
      ...extra,
    })
    res.end(text)
  }

  /** Errors raised inside Nest (guards, pipes, handlers) go through the app's global filter. */
  // assumed: the app has a global exception filter that adds "timestamp" and "path" to Nest's
  // usual { statusCode, message, error } body; the doc is silent on error bodies.
  function nestError(res: http.ServerResponse, req: http.IncomingMessage, status: number, message: unknown) {
    send(res, status, {
      statusCode: status,
      message,
      error: STATUS_TEXT[status] ?? 'Error',
      timestamp: new Date().toISOString(),
      path: (req.url ?? '/').split('?')[0],
    })
  }

  /** Errors raised by Fastify itself (before Nest sees the request) keep Fastify's format. */
  function fastifyError(res: http.ServerResponse, status: number, code: string, message: string, extra: Record<string, string> = {}) {
    send(res, status, { statusCode: status, code, error: STATUS_TEXT[status], message }, extra)
  }

  function authenticate(req: http.IncomingMessage): User | null {
    const h = req.headers['authorization']
    if (typeof h === 'string') {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(h.trim())
      if (m) {
        const b = Buffer.from(m[1] ?? '')
        for (const u of users.values()) {
          if (!u.token) continue
          const a = Buffer.from(u.token)
          if (a.length === b.length && crypto.timingSafeEqual(a, b)) return u
        }
      }
    }
    // Break: the route is missing its auth guard; the request runs as the admin.
    if (brk('auth.required')) return actor
    return null
  }

  /** class-validator style validation of UpdateUserDto. Returns the flat message list. */
  function validate(body: Record<string, unknown>): string[] {
    const msgs: string[] = []
    const has = (k: string) => Object.prototype.hasOwnProperty.call(body, k) && body[k] !== undefined
    const typesOn = !brk('body.types')

    // firstName: @IsOptional() @IsString() @IsNotEmpty() @MaxLength(100)
    // assumed: null is refused for firstName/lastName (plain @IsOptional would let null through).
    // assumed: firstName may not be empty, lastName may (deliberate asymmetry; doc is silent).
    for (const key of ['firstName', 'lastName'] as const) {
      if (!has(key)) continue
      const v = body[key]
      if (!typesOn) continue // Break: no type/format decorators on the name fields.
      const isStr = typeof v === 'string'
      if (!isStr || [...v].length > NAME_MAX) msgs.push(`${key} must be shorter than or equal to ${NAME_MAX} characters`)
      if (!isStr) msgs.push(`${key} must be a string`)
      if (key === 'firstName' && v === '') msgs.push('firstName should not be empty')
    }

    // status / type: @IsOptional() @IsEnum(...)
    // assumed: enum values are case-sensitive; null is treated as "not sent" (@IsOptional).
    if (has('status') && body.status !== null) {
      if (brk('body.enums')) {
        if (typeof body.status !== 'string' && typesOn) msgs.push('status must be a string')
      } else if (!(STATUSES as readonly unknown[]).includes(body.status)) {
        msgs.push(`status must be one of the following values: ${STATUSES.join(', ')}`)
      }
    }
    if (has('type') && body.type !== null) {
      if (brk('body.enums')) {
        if (typeof body.type !== 'string' && typesOn) msgs.push('type must be a string')
      } else if (!(TYPES as readonly unknown[]).includes(body.type)) {
        msgs.push(`type must be one of the following values: ${TYPES.join(', ')}`)
      }
    }

    // roles: @IsOptional() @IsArray() @IsUUID('all', { each: true })
    if (has('roles') && body.roles !== null) {
      const v = body.roles
      if (!Array.isArray(v)) {
        msgs.push('each value in roles must be a UUID')
        msgs.push('roles must be an array')
      } else if (v.some((x) => typeof x !== 'string' || !UUID_RE.test(x))) {
        msgs.push('each value in roles must be a UUID')
      }
    }
    return msgs
  }

  async function handleUpdate(req: http.IncomingMessage, res: http.ServerResponse, rawId: string, body: unknown) {
    // 1. Guard
    const me = authenticate(req)
    if (!me) return nestError(res, req, 401, 'Unauthorized')

    // 2. Pipes (ValidationPipe on the body)
    if (body === undefined || body === null) body = {}
    if (typeof body !== 'object' || Array.isArray(body)) {
      return nestError(res, req, 400, ['an unknown value was passed to the validate function'])
    }
    const dto = body as Record<string, unknown>
    const msgs = validate(dto)
    if (msgs.length) return nestError(res, req, 400, msgs)

    // 3. Handler
    // assumed: a userId that is not a UUID is answered 404 like an unknown id (no ParseUUIDPipe 400).
    const target = UUID_RE.test(rawId) ? users.get(rawId.toLowerCase()) : undefined
    if (!target) return nestError(res, req, 404, 'User not found')

    // assumed: (doc silent on authorisation) admins/owners may update anyone except that an admin
    // may not modify an owner; members may update only their own firstName/lastName.
    const privileged = me.type === 'admin' || me.type === 'owner'
    const has = (k: string) => Object.prototype.hasOwnProperty.call(dto, k) && dto[k] !== undefined && dto[k] !== null
    if (!privileged) {
      if (me.id !== target.id || has('status') || has('type') || has('roles')) {
        return nestError(res, req, 403, 'Forbidden resource')
      }
    } else if (me.type === 'admin' && target.type === 'owner' && me.id !== target.id) {
      return nestError(res, req, 403, 'Forbidden resource')
    }

    let roleIds: string[] | undefined
    if (has('roles')) {
      // assumed: role ids are matched case-insensitively and normalised to lower case; duplicates collapse.
      const wanted = [...new Set((dto.roles as string[]).map((r) => r.toLowerCase()))]
      const unknown = wanted.filter((id) => !roles.some((r) => r.id === id))
      if (unknown.length) {
        // assumed: unknown role ids are refused with 422 (not 400/404) and this message; doc is silent.
        return nestError(res, req, 422, `Unknown role id(s): ${unknown.join(', ')}`)
      }
      roleIds = wanted
    }

    const before: User = { ...target, roleIds: [...target.roleIds] }
    const next: User = { ...before, roleIds: [...before.roleIds] }
    // assumed: unknown body properties (e.g. email, isService, password) are silently stripped
    // (ValidationPipe whitelist without forbidNonWhitelisted); the doc lists only five fields.
    // assumed: null for status/type/roles means "leave unchanged".
    const sent = (k: string) => Object.prototype.hasOwnProperty.call(dto, k) && dto[k] !== undefined
    if (sent('firstName')) next.firstName = dto.firstName
    if (sent('lastName')) next.lastName = dto.lastName
    if (has('status')) next.status = dto.status as string
    if (has('type')) next.type = dto.type as string
    if (roleIds) next.roleIds = roleIds
    // assumed: updatedAt moves on every successful PUT, even when no value changed.
    if (!brk('update.timestamps')) next.updatedAt = stamp()

    if (!brk('update.persists')) Object.assign(target, next)

    let shown = next
    if (brk('response.echo')) {
      // Break: the handler returns the entity it loaded before applying the DTO.
      shown = { ...before, updatedAt: next.updatedAt }
    }
    send(res, 200, serialize(shown))
  }

  function handleGet(req: http.IncomingMessage, res: http.ServerResponse, rawId: string) {
    // assumed: GET /users/{userId} exists (the doc documents only the update) and returns the same object.
    const me = authenticate(req)
    if (!me) return nestError(res, req, 401, 'Unauthorized')
    const target = UUID_RE.test(rawId) ? users.get(rawId.toLowerCase()) : undefined
    if (!target) return nestError(res, req, 404, 'User not found')
    send(res, 200, serialize(target))
  }

  const server = http.createServer((req, res) => {
    const fail = () => {
      try {
        nestError(res, req, 500, 'Internal server error')
      } catch {
        /* ignore */
      }
    }
    try {
      const method = (req.method ?? 'GET').toUpperCase()
      const rawPath = (req.url ?? '/').split('?')[0] ?? '/'
      let path: string
      try {
        path = decodeURIComponent(rawPath)
      } catch {
        path = rawPath // keep raw
      }
      const m = path.startsWith(BASE + '/') ? /^\/users\/([^/]+)$/.exec(path.slice(BASE.length)) : null
      const routeOk = !!m && (method === 'PUT' || method === 'GET' || method === 'HEAD')
      if (!routeOk) {
        req.resume()
        return nestError(res, req, 404, `Cannot ${method} ${rawPath}`)
      }
      const id = m?.[1] ?? ''

      // Fastify parses the body before Nest's guards run, so 413/415/400 come first.
      const cl = Number(req.headers['content-length'])
      if (Number.isFinite(cl) && cl > MAX_BODY) {
        req.resume()
        return fastifyError(res, 413, 'FST_ERR_CTP_BODY_TOO_LARGE', 'Request body is too large', { connection: 'close' })
      }
      const chunks: Buffer[] = []
      let size = 0
      let aborted = false
      req.on('data', (c: Buffer) => {
        if (aborted) return
        size += c.length
        if (size > MAX_BODY) {
          aborted = true
          fastifyError(res, 413, 'FST_ERR_CTP_BODY_TOO_LARGE', 'Request body is too large', { connection: 'close' })
          return
        }
        chunks.push(c)
      })
      req.on('error', () => {
        aborted = true
      })
      req.on('end', () => {
        if (aborted) return
        try {
          if (method !== 'PUT') return handleGet(req, res, id)
          const raw = Buffer.concat(chunks)
          const ctHeader = req.headers['content-type']
          const ct = (ctHeader ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
          let body: unknown = undefined
          if (ct === 'application/json') {
            const text = raw.toString('utf8')
            if (text.trim() === '') {
              return fastifyError(
                res,
                400,
                'FST_ERR_CTP_EMPTY_JSON_BODY',
                "Body cannot be empty when content-type is set to 'application/json'",
              )
            }
            let poisoned = false
            try {
              body = JSON.parse(text, (k, v: unknown) => {
                if (k === '__proto__' || (k === 'constructor' && v && typeof v === 'object' && 'prototype' in v)) poisoned = true
                return v
              })
            } catch {
              return fastifyError(
                res,
                400,
                'FST_ERR_CTP_INVALID_JSON_BODY',
                "Body is not valid JSON but content-type is set to 'application/json'",
              )
            }
            if (poisoned) {
              return fastifyError(res, 400, 'FST_ERR_CTP_INVALID_JSON_BODY', 'Object contains forbidden prototype property')
            }
          } else if (raw.length > 0 || req.headers['transfer-encoding'] !== undefined) {
            return fastifyError(res, 415, 'FST_ERR_CTP_INVALID_MEDIA_TYPE', `Unsupported Media Type: ${ctHeader ?? ''}`)
          }
          handleUpdate(req, res, id, body).catch(fail)
        } catch {
          fail()
        }
      })
    } catch {
      fail()
    }
  })
  server.on('clientError', (_err, socket) => {
    try {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
    } catch {
      /* ignore */
    }
  })

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const addr = server.address() as import('node:net').AddressInfo
  const acct = (u: User): StandinAccount => ({ userId: u.id, token: u.token!, email: u.email, role: u.type })
  return {
    url: `http://127.0.0.1:${addr.port}${BASE}`,
    accounts: { actor: acct(actor), peer: acct(peer), foreign: acct(foreign) },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.()
        server.close(() => resolve())
      }),
  }
}
