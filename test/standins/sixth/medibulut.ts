// Stand-in for medibulut's "Update — PATCH /:tenantId/users/:id" (Laravel app),
// written from the API documentation page alone.
import { createHash, randomBytes, scryptSync } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

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

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type Input = Record<string, Json>

/** Fields the API Resource exposes, in the documented response order. */
const RESOURCE_FIELDS = [
  'id',
  'email',
  'first_name',
  'last_name',
  'name',
  'identity_number',
  'mobile',
  'phone',
  'role_id',
  'status',
  'color',
  'bonus_rate',
  'photo',
  'authorized_users',
  'permissions',
  'service_ids',
] as const

interface UserRow {
  id: number
  tenantId: number
  owner: boolean
  passwordHash: string
  attrs: Record<string, Json>
}

interface Token {
  id: number
  userId: number
  hash: string
}

interface State {
  users: Map<number, UserRow>
  services: Map<number, number> // service id -> tenant id
  tokens: Map<number, Token>
}

// Permission names are the ones listed in the documented example body.
// assumed: permissions.* must be one of these nine documented names (Rule::in) — an unknown
// permission string is refused with "The selected permissions.N is invalid." rather than stored.
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

// The doc lists "2: Admin, 3: Specialist, 4: Personnel" while its example sends "admin".
// assumed: role_id accepts the slug ("admin" | "specialist" | "personnel") or the numeric id
// (2 | 3 | 4, as a JSON integer or numeric string), case-sensitive; the value is stored verbatim
// and returned exactly as it was submitted (the example echoes "admin" as "admin").
const ROLE_VALUES = ['admin', 'specialist', 'personnel', '2', '3', '4'] as const

// assumed: body limit of 2 MiB (base64 photos travel in the JSON body); larger bodies get
// 413 {"message":"The request body is too large."} without being parsed.
const BODY_LIMIT = 2 * 1024 * 1024

// assumed: photo strings are capped at 1 MiB of characters (max:1048576).
const PHOTO_MAX = 1024 * 1024

function hashPassword(plain: string): string {
  const salt = randomBytes(16)
  const derived = scryptSync(plain, salt, 32, { N: 1024 })
  return `$scrypt$n=1024$${salt.toString('base64')}$${derived.toString('base64')}`
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

function randomToken(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
  const bytes = randomBytes(40)
  let out = ''
  for (const b of bytes) out += alphabet[b % alphabet.length] ?? 'a'
  return out
}

function has(input: Input, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(input, key)
}

/** Laravel's "required" emptiness: null, blank string, empty array. */
function blank(v: Json | undefined): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0)
}

/** A stored value as text (strings verbatim, anything else as JSON). */
function asText(v: Json | undefined): string {
  if (v === undefined || v === null) return ''
  return typeof v === 'string' ? v : JSON.stringify(v)
}

/** Laravel's displayable attribute: underscores become spaces. */
function label(key: string): string {
  return key.replace(/_/g, ' ')
}

function charLength(s: string): number {
  return [...s].length
}

// assumed: Laravel 10 English wording ("The x field must be a string.") rather than Laravel 9's
// ("The x must be a string."); the doc's own "The ... field is required." is identical in both.
const MSG = {
  required: (a: string): string => `The ${label(a)} field is required.`,
  string: (a: string): string => `The ${label(a)} field must be a string.`,
  integer: (a: string): string => `The ${label(a)} field must be an integer.`,
  numeric: (a: string): string => `The ${label(a)} field must be a number.`,
  array: (a: string): string => `The ${label(a)} field must be an array.`,
  email: (a: string): string => `The ${label(a)} field must be a valid email address.`,
  maxString: (a: string, n: number): string => `The ${label(a)} field must not be greater than ${n} characters.`,
  minString: (a: string, n: number): string => `The ${label(a)} field must be at least ${n} characters.`,
  between: (a: string, min: number, max: number): string => `The ${label(a)} field must be between ${min} and ${max}.`,
  digits: (a: string, n: number): string => `The ${label(a)} field must be ${n} digits.`,
  format: (a: string): string => `The ${label(a)} field format is invalid.`,
  selected: (a: string): string => `The selected ${label(a)} is invalid.`,
  unique: (a: string): string => `The ${label(a)} has already been taken.`,
  confirmed: (a: string): string => `The ${label(a)} field confirmation does not match.`,
  distinct: (a: string): string => `The ${label(a)} field has a duplicate value.`,
  letters: (a: string): string => `The ${label(a)} field must contain at least one letter.`,
  numbers: (a: string): string => `The ${label(a)} field must contain at least one number.`,
}

