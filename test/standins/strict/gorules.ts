/**
 * Strict stand-in for gorules (GoRules BRMS): `PUT /api/users/{userId}` (NestJS on Fastify, class-validator).
 *
 * Written from the vendor's API page alone. Where the page is silent, this server does what
 * NestJS + Fastify do when configured at their strictest plausible setting; every such choice
 * carries a one-line "assumed:" comment.
 */
import http from 'node:http'
import crypto from 'node:crypto'
import type { AddressInfo } from 'node:net'

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

type Obj = Record<string, unknown>

// Fastify's default bodyLimit is 1 MiB.
const BODY_LIMIT = 1024 * 1024

const STATUSES = ['active', 'disabled', 'locked'] as const
const TYPES = ['invited', 'member', 'author', 'admin', 'owner'] as const
/** Properties of the update DTO (doc), in declaration order. */
const DTO_PROPS = ['firstName', 'lastName', 'status', 'type', 'roles'] as const
// assumed: ids are UUID v4 (the doc's example id is a v4 UUID), checked by ParseUUIDPipe({ version: '4' }) and @IsUUID('4').
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i

interface Role {
  id: string
  org: string
  name: string
  description: string
}
interface User {
  id: string
  org: string
  email: string
  type: unknown
  status: unknown
  firstName: unknown
  lastName: unknown
  isService: boolean
  roleIds: string[]
  createdAt: Date
  updatedAt: Date
}
interface Token {
  token: string
  userId: string
  orgRole: string
}
interface State {
  roles: Role[]
  users: User[]
  tokens: Token[]
}

// ---------------------------------------------------------------------------------------------
// helpers

function sha(label: string): string {
  return crypto.createHash('sha256').update(label).digest('hex')
}
function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
function has(o: Obj, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k)
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
  })
  res.end(text)
}
/** Body of a NestJS HttpException thrown with a message. */
function nestError(res: http.ServerResponse, status: number, error: string, message: string | string[]): void {
  send(res, status, { statusCode: status, message, error })
}
/** Body Nest's exception filter renders for a Fastify error (statusCode + message only). */
function fastifyError(res: http.ServerResponse, status: number, message: string): void {
  send(res, status, { statusCode: status, message })
}

/** secure-json-parse defaults in Fastify: __proto__ and constructor.prototype are refused. */
function poisoned(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(poisoned)
  if (!isObj(v)) return false
  for (const [k, x] of Object.entries(v)) {
    if (k === '__proto__') return true
    if (k === 'constructor' && isObj(x) && has(x, 'prototype')) return true
    if (poisoned(x)) return true
  }
  return false
}

// ---------------------------------------------------------------------------------------------
// data

const ORG = 'org-acme'
const ROLE_EDITOR = '3c90c3cc-0d44-4b50-8888-8dd25736052a'
const ROLE_VIEWER = '7b6a5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d'
const ROLE_PUBLISHER = 'e4d3c2b1-a0f9-4e8d-b7c6-a5b4c3d2e1f0'
const ROLE_OTHER_ORG = '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a'

const ACTOR_ID = '5f0c2d7e-3a41-4b8e-9d2c-7a1e6b3f9c01'
const PEER_ID = '8a3e9b12-6c7d-4f05-a1b2-c3d4e5f60718'
const OWNER_ID = '1d2c3b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d'
const SERVICE_ID = 'c0ffee00-1234-4abc-8def-0123456789ab'
const OUTSIDER_ID = '2e4f6a8c-0b1d-4e3f-a5b7-c9d1e3f5a7b9'

function tokenFor(who: string): string {
  return sha(`gorules-token:${who}`).slice(0, 48)
}

