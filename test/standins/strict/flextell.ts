/**
 * Strict stand-in for flextell: `PUT /api/v1/users/{id}` (a Laravel app).
 *
 * Written from the vendor's API page alone. Where the page is silent, this server does what
 * Laravel does when configured at its strictest plausible setting; every such choice carries a
 * one-line "assumed:" comment.
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
  'tenant.isolation',
  'body.limits',
  'body.nullable',
  'body.confirmed',
  'response.shape',
  'response.echo',
  'response.no-password',
  'update.persists',
]

type Obj = Record<string, unknown>
type Errors = Record<string, string[]>

// assumed: the 1 MiB limit is Laravel's ValidatePostSize with post_max_size=1M (answers 413 before routing).
const BODY_LIMIT = 1024 * 1024

interface Role {
  id: number
  tenant: number
  name: string
}
interface User {
  id: number
  tenant: number
  /** Plain columns that the UserResource shows, keyed by their wire names. */
  attrs: Obj
  passwordHash: string
  roleIds: number[]
  lastLoginAt: string | null
  lastLoginIp: string | null
  createdAt: string
  updatedAt: string
  deletedAt: string | null
}
interface Token {
  token: string
  userId: number
  scopes: readonly string[]
}

/** Columns the body may set directly (password and role_ids are handled apart). */
const PLAIN = [
  'name',
  'email',
  'phone',
  'title',
  'emergency_contact_name',
  'emergency_contact_surname',
  'emergency_contact_phone_number',
  'blood_group',
  'avatar_url',
  'is_active',
  'bio',
  'language',
] as const
/** Every body field the doc lists, in the doc's order. */
const BODY_FIELDS = [
  'name',
  'email',
  'password',
  'password_confirmation',
  'phone',
  'title',
  'emergency_contact_name',
  'emergency_contact_surname',
  'emergency_contact_phone_number',
  'blood_group',
  'avatar_url',
  'is_active',
  'bio',
  'language',
  'role_ids',
] as const
const LANGUAGES = ['Turkish', 'English', 'Other'] as const

// ---------------------------------------------------------------------------------------------
// helpers

function sha(label: string): string {
  return crypto.createHash('sha256').update(label).digest('hex')
}

const SCRYPT = { N: 16384, r: 8, p: 1 } as const
function hashPassword(password: string, salt: Buffer = crypto.randomBytes(16)): string {
  const key = crypto.scryptSync(password, salt, 32, SCRYPT)
  return `$scrypt$N=${SCRYPT.N},r=${SCRYPT.r},p=${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`
}

/** Seed hashes are computed once per process (deterministic salt), so start() stays cheap. */
const seedHashCache = new Map<string, string>()
function seedHash(email: string, password: string): string {
  const k = `${email}\u0000${password}`
  let h = seedHashCache.get(k)
  if (h === undefined) {
    h = hashPassword(password, Buffer.from(sha(`flextell-salt:${email}`).slice(0, 32), 'hex'))
    seedHashCache.set(k, h)
  }
  return h
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function has(o: Obj, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k)
}

/** Laravel-style timestamp as the doc shows it (no fraction of a second). */
function stamp(d: Date = new Date()): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** Multibyte length, as mb_strlen counts it. */
function mbLen(s: string): number {
  return [...s].length
}

// assumed: `email` is validated as strictly as Laravel allows (email:rfc,strict,filter + a dot-separated domain with an alphabetic TLD, ASCII only).
const EMAIL_LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/
const EMAIL_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/
function isEmail(s: string, lengthLimits = true): boolean {
  if (lengthLimits && s.length > 254) return false
  const at = s.lastIndexOf('@')
  if (at <= 0 || at === s.length - 1) return false
  const local = s.slice(0, at)
  const domain = s.slice(at + 1)
  if ((lengthLimits && local.length > 64) || !EMAIL_LOCAL.test(local)) return false
  const labels = domain.split('.')
  if (labels.length < 2) return false
  if (!labels.every((l) => EMAIL_LABEL.test(l) || (!lengthLimits && /^[A-Za-z0-9-]+$/.test(l) && !l.startsWith('-') && !l.endsWith('-'))))
    return false
  return /^[A-Za-z]{2,63}$/.test(labels[labels.length - 1] ?? '')
}

