/**
 * Strict stand-in for medibulut: `PATCH /:tenantId/users/:id` (a Laravel app).
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
  'tenant.isolation',
  'body.role-required',
  'body.role',
  'body.limits',
  'body.confirmed',
  'validation.status',
  'validation.summary',
  'response.shape',
  'response.echo',
  'response.no-password',
  'update.persists',
]

type Obj = Record<string, unknown>
type Errors = Record<string, string[]>

// assumed: ValidatePostSize with post_max_size=1M answers 413 before routing.
const BODY_LIMIT = 1024 * 1024

/** Role slugs (doc: "2: Admin, 3: Specialist, 4: Personnel"; the examples send and return the slug). */
const ROLES = ['admin', 'specialist', 'personnel'] as const
/** Permission names the doc lists. assumed: this list is exhaustive. */
const PERMISSIONS = [
  'appointments.manage',
  'patients.manage',
  'patient-groups.manage',
  'services.manage',
  'users.manage',
  'reports.view',
  'finance.manage',
  'settings.manage',
  'working-hours.manage',
] as const
/** Body fields: the doc's schema table plus `id` and `name`, which the doc's request example sends. */
const BODY_FIELDS = [
  'first_name',
  'last_name',
  'mobile',
  'phone',
  'email',
  'password',
  'password_confirmation',
  'status',
  'photo',
  'identity_number',
  'bonus_rate',
  'color',
  'role_id',
  'permissions',
  'authorized_users',
  'service_ids',
  'id',
  'name',
] as const

interface Tenant {
  id: number
  name: string
}
interface Service {
  id: number
  tenant: number
  name: string
}
interface User {
  id: number
  tenant: number
  /** Columns in the resource, keyed by wire name (bonus_rate kept as sent, rendered with 2 decimals). */
  attrs: Obj
  passwordHash: string
}
interface Token {
  token: string
  userId: number
  abilities: readonly string[]
}
interface State {
  tenants: Tenant[]
  services: Service[]
  users: User[]
  tokens: Token[]
}

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
const seedHashes = new Map<string, string>()
function seedHash(email: string, password: string): string {
  const k = `${email}\u0000${password}`
  let h = seedHashes.get(k)
  if (h === undefined) {
    h = hashPassword(password, Buffer.from(sha(`medibulut-salt:${email}`).slice(0, 32), 'hex'))
    seedHashes.set(k, h)
  }
  return h
}
function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
function has(o: Obj, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k)
}
function mbLen(s: string): number {
  return [...s].length
}

// assumed: email:rfc,strict,filter — dot-atom local part, dot-separated domain with an alphabetic TLD, ASCII only.
const EMAIL_LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/
const EMAIL_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/
function isEmail(s: string, lengthLimits = true): boolean {
  if (lengthLimits && s.length > 254) return false
  const at = s.lastIndexOf('@')
  if (at <= 0 || at === s.length - 1) return false
  const local = s.slice(0, at)
  const labels = s.slice(at + 1).split('.')
  if ((lengthLimits && local.length > 64) || !EMAIL_LOCAL.test(local)) return false
  if (labels.length < 2) return false
  if (!labels.every((l) => EMAIL_LABEL.test(l) || (!lengthLimits && /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/.test(l)))) return false
  return /^[A-Za-z]{2,63}$/.test(labels[labels.length - 1] ?? '')
}