function seedState(): State {
  const roles: Role[] = [
    { id: ROLE_EDITOR, org: ORG, name: 'Editor', description: 'Can edit decision graphs' },
    { id: ROLE_VIEWER, org: ORG, name: 'Viewer', description: 'Read-only access to decisions' },
    { id: ROLE_PUBLISHER, org: ORG, name: 'Publisher', description: 'Can publish releases' },
    { id: ROLE_OTHER_ORG, org: 'org-globex', name: 'Auditor', description: 'Audits another organisation' },
  ]
  const created = new Date('2024-03-01T09:00:00.000Z')
  const updated = new Date('2024-06-01T12:00:00.000Z')
  const u = (
    id: string,
    org: string,
    email: string,
    type: string,
    first: string,
    last: string,
    roleIds: string[],
    isService = false,
  ): User => ({
    id,
    org,
    email,
    type,
    status: 'active',
    firstName: first,
    lastName: last,
    isService,
    roleIds,
    createdAt: new Date(created),
    updatedAt: new Date(updated),
  })
  const users: User[] = [
    u(OWNER_ID, ORG, 'olivia.owner@acme.example', 'owner', 'Olivia', 'Owner', [ROLE_PUBLISHER]),
    u(ACTOR_ID, ORG, 'adam.admin@acme.example', 'admin', 'Adam', 'Admin', [ROLE_EDITOR]),
    u(PEER_ID, ORG, 'mia.member@acme.example', 'member', 'Mia', 'Member', [ROLE_VIEWER]),
    u(SERVICE_ID, ORG, 'ci-bot@acme.example', 'member', 'CI', 'Bot', [ROLE_VIEWER], true),
    u(OUTSIDER_ID, 'org-globex', 'gary.globex@globex.example', 'admin', 'Gary', 'Globex', [ROLE_OTHER_ORG]),
  ]
  // assumed: JWT-style access tokens carry the organisation role they were issued with; a later type change does not alter a live token.
  const tokens: Token[] = [
    { token: tokenFor('owner'), userId: OWNER_ID, orgRole: 'owner' },
    { token: tokenFor('actor'), userId: ACTOR_ID, orgRole: 'admin' },
    { token: tokenFor('peer'), userId: PEER_ID, orgRole: 'member' },
    { token: tokenFor('outsider'), userId: OUTSIDER_ID, orgRole: 'admin' },
  ]
  return { roles, users, tokens }
}

function clone(u: User): User {
  return { ...u, roleIds: [...u.roleIds], createdAt: new Date(u.createdAt), updatedAt: new Date(u.updatedAt) }
}

function serialize(u: User, state: State): Obj {
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
    roles: u.roleIds
      .map((id) => state.roles.find((r) => r.id === id))
      .filter((r): r is Role => r !== undefined)
      .map((r) => ({ id: r.id, name: r.name, description: r.description })),
  }
}

// ---------------------------------------------------------------------------------------------
// ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true, transform: false })

function validate(body: Obj, breaks: ReadonlySet<string>): string[] {
  const messages: string[] = []
  const types = !breaks.has('body.types')
  const enums = !breaks.has('body.enums')
  // class-validator reports non-whitelisted properties before the declared ones.
  for (const k of Object.keys(body)) {
    if (!(DTO_PROPS as readonly string[]).includes(k)) messages.push(`property ${k} is not allowed`)
  }
  // assumed: null is refused like any wrong value (@ValidateIf(v => v !== undefined) instead of @IsOptional()).
  for (const k of ['firstName', 'lastName'] as const) {
    if (!has(body, k)) continue
    const v = body[k]
    if (typeof v !== 'string') {
      if (types) messages.push(`${k} must be a string`)
    } else if (v.trim() === '') {
      // assumed: @IsNotEmpty() — a name cannot be blanked.
      messages.push(`${k} must not be empty`)
    }
  }
  if (has(body, 'status') && enums && !(STATUSES as readonly unknown[]).includes(body['status'])) {
    messages.push(`status must be one of: ${STATUSES.join(', ')}`)
  }
  if (has(body, 'type') && enums && !(TYPES as readonly unknown[]).includes(body['type'])) {
    messages.push(`type must be one of: ${TYPES.join(', ')}`)
  }
  if (has(body, 'roles')) {
    const v = body['roles']
    if (Array.isArray(v)) {
      if (!v.every((x) => typeof x === 'string' && UUID_V4.test(x))) messages.push('each value in roles must be a UUID v4')
      // assumed: @ArrayUnique() — a role may not be listed twice.
      else if (new Set(v.map((x) => String(x).toLowerCase())).size !== v.length) messages.push('roles must not contain duplicate ids')
    } else if (types) {
      messages.push('roles must be an array')
      if (!(typeof v === 'string' && UUID_V4.test(v))) messages.push('each value in roles must be a UUID v4')
    } else if (!(typeof v === 'string' && UUID_V4.test(v))) {
      messages.push('each value in roles must be a UUID v4')
    }
  }
  return messages
}