// assumed: mobile must be strict E.164 ("+" country code, 8–15 digits, no separators) since the
// doc says "including country code"; the example "+905555555554" fits.
const MOBILE_RE = /^\+[1-9]\d{7,14}$/
// assumed: phone (alternate, often a landline) is more lenient: "+" and country code first, then
// digits with optional spaces, dashes or parentheses; "" is accepted (the example sends "").
const PHONE_RE = /^\+[1-9][0-9 ()-]{6,20}$/
// assumed: color accepts #RGB or #RRGGBB only (the example is "#c00"); 8-digit alpha hex is refused.
const COLOR_RE = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/
// assumed: identity_number is the Turkish T.C. Kimlik No: nullable, but when given exactly 11
// digits as a string ("The identity number field must be 11 digits.").
const IDENTITY_RE = /^\d{11}$/
// assumed: email is validated like email:filter (dotted domain, letters TLD), max 255 chars.
const EMAIL_RE =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/
// PHP is_numeric for strings.
const NUMERIC_RE = /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/
const PHOTO_URL_RE = /^https?:\/\/\S+$/
const PHOTO_DATA_RE = /^data:image\/(?:png|jpe?g|gif|webp);base64,[A-Za-z0-9+/]+={0,2}$/
const BASE64_RE = /^[A-Za-z0-9+/]+={0,2}$/

interface Outcome {
  errors: Map<string, string[]>
  changes: Map<string, Json>
  password: string | null
}