interface BodyResult {
  tooLarge: boolean
  body: Buffer
}
function readBody(req: http.IncomingMessage): Promise<BodyResult> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'])
    let tooLarge = Number.isFinite(declared) && declared > BODY_LIMIT
    let size = 0
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > BODY_LIMIT) tooLarge = true
      if (!tooLarge) chunks.push(c)
    })
    req.on('end', () => resolve({ tooLarge, body: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks) }))
    req.on('error', reject)
  })
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body)
  res.writeHead(status, {
    ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    'Cache-Control': 'no-cache, private',
    'Content-Length': String(Buffer.byteLength(text)),
    ...headers,
  })
  res.end(text)
}

// ---------------------------------------------------------------------------------------------
// data

interface State {
  roles: Role[]
  users: User[]
  tokens: Token[]
}

interface Seed {
  id: number
  tenant: number
  name: string
  email: string
  password: string
  roleIds: number[]
  deleted?: boolean
  attrs?: Obj
}
const SEEDS: readonly Seed[] = [
  {
    id: 1,
    tenant: 1,
    name: 'Ada Admin',
    email: 'ada.admin@flextell.example',
    password: 'ada-Secret-1',
    roleIds: [1],
    attrs: { title: 'Operations Lead', phone: '+905301112233', language: ['Turkish', 'English'], blood_group: 'A+' },
  },
  { id: 2, tenant: 1, name: 'Peter Peer', email: 'peter.peer@flextell.example', password: 'peter-Secret-2', roleIds: [3] },
  {
    id: 3,
    tenant: 1,
    name: 'Dora Deleted',
    email: 'dora.deleted@flextell.example',
    password: 'dora-Secret-3',
    roleIds: [3],
    deleted: true,
  },
  { id: 12, tenant: 2, name: 'Fiona Foreign', email: 'fiona.foreign@other-tenant.example', password: 'fiona-Secret-12', roleIds: [4] },
  { id: 21, tenant: 2, name: 'Gus Guest', email: 'gus.guest@other-tenant.example', password: 'gus-Secret-21', roleIds: [5] },
]

function seedState(): State {
  const roles: Role[] = [
    { id: 1, tenant: 1, name: 'Admin' },
    { id: 2, tenant: 1, name: 'Dispatcher' },
    { id: 3, tenant: 1, name: 'Agent' },
    { id: 4, tenant: 2, name: 'Admin' },
    { id: 5, tenant: 2, name: 'Agent' },
  ]
  const users: User[] = SEEDS.map((s) => ({
    id: s.id,
    tenant: s.tenant,
    attrs: {
      name: s.name,
      email: s.email,
      title: null,
      phone: null,
      emergency_contact_name: null,
      emergency_contact_surname: null,
      emergency_contact_phone_number: null,
      blood_group: null,
      language: null,
      avatar_url: null,
      is_active: !s.deleted,
      bio: null,
      ...(s.attrs ?? {}),
    },
    passwordHash: seedHash(s.email, s.password),
    roleIds: [...s.roleIds],
    lastLoginAt: '2024-05-02T08:15:00Z',
    lastLoginIp: '10.0.0.' + String(s.id),
    createdAt: '2024-01-15T10:30:00Z',
    updatedAt: '2024-04-01T09:00:00Z',
    deletedAt: s.deleted ? '2024-04-20T12:00:00Z' : null,
  }))
  // assumed: access tokens carry OAuth scopes fixed at issuance; "users.manage" lets a token update any user of its tenant.
  const tokens: Token[] = [
    { token: tokenFor('actor'), userId: 1, scopes: ['users.manage'] },
    { token: tokenFor('peer'), userId: 2, scopes: [] },
    { token: tokenFor('foreign'), userId: 12, scopes: ['users.manage'] },
    { token: tokenFor('gus'), userId: 21, scopes: [] },
  ]
  return { roles, users, tokens }
}