// ---------------------------------------------------------------------------------------------
// server

const ROUTE = /^\/api\/users\/([^/]+)$/

export async function start(options: { breaks?: readonly string[] } = {}): Promise<Standin> {
  const unknown = (options.breaks ?? []).filter((b) => !breakable.includes(b))
  if (unknown.length > 0) throw new Error(`gorules stand-in cannot break: ${unknown.join(', ')}`)
  const breaks: ReadonlySet<string> = new Set(options.breaks ?? [])
  const state = seedState()

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const m = ROUTE.exec(url.pathname)
    // Fastify: no trailing-slash folding, case-sensitive paths; Nest's not-found handler answers unknown routes and wrong methods.
    if (m === null || req.method !== 'PUT') {
      req.resume()
      req.on('end', () => nestError(res, 404, 'Not Found', `Cannot ${req.method ?? ''} ${url.pathname}`))
      return
    }
    let rawId: string
    try {
      rawId = decodeURIComponent(m[1] ?? '')
    } catch {
      req.resume()
      req.on('end', () => fastifyError(res, 400, `'${url.pathname}' is not a valid url component`))
      return
    }

    // --- Fastify content-type parsing (before any Nest guard or pipe) ---
    const ctHeader = req.headers['content-type']
    const te = req.headers['transfer-encoding']
    const cl = req.headers['content-length']
    const declared = cl === undefined ? undefined : Number(cl)
    const hasBody = te !== undefined || (declared !== undefined && declared > 0)
    const ct = ctHeader === undefined ? undefined : ctHeader.split(';')[0]?.trim().toLowerCase()
    // assumed: only the application/json parser is registered (Fastify's default text/plain parser is removed).
    if (hasBody && ct !== 'application/json') {
      req.resume()
      req.on('end', () => fastifyError(res, 415, `Content type ${ct === undefined ? '(none)' : `'${ct}'`} is not supported`))
      return
    }
    if (declared !== undefined && declared > BODY_LIMIT) {
      req.resume()
      req.on('end', () => {
        res.setHeader('connection', 'close')
        fastifyError(res, 413, 'Request body exceeds the 1 MiB limit')
      })
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    let tooLarge = false
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > BODY_LIMIT) tooLarge = true
      if (!tooLarge) chunks.push(c)
    })
    req.on('error', () => {
      if (!res.headersSent) fastifyError(res, 400, 'Request aborted')
    })
    req.on('end', () => {
      if (tooLarge) {
        res.setHeader('connection', 'close')
        fastifyError(res, 413, 'Request body exceeds the 1 MiB limit')
        return
      }
      let body: unknown = undefined
      if (ct === 'application/json') {
        const text = Buffer.concat(chunks).toString('utf8')
        if (text.length === 0) {
          fastifyError(res, 400, "The body cannot be empty when content-type is 'application/json'")
          return
        }
        try {
          body = JSON.parse(text)
        } catch {
          fastifyError(res, 400, "The body is not valid JSON although content-type is 'application/json'")
          return
        }
        if (poisoned(body)) {
          fastifyError(res, 400, 'The body contains a forbidden prototype property')
          return
        }
      }
      try {
        handle(res, req.headers['authorization'], rawId, body)
      } catch {
        if (!res.headersSent) send(res, 500, { statusCode: 500, message: 'Internal server error' })
      }
    })
  })

  const handle = (res: http.ServerResponse, authorization: string | undefined, rawId: string, body: unknown): void => {
    // --- guards: authentication, then organisation role ---
    // assumed: passport-jwt's bearer extractor (scheme matched case-insensitively).
    const presented = /^bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1] ?? ''
    let token = state.tokens.find((t) => t.token === presented)
    if (token === undefined) {
      if (!breaks.has('auth.required')) {
        nestError(res, 401, 'Unauthorized', 'Missing or invalid access token')
        return
      }
      token = state.tokens.find((t) => t.userId === ACTOR_ID) // auth.required broken: anonymous acts as the admin actor.
    }
    const me = token === undefined ? undefined : state.users.find((u) => u.id === token.userId)
    if (token === undefined || me === undefined) {
      nestError(res, 401, 'Unauthorized', 'Missing or invalid access token')
      return
    }
    // assumed: only organisation admins and owners may update users (members, authors and invited users get 403, even for themselves).
    if (token.orgRole !== 'admin' && token.orgRole !== 'owner') {
      nestError(res, 403, 'Forbidden', 'Only organisation admins and owners can update users')
      return
    }

    // --- pipes: ParseUUIDPipe on the path, ValidationPipe on the body ---
    if (!UUID_V4.test(rawId)) {
      nestError(res, 400, 'Bad Request', 'userId must be a UUID v4')
      return
    }
    // Nest's ValidationPipe turns a missing body into {}. assumed: a JSON value that is not an object (array, string, number, null) is refused.
    const dto: unknown = body === undefined ? {} : body
    if (!isObj(dto)) {
      nestError(res, 400, 'Bad Request', ['the request body must be a JSON object'])
      return
    }
    const messages = validate(dto, breaks)
    if (messages.length > 0) {
      nestError(res, 400, 'Bad Request', messages)
      return
    }

    // --- service ---
    // assumed: users of another organisation are invisible (404), like unknown ids.
    const target = state.users.find((u) => u.id.toLowerCase() === rawId.toLowerCase() && u.org === me.org)
    if (target === undefined) {
      nestError(res, 404, 'Not Found', `User ${rawId} not found`)
      return
    }
    let roleIds: string[] | undefined
    if (has(dto, 'roles')) {
      const raw = dto['roles']
      const list = Array.isArray(raw) ? raw.map((x) => String(x)) : [String(raw)]
      // assumed: role ids that are not roles of this organisation are a 400 Bad Request naming them.
      const missing = list.filter((id) => !state.roles.some((r) => r.id === id.toLowerCase() && r.org === me.org))
      if (missing.length > 0) {
        nestError(res, 400, 'Bad Request', `Unknown role id(s): ${missing.join(', ')}`)
        return
      }
      roleIds = list.map((id) => id.toLowerCase())
    }

    const before = clone(target)
    const after = clone(target)
    if (has(dto, 'firstName')) after.firstName = dto['firstName']
    if (has(dto, 'lastName')) after.lastName = dto['lastName']
    if (has(dto, 'status')) after.status = dto['status']
    if (has(dto, 'type')) after.type = dto['type']
    if (roleIds !== undefined) after.roleIds = roleIds
    // assumed: any non-empty update issues an UPDATE, so updatedAt moves (strictly later than before) even if values are unchanged; {} changes nothing.
    if (Object.keys(dto).length > 0 && !breaks.has('update.timestamps')) {
      after.updatedAt = new Date(Math.max(Date.now(), before.updatedAt.getTime() + 1))
    }
    if (!breaks.has('update.persists')) Object.assign(target, after)

    const data = serialize(after, state)
    if (breaks.has('response.echo')) {
      const old = serialize(before, state)
      for (const k of Object.keys(dto)) if (has(data, k) && has(old, k)) data[k] = old[k]
    }
    if (breaks.has('response.shape')) delete data['email']
    send(res, 200, data)
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const account = (id: string, who: string, role: string): StandinAccount => {
    const u = state.users.find((x) => x.id === id)
    if (u === undefined) throw new Error(`seed user ${id} missing`)
    return { userId: u.id, token: tokenFor(who), email: u.email, role }
  }
  return {
    url: `http://127.0.0.1:${port}`,
    accounts: { actor: account(ACTOR_ID, 'actor', 'admin'), peer: account(PEER_ID, 'peer', 'member') },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()))
        server.closeAllConnections()
      }),
  }
}