function readBody(req: http.IncomingMessage): Promise<{ tooLarge: boolean; body: Buffer }> {
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

interface Seed {
  id: number
  tenant: number
  email: string
  first: string
  last: string
  role: (typeof ROLES)[number]
  password: string
  mobile: string
  color: string
  bonus: number
  permissions: string[]
  authorized: number[]
  services: number[]
}
const SEEDS: readonly Seed[] = [
  {
    id: 1,
    tenant: 12,
    email: 'ayse.yilmaz@klinik-12.example',
    first: 'Ayşe',
    last: 'Yılmaz',
    role: 'admin',
    password: 'Klinik2024secret',
    mobile: '+905555555501',
    color: '#c00',
    bonus: 15,
    permissions: [...PERMISSIONS],
    authorized: [2, 11],
    services: [1],
  },
  {
    id: 2,
    tenant: 12,
    email: 'mehmet.demir@klinik-12.example',
    first: 'Mehmet',
    last: 'Demir',
    role: 'specialist',
    password: 'Dentist2024secret',
    mobile: '+905555555502',
    color: '#0a7',
    bonus: 10,
    permissions: ['appointments.manage', 'patients.manage'],
    authorized: [],
    services: [1, 2],
  },
  {
    id: 11,
    tenant: 12,
    email: 'zeynep.kaya@klinik-12.example',
    first: 'Zeynep',
    last: 'Kaya',
    role: 'personnel',
    password: 'Reception2024secret',
    mobile: '+905555555511',
    color: '#36c',
    bonus: 0,
    permissions: ['appointments.manage'],
    authorized: [],
    services: [],
  },
  {
    id: 12,
    tenant: 21,
    email: 'ali.celik@klinik-21.example',
    first: 'Ali',
    last: 'Çelik',
    role: 'admin',
    password: 'Other2024secret',
    mobile: '+905555555512',
    color: '#900',
    bonus: 20,
    permissions: [...PERMISSIONS],
    authorized: [13],
    services: [4],
  },
  {
    id: 13,
    tenant: 21,
    email: 'elif.arslan@klinik-21.example',
    first: 'Elif',
    last: 'Arslan',
    role: 'specialist',
    password: 'Other2024secret2',
    mobile: '+905555555513',
    color: '#f80',
    bonus: 12.5,
    permissions: ['patients.manage'],
    authorized: [],
    services: [4],
  },
]

function tokenFor(who: string): string {
  return sha(`medibulut-token:${who}`).slice(0, 48)
}

function seedState(): State {
  const tenants: Tenant[] = [
    { id: 12, name: 'Klinik On İki' },
    { id: 21, name: 'Klinik Yirmi Bir' },
  ]
  const services: Service[] = [
    { id: 1, tenant: 12, name: 'Muayene' },
    { id: 2, tenant: 12, name: 'Dolgu' },
    { id: 3, tenant: 12, name: 'Kanal Tedavisi' },
    { id: 4, tenant: 21, name: 'İmplant' },
  ]
  const users: User[] = SEEDS.map((s) => ({
    id: s.id,
    tenant: s.tenant,
    attrs: {
      email: s.email,
      first_name: s.first,
      last_name: s.last,
      name: null,
      identity_number: null,
      mobile: s.mobile,
      phone: '',
      role_id: s.role,
      status: 1,
      color: s.color,
      bonus_rate: s.bonus,
      photo: null,
      authorized_users: [...s.authorized],
      permissions: [...s.permissions],
      service_ids: [...s.services],
    },
    passwordHash: seedHash(s.email, s.password),
  }))
  // assumed: Sanctum-style bearer tokens whose abilities were fixed at issuance from the holder's role (admins get users.manage).
  const tokens: Token[] = [
    { token: tokenFor('actor'), userId: 1, abilities: ['users.manage'] },
    { token: tokenFor('peer'), userId: 2, abilities: [] },
    { token: tokenFor('personnel'), userId: 11, abilities: [] },
    { token: tokenFor('foreign'), userId: 12, abilities: ['users.manage'] },
    { token: tokenFor('foreign-peer'), userId: 13, abilities: [] },
  ]
  return { tenants, services, users, tokens }
}

function clone(u: User): User {
  return { ...u, attrs: Object.fromEntries(Object.entries(u.attrs).map(([k, v]) => [k, Array.isArray(v) ? [...(v as unknown[])] : v])) }
}

/** decimal:2 cast, as the doc's "15.00". */
function renderRate(v: unknown): unknown {
  if (typeof v === 'number' && Number.isFinite(v)) return v.toFixed(2)
  if (typeof v === 'string' && /^\d+(?:\.\d+)?$/.test(v)) return Number(v).toFixed(2)
  return v
}

function serialize(u: User): Obj {
  const a = u.attrs
  const copy = (v: unknown): unknown => (Array.isArray(v) ? [...(v as unknown[])] : v)
  return {
    id: u.id,
    email: a['email'],
    first_name: a['first_name'],
    last_name: a['last_name'],
    name: a['name'],
    identity_number: a['identity_number'],
    mobile: a['mobile'],
    phone: a['phone'],
    role_id: a['role_id'],
    status: a['status'],
    color: a['color'],
    bonus_rate: renderRate(a['bonus_rate']),
    photo: a['photo'],
    authorized_users: copy(a['authorized_users']),
    permissions: copy(a['permissions']),
    service_ids: copy(a['service_ids']),
  }
}

// ---------------------------------------------------------------------------------------------
// validation (Laravel FormRequest, strict reading)

interface Ctx {
  target: User
  state: State
  breaks: ReadonlySet<string>
}

function attrName(k: string): string {
  return k.includes('.') ? k : k.replace(/_/g, ' ')
}

// assumed: phone numbers are E.164 ("including country code" in the doc; example "+905555555554").
const E164 = /^\+[1-9][0-9]{6,14}$/
// assumed: colours are #RGB or #RRGGBB (the doc's "#c00" and "Hex Code").
const HEX = /^#(?:[0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})$/

function validate(input: Obj, ctx: Ctx): Errors {
  const errors: Errors = {}
  const add = (k: string, m: string): void => {
    ;(errors[k] ??= []).push(m)
  }
  const limits = !ctx.breaks.has('body.limits')

  /** sometimes|[required]|[nullable]|string|[min]|[max]; bails at the first failure. Returns the string when it passed. */
  const str = (k: string, o: { max?: number; min?: number; nullable?: boolean; required?: boolean }): string | undefined => {
    if (!has(input, k)) return undefined
    const v = input[k]
    const a = attrName(k)
    if (v === null) {
      if (o.nullable) return undefined
      if (o.required) add(k, `The ${a} field is required.`)
      else if (limits) add(k, `The ${a} must be a string, not null.`)
      return undefined
    }
    // assumed: TrimStrings/ConvertEmptyStringsToNull are off (the doc's response keeps "phone": ""), but blanks still fail `required`.
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

  /** sometimes|list of unique items, each checked by `item` (which returns an error message or undefined). */
  const list = (k: string, item: (v: unknown, path: string) => string | undefined): void => {
    if (!has(input, k)) return
    const v = input[k]
    // assumed: arrays are not nullable (the doc never shows null for them) and must be JSON lists, not objects.
    if (!Array.isArray(v)) {
      if (limits) add(k, `The ${attrName(k)} must be a list.`)
      return
    }
    const seen = new Set<string>()
    v.forEach((x, i) => {
      const path = `${k}.${i}`
      const msg = item(x, path)
      if (msg !== undefined) {
        add(path, msg)
        return
      }
      // assumed: `distinct` on every list.
      const key = JSON.stringify(x)
      if (seen.has(key)) add(path, `The ${path} field has a duplicate value.`)
      seen.add(key)
    })
  }

  // assumed: a present first/last name may not be blank or null (the doc's 422 example shows them as required fields).
  str('first_name', { max: 255, required: true })
  str('last_name', { max: 255, required: true })

  const mobile = str('mobile', { max: 20, required: true })
  if (mobile !== undefined && !E164.test(mobile))
    add('mobile', 'The mobile must be a phone number with its country code, e.g. +905555555554.')
  // assumed: phone may be "" (the doc's example) but not null; any other value must be E.164.
  const phone = str('phone', { max: 20 })
  if (phone !== undefined && phone !== '' && !E164.test(phone))
    add('phone', 'The phone must be empty or a phone number with its country code, e.g. +905555555554.')

  // assumed: email is unique across all tenants (it is the login), compared case-insensitively.
  const email = str('email', { max: 255, required: true })
  if (email !== undefined) {
    if (!isEmail(email, limits)) add('email', 'The email must be a valid email address.')
    else if (ctx.state.users.some((u) => u.id !== ctx.target.id && String(u.attrs['email']).toLowerCase() === email.toLowerCase())) {
      add('email', 'The email is already in use by another account.')
    }
  }

  // assumed: "the required security criteria" = at least 8 characters with at least one letter and one digit.
  const password = str('password', { min: 8, required: true })
  if (password !== undefined) {
    if (!/\p{L}/u.test(password) || !/\p{N}/u.test(password))
      add('password', 'The password must contain at least one letter and one number.')
    else if (!ctx.breaks.has('body.confirmed') && input['password_confirmation'] !== password) {
      // assumed: a missing confirmation fails `confirmed` like a different one; reported on `password` as Laravel does.
      add('password', 'The password confirmation does not match the password.')
    }
  }
  str('password_confirmation', {})

  if (has(input, 'status')) {
    const v = input['status']
    // assumed: integer:strict and in:0,1 — true/false and "1"/"0" are refused.
    if (v === null) add('status', 'The status field is required.')
    else if (limits && (!Number.isInteger(v) || (v !== 0 && v !== 1))) add('status', 'The status must be 1 (active) or 0 (inactive).')
  }

  // assumed: photo is nullable; when set it is an http(s) URL or a base64 data URI of an image (the doc says both "URL" and "base64-encoded").
  const photo = str('photo', { nullable: true })
  if (photo !== undefined) {
    const dataUri = /^data:image\/(?:png|jpe?g|gif|webp|svg\+xml);base64,([A-Za-z0-9+/]+={0,2})$/.exec(photo)
    const b64ok = dataUri?.[1] !== undefined && dataUri[1].length % 4 === 0
    let urlOk = false
    if (!dataUri) {
      try {
        const u = new URL(photo)
        urlOk = (u.protocol === 'https:' || u.protocol === 'http:') && u.hostname.includes('.')
      } catch {
        urlOk = false
      }
    }
    if (!b64ok && !urlOk) add('photo', 'The photo must be an http(s) URL or a base64-encoded image data URI.')
  }

  // assumed: identity_number is nullable free text of at most 255 characters (no national format is imposed).
  str('identity_number', { max: 255, nullable: true })

  if (has(input, 'bonus_rate')) {
    const v = input['bonus_rate']
    // The doc's example sends "15.00" (a string) for this float field, so numeric strings are accepted alongside numbers.
    // assumed: numeric, between 0 and 100, at most 2 decimals, not null.
    const text = typeof v === 'number' && Number.isFinite(v) ? String(v) : typeof v === 'string' ? v : undefined
    if (v === null) add('bonus_rate', 'The bonus rate field is required.')
    else if (limits) {
      if (text === undefined || !/^\d+(?:\.\d+)?$/.test(text)) add('bonus_rate', 'The bonus rate must be a number.')
      else if (!/^\d+(?:\.\d{1,2})?$/.test(text)) add('bonus_rate', 'The bonus rate may have at most 2 decimal places.')
      else if (Number(text) > 100) add('bonus_rate', 'The bonus rate must be between 0 and 100.')
    }
  }

  const color = str('color', { max: 7, required: true })
  if (color !== undefined && !HEX.test(color)) add('color', 'The color must be a hex colour code such as #c00 or #cc0000.')

  // role_id: required (doc). assumed: a string among the role slugs; numeric ids are refused.
  if (!has(input, 'role_id')) {
    if (!ctx.breaks.has('body.role-required')) add('role_id', 'The role id field is required.')
  } else {
    const v = input['role_id']
    if (v === null || (typeof v === 'string' && v.trim() === '')) {
      if (!ctx.breaks.has('body.role-required')) add('role_id', 'The role id field is required.')
    } else if (!ctx.breaks.has('body.role')) {
      if (typeof v !== 'string') add('role_id', 'The role id must be a string.')
      else if (!(ROLES as readonly string[]).includes(v)) add('role_id', `The selected role id is not one of: ${ROLES.join(', ')}.`)
    }
  }

  list('permissions', (x, path) => {
    if (!limits) return undefined
    if (typeof x !== 'string' || !(PERMISSIONS as readonly string[]).includes(x)) return `The selected ${path} is not a known permission.`
    return undefined
  })

  // assumed: authorized_users must be users of the same tenant; service_ids must be services of the same tenant.
  list('authorized_users', (x, path) => {
    if (limits && !Number.isInteger(x)) return `The ${path} must be an integer.`
    if (!ctx.state.users.some((u) => u.id === Number(x) && u.tenant === ctx.target.tenant))
      return `The selected ${path} is not a user of this clinic.`
    return undefined
  })
  list('service_ids', (x, path) => {
    if (limits && !Number.isInteger(x)) return `The ${path} must be an integer.`
    if (!ctx.state.services.some((s) => s.id === Number(x) && s.tenant === ctx.target.tenant))
      return `The selected ${path} is not a service of this clinic.`
    return undefined
  })

  // The doc's request example echoes `id`. assumed: when sent it must be the integer id of the user being updated.
  if (has(input, 'id')) {
    const v = input['id']
    if (!Number.isInteger(v) || v !== ctx.target.id) add('id', 'The id must be the id of the user being updated.')
  }
  // The doc's request example sends `name` (null). assumed: a nullable string of at most 255 characters.
  str('name', { max: 255, nullable: true })

  // assumed: unknown top-level fields are refused (strict FormRequest).
  for (const k of Object.keys(input)) {
    if (!(BODY_FIELDS as readonly string[]).includes(k)) add(k, `The ${k} field is not accepted by this endpoint.`)
  }
  return errors
}

function summarize(errors: Errors, withCount: boolean): string {
  const all = Object.values(errors).flat()
  const first = all[0] ?? 'The given data was invalid.'
  const more = all.length - 1
  return withCount && more > 0 ? `${first} (and ${more} more ${more === 1 ? 'error' : 'errors'})` : first
}

// ---------------------------------------------------------------------------------------------
// server

const ROUTE = /^\/([^/]+)\/users\/([^/]+)\/?$/
const ID = /^[1-9][0-9]{0,17}$/

export async function start(options: { breaks?: readonly string[] } = {}): Promise<Standin> {
  const unknown = (options.breaks ?? []).filter((b) => !breakable.includes(b))
  if (unknown.length > 0) throw new Error(`medibulut stand-in cannot break: ${unknown.join(', ')}`)
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
    const rawTenant = m?.[1]
    const rawId = m?.[2]
    // assumed: both route parameters are constrained to positive integers; anything else is no route (404), always as JSON.
    if (rawTenant === undefined || rawId === undefined || !ID.test(rawTenant) || !ID.test(rawId)) {
      send(res, 404, { message: `No route matches ${url.pathname}.` })
      return
    }
    // assumed: the route is declared for PATCH only (the doc's method); other methods get a 405 with an Allow header.
    if (req.method === 'OPTIONS') {
      res.writeHead(200, { Allow: 'PATCH', 'Content-Length': '0' })
      res.end()
      return
    }
    if (req.method !== 'PATCH') {
      send(res, 405, { message: `The ${req.method ?? ''} method is not allowed here; use PATCH.` }, { Allow: 'PATCH' })
      return
    }

    // --- auth ---
    // assumed: the endpoint needs a bearer token (the doc does not mention authentication); the scheme is case-sensitive.
    const auth = req.headers['authorization'] ?? ''
    const presented = auth.startsWith('Bearer ') ? auth.slice(7).trim() : ''
    const token = state.tokens.find((t) => t.token === presented)
    const me = token === undefined ? undefined : state.users.find((u) => u.id === token.userId)
    if (token === undefined || me === undefined) {
      send(res, 401, { message: 'Unauthenticated: a valid bearer token is required.' })
      return
    }

    // --- body: JSON object only ---
    let input: Obj = {}
    if (body.length > 0) {
      const ct = String(req.headers['content-type'] ?? '').toLowerCase()
      // assumed: a body that is not JSON is refused with 415.
      if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/.test(ct)) {
        send(res, 415, { message: 'The request body must be sent as application/json.' })
        return
      }
      let parsed: unknown
      try {
        parsed = JSON.parse(body.toString('utf8'))
      } catch {
        // assumed: malformed JSON is answered 400 rather than treated as an empty body.
        send(res, 400, { message: 'The request body is not valid JSON.' })
        return
      }
      if (!isObj(parsed)) {
        send(res, 400, { message: 'The request body must be a JSON object.' })
        return
      }
      input = parsed
    }

    // --- tenant membership ---
    const isolation = !breaks.has('tenant.isolation')
    const tenantId = Number(rawTenant)
    // assumed: an unknown tenant and a tenant the caller does not belong to are answered alike, 403 (no existence leak).
    if (isolation && (tenantId !== me.tenant || !state.tenants.some((t) => t.id === tenantId))) {
      send(res, 403, { message: 'You do not have access to this clinic.' })
      return
    }

    // --- route-model binding, scoped to the tenant ---
    const id = Number(rawId)
    const target = state.users.find((u) => u.id === id && (!isolation || u.tenant === tenantId))
    if (target === undefined) {
      send(res, 404, { message: `No user with id ${rawId} was found in this clinic.` })
      return
    }

    // --- authorization (FormRequest::authorize) ---
    // assumed: without users.manage a user may update only themself, and may not change their own role or permissions.
    if (!token.abilities.includes('users.manage')) {
      const changesRole = has(input, 'role_id') && input['role_id'] !== target.attrs['role_id']
      const changesPerms = has(input, 'permissions') && JSON.stringify(input['permissions']) !== JSON.stringify(target.attrs['permissions'])
      if (target.id !== me.id || changesRole || changesPerms) {
        send(res, 403, { message: 'You are not allowed to update this user.' })
        return
      }
    }

    // --- validation ---
    const errors = validate(input, { target, state, breaks })
    if (Object.keys(errors).length > 0) {
      send(res, breaks.has('validation.status') ? 400 : 422, { message: summarize(errors, !breaks.has('validation.summary')), errors })
      return
    }

    // --- update ---
    const before = clone(target)
    const after = clone(target)
    for (const k of BODY_FIELDS) {
      if (k === 'password' || k === 'password_confirmation' || k === 'id' || !has(input, k)) continue
      const v = input[k]
      after.attrs[k] = Array.isArray(v) ? [...(v as unknown[])] : v
    }
    if (has(input, 'password')) after.passwordHash = hashPassword(String(input['password']))
    if (!breaks.has('update.persists')) Object.assign(target, after)

    const data = serialize(after)
    if (breaks.has('response.echo')) {
      const old = serialize(before)
      for (const k of Object.keys(input)) if (k !== 'id' && has(data, k) && has(old, k)) data[k] = old[k]
    }
    if (breaks.has('response.shape')) delete data['email']
    if (breaks.has('response.no-password')) data['password'] = after.passwordHash
    send(res, 200, { data })
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
    return { userId: u.id, token: tokenFor(who), email: String(u.attrs['email']), tenant: u.tenant, role: String(u.attrs['role_id']) }
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