function tokenFor(who: string): string {
  return sha(`flextell-token:${who}`).slice(0, 48)
}

function clone(u: User): User {
  return {
    ...u,
    attrs: Object.fromEntries(Object.entries(u.attrs).map(([k, v]) => [k, Array.isArray(v) ? [...(v as unknown[])] : v])),
    roleIds: [...u.roleIds],
  }
}

// ---------------------------------------------------------------------------------------------
// validation (Laravel FormRequest rules, strict reading)

interface Ctx {
  target: User
  state: State
  breaks: ReadonlySet<string>
}

function attrName(k: string): string {
  return k.includes('.') ? k : k.replace(/_/g, ' ')
}

function validate(input: Obj, ctx: Ctx): Errors {
  const errors: Errors = {}
  const add = (k: string, m: string): void => {
    ;(errors[k] ??= []).push(m)
  }
  const limits = !ctx.breaks.has('body.limits')
  const nullsAllowed = !ctx.breaks.has('body.nullable')

  /** sometimes|[required]|[nullable]|string|[min]|[max]; bails at the first failure. Returns the string when it passed. */
  const str = (k: string, o: { max?: number; min?: number; nullable?: boolean; required?: boolean }): string | undefined => {
    if (!has(input, k)) return undefined
    const v = input[k]
    const a = attrName(k)
    if (v === null) {
      if (o.nullable && nullsAllowed) return undefined
      if (o.required) add(k, `The ${a} field is required.`)
      else add(k, `The ${a} must be a string, not null.`)
      return undefined
    }
    // assumed: TrimStrings/ConvertEmptyStringsToNull are off (no coercion), but a blank value still fails `required`.
    if (o.required && typeof v === 'string' && v.trim() === '') {
      add(k, `The ${a} field is required.`)
      return undefined
    }
    if (typeof v !== 'string') {
      if (limits) add(k, `The ${a} must be a string.`)
      return undefined
    }
    if (o.min !== undefined && mbLen(v) < o.min) {
      add(k, `The ${a} must be at least ${o.min} characters long.`)
      return undefined
    }
    if (limits && o.max !== undefined && mbLen(v) > o.max) {
      add(k, `The ${a} may not be longer than ${o.max} characters.`)
      return undefined
    }
    return v
  }

  // name: string, max 255 (doc). assumed: a present name must not be blank or null (it is not documented as nullable).
  str('name', { max: 255, required: true })

  // email: string<email>, max 255 (doc). assumed: unique among all users (soft-deleted ones too), compared case-insensitively.
  const email = str('email', { max: 255, required: true })
  if (email !== undefined) {
    if (!isEmail(email, limits)) add('email', 'The email must be a valid email address.')
    else if (ctx.state.users.some((u) => u.id !== ctx.target.id && String(u.attrs['email']).toLowerCase() === email.toLowerCase())) {
      add('email', 'The email is already in use by another account.')
    }
  }

  // password: min 8 (doc); password_confirmation must match it (doc).
  const password = str('password', { min: 8, required: true })
  if (password !== undefined && !ctx.breaks.has('body.confirmed')) {
    // assumed: a missing confirmation fails the `confirmed` rule just like a different one (Laravel's behaviour), reported on `password`.
    if (input['password_confirmation'] !== password) add('password', 'The password confirmation does not match the password.')
  }
  // assumed: password_confirmation is a string (never null) of at least 8 characters whenever it is sent.
  str('password_confirmation', { min: 8 })

  str('phone', { max: 20, nullable: true })
  str('title', { max: 255, nullable: true })
  str('emergency_contact_name', { max: 255, nullable: true })
  str('emergency_contact_surname', { max: 255, nullable: true })
  str('emergency_contact_phone_number', { max: 20, nullable: true })
  // assumed: blood_group is free text (the doc gives no list), only its length is checked.
  str('blood_group', { max: 10, nullable: true })
  // assumed: avatar_url is only checked as a string of at most 1000 characters (the doc gives no URL format).
  str('avatar_url', { max: 1000, nullable: true })

  if (has(input, 'is_active')) {
    const v = input['is_active']
    if (v === null) {
      if (!nullsAllowed) add('is_active', 'The is active field must be true or false, not null.')
    } else if (typeof v !== 'boolean' && limits) {
      // assumed: strict booleans only; Laravel's 1/0/"1"/"0" coercion is refused.
      add('is_active', 'The is active field must be true or false.')
    }
  }

  str('bio', { max: 1000, nullable: true })

  if (has(input, 'language')) {
    const v = input['language']
    if (v === null) {
      if (!nullsAllowed) add('language', 'The language must be a list, not null.')
    } else if (!Array.isArray(v)) {
      // assumed: `list` rule — a JSON object is not accepted as an array.
      if (limits) add('language', 'The language must be a list.')
    } else {
      const seen = new Set<string>()
      v.forEach((item, i) => {
        const k = `language.${i}`
        if (limits && (typeof item !== 'string' || !(LANGUAGES as readonly string[]).includes(item))) {
          add(k, `The selected ${k} is not one of: ${LANGUAGES.join(', ')}.`)
          return
        }
        // assumed: `distinct` — the same language may not be listed twice.
        const key = JSON.stringify(item)
        if (seen.has(key)) add(k, `The ${k} field has a duplicate value.`)
        seen.add(key)
      })
    }
  }

  if (has(input, 'role_ids')) {
    const v = input['role_ids']
    if (v === null) {
      if (!nullsAllowed) add('role_ids', 'The role ids must be a list, not null.')
    } else if (!Array.isArray(v)) {
      if (limits) add('role_ids', 'The role ids must be a list.')
    } else {
      const seen = new Set<string>()
      v.forEach((item, i) => {
        const k = `role_ids.${i}`
        // assumed: integer:strict — numeric strings and floats are refused.
        if (!Number.isInteger(item)) {
          if (limits) {
            add(k, `The ${k} must be an integer.`)
            return
          }
        }
        const id = Number(item)
        // assumed: roles exist per tenant; a role of another tenant does not exist for this user.
        if (!ctx.state.roles.some((r) => r.id === id && r.tenant === ctx.target.tenant)) {
          add(k, `The selected ${k} does not exist.`)
          return
        }
        if (seen.has(String(id))) add(k, `The ${k} field has a duplicate value.`)
        seen.add(String(id))
      })
    }
  }

  // assumed: unknown top-level fields are refused (strict FormRequest), each under its own key.
  for (const k of Object.keys(input)) {
    if (!(BODY_FIELDS as readonly string[]).includes(k)) add(k, `The ${k} field is not accepted by this endpoint.`)
  }
  return errors
}

