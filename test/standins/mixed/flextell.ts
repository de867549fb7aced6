// Stand-in for flextell's `PUT /api/v1/users/{id}`, written from its doc alone, shaped like the
// Laravel app behind it: a FormRequest with `sometimes|nullable|…` rules, Sanctum bearer tokens, a
// tenant global scope chosen by the X-Tenant header, a UserResource wrapped in {success, data}.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { randomBytes, scryptSync } from 'node:crypto'

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
  'tenant.isolation',
  'body.limits',
  'body.nullable',
  'body.confirmed',
  'response.shape',
  'response.echo',
  'response.no-password',
  'update.persists',
]

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

interface Role {
  id: number
  name: string
}

interface User {
  id: number
  tenantId: number
  name: string
  email: string
  password: string
  title: string | null
  phone: string | null
  emergency_contact_name: string | null
  emergency_contact_surname: string | null
  emergency_contact_phone_number: string | null
  blood_group: string | null
  language: string[] | null
  avatar_url: string | null
  is_active: boolean | null
  bio: string | null
  last_login_at: string | null
  last_login_ip: string | null
  created_at: string
  updated_at: string
  deleted_at: string | null
  role_ids: number[]
}

const ROLES: Role[] = [
  { id: 1, name: 'admin' },
  { id: 2, name: 'manager' },
  { id: 3, name: 'agent' },
  { id: 4, name: 'viewer' },
]

function hash(password: string): string {
  const salt = randomBytes(16)
  return `scrypt$${salt.toString('hex')}$${scryptSync(password, salt, 32, { N: 4096 }).toString('hex')}`
}

