// Stand-in for gorules' `PUT /api/users/{userId}`, written from its doc alone, shaped like the NestJS
// app behind it on Fastify: ParseUUIDPipe on the id, a PAT guard plus a roles guard, a global
// ValidationPipe({ whitelist: true, forbidNonWhitelisted: true }) over class-validator DTOs, Nest's
// {statusCode, message, error} error bodies, and the bare user entity as the 200 body.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { randomBytes, randomUUID, scryptSync } from 'node:crypto'

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

/** The documented rule ids this server can break. */
export const breakable: readonly string[] = [
  'auth.required',
  'body.enums',
  'body.types',
  'response.shape',
  'response.echo',
  'update.timestamps',
  'update.persists',
]

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type JsonObject = { [key: string]: Json }

const STATUSES = ['active', 'disabled', 'locked']
const TYPES = ['invited', 'member', 'author', 'admin', 'owner']
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i
const DTO_KEYS = ['firstName', 'lastName', 'status', 'type', 'roles']

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
  createdAt: Date
  updatedAt: Date
  firstName: string | null
  lastName: string | null
  isService: boolean
  passwordHash: string
  roleIds: string[]
}

function hash(secret: string): string {
  const salt = randomBytes(16)
  return `scrypt:${salt.toString('hex')}:${scryptSync(secret, salt, 32, { N: 4096 }).toString('hex')}`
}

function send(res: ServerResponse, status: number, body: Json): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
  res.end(JSON.stringify(body))
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

const isObject = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v)
const badRequest = (message: string | string[]): Json => ({ message, error: 'Bad Request', statusCode: 400 })

