/**
 * Lenient stand-in for "gorules" (GoRules BRMS; NestJS on Fastify, class-validator):
 * PUT /api/users/{userId}.
 * Written from the API doc alone. Where the doc is silent the server does what a stock
 * NestJS + Fastify app does at its most lenient defaults (a plain `new ValidationPipe()`);
 * every such choice carries an "assumed:" comment.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'

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

export const breakable: readonly string[] = [
  'auth.required',
  'body.enums',
  'body.types',
  'response.shape',
  'response.echo',
  'update.timestamps',
  'update.persists',
]

// ---------------------------------------------------------------------------
// HTTP plumbing

// Fastify's default bodyLimit is 1 MiB (1048576 bytes).
const MAX_BODY = 1024 * 1024

function readBody(req: IncomingMessage): Promise<{ buf: Buffer; tooLarge: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    let done = false
    const cl = Number(req.headers['content-length'])
    let tooLarge = Number.isFinite(cl) && cl > MAX_BODY
    const finish = (): void => {
      if (done) return
      done = true
      resolve({ buf: Buffer.concat(chunks), tooLarge })
    }
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > MAX_BODY) tooLarge = true
      if (!tooLarge) chunks.push(c)
      if (size > 64 * MAX_BODY) {
        tooLarge = true
        finish()
        req.destroy()
      }
    })
    req.on('end', finish)
    req.on('close', finish)
    req.on('error', finish)
  })
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    ...headers,
  })
  res.end(text)
}

// Errors raised by Fastify itself (body parsing) reach Nest's global error handler, which
// answers non-HttpException errors that carry statusCode+message as {statusCode, message}.
const sendFastifyError = (res: ServerResponse, statusCode: number, message: string, headers: Record<string, string> = {}): void =>
  sendJson(res, statusCode, { statusCode, message }, headers)

// NestJS HttpException default bodies.
const sendNest = (res: ServerResponse, statusCode: number, message: string | string[], error?: string): void =>
  sendJson(res, statusCode, error === undefined ? { message, statusCode } : { message, error, statusCode })

// ---------------------------------------------------------------------------
// Data

type Dict = Record<string, unknown>
interface Role {
  id: string
  name: string
  description: string
}
interface User {
  id: string
  token: string | null
  email: string
  type: unknown
  status: unknown
  createdAt: string
  updatedAt: string
  firstName: unknown
  lastName: unknown
  isService: boolean
  roles: string[]
}

const ROLES: Role[] = [
  { id: '3c90c3cc-0d44-4b50-8888-8dd25736052a', name: 'Administrator', description: 'Full access to the organisation' },
  { id: '8f14e45f-ceea-467f-a8f0-6a5d4b1c2e01', name: 'Editor', description: 'Can edit decisions' },
  { id: 'c9f0f895-fb98-4b91-9f3a-2d1e6a7b8c02', name: 'Viewer', description: 'Read-only access' },
]

const ACTOR_ID = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d'
const PEER_ID = 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e'

function seed(): User[] {
  const base = { createdAt: '2024-01-15T10:30:00.000Z', updatedAt: '2024-01-15T10:30:00.000Z', isService: false }
  return [
    {
      ...base,
      id: ACTOR_ID,
      token: 'gorules-actor-token',
      email: 'ada.admin@gorules.test',
      type: 'admin',
      status: 'active',
      firstName: 'Ada',
      lastName: 'Admin',
      roles: [ROLES[0]?.id ?? ''],
    },
    {
      ...base,
      id: PEER_ID,
      token: 'gorules-peer-token',
      email: 'max.member@gorules.test',
      type: 'member',
      status: 'active',
      firstName: 'Max',
      lastName: 'Member',
      roles: [ROLES[2]?.id ?? ''],
    },
    {
      ...base,
      id: 'c3d4e5f6-a7b8-4c9d-8e0f-2a3b4c5d6e7f',
      token: 'gorules-owner-token',
      email: 'olga.owner@gorules.test',
      type: 'owner',
      status: 'active',
      firstName: 'Olga',
      lastName: 'Owner',
      roles: [],
    },
    {
      ...base,
      id: 'd4e5f6a7-b8c9-4d0e-9f1a-3b4c5d6e7f80',
      token: null,
      email: 'ivan.invited@gorules.test',
      type: 'invited',
      status: 'active',
      firstName: 'Ivan',
      lastName: 'Invited',
      roles: [],
    },
    {
      ...base,
      id: 'e5f6a7b8-c9d0-4e1f-8a2b-4c5d6e7f8091',
      token: 'gorules-service-token',
      email: 'ci-bot@gorules.test',
      type: 'member',
      status: 'active',
      firstName: 'CI',
      lastName: 'Bot',
      isService: true,
      roles: [ROLES[1]?.id ?? ''],
    },
  ]
}

// ---------------------------------------------------------------------------
// class-validator

const STATUS = ['active', 'disabled', 'locked']
const TYPES = ['invited', 'member', 'author', 'admin', 'owner']
// assumed: @IsUUID() with its default version ("all"): any 8-4-4-4-12 hex string.
const UUID_RE = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/i
const isUuid = (v: unknown): boolean => typeof v === 'string' && UUID_RE.test(v)

/**
 * UpdateUserDto, as the doc describes it:
 *   @IsOptional() @IsString() firstName; @IsOptional() @IsString() lastName;
 *   @IsOptional() @IsEnum(UserStatus) status; @IsOptional() @IsEnum(UserType) type;
 *   @IsOptional() @IsArray() @IsUUID(undefined, { each: true }) roles.
 * @IsOptional skips undefined and null. Decorators register bottom-up, so for `roles` the
 * UUID message comes before the array message.
 */