function validate(input: Input, target: UserRow, tenantId: number, state: State, breaks: ReadonlySet<string>): Outcome {
  const errors = new Map<string, string[]>()
  const changes = new Map<string, Json>()
  let password: string | null = null
  const limits = !breaks.has('body.limits')

  // assumed: every rule list starts with `bail`, so each field reports only its first failing
  // rule (the doc's 422 example shows exactly one message per field); the Password rule object
  // still reports all of its own failures at once, as Laravel's Password rule does.
  const fail = (key: string, ...messages: string[]): void => {
    const list = errors.get(key) ?? []
    list.push(...messages)
    errors.set(key, list)
  }

  // The doc's table marks these fields "Required: No", yet its 422 example reports them as
  // "field is required".
  // assumed: first_name, last_name, email, password and status are `sometimes|required` — they may be
  // omitted, but when sent they cannot be null/blank, which yields exactly the example's messages.
  const requiredString = (key: string, max: number): void => {
    if (!has(input, key)) return
    const v = input[key] ?? null
    if (blank(v)) return fail(key, MSG.required(key))
    if (limits) {
      if (typeof v !== 'string') return fail(key, MSG.string(key))
      if (charLength(v) > max) return fail(key, MSG.maxString(key, max))
    }
    changes.set(key, v)
  }

  // nullable|string|max|regex — an empty string skips the non-implicit rules (no
  // ConvertEmptyStringsToNull: the documented example round-trips phone "" unchanged).
  const optionalString = (key: string, max: number, check?: (s: string) => string | null): void => {
    if (!has(input, key)) return
    const v = input[key] ?? null
    if (v === null || !limits) return void changes.set(key, v)
    if (typeof v !== 'string') return fail(key, MSG.string(key))
    if (v.trim() !== '') {
      if (charLength(v) > max) return fail(key, MSG.maxString(key, max))
      const problem = check ? check(v) : null
      if (problem !== null) return fail(key, problem)
    }
    changes.set(key, v)
  }

  // assumed: the three array fields must be JSON lists (objects refused) and are not nullable;
  // elements are `distinct`, and ids must be JSON integers (numeric strings like "11" refused).
  const list = (key: string, element: (v: Json, itemKey: string, all: Json[]) => string | null): void => {
    if (!has(input, key)) return
    const v = input[key] ?? null
    if (!limits) return void changes.set(key, v)
    if (!Array.isArray(v)) return fail(key, MSG.array(key))
    let ok = true
    v.forEach((item, index) => {
      const itemKey = `${key}.${index}`
      const problem = element(item, itemKey, v)
      if (problem !== null) {
        ok = false
        fail(itemKey, problem)
      }
    })
    if (ok) changes.set(key, v)
  }
  const duplicated = (item: Json, all: Json[]): boolean => all.filter((x) => x === item).length > 1

  // assumed: errors come out in the FormRequest's rules() order (first_name, last_name, name, email,
  // password, role_id, status, then the remaining fields), not in the order keys were sent; this
  // matches the relative order of the doc's 422 example.
  requiredString('first_name', 100) // assumed: names max:100 characters.
  requiredString('last_name', 100)
  // assumed: `name` (present in the documented body/response but not in the table) is a nullable
  // free-form display name, max:255, independent of first/last name (example: null beside both).
  optionalString('name', 255)

  if (has(input, 'email')) {
    const v = input.email ?? null
    if (blank(v)) fail('email', MSG.required('email'))
    else if (limits && typeof v !== 'string') fail('email', MSG.string('email'))
    else if (limits && typeof v === 'string' && !EMAIL_RE.test(v)) fail('email', MSG.email('email'))
    else if (limits && typeof v === 'string' && charLength(v) > 255) fail('email', MSG.maxString('email', 255))
    else {
      // assumed: e-mail is the login, so it is unique across ALL tenants (not per tenant), compared
      // case-insensitively (MySQL *_ci collation) and ignoring the user being updated.
      const lower = typeof v === 'string' ? v.toLowerCase() : JSON.stringify(v)
      const taken = [...state.users.values()].some((u) => u.id !== target.id && asText(u.attrs.email).toLowerCase() === lower)
      if (taken) fail('email', MSG.unique('email'))
      else changes.set('email', v)
    }
  }

  if (has(input, 'password')) {
    const v = input.password ?? null
    const confirmation = has(input, 'password_confirmation') ? (input.password_confirmation ?? null) : undefined
    const same =
      typeof v === 'object' || typeof confirmation === 'object' ? JSON.stringify(v) === JSON.stringify(confirmation) : v === confirmation
    if (blank(v)) fail('password', MSG.required('password'))
    else if (limits && typeof v !== 'string') fail('password', MSG.string('password'))
    else if (!breaks.has('body.confirmed') && !same) fail('password', MSG.confirmed('password'))
    else {
      const plain = typeof v === 'string' ? v : JSON.stringify(v)
      // assumed: password policy is Password::min(8)->letters()->numbers() (no mixed case or symbols).
      const problems: string[] = []
      if (limits) {
        if (charLength(plain) < 8) problems.push(MSG.minString('password', 8))
        if (!/\p{L}/u.test(plain)) problems.push(MSG.letters('password'))
        if (!/\p{N}/u.test(plain)) problems.push(MSG.numbers('password'))
      }
      if (problems.length > 0) fail('password', ...problems)
      else password = plain
    }
  }

  {
    const v = has(input, 'role_id') ? (input.role_id ?? null) : undefined
    if (blank(v)) {
      if (!breaks.has('body.role-required')) fail('role_id', MSG.required('role_id'))
    } else if (v !== undefined) {
      const asText = typeof v === 'string' ? v : typeof v === 'number' && Number.isInteger(v) ? String(v) : null
      const known = asText !== null && (ROLE_VALUES as readonly string[]).includes(asText)
      if (!known && !breaks.has('body.role')) fail('role_id', MSG.selected('role_id'))
      else changes.set('role_id', v)
    }
  }

  if (has(input, 'status')) {
    const v = input.status ?? null
    if (blank(v)) fail('status', MSG.required('status'))
    // assumed: status must be a JSON integer — numeric strings ("1") and booleans are refused with
    // "must be an integer." (stricter than Laravel's filter_var-based integer rule).
    else if (limits && (typeof v !== 'number' || !Number.isInteger(v))) fail('status', MSG.integer('status'))
    else if (limits && v !== 0 && v !== 1) fail('status', MSG.selected('status'))
    else changes.set('status', v)
  }

  optionalString('mobile', 20, (s) => (MOBILE_RE.test(s) ? null : MSG.format('mobile')))
  optionalString('phone', 25, (s) => (PHONE_RE.test(s) ? null : MSG.format('phone')))
  optionalString('identity_number', 11, (s) => (IDENTITY_RE.test(s) ? null : MSG.digits('identity_number', 11)))
  // assumed: photo is nullable and may be an http(s) URL, a data:image/...;base64 URI or bare
  // base64 (the doc says both "URL" and "base64-encoded"); it is stored and returned as sent.
  optionalString('photo', PHOTO_MAX, (s) =>
    PHOTO_URL_RE.test(s) || PHOTO_DATA_RE.test(s) || (BASE64_RE.test(s) && s.length % 4 === 0) ? null : MSG.format('photo'),
  )
  optionalString('color', 7, (s) => (COLOR_RE.test(s) ? null : MSG.format('color')))

  if (has(input, 'bonus_rate')) {
    const v = input.bonus_rate ?? null
    // assumed: bonus_rate is a NOT NULL percentage: null/"" refused as required, numbers and numeric
    // strings ("15.00") accepted, range 0–100, rounded to two decimals when returned.
    if (blank(v)) fail('bonus_rate', MSG.required('bonus_rate'))
    else if (!limits) changes.set('bonus_rate', v)
    else {
      const n = typeof v === 'number' ? v : typeof v === 'string' && NUMERIC_RE.test(v) ? Number(v) : Number.NaN
      if (!Number.isFinite(n)) fail('bonus_rate', MSG.numeric('bonus_rate'))
      else if (n < 0 || n > 100) fail('bonus_rate', MSG.between('bonus_rate', 0, 100))
      else changes.set('bonus_rate', n)
    }
  }

  list('permissions', (item, key, all) => {
    if (typeof item !== 'string') return MSG.string(key)
    if (duplicated(item, all)) return MSG.distinct(key)
    if (!(PERMISSIONS as readonly string[]).includes(item)) return MSG.selected(key)
    return null
  })
  // assumed: authorized_users.* must exist as users of the same tenant (any status, self allowed).
  list('authorized_users', (item, key, all) => {
    if (typeof item !== 'number' || !Number.isInteger(item)) return MSG.integer(key)
    if (duplicated(item, all)) return MSG.distinct(key)
    const user = state.users.get(item)
    if (!user || user.tenantId !== tenantId) return MSG.selected(key)
    return null
  })
  // assumed: service_ids.* must exist in the same tenant's services table.
  list('service_ids', (item, key, all) => {
    if (typeof item !== 'number' || !Number.isInteger(item)) return MSG.integer(key)
    if (duplicated(item, all)) return MSG.distinct(key)
    if (state.services.get(item) !== tenantId) return MSG.selected(key)
    return null
  })

  // assumed: keys outside the rules (including the body's "id", which the documented example
  // sends) are silently ignored, as $request->validated() drops them; the path id always wins.
  return { errors, changes, password }
}