export async function start(options?: { breaks?: readonly string[] }): Promise<Standin> {
  const breaks = new Set(options?.breaks ?? [])
  const roles: Role[] = [
    // The doc's example role id is kept as a real role so its example request works as-is.
    { id: '3c90c3cc-0d44-4b50-8888-8dd25736052a', name: 'Rule editor', description: 'Can create and edit decision rules' },
    { id: 'a6f1d2b4-7c3e-4f58-9a21-5e8d0c7b3f19', name: 'Publisher', description: 'Can publish rule releases' },
    { id: 'd2c7e9a1-4b6f-4e3d-8c5a-1f0b9e7d6a42', name: 'Viewer', description: 'Read-only access to projects' },
  ]
  const created = new Date('2025-02-03T08:15:27.418Z')
  const seed = (id: string, email: string, type: string, first: string, last: string, roleIds: string[], isService = false): User => ({
    id,
    email,
    type,
    status: 'active',
    createdAt: created,
    updatedAt: created,
    firstName: first,
    lastName: last,
    isService,
    passwordHash: hash(randomUUID()),
    roleIds,
  })
  const users: User[] = [
    seed('5b1e8f3a-2c47-4d9e-b6a0-7f3c1d8e2a94', 'nora.lind@gorules-demo.test', 'admin', 'Nora', 'Lind', [roles[0]?.id ?? '']),
    seed('c8d4a7e2-9f1b-4c36-a5e8-2b7d0f4c9e13', 'omar.haddad@gorules-demo.test', 'member', 'Omar', 'Haddad', []),
    seed('e3f9b2c6-1a5d-4e87-9c4b-6d2a8f1e7b05', 'priya.nair@gorules-demo.test', 'author', 'Priya', 'Nair', [roles[2]?.id ?? '']),
    seed('7a2c5e9f-3b8d-4f16-8e4a-0c9b2d5f8a37', 'ci-bot@gorules-demo.test', 'member', 'CI', 'Bot', [], true),
  ]
  const tokens = new Map<string, string>([
    ['gr_pat_2mXq7ZkV9bN4cR8tW1yH6jL3', '5b1e8f3a-2c47-4d9e-b6a0-7f3c1d8e2a94'],
    ['gr_pat_8sDf3GhJ5kL1zXc7VbN2mQw4', 'c8d4a7e2-9f1b-4c36-a5e8-2b7d0f4c9e13'],
  ])
  const isAdmin = (u: User): boolean => u.type === 'admin' || u.type === 'owner'

  function entity(user: User): JsonObject {
    return {
      id: user.id,
      email: user.email,
      type: user.type,
      status: user.status,
      createdAt: user.createdAt.toISOString(),
      updatedAt: user.updatedAt.toISOString(),
      firstName: user.firstName,
      lastName: user.lastName,
      isService: user.isService,
      roles: user.roleIds.flatMap((id) => {
        const role = roles.find((r) => r.id === id)
        return role ? [{ id: role.id, name: role.name, description: role.description }] : []
      }),
    }
  }

  // class-validator over UpdateUserDto; messages are class-validator's defaults.
  function validate(body: JsonObject): string[] {
    const messages: string[] = []
    for (const key of Object.keys(body)) if (!DTO_KEYS.includes(key)) messages.push(`property ${key} should not exist`)

    if ('firstName' in body) {
      const v = body.firstName
      // assumed: firstName uses @ValidateIf(defined), so null is refused; it must be non-empty and ≤ 100 characters.
      if (typeof v !== 'string') {
        if (!breaks.has('body.types')) messages.push('firstName must be a string', 'firstName should not be empty')
      } else {
        if (v.trim() === '') messages.push('firstName should not be empty')
        if ([...v].length > 100) messages.push('firstName must be shorter than or equal to 100 characters')
      }
    }
    // assumed: lastName is @IsOptional() @IsString(): null passes (and clears it), empty is fine, no max length.
    if ('lastName' in body && body.lastName !== null && typeof body.lastName !== 'string') messages.push('lastName must be a string')

    if ('status' in body) {
      const v = body.status
      // assumed: status and type refuse null (@ValidateIf(defined) + @IsEnum).
      if (typeof v !== 'string' || !STATUSES.includes(v))
        messages.push(`status must be one of the following values: ${STATUSES.join(', ')}`)
    }
    if ('type' in body) {
      const v = body.type
      if (breaks.has('body.enums')) {
        // bug: @IsString() where @IsEnum(UserType) was meant.
        if (typeof v !== 'string') messages.push('type must be a string')
      } else if (typeof v !== 'string' || !TYPES.includes(v)) messages.push(`type must be one of the following values: ${TYPES.join(', ')}`)
    }
    if ('roles' in body) {
      const v = body.roles
      if (!Array.isArray(v)) messages.push('roles must be an array', 'each value in roles must be a UUID')
      else {
        if (v.some((r) => typeof r !== 'string' || !UUID.test(r))) messages.push('each value in roles must be a UUID')
        // assumed: @ArrayUnique() on roles.
        if (new Set(v.map((r) => JSON.stringify(r))).size !== v.length) messages.push("All roles's elements must be unique")
      }
    }
    return messages
  }

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => send(res, 500, { statusCode: 500, message: 'Internal server error' }))
  })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req)
    const url = new URL(req.url ?? '/', 'http://localhost')
    const match = /^\/api\/users\/([^/]+)\/?$/.exec(url.pathname)
    if (!match || req.method !== 'PUT')
      return send(res, 404, { message: `Cannot ${req.method ?? 'GET'} ${url.pathname}`, error: 'Not Found', statusCode: 404 })

    // PatGuard runs before pipes.
    const header = req.headers.authorization
    let me: User | undefined
    if (breaks.has('auth.required')) {
      // bug: the controller was marked @Public(), the guard never runs; requests act as the first admin.
      me = users.find((u) => u.id === tokens.get(/^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1] ?? '')) ?? users[0]
    } else {
      // Undocumented body: `throw new UnauthorizedException()` for a missing header (Nest's bare default) …
      if (header === undefined || header.trim() === '') return send(res, 401, { message: 'Unauthorized', statusCode: 401 })
      const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1]
      me = token ? users.find((u) => u.id === tokens.get(token)) : undefined
      // … and assumed: our own message for a token that does not resolve.
      if (!me) return send(res, 401, { message: 'Invalid or expired personal access token', error: 'Unauthorized', statusCode: 401 })
    }
    if (!me) return send(res, 401, { message: 'Unauthorized', statusCode: 401 })

    const userId = decodeURIComponent(match[1] ?? '')
    // ParseUUIDPipe, Nest's default message.
    if (!UUID.test(userId)) return send(res, 400, badRequest('Validation failed (uuid is expected)'))

    // RolesGuard: assumed: a member may only address their own record; otherwise the guard's default 403.
    if (userId !== me.id && !isAdmin(me)) return send(res, 403, { message: 'Forbidden resource', error: 'Forbidden', statusCode: 403 })

    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
    let body: JsonObject = {}
    if (raw !== '') {
      if (type !== 'application/json')
        return send(res, 415, {
          statusCode: 415,
          code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
          error: 'Unsupported Media Type',
          message: `Unsupported Media Type: ${type}`,
        })
      let parsed: Json
      try {
        parsed = JSON.parse(raw) as Json
      } catch {
        return send(res, 400, {
          statusCode: 400,
          code: 'FST_ERR_CTP_INVALID_JSON_BODY',
          error: 'Bad Request',
          message: "Body is not valid JSON but content-type is set to 'application/json'",
        })
      }
      // assumed: a non-object JSON body is validated as an empty DTO, i.e. a no-op update.
      if (isObject(parsed)) body = parsed
    }

    const messages = validate(body)
    if (messages.length > 0) return send(res, 400, badRequest(messages))

    const user = users.find((u) => u.id === userId)
    if (!user) return send(res, 404, { message: `User ${userId} not found`, error: 'Not Found', statusCode: 404 })

    // assumed: a member editing themselves may change names only; 400 from the service, own wording.
    if (!isAdmin(me) && ['status', 'type', 'roles'].some((k) => k in body))
      return send(res, 400, badRequest('Members cannot change their own status, type or roles'))

    const next: User = { ...user, roleIds: [...user.roleIds] }
    if ('firstName' in body) {
      const v = body.firstName
      next.firstName = typeof v === 'string' ? v : breaks.has('body.types') && v !== undefined ? (v as unknown as string) : next.firstName
    }
    // bug for response.echo: the service forgets to copy lastName.
    if ('lastName' in body && !breaks.has('response.echo')) next.lastName = typeof body.lastName === 'string' ? body.lastName : null
    if (typeof body.status === 'string') next.status = body.status
    if (typeof body.type === 'string') next.type = body.type
    if (Array.isArray(body.roles)) {
      const ids = body.roles.filter((r): r is string => typeof r === 'string').map((r) => r.toLowerCase())
      const unknown = ids.filter((id) => !roles.some((r) => r.id === id))
      // assumed: an unknown role id is a 404 from the roles lookup, own wording.
      if (unknown.length > 0) return send(res, 404, { message: `Role ${unknown[0] ?? ''} not found`, error: 'Not Found', statusCode: 404 })
      next.roleIds = ids
    }
    if (!breaks.has('update.timestamps')) {
      const now = Date.now()
      next.updatedAt = new Date(Math.max(now, user.updatedAt.getTime() + 1))
    }
    if (!breaks.has('update.persists')) users[users.indexOf(user)] = next
    // bug for response.shape: a global TransformInterceptor wraps every body in {data}.
    if (breaks.has('response.shape')) return send(res, 200, { data: entity(next) })
    send(res, 200, entity(next))
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    accounts: {
      actor: {
        userId: '5b1e8f3a-2c47-4d9e-b6a0-7f3c1d8e2a94',
        token: 'gr_pat_2mXq7ZkV9bN4cR8tW1yH6jL3',
        email: 'nora.lind@gorules-demo.test',
        role: 'admin',
      },
      peer: {
        userId: 'c8d4a7e2-9f1b-4c36-a5e8-2b7d0f4c9e13',
        token: 'gr_pat_8sDf3GhJ5kL1zXc7VbN2mQw4',
        email: 'omar.haddad@gorules-demo.test',
        role: 'member',
      },
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((err) => (err ? reject(err) : resolve()))
      }),
  }
}