// Laravel's UserResource; timestamps as `toIso8601ZuluString()`, as the doc's example shows them.
function zulu(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

function seedUser(id: number, tenantId: number, name: string, email: string, roleIds: number[], at: string): User {
  return {
    id,
    tenantId,
    name,
    email,
    password: hash(`secret-${id}-pass`),
    title: null,
    phone: null,
    emergency_contact_name: null,
    emergency_contact_surname: null,
    emergency_contact_phone_number: null,
    blood_group: null,
    language: ['English'],
    avatar_url: null,
    is_active: true,
    bio: null,
    last_login_at: at,
    last_login_ip: '10.0.4.17',
    created_at: at,
    updated_at: at,
    deleted_at: null,
    role_ids: roleIds,
  }
}

function resource(user: User, leakPassword: boolean): { [key: string]: Json } {
  const out: { [key: string]: Json } = {
    id: user.id,
    name: user.name,
    email: user.email,
    title: user.title,
    phone: user.phone,
    emergency_contact_name: user.emergency_contact_name,
    emergency_contact_surname: user.emergency_contact_surname,
    emergency_contact_phone_number: user.emergency_contact_phone_number,
    blood_group: user.blood_group,
    language: user.language === null ? null : [...user.language],
    avatar_url: user.avatar_url,
    is_active: user.is_active,
    bio: user.bio,
    last_login_at: user.last_login_at,
    last_login_ip: user.last_login_ip,
    created_at: user.created_at,
    updated_at: user.updated_at,
    deleted_at: user.deleted_at,
    roles: user.role_ids.map((id) => {
      const role = ROLES.find((r) => r.id === id)
      return { id, name: role ? role.name : 'unknown' }
    }),
  }
  if (leakPassword) out.password = user.password
  return out
}

function send(res: ServerResponse, status: number, body: Json): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' })
  res.end(text)
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

const chars = (s: string): number => [...s].length
const label = (field: string): string => field.replace(/_/g, ' ')
const isObject = (v: Json | undefined): v is { [key: string]: Json } => typeof v === 'object' && v !== null && !Array.isArray(v)

// Laravel's `email` rule (RFC, no DNS): anything with a local part, an @ and a domain.
const EMAIL = /^[^\s@"]+@[^\s@.][^\s@]*$/
// assumed: the emergency contact number gets a light format check; the user's own phone does not.
const PHONE = /^\+?[0-9][0-9 ()-]*$/
const LANGUAGES = ['Turkish', 'English', 'Other']

type Errors = Map<string, string[]>

function add(errors: Errors, field: string, message: string): void {
  const list = errors.get(field)
  if (list) list.push(message)
  else errors.set(field, [message])
}

interface Rules {
  max?: number
  min?: number
  nullable: boolean
}

function validate(body: { [key: string]: Json }, self: User, users: User[], breaks: ReadonlySet<string>): Errors {
  const errors: Errors = new Map()
  const nullable = (yes: boolean): boolean => yes && !breaks.has('body.nullable')
  const limits = !breaks.has('body.limits')

  const str = (field: string, rules: Rules): string | null | undefined => {
    if (!(field in body)) return undefined
    const value = body[field]
    if (value === null) {
      if (rules.nullable) return null
      add(errors, field, `The ${label(field)} field must be a string.`)
      return undefined
    }
    if (typeof value !== 'string') {
      add(errors, field, `The ${label(field)} field must be a string.`)
      return undefined
    }
    if (rules.min !== undefined && chars(value) < rules.min)
      add(errors, field, `The ${label(field)} field must be at least ${rules.min} characters.`)
    if (limits && rules.max !== undefined && chars(value) > rules.max)
      add(errors, field, `The ${label(field)} field must not be greater than ${rules.max} characters.`)
    return value
  }

  str('name', { max: 255, nullable: false })
  const email = str('email', { max: 255, nullable: false })
  if (typeof email === 'string') {
    if (!EMAIL.test(email)) add(errors, 'email', 'The email field must be a valid email address.')
    // assumed: uniqueness as MySQL's default collation sees it (case-insensitive), ignoring the user itself.
    else if (users.some((u) => u.id !== self.id && u.email.toLowerCase() === email.toLowerCase()))
      add(errors, 'email', 'The email has already been taken.')
  }
  const password = str('password', { min: 8, nullable: false })
  str('password_confirmation', { min: 8, nullable: false })
  if (typeof password === 'string' && !breaks.has('body.confirmed') && body.password_confirmation !== password)
    add(errors, 'password', 'The password field confirmation does not match.')
  // assumed: the user's phone is free text up to 20 characters, no format check.
  str('phone', { max: 20, nullable: nullable(true) })
  str('title', { max: 255, nullable: nullable(true) })
  str('emergency_contact_name', { max: 255, nullable: nullable(true) })
  str('emergency_contact_surname', { max: 255, nullable: nullable(true) })
  const ecPhone = str('emergency_contact_phone_number', { max: 20, nullable: nullable(true) })
  if (typeof ecPhone === 'string' && !PHONE.test(ecPhone))
    add(errors, 'emergency_contact_phone_number', 'The emergency contact phone number is not a valid phone number.')
  // assumed: blood_group is not checked against a list of blood groups, only its length.
  str('blood_group', { max: 10, nullable: nullable(true) })
  const avatar = str('avatar_url', { max: 1000, nullable: nullable(true) })
  // assumed: avatar_url must be an http(s) URL (Laravel `url` rule).
  if (typeof avatar === 'string' && !/^https?:\/\/[^\s/$.?#][^\s]*$/i.test(avatar))
    add(errors, 'avatar_url', 'The avatar url field must be a valid URL.')
  str('bio', { max: 1000, nullable: nullable(true) })

  if ('is_active' in body) {
    const v = body.is_active
    // assumed: only JSON booleans; Laravel's looser 1/"1"/"true" forms are refused here.
    if (!(typeof v === 'boolean' || (v === null && nullable(true)))) add(errors, 'is_active', 'The is active field must be true or false.')
  }

  if ('language' in body) {
    const v = body.language
    if (v === null) {
      if (!nullable(true)) add(errors, 'language', 'The language field must be an array.')
    } else if (!Array.isArray(v)) add(errors, 'language', 'The language field must be an array.')
    else {
      v.forEach((item, i) => {
        if (typeof item !== 'string' || !LANGUAGES.includes(item)) add(errors, `language.${i}`, `The selected language.${i} is invalid.`)
        // assumed: a language listed twice is refused (Laravel `distinct`).
        else if (v.indexOf(item) !== i) add(errors, `language.${i}`, `The language.${i} field has a duplicate value.`)
      })
    }
  }

  if ('role_ids' in body) {
    const v = body.role_ids
    if (v === null) {
      if (!nullable(true)) add(errors, 'role_ids', 'The role ids field must be an array.')
    } else if (!Array.isArray(v)) add(errors, 'role_ids', 'The role ids field must be an array.')
    else {
      v.forEach((item, i) => {
        // assumed: role ids must be JSON integers; "3" as a string is refused.
        if (typeof item !== 'number' || !Number.isInteger(item)) add(errors, `role_ids.${i}`, `The role_ids.${i} field must be an integer.`)
        // assumed: unknown role ids are refused (`exists:roles,id`).
        else if (!ROLES.some((r) => r.id === item)) add(errors, `role_ids.${i}`, `The selected role_ids.${i} is invalid.`)
      })
    }
  }
  return errors
}

interface Token {
  userId: number
}

export async function start(options?: { breaks?: readonly string[] }): Promise<Standin> {
  const breaks = new Set(options?.breaks ?? [])
  const at = '2025-03-11T09:12:44Z'
  const users: User[] = [
    seedUser(3, 1, 'Ayşe Demir', 'ayse.demir@acme-clinic.test', [1], at),
    seedUser(7, 1, 'Mehmet Kaya', 'mehmet.kaya@acme-clinic.test', [3], at),
    seedUser(8, 1, 'Zeynep Aksoy', 'zeynep.aksoy@acme-clinic.test', [3, 4], at),
    seedUser(31, 2, 'Lars Olsen', 'lars@nordic-care.test', [1], at),
    seedUser(32, 2, 'Ingrid Berg', 'ingrid@nordic-care.test', [3], at),
  ]
  const tokens = new Map<string, Token>([
    ['1|flx_actor_Lq8nW2zT5cV7bX9', { userId: 3 }],
    ['2|flx_peer_Hk3mR6pY1sD4fG8', { userId: 7 }],
    ['3|flx_foreign_Ua9eQ2wE5rT7yU1', { userId: 31 }],
  ])
  const isAdmin = (u: User): boolean => u.role_ids.includes(1)

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => send(res, 500, { message: 'Server Error' }))
  })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req)
    const url = new URL(req.url ?? '/', 'http://localhost')
    const match = /^\/api\/v1\/users\/([^/]+)\/?$/.exec(url.pathname)
    if (!match) return send(res, 404, { message: 'The route ' + url.pathname.replace(/^\//, '') + ' could not be found.' })
    // assumed: Route::apiResource, so PATCH is routed like PUT.
    if (req.method !== 'PUT' && req.method !== 'PATCH')
      return send(res, 405, {
        message: `The ${req.method ?? 'GET'} method is not supported for route ${url.pathname.slice(1)}. Supported methods: PUT, PATCH.`,
      })

    // auth:sanctum
    const header = req.headers.authorization ?? ''
    const bearer = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim()
    let me = bearer ? users.find((u) => u.id === tokens.get(bearer)?.userId) : undefined
    if (!me && breaks.has('auth.required')) me = users[0] // bug: route left outside the auth group, falls back to the first user
    if (!me) return send(res, 401, { message: 'Unauthenticated.' })

    // X-Tenant: defaults to the token owner's tenant.
    let tenantId = me.tenantId
    const xTenant = req.headers['x-tenant']
    if (typeof xTenant === 'string' && xTenant !== '') {
      // assumed: a non-numeric X-Tenant is a 400 with our own wording.
      if (!/^\d+$/.test(xTenant)) return send(res, 400, { message: 'The X-Tenant header must be a tenant id.' })
      tenantId = Number(xTenant)
      // assumed: a token used under a tenant it does not belong to is 403, own wording.
      if (tenantId !== me.tenantId && !breaks.has('tenant.isolation'))
        return send(res, 403, { message: 'You do not have access to this tenant.' })
    }

    const idText = match[1] ?? ''
    // Route model binding with whereNumber('id') and the tenant global scope: another tenant's user is a 404.
    const target = /^\d+$/.test(idText)
      ? users.find((u) => u.id === Number(idText) && u.deleted_at === null && (breaks.has('tenant.isolation') || u.tenantId === tenantId))
      : undefined
    if (!target) return send(res, 404, { message: `No query results for model [App\\Models\\User] ${idText}` })

    // assumed: UserPolicy@update: admins update anyone in their tenant, others only themselves (403, framework text).
    if (target.id !== me.id && !isAdmin(me)) return send(res, 403, { message: 'This action is unauthorized.' })

    let body: { [key: string]: Json } = {}
    if (raw.trim() !== '') {
      try {
        const parsed = JSON.parse(raw) as Json
        // assumed: like Laravel, a body that is not a JSON object is read as no input at all.
        if (isObject(parsed)) body = parsed
      } catch {
        body = {}
      }
    }

    // Laravel's global TrimStrings + ConvertEmptyStringsToNull middleware (passwords are not trimmed).
    // assumed: so " " or "" becomes null: cleared on nullable fields, "must be a string" on the others.
    for (const [key, value] of Object.entries(body)) {
      if (typeof value !== 'string') continue
      const trimmed = key === 'password' || key === 'password_confirmation' ? value : value.trim()
      body[key] = trimmed === '' ? null : trimmed
    }

    const errors = validate(body, target, users, breaks)
    if (errors.size > 0) {
      const first = [...errors.values()][0]?.[0] ?? 'The given data was invalid.'
      const count = [...errors.values()].reduce((n, list) => n + list.length, 0) - 1
      const message = count > 0 ? `${first} (and ${count} more error${count === 1 ? '' : 's'})` : first
      return send(res, 422, { message, errors: Object.fromEntries(errors) })
    }

    const next: User = { ...target, language: target.language ? [...target.language] : null, role_ids: [...target.role_ids] }
    const strings = [
      'name',
      'email',
      'title',
      'phone',
      'emergency_contact_name',
      'emergency_contact_surname',
      'emergency_contact_phone_number',
      'blood_group',
      'avatar_url',
      'bio',
    ] as const
    let changed = false
    for (const field of strings) {
      // bug for response.echo: `bio` missing from $fillable, silently dropped.
      if (field === 'bio' && breaks.has('response.echo')) continue
      if (field in body) {
        const v = body[field]
        const value = typeof v === 'string' ? v : null
        if (field === 'name' || field === 'email') {
          if (typeof v === 'string' && v !== next[field]) {
            // assumed: e-mail stored exactly as sent (no lower-casing).
            next[field] = v
            changed = true
          }
        } else if (next[field] !== value) {
          next[field] = value
          changed = true
        }
      }
    }
    if ('password' in body && typeof body.password === 'string') {
      next.password = hash(body.password)
      changed = true
    }
    if ('is_active' in body) {
      const v = body.is_active
      const value = typeof v === 'boolean' ? v : null
      if (value !== next.is_active) changed = true
      next.is_active = value
    }
    if ('language' in body) {
      const v = body.language
      next.language = Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : null
      changed = true
    }
    if ('role_ids' in body) {
      const v = body.role_ids
      // assumed: role_ids null detaches every role (sync([])).
      next.role_ids = Array.isArray(v) ? [...new Set(v.filter((x): x is number => typeof x === 'number'))] : []
      changed = true
    }
    if (changed) {
      let now = zulu(new Date())
      if (now <= target.updated_at) now = zulu(new Date(Date.parse(target.updated_at) + 1000))
      next.updated_at = now
    }
    if (!breaks.has('update.persists')) {
      const index = users.indexOf(target)
      users[index] = next
    }
    const data = resource(next, breaks.has('response.no-password'))
    // bug for response.shape: the envelope key is `message`, not `success`.
    if (breaks.has('response.shape')) return send(res, 200, { message: 'User updated successfully.', data })
    send(res, 200, { success: 'User updated successfully.', data })
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    accounts: {
      actor: { userId: 3, token: '1|flx_actor_Lq8nW2zT5cV7bX9', email: 'ayse.demir@acme-clinic.test', tenant: 1, role: 'admin' },
      peer: { userId: 7, token: '2|flx_peer_Hk3mR6pY1sD4fG8', email: 'mehmet.kaya@acme-clinic.test', tenant: 1, role: 'agent' },
      foreign: { userId: 31, token: '3|flx_foreign_Ua9eQ2wE5rT7yU1', email: 'lars@nordic-care.test', tenant: 2, role: 'admin' },
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((err) => (err ? reject(err) : resolve()))
      }),
  }
}