function formatBonus(v: Json | undefined): Json {
  if (typeof v === 'number') return (Math.round(v * 100) / 100).toFixed(2)
  if (typeof v === 'string' && NUMERIC_RE.test(v)) return (Math.round(Number(v) * 100) / 100).toFixed(2)
  return v ?? null
}

function resource(user: UserRow, breaks: ReadonlySet<string>): Record<string, Json> {
  const data: Record<string, Json> = {}
  for (const field of RESOURCE_FIELDS) {
    if (field === 'id') data.id = user.id
    else if (field === 'bonus_rate') data.bonus_rate = formatBonus(user.attrs.bonus_rate)
    else data[field] = user.attrs[field] ?? null
  }
  if (breaks.has('response.no-password')) data.password = user.passwordHash
  return data
}

function send(res: ServerResponse, status: number, body: unknown, head = false): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
  })
  res.end(head ? undefined : text)
}

function seed(): { state: State; tokens: Record<'actor' | 'peer' | 'foreign', string> } {
  const users = new Map<number, UserRow>()
  const base = (
    id: number,
    tenantId: number,
    email: string,
    first: string,
    last: string,
    role: string,
    permissions: string[],
    extra: Record<string, Json> = {},
  ): void => {
    users.set(id, {
      id,
      tenantId,
      owner: false,
      passwordHash: hashPassword(`Secret${id}pass`),
      attrs: {
        email,
        first_name: first,
        last_name: last,
        name: null,
        identity_number: null,
        mobile: null,
        phone: '',
        role_id: role,
        status: 1,
        color: '#3b82f6',
        bonus_rate: 0,
        photo: null,
        authorized_users: [],
        permissions,
        service_ids: [],
        ...extra,
      },
    })
  }
  // Tenant 1 (clinic A). The actor is the documented example user 485, so the doc's example body
  // (authorized_users [11]) round-trips unchanged.
  base(485, 1, 'usertemp@medibulut.com', 'Adı', 'Soyadı', 'admin', [...PERMISSIONS], {
    mobile: '+905555555554',
    color: '#c00',
    bonus_rate: 15,
    authorized_users: [11],
  })
  base(11, 1, 'uzman@medibulut.com', 'Ayşe', 'Yılmaz', 'specialist', ['appointments.manage', 'patients.manage'], {
    mobile: '+905321112233',
    bonus_rate: 10,
    service_ids: [1, 2],
  })
  base(12, 1, 'personel@medibulut.com', 'Mehmet', 'Demir', 'personnel', ['appointments.manage'])
  base(13, 1, 'asistan@medibulut.com', 'Zeynep', 'Kaya', 'personnel', [], { status: 0 })
  // Tenant 2 (clinic B).
  base(900, 2, 'yonetici@baskaklinik.com', 'Can', 'Öztürk', 'admin', [...PERMISSIONS])
  base(901, 2, 'hekim@baskaklinik.com', 'Elif', 'Şahin', 'specialist', ['patients.manage'])
  const actor = users.get(485)
  const foreign = users.get(900)
  if (actor) actor.owner = true
  if (foreign) foreign.owner = true

  const services = new Map<number, number>([
    [1, 1],
    [2, 1],
    [3, 1],
    [4, 1],
    [5, 1],
    [6, 2],
    [7, 2],
  ])

  const tokenMap = new Map<number, Token>()
  const issue = (userId: number): string => {
    const id = tokenMap.size + 1
    const plain = randomToken()
    tokenMap.set(id, { id, userId, hash: sha256(plain) })
    return `${id}|${plain}`
  }
  const tokens = { actor: issue(485), peer: issue(11), foreign: issue(900) }
  issue(12)
  issue(901)
  return { state: { users, services, tokens: tokenMap }, tokens }
}