function summarize(errors: Errors): string {
  const all = Object.values(errors).flat()
  const first = all[0] ?? 'The given data was invalid.'
  const more = all.length - 1
  return more > 0 ? `${first} (and ${more} more ${more === 1 ? 'error' : 'errors'})` : first
}

// ---------------------------------------------------------------------------------------------
// resource

function serialize(u: User, state: State): Obj {
  const a = u.attrs
  const lang = a['language']
  return {
    id: u.id,
    name: a['name'],
    email: a['email'],
    title: a['title'],
    phone: a['phone'],
    emergency_contact_name: a['emergency_contact_name'],
    emergency_contact_surname: a['emergency_contact_surname'],
    emergency_contact_phone_number: a['emergency_contact_phone_number'],
    blood_group: a['blood_group'],
    language: Array.isArray(lang) ? [...(lang as unknown[])] : lang,
    avatar_url: a['avatar_url'],
    is_active: a['is_active'],
    bio: a['bio'],
    last_login_at: u.lastLoginAt,
    last_login_ip: u.lastLoginIp,
    created_at: u.createdAt,
    updated_at: u.updatedAt,
    deleted_at: u.deletedAt,
    roles: u.roleIds
      .map((id) => state.roles.find((r) => r.id === id))
      .filter((r): r is Role => r !== undefined)
      .sort((x, y) => x.id - y.id)
      .map((r) => ({ id: r.id, name: r.name })),
  }
}