function validateDto(body: Dict, breaks: Set<string>): string[] {
  const msgs: string[] = []
  const given = (k: string): boolean => body[k] !== undefined && body[k] !== null
  for (const k of ['firstName', 'lastName']) {
    if (given(k) && !breaks.has('body.types') && typeof body[k] !== 'string') msgs.push(`${k} must be a string`)
  }
  if (given('status') && !breaks.has('body.enums') && !STATUS.includes(body['status'] as string)) {
    msgs.push(`status must be one of the following values: ${STATUS.join(', ')}`)
  }
  if (given('type') && !breaks.has('body.enums') && !TYPES.includes(body['type'] as string)) {
    msgs.push(`type must be one of the following values: ${TYPES.join(', ')}`)
  }
  if (given('roles')) {
    const v = body['roles']
    // `each: true` validates every element of an array (or Set/Map), or the value itself otherwise
    const ok = Array.isArray(v) ? v.every(isUuid) : isUuid(v)
    if (!ok) msgs.push('each value in roles must be a UUID')
    if (!breaks.has('body.types') && !Array.isArray(v)) msgs.push('roles must be an array')
  }
  return msgs
}

// ---------------------------------------------------------------------------
// Server

const RESPONSE_FIELDS = ['id', 'email', 'type', 'status', 'createdAt', 'updatedAt', 'firstName', 'lastName', 'isService', 'roles'] as const
const BODYLESS = new Set(['GET', 'HEAD', 'TRACE'])