function authenticate(req: IncomingMessage, state: State): UserRow | null {
  const header = req.headers.authorization
  if (typeof header !== 'string') return null
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  const raw = match?.[1]
  if (raw === undefined) return null
  let token: Token | undefined
  const bar = raw.indexOf('|')
  if (bar >= 0) {
    const id = raw.slice(0, bar)
    const candidate = /^\d{1,9}$/.test(id) ? state.tokens.get(Number(id)) : undefined
    if (candidate && candidate.hash === sha256(raw.slice(bar + 1))) token = candidate
  } else {
    const hash = sha256(raw)
    token = [...state.tokens.values()].find((t) => t.hash === hash)
  }
  return token ? (state.users.get(token.userId) ?? null) : null
}

function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0')
    if (Number.isFinite(declared) && declared > BODY_LIMIT) {
      resolve('too-large')
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    let done = false
    req.on('data', (chunk: Buffer) => {
      if (done) return
      size += chunk.length
      if (size > BODY_LIMIT) {
        done = true
        resolve('too-large')
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => {
      if (!done) {
        done = true
        resolve(Buffer.concat(chunks))
      }
    })
    req.on('error', (err) => {
      if (!done) {
        done = true
        reject(err)
      }
    })
  })
}

async function handle(req: IncomingMessage, res: ServerResponse, state: State, breaks: ReadonlySet<string>): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase()
  let path: string
  try {
    path = new URL(req.url ?? '/', 'http://localhost').pathname
  } catch {
    path = '/'
  }
  const head = method === 'HEAD'
  const route = /^\/(\d{1,9})\/users\/(\d{1,9})\/?$/.exec(path)
  if (!route) {
    req.resume()
    // assumed: unknown routes (and non-numeric tenant/user ids, via whereNumber constraints) give
    // Laravel's JSON 404 "The route … could not be found."
    return send(res, 404, { message: `The route ${path.replace(/^\/+/, '')} could not be found.` }, head)
  }
  // assumed: apiResource routes — GET/HEAD (show) and PUT/PATCH (update) share the URI; other
  // methods get Laravel's 405 message.
  if (!['GET', 'HEAD', 'PUT', 'PATCH'].includes(method)) {
    req.resume()
    return send(res, 405, {
      message: `The ${method} method is not supported for route ${path.replace(/^\/+/, '')}. Supported methods: GET, HEAD, PUT, PATCH.`,
    })
  }
  const tenantId = Number(route[1])
  const userId = Number(route[2])

  // assumed: a ForceJsonResponse middleware makes every answer JSON regardless of Accept, so an
  // unauthenticated call is 401 {"message":"Unauthenticated."} (never a redirect to /login).
  const me = authenticate(req, state)
  if (!me) {
    req.resume()
    return send(res, 401, { message: 'Unauthenticated.' }, head)
  }
  const isolate = !breaks.has('tenant.isolation')
  // assumed: a token used under another tenant's path is refused by the tenant middleware with
  // 403 "This action is unauthorized." (before any lookup), while a user id that does not belong
  // to the path's tenant is a scoped-binding miss: 404 with Laravel's ModelNotFound message.
  if (isolate && me.tenantId !== tenantId) {
    req.resume()
    return send(res, 403, { message: 'This action is unauthorized.' }, head)
  }
  const target = state.users.get(userId)
  if (!target || (isolate && target.tenantId !== tenantId)) {
    req.resume()
    return send(res, 404, { message: `No query results for model [App\\Models\\User] ${userId}` }, head)
  }

  if (method === 'GET' || method === 'HEAD') {
    req.resume()
    // assumed: any user of the tenant may view a colleague (show); only updates need users.manage.
    return send(res, 200, { data: resource(target, breaks) }, head)
  }

  // assumed: UserPolicy@update lets the tenant owner, role "admin"/2, or holders of the
  // "users.manage" permission update any user of the tenant; everyone else gets 403 even for their
  // own record (role_id is required, so self-service would allow privilege escalation).
  const myRole = asText(me.attrs.role_id)
  const myPerms = Array.isArray(me.attrs.permissions) ? me.attrs.permissions : []
  const mayManage = me.owner || myRole === 'admin' || myRole === '2' || myPerms.includes('users.manage')

  const body = await readBody(req)
  if (body === 'too-large') {
    res.setHeader('Connection', 'close')
    send(res, 413, { message: 'The request body is too large.' })
    req.destroy()
    return
  }

  const type = String(req.headers['content-type'] ?? '').toLowerCase()
  // assumed: form and multipart bodies are refused with 415 (PHP does not parse multipart PATCH
  // bodies anyway); anything else, including a missing or text/plain Content-Type, is read as JSON.
  if (type.startsWith('multipart/') || type.startsWith('application/x-www-form-urlencoded')) {
    return send(res, 415, { message: 'Unsupported Media Type. Send the body as application/json.' })
  }
  let parsed: Json = {}
  const text = body.toString('utf8')
  if (text.trim() !== '') {
    try {
      parsed = JSON.parse(text) as Json
    } catch {
      // assumed: malformed JSON is a 400 {"message":"Malformed JSON body."} from a middleware,
      // rather than Laravel's default of silently validating an empty input.
      return send(res, 400, { message: 'Malformed JSON body.' })
    }
  }
  // A JSON list or scalar has no named fields: validated as an empty input.
  const input: Input = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : {}

  // FormRequest::authorize() runs before rules().
  if (!mayManage) return send(res, 403, { message: 'This action is unauthorized.' })

  const { errors, changes, password } = validate(input, target, tenantId, state, breaks)
  if (errors.size > 0) {
    const all = [...errors.values()].flat()
    const first = all[0] ?? 'The given data was invalid.'
    const more = all.length - 1
    const message = more > 0 && !breaks.has('validation.summary') ? `${first} (and ${more} more ${more === 1 ? 'error' : 'errors'})` : first
    const payload: Record<string, string[]> = {}
    for (const [key, list] of errors) payload[key] = list
    return send(res, breaks.has('validation.status') ? 400 : 422, { message, errors: payload })
  }

  const before: UserRow = { ...target, attrs: { ...target.attrs } }
  const after: UserRow = { ...target, attrs: { ...target.attrs } }
  for (const [key, value] of changes) after.attrs[key] = value
  if (password !== null) after.passwordHash = hashPassword(password)
  if (!breaks.has('update.persists')) state.users.set(target.id, after)

  const shown = breaks.has('response.echo') ? before : after
  const data = resource(shown, breaks)
  return send(res, 200, breaks.has('response.shape') ? data : { data })
}

export async function start(options?: { breaks?: readonly string[] }): Promise<Standin> {
  const breaks: ReadonlySet<string> = new Set(options?.breaks ?? [])
  const { state, tokens } = seed()
  const sockets = new Set<Socket>()
  const server = createServer((req, res) => {
    handle(req, res, state, breaks).catch(() => {
      if (!res.headersSent) send(res, 500, { message: 'Server Error' })
      else res.destroy()
    })
  })
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  server.on('clientError', (_err, socket: Socket) => {
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
  const account = (userId: number, token: string): StandinAccount => {
    const user = state.users.get(userId)
    return {
      userId,
      token,
      email: asText(user?.attrs.email),
      tenant: user?.tenantId ?? 0,
      role: asText(user?.attrs.role_id),
    }
  }
  return {
    url: `http://127.0.0.1:${port}`,
    accounts: {
      actor: account(485, tokens.actor),
      peer: account(11, tokens.peer),
      foreign: account(900, tokens.foreign),
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
        for (const socket of sockets) socket.destroy()
      }),
  }
}