// ---------------------------------------------------------------------------------------------
// server

const ROUTE = /^\/api\/v1\/users\/([^/]+)\/?$/

export async function start(options: { breaks?: readonly string[] } = {}): Promise<Standin> {
  const unknown = (options.breaks ?? []).filter((b) => !breakable.includes(b))
  if (unknown.length > 0) throw new Error(`flextell stand-in cannot break: ${unknown.join(', ')}`)
  const breaks: ReadonlySet<string> = new Set(options.breaks ?? [])
  const state = seedState()

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const { tooLarge, body } = await readBody(req)
    if (tooLarge) {
      send(res, 413, { message: 'The request body is larger than the 1 MiB this API accepts.' }, { Connection: 'close' })
      return
    }
    const url = new URL(req.url ?? '/', 'http://localhost')
    const m = ROUTE.exec(url.pathname)
    // assumed: the {id} route parameter is constrained to a positive integer without leading zeros; anything else is no route (404).
    const rawId = m?.[1]
    if (rawId === undefined || !/^[1-9][0-9]{0,17}$/.test(rawId)) {
      // assumed: the API always answers JSON (Accept is forced to application/json for api/* routes).
      send(res, 404, { message: `No route matches ${url.pathname}.` })
      return
    }
    // assumed: the route is declared for PUT only (the doc's method); other methods get Laravel's 405 with an Allow header.
    if (req.method === 'OPTIONS') {
      res.writeHead(200, { Allow: 'PUT', 'Content-Length': '0' })
      res.end()
      return
    }
    if (req.method !== 'PUT') {
      send(res, 405, { message: `The ${req.method ?? ''} method is not allowed here; use PUT.` }, { Allow: 'PUT' })
      return
    }

    // --- auth (Bearer access token) ---
    const auth = req.headers['authorization'] ?? ''
    // assumed: the scheme must be exactly "Bearer " (Laravel's bearerToken() is case-sensitive).
    const presented = auth.startsWith('Bearer ') ? auth.slice(7).trim() : ''
    let token = state.tokens.find((t) => t.token === presented)
    if (token === undefined) {
      if (!breaks.has('auth.required')) {
        send(res, 401, { message: 'Unauthenticated: a valid bearer token is required.' })
        return
      }
      // auth.required broken: an anonymous caller is treated as the actor.
      token = state.tokens[0]
    }
    if (token === undefined) throw new Error('no token seeded')
    const tok = token
    const me = state.users.find((u) => u.id === tok.userId && u.deletedAt === null)
    if (me === undefined) {
      send(res, 401, { message: 'Unauthenticated: a valid bearer token is required.' })
      return
    }

    // --- body: JSON object only ---
    let input: Obj = {}
    if (body.length > 0) {
      const ct = String(req.headers['content-type'] ?? '').toLowerCase()
      // assumed: a body that is not JSON is refused with 415 (the doc only documents application/json).
      if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/.test(ct)) {
        send(res, 415, { message: 'The request body must be sent as application/json.' })
        return
      }
      let parsed: unknown
      try {
        parsed = JSON.parse(body.toString('utf8'))
      } catch {
        // assumed: malformed JSON is answered 400 instead of Laravel's silent "empty input".
        send(res, 400, { message: 'The request body is not valid JSON.' })
        return
      }
      if (!isObj(parsed)) {
        // assumed: the top-level JSON value must be an object.
        send(res, 400, { message: 'The request body must be a JSON object.' })
        return
      }
      input = parsed
    }

    // --- tenant (X-Tenant header) ---
    const isolation = !breaks.has('tenant.isolation')
    const header = req.headers['x-tenant']
    let tenant = me.tenant
    if (header !== undefined) {
      const raw = Array.isArray(header) ? header.join(',') : header
      // assumed: X-Tenant must be a plain positive integer when sent.
      if (!/^[1-9][0-9]{0,17}$/.test(raw.trim())) {
        send(res, 400, { message: 'The X-Tenant header must be a tenant id (a positive integer).' })
        return
      }
      tenant = Number(raw.trim())
    }
    // assumed: no X-Tenant means the caller's own tenant (the header is not marked required); a tenant the caller does not belong to (or that does not exist) is 403.
    if (isolation && tenant !== me.tenant) {
      send(res, 403, { message: 'You do not have access to this tenant.' })
      return
    }

    // --- route-model binding, scoped to the tenant; soft-deleted users are not bound ---
    const id = Number(rawId)
    const target = state.users.find((u) => u.id === id && u.deletedAt === null && (!isolation || u.tenant === tenant))
    if (target === undefined) {
      send(res, 404, { message: `No user with id ${rawId} was found.` })
      return
    }

    // --- authorization (FormRequest::authorize, runs before the rules) ---
    // assumed: without the users.manage scope a user may only update themself, and may not change their own role_ids or is_active.
    if (!tok.scopes.includes('users.manage')) {
      if (target.id !== me.id || has(input, 'role_ids') || has(input, 'is_active')) {
        send(res, 403, { message: 'You are not allowed to update this user.' })
        return
      }
    }

    // --- validation ---
    const errors = validate(input, { target, state, breaks })
    if (Object.keys(errors).length > 0) {
      send(res, 422, { message: summarize(errors), errors })
      return
    }

    // --- update ---
    const before = clone(target)
    const after = clone(target)
    for (const k of PLAIN) {
      if (!has(input, k)) continue
      const v = input[k]
      after.attrs[k] = Array.isArray(v) ? [...(v as unknown[])] : v
    }
    if (has(input, 'password')) after.passwordHash = hashPassword(String(input['password']))
    if (has(input, 'role_ids')) {
      const ids = input['role_ids']
      // assumed: role_ids: null detaches every role (sync([])).
      after.roleIds = Array.isArray(ids) ? [...new Set(ids.map((x) => Number(x)))] : []
    }
    // assumed: like Eloquent, updated_at only moves when a column of the user actually changed (a roles-only sync does not touch it).
    const dirty = JSON.stringify(after.attrs) !== JSON.stringify(before.attrs) || after.passwordHash !== before.passwordHash
    if (dirty) after.updatedAt = stamp()
    if (!breaks.has('update.persists')) {
      Object.assign(target, after)
    }

    const data = serialize(after, state)
    if (breaks.has('response.echo')) {
      const old = serialize(before, state)
      for (const k of Object.keys(input)) if (has(data, k) && has(old, k)) data[k] = old[k]
      if (has(input, 'role_ids')) data['roles'] = old['roles']
    }
    if (breaks.has('response.shape')) delete data['email']
    if (breaks.has('response.no-password')) data['password'] = after.passwordHash
    // assumed: `success` carries a human-readable confirmation sentence.
    send(res, 200, { success: 'User updated successfully.', data })
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, { message: 'Server Error' })
      else res.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  const account = (id: number, who: string): StandinAccount => {
    const u = state.users.find((x) => x.id === id)
    if (u === undefined) throw new Error(`seed user ${id} missing`)
    return { userId: u.id, token: tokenFor(who), email: String(u.attrs['email']), tenant: u.tenant }
  }
  return {
    url: `http://127.0.0.1:${port}`,
    accounts: { actor: account(1, 'actor'), peer: account(2, 'peer'), foreign: account(12, 'foreign') },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()))
        server.closeAllConnections()
      }),
  }
}