export function start(options?: { breaks?: readonly string[] }): Promise<Standin> {
  const breaks = new Set(options?.breaks ?? [])
  for (const b of breaks) if (!breakable.includes(b)) throw new Error(`gorules stand-in cannot break "${b}"`)
  const users = seed()

  const view = (u: User): Dict => {
    const d: Dict = {}
    for (const f of RESPONSE_FIELDS) {
      d[f] =
        f === 'roles'
          ? u.roles
              .map((id) => ROLES.find((r) => r.id === id))
              .filter((r): r is Role => r !== undefined)
              .map((r) => ({ id: r.id, name: r.name, description: r.description }))
          : (u as unknown as Dict)[f]
    }
    return d
  }

  const handleUpdate = (req: IncomingMessage, res: ServerResponse, userId: string, body: unknown): void => {
    // Guard (JWT / Bearer) --------------------------------------------------------------------
    const m = /^(\S+)\s+(\S+)$/.exec(String(req.headers.authorization ?? ''))
    const token = m && m[1]?.toLowerCase() === 'bearer' ? m[2] : undefined
    const me = token === undefined ? undefined : users.find((u) => u.token === token)
    if (!me && !breaks.has('auth.required')) {
      sendNest(res, 401, 'Unauthorized')
      return
    }
    // assumed: no role guard is documented, so any authenticated user may update any user.

    // ValidationPipe (defaults: no whitelist, no transform) -----------------------------------
    // null/undefined bodies become {}; non-object bodies carry no DTO fields.
    const dto: Dict = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Dict) : {}
    const msgs = validateDto(dto, breaks)
    if (msgs.length > 0) {
      sendNest(res, 400, msgs, 'Bad Request')
      return
    }

    // Service ---------------------------------------------------------------------------------
    // assumed: no ParseUUIDPipe on :userId; an id that is not a known user (UUID or not) is a
    // NotFoundException. UUIDs compare case-insensitively, as a uuid column does.
    const target = users.find((u) => u.id === userId.toLowerCase())
    if (!target) {
      sendNest(res, 404, 'User not found', 'Not Found')
      return
    }

    const before = view(target)
    const next: User = { ...target, roles: [...target.roles] }
    // assumed: the service applies only the documented fields, and treats null like "not sent"
    // (@IsOptional lets null through; a partial update leaves such fields unchanged).
    for (const k of ['firstName', 'lastName', 'status', 'type'] as const) {
      const v = dto[k]
      if (v !== undefined && v !== null) (next as unknown as Dict)[k] = v
    }
    const roles = dto['roles']
    if (Array.isArray(roles)) {
      // assumed: unknown role ids are ignored (looked up with an IN query); duplicates collapse.
      const ids: string[] = []
      for (const r of roles) {
        const hit = typeof r === 'string' ? ROLES.find((x) => x.id === r.toLowerCase()) : undefined
        if (hit && !ids.includes(hit.id)) ids.push(hit.id)
      }
      next.roles = ids
    }
    // assumed: every successful update bumps updatedAt (@UpdateDateColumn on save), strictly later.
    if (!breaks.has('update.timestamps')) {
      next.updatedAt = new Date(Math.max(Date.now(), Date.parse(target.updatedAt) + 1)).toISOString()
    }
    if (!breaks.has('update.persists')) users[users.indexOf(target)] = next

    const data = view(next)
    if (breaks.has('response.echo')) {
      for (const f of ['firstName', 'lastName', 'status', 'type', 'roles'] as const) {
        if (dto[f] !== undefined && dto[f] !== null && JSON.stringify(before[f]) !== JSON.stringify(data[f])) {
          data[f] = before[f]
          break
        }
      }
    }
    if (breaks.has('response.shape')) delete data['email']
    sendJson(res, 200, data)
  }

  const server = createServer((req, res) => {
    void (async () => {
      const method = (req.method ?? 'GET').toUpperCase()
      const rawUrl = req.url ?? '/'
      const { buf, tooLarge } = await readBody(req)
      const qi = rawUrl.indexOf('?')
      const rawPath = qi < 0 ? rawUrl : rawUrl.slice(0, qi)
      const routed = /^\/api\/users\/([^/]+)$/.exec(rawPath)
      const isRoute = routed !== null && method === 'PUT'

      // Content-type parsing (Fastify, with the parsers NestJS registers) -----------------------
      let body: unknown
      if (!BODYLESS.has(method)) {
        const ctHeader = req.headers['content-type']
        const hasBody =
          req.headers['transfer-encoding'] !== undefined ||
          (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0')
        if (ctHeader === undefined) {
          if (hasBody && isRoute) {
            sendFastifyError(res, 415, 'Unsupported Media Type')
            return
          }
        } else {
          const media = ctHeader.split(';')[0]?.trim().toLowerCase() ?? ''
          if (media === 'application/json') {
            if (tooLarge) {
              sendFastifyError(res, 413, 'Request body is too large', { Connection: 'close' })
              return
            }
            if (buf.length === 0) {
              sendFastifyError(res, 400, "Body cannot be empty when content-type is set to 'application/json'")
              return
            }
            try {
              body = JSON.parse(buf.toString('utf8'))
              // secure-json-parse (protoAction/constructorAction 'error') refuses prototype poisoning
              if (/"(?:__proto__|constructor)"\s*:/.test(buf.toString('utf8')) && hasPoison(body)) throw new Error('poison')
            } catch {
              sendFastifyError(res, 400, "Body is not valid JSON but content-type is set to 'application/json'")
              return
            }
          } else if (media === 'application/x-www-form-urlencoded') {
            if (tooLarge) {
              sendFastifyError(res, 413, 'Request body is too large', { Connection: 'close' })
              return
            }
            body = querystringParse(buf.toString('utf8'))
          } else if (media === 'text/plain') {
            if (tooLarge) {
              sendFastifyError(res, 413, 'Request body is too large', { Connection: 'close' })
              return
            }
            body = buf.toString('utf8')
          } else if (isRoute) {
            // (on the 404 route an unknown content type is not an error: the 404 handler runs)
            sendFastifyError(res, 415, 'Unsupported Media Type')
            return
          }
        }
      }

      // Routing (find-my-way: case-sensitive, no trailing-slash folding, maxParamLength 100) ----
      if (routed && isRoute) {
        const rawParam = routed[1] ?? ''
        let param: string
        try {
          param = decodeURIComponent(rawParam)
        } catch {
          sendJson(res, 400, {
            error: 'Bad Request',
            code: 'FST_ERR_BAD_URL',
            message: `'${rawPath}' is not a valid url component`,
            statusCode: 400,
          })
          return
        }
        if (rawParam.length <= 100) {
          handleUpdate(req, res, param, body)
          return
        }
      }
      // Nest's not-found handler
      sendNest(res, 404, `Cannot ${method} ${rawUrl}`, 'Not Found')
    })().catch(() => {
      if (!res.headersSent) sendJson(res, 500, { statusCode: 500, message: 'Internal server error' })
    })
  })

  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address()
      const port = addr !== null && typeof addr === 'object' ? addr.port : 0
      resolve({
        url: `http://127.0.0.1:${port}`,
        accounts: {
          actor: { userId: ACTOR_ID, token: 'gorules-actor-token', email: 'ada.admin@gorules.test', role: 'admin' },
          peer: { userId: PEER_ID, token: 'gorules-peer-token', email: 'max.member@gorules.test', role: 'member' },
        },
        close: () =>
          new Promise<void>((r) => {
            server.close(() => r())
            server.closeAllConnections()
          }),
      })
    })
  })
}

function hasPoison(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(hasPoison)
  if (v !== null && typeof v === 'object') {
    if (Object.hasOwn(v, '__proto__')) return true
    const c = (v as Dict)['constructor']
    if (Object.hasOwn(v, 'constructor') && c !== null && typeof c === 'object' && Object.hasOwn(c, 'prototype')) return true
    return Object.values(v as Dict).some(hasPoison)
  }
  return false
}

// node:querystring.parse semantics: repeated keys become arrays, everything is a string.
function querystringParse(s: string): Dict {
  const out: Dict = {}
  for (const part of s.split('&')) {
    if (part === '') continue
    const eq = part.indexOf('=')
    const dec = (x: string): string => {
      try {
        return decodeURIComponent(x.replace(/\+/g, ' '))
      } catch {
        return x
      }
    }
    const k = dec(eq < 0 ? part : part.slice(0, eq))
    const v = dec(eq < 0 ? '' : part.slice(eq + 1))
    if (k === '__proto__' || k === 'constructor' || k === 'prototype') continue // (no prototype pollution here)
    const cur = out[k]
    if (cur === undefined) out[k] = v
    else if (Array.isArray(cur)) cur.push(v)
    else out[k] = [cur, v]
  }
  return out
}
