/**
 * Lenient stand-in for "medibulut" (Laravel): PATCH /:tenantId/users/:id.
 * Written from the API doc alone. Where the doc is silent the server does what a
 * stock Laravel app does at its most lenient defaults; every such choice carries
 * an "assumed:" comment.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createHash, randomBytes, scryptSync } from 'node:crypto'

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

// ---------------------------------------------------------------------------
// HTTP plumbing

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
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-cache, private',
    ...headers,
  })
  res.end(text)
}

// ---------------------------------------------------------------------------
// PHP / Laravel value semantics

type Dict = Record<string, unknown>

const isPhpArray = (v: unknown): v is Dict | unknown[] => Array.isArray(v) || (v !== null && typeof v === 'object')
const phpEntries = (v: Dict | unknown[]): [string, unknown][] =>
  Array.isArray(v) ? v.map((x, i) => [String(i), x] as [string, unknown]) : Object.entries(v)
const phpCount = (v: Dict | unknown[]): number => (Array.isArray(v) ? v.length : Object.keys(v).length)
const mbLen = (s: string): number => [...s].length

function phpStr(v: unknown): string {
  if (typeof v === 'string') return v
  if (typeof v === 'number') return String(v)
  if (v === true) return '1'
  if (v === false || v === null || v === undefined) return ''
  return 'Array'
}

// PHP trim() default characters, and Laravel's Str::trim additions.
const PHP_WS = ' \\t\\n\\r\\v\\f\\0\\u{FEFF}\\u{200B}\\u{200E}'
const TRIM_RE = new RegExp(`^[${PHP_WS}]+|[${PHP_WS}]+$`, 'gu')
const phpTrim = (s: string): string => s.replace(TRIM_RE, '')

function filterInt(v: unknown): number | null {
  if (typeof v === 'number') return Number.isInteger(v) ? v : null
  if (v === true) return 1
  if (typeof v === 'string' && /^[ \t\n\r\v\f]*[+-]?(0|[1-9]\d*)[ \t\n\r\v\f]*$/.test(v)) {
    const n = Number(v.trim())
    return Number.isSafeInteger(n) ? n : null
  }
  return null
}

const isNumeric = (v: unknown): boolean =>
  (typeof v === 'number' && Number.isFinite(v)) ||
  (typeof v === 'string' && /^[ \t\n\r\v\f]*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?[ \t\n\r\v\f]*$/.test(v))

// assumed: Laravel's default `email` rule (RFCValidation) — lenient: "user@localhost" passes, no DNS check.
function isRfcEmail(s: string): boolean {
  const at = s.lastIndexOf('@')
  if (at <= 0 || at === s.length - 1 || s.indexOf('@') !== at) return false
  const local = s.slice(0, at)
  const domain = s.slice(at + 1)
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) return false
  if (!/^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.\-\u0080-\uFFFF]+$/u.test(local)) return false
  if (/^\[[0-9.:A-Fa-f]+\]$/.test(domain)) return true
  return domain.split('.').every((l) => /^[A-Za-z0-9\u0080-\uFFFF]([A-Za-z0-9\-\u0080-\uFFFF]*[A-Za-z0-9\u0080-\uFFFF])?$/u.test(l))
}

// ---------------------------------------------------------------------------
// A small Laravel validator

interface Rule {
  r: string
  n?: number
  list?: readonly string[]
  test?: (v: unknown) => boolean
}
type RuleSet = [string, Rule[]][]

const R = {
  sometimes: { r: 'sometimes' },
  nullable: { r: 'nullable' },
  required: { r: 'required' },
  string: { r: 'string' },
  email: { r: 'email' },
  confirmed: { r: 'confirmed' },
  boolean: { r: 'boolean' },
  array: { r: 'array' },
  integer: { r: 'integer' },
  numeric: { r: 'numeric' },
  hex_color: { r: 'hex_color' },
  max: (n: number): Rule => ({ r: 'max', n }),
  min: (n: number): Rule => ({ r: 'min', n }),
  in: (list: readonly string[]): Rule => ({ r: 'in', list }),
  exists: (test: (v: unknown) => boolean): Rule => ({ r: 'exists', test }),
  unique: (test: (v: unknown) => boolean): Rule => ({ r: 'unique', test }),
} as const

const NUMERIC_RULES = ['numeric', 'integer', 'decimal']

interface ValidationResult {
  errors: Map<string, string[]>
  validated: Map<string, unknown>
}

function validate(data: Dict, rules: RuleSet): ValidationResult {
  const errors = new Map<string, string[]>()
  const validated = new Map<string, unknown>()
  const add = (attr: string, msg: string): void => {
    const list = errors.get(attr)
    if (list) list.push(msg)
    else errors.set(attr, [msg])
  }

  for (const [key, ruleList] of rules) {
    const targets: { attr: string; display: string; present: boolean; value: unknown }[] = []
    if (key.endsWith('.*')) {
      const parent = data[key.slice(0, -2)]
      if (Object.hasOwn(data, key.slice(0, -2)) && isPhpArray(parent)) {
        for (const [k, v] of phpEntries(parent)) {
          const attr = `${key.slice(0, -2)}.${k}`
          // implicit (wildcard) attributes are displayed verbatim, e.g. "role_ids.0"
          targets.push({ attr, display: attr, present: true, value: v })
        }
      }
    } else {
      const present = Object.hasOwn(data, key)
      targets.push({ attr: key, display: key.replace(/_/g, ' '), present, value: present ? data[key] : undefined })
      if (present) validated.set(key, data[key])
    }

    const has = (name: string): boolean => ruleList.some((x) => x.r === name)
    const sizeType = NUMERIC_RULES.some(has) ? 'numeric' : has('array') ? 'array' : 'string'

    for (const t of targets) {
      if (has('sometimes') && !t.present) continue
      const v = t.value
      for (const rule of ruleList) {
        if (rule.r === 'sometimes' || rule.r === 'nullable') continue
        const implicit = rule.r === 'required'
        if (typeof v === 'string' && phpTrim(v) === '') {
          if (!implicit) continue
        } else if (!t.present && !implicit) continue
        if (!implicit && has('nullable') && v === null) continue
        if ((rule.r === 'exists' || rule.r === 'unique') && errors.has(t.attr)) continue

        const size = (): number => {
          if (NUMERIC_RULES.some(has) && isNumeric(v)) return Number(v)
          if (isPhpArray(v)) return phpCount(v)
          return mbLen(phpStr(v))
        }
        let msg: string | null = null
        const a = t.display
        switch (rule.r) {
          case 'required': {
            const empty =
              v === null || v === undefined || (typeof v === 'string' && phpTrim(v) === '') || (isPhpArray(v) && phpCount(v) === 0)
            if (empty) msg = `The ${a} field is required.`
            break
          }
          case 'string':
            if (typeof v !== 'string') msg = `The ${a} field must be a string.`
            break
          case 'email':
            if (typeof v !== 'string' || !isRfcEmail(v)) msg = `The ${a} field must be a valid email address.`
            break
          case 'confirmed': {
            const ck = `${t.attr}_confirmation`
            const other = Object.hasOwn(data, ck) ? data[ck] : null // Arr::get() gives null when absent
            if (v !== other) msg = `The ${a} field confirmation does not match.`
            break
          }
          case 'boolean':
            if (!(v === true || v === false || v === 0 || v === 1 || v === '0' || v === '1')) msg = `The ${a} field must be true or false.`
            break
          case 'array':
            if (!isPhpArray(v)) msg = `The ${a} field must be an array.`
            break
          case 'integer':
            if (filterInt(v) === null) msg = `The ${a} field must be an integer.`
            break
          case 'numeric':
            if (!isNumeric(v)) msg = `The ${a} field must be a number.`
            break
          case 'hex_color':
            if (typeof v !== 'string' || !/^#(?:(?:[0-9a-f]{3}){1,2}|(?:[0-9a-f]{4}){1,2})$/i.test(v))
              msg = `The ${a} field must be a valid hexadecimal color.`
            break
          case 'max': {
            const n = rule.n ?? 0
            if (size() > n) {
              msg =
                sizeType === 'numeric'
                  ? `The ${a} field must not be greater than ${n}.`
                  : sizeType === 'array'
                    ? `The ${a} field must not have more than ${n} items.`
                    : `The ${a} field must not be greater than ${n} characters.`
            }
            break
          }
          case 'min': {
            const n = rule.n ?? 0
            if (size() < n) {
              msg =
                sizeType === 'numeric'
                  ? `The ${a} field must be at least ${n}.`
                  : sizeType === 'array'
                    ? `The ${a} field must have at least ${n} items.`
                    : `The ${a} field must be at least ${n} characters.`
            }
            break
          }
          case 'in':
            if (isPhpArray(v) || !(rule.list ?? []).includes(phpStr(v))) msg = `The selected ${a} is invalid.`
            break
          case 'exists':
            if (!(rule.test?.(v) ?? false)) msg = `The selected ${a} is invalid.`
            break
          case 'unique':
            if (!(rule.test?.(v) ?? true)) msg = `The ${a} has already been taken.`
            break
          default:
            break
        }
        if (msg !== null) {
          add(t.attr, msg)
          if (implicit) break // Laravel stops validating an attribute after a failed implicit rule
        }
      }
    }
  }
  return { errors, validated }
}

function summarize(errors: Map<string, string[]>): string {
  const all = [...errors.values()].flat()
  const first = all[0] ?? 'The given data was invalid.'
  const more = all.length - 1
  return more > 0 ? `${first} (and ${more} more ${more === 1 ? 'error' : 'errors'})` : first
}

// ---------------------------------------------------------------------------
// Request input, as Laravel builds it

const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype'])

// PHP parse_str for application/x-www-form-urlencoded (supports a[]=x and a[k]=x).
function parseStr(qs: string): Dict {
  const out: Dict = {}
  for (const part of qs.split('&')) {
    if (part === '') continue
    const eq = part.indexOf('=')
    const rawK = eq < 0 ? part : part.slice(0, eq)
    const rawV = eq < 0 ? '' : part.slice(eq + 1)
    let k: string
    let val: string
    try {
      k = decodeURIComponent(rawK.replace(/\+/g, ' '))
      val = decodeURIComponent(rawV.replace(/\+/g, ' '))
    } catch {
      continue
    }
    const m = /^([^[]+)((?:\[[^\]]*\])*)$/.exec(k)
    if (!m || m[1] === undefined) continue
    const path = [m[1], ...[...(m[2] ?? '').matchAll(/\[([^\]]*)\]/g)].map((x) => x[1] ?? '')]
    if (path.some((x) => UNSAFE_KEYS.has(x))) continue // (no prototype pollution in this stand-in)
    let cur: Dict = out
    for (let i = 0; i < path.length; i++) {
      let seg = path[i] ?? ''
      const last = i === path.length - 1
      if (seg === '') seg = String(Object.keys(cur).filter((x) => /^\d+$/.test(x)).length)
      if (last) {
        cur[seg] = val
        break
      }
      const nxt = cur[seg]
      if (nxt === null || typeof nxt !== 'object') cur[seg] = {}
      cur = cur[seg] as Dict
    }
  }
  return listify(out) as Dict
}
function listify(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v
  const d = v as Dict
  const keys = Object.keys(d)
  for (const k of keys) d[k] = listify(d[k])
  if (keys.length > 0 && keys.every((k, i) => k === String(i))) return keys.map((k) => d[k])
  return d
}

// TrimStrings (except password fields) + ConvertEmptyStringsToNull, applied recursively.
const TRIM_EXCEPT = new Set(['current_password', 'password', 'password_confirmation'])
function cleanInput(v: unknown, key: string): unknown {
  if (typeof v === 'string') {
    const s = TRIM_EXCEPT.has(key) ? v : phpTrim(v)
    return s === '' ? null : s
  }
  if (Array.isArray(v)) return v.map((x, i) => cleanInput(x, `${key}.${i}`))
  if (v !== null && typeof v === 'object') {
    const out: Dict = {}
    for (const [k, x] of Object.entries(v as Dict)) if (!UNSAFE_KEYS.has(k)) out[k] = cleanInput(x, key === '' ? k : `${key}.${k}`)
    return out
  }
  return v
}

function parseInput(req: IncomingMessage, buf: Buffer, query: string): Dict {
  const ct = String(req.headers['content-type'] ?? '').toLowerCase()
  let body: Dict = {}
  if (ct.includes('/json') || ct.includes('+json')) {
    // assumed: like Laravel, an unparsable JSON body is read as an empty input (no 400).
    let decoded: unknown
    try {
      decoded = JSON.parse(buf.toString('utf8') || '[]')
    } catch {
      decoded = null
    }
    if (Array.isArray(decoded)) body = Object.fromEntries(decoded.map((x, i) => [String(i), x]))
    else if (decoded !== null && typeof decoded === 'object') body = decoded as Dict
    else if (decoded !== null) body = { 0: decoded }
  } else if (ct.startsWith('application/x-www-form-urlencoded')) {
    // Symfony parses urlencoded bodies for PUT/PATCH too.
    body = parseStr(buf.toString('utf8'))
  }
  // assumed: other content types (multipart included, which PHP does not parse for PUT) give no input.
  const q = parseStr(query)
  const merged: Dict = { ...q }
  for (const [k, v] of Object.entries(body)) if (!UNSAFE_KEYS.has(k)) merged[k] = v // body wins over query ($request->all())
  return cleanInput(merged, '') as Dict
}

// ---------------------------------------------------------------------------
// Data

interface Service {
  id: number
  tenant: number
  name: string
}
interface User {
  id: number
  tenant: number
  token: string | null
  email: unknown
  first_name: unknown
  last_name: unknown
  name: unknown
  identity_number: unknown
  mobile: unknown
  phone: unknown
  role_id: unknown
  status: unknown
  color: unknown
  bonus_rate: unknown
  photo: unknown
  authorized_users: unknown[]
  permissions: unknown
  service_ids: unknown[]
  password: string
}

function hashPassword(pw: string, salt?: Buffer): string {
  const s = salt ?? randomBytes(16)
  const h = scryptSync(pw, s, 32, { N: 1024, r: 8, p: 1 })
  return `$scrypt$N=1024,r=8,p=1$${s.toString('base64')}$${h.toString('base64')}`
}
const seedSalt = (email: string): Buffer => createHash('sha256').update(`salt:${email}`).digest().subarray(0, 16)

const ALL_PERMISSIONS = [
  'appointments.manage',
  'patients.manage',
  'patient-groups.manage',
  'services.manage',
  'users.manage',
  'reports.view',
  'finance.manage',
  'settings.manage',
  'working-hours.manage',
]

function seed(): { users: User[]; services: Service[]; tenants: number[] } {
  const services: Service[] = [
    { id: 1, tenant: 101, name: 'Consultation' },
    { id: 2, tenant: 101, name: 'Cleaning' },
    { id: 3, tenant: 101, name: 'Whitening' },
    { id: 7, tenant: 202, name: 'Consultation' },
  ]
  const u = (
    id: number,
    tenant: number,
    token: string | null,
    email: string,
    first: string,
    last: string,
    role: string,
    extra: Partial<User> = {},
  ): User => ({
    id,
    tenant,
    token,
    email,
    first_name: first,
    last_name: last,
    name: null,
    identity_number: null,
    mobile: '+905555555554',
    phone: '',
    role_id: role,
    status: 1,
    color: '#c00',
    bonus_rate: '15.00',
    photo: null,
    authorized_users: [],
    permissions: role === 'admin' ? [...ALL_PERMISSIONS] : ['appointments.manage', 'patients.manage'],
    service_ids: [],
    password: hashPassword('secret-password', seedSalt(email)),
    ...extra,
  })
  const users: User[] = [
    u(485, 101, 'medibulut-actor-token', 'usertemp@medibulut.com', 'Adı', 'Soyadı', 'admin', { authorized_users: [11] }),
    u(11, 101, 'medibulut-peer-token', 'specialist@medibulut.com', 'Selin', 'Uzman', 'specialist', { service_ids: [1, 2], color: '#0a0' }),
    u(12, 101, 'medibulut-personnel-token', 'personnel@medibulut.com', 'Pelin', 'Personel', 'personnel', { status: 0 }),
    u(900, 202, 'medibulut-foreign-token', 'admin@other-clinic.com', 'Fatma', 'Yabancı', 'admin'),
    u(901, 202, null, 'staff@other-clinic.com', 'Murat', 'Diğer', 'specialist', { service_ids: [7] }),
  ]
  return { users, services, tenants: [101, 202] }
}

// PHP (int) cast, for the `integer` model cast.
function phpInt(v: unknown): number {
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : 0
  if (typeof v === 'boolean') return v ? 1 : 0
  if (typeof v === 'string') {
    const m = /^\s*[+-]?\d+/.exec(v)
    return m ? Number(m[0]) : 0
  }
  return 0
}

// Laravel `decimal:2` cast: BigDecimal::of($v)->toScale(2, HALF_UP), as a string.
function decimal2(v: unknown): string | null {
  const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : ''
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s)
  if (!m || ((m[2] ?? '') === '' && (m[3] ?? '') === '')) return null
  const neg = m[1] === '-'
  const intDigits = m[2] ?? ''
  const fracDigits = m[3] ?? ''
  const exp = Number(m[4] ?? '0')
  const digits = intDigits + fracDigits
  const point = intDigits.length + exp
  let ip: string
  let fp: string
  if (point <= 0) {
    ip = '0'
    fp = '0'.repeat(-point) + digits
  } else if (point >= digits.length) {
    ip = digits + '0'.repeat(point - digits.length)
    fp = ''
  } else {
    ip = digits.slice(0, point)
    fp = digits.slice(point)
  }
  const f3 = (fp + '000').slice(0, 3)
  let n = BigInt((ip === '' ? '0' : ip) + f3.slice(0, 2))
  if ((f3[2] ?? '0') >= '5') n += 1n
  const t = n.toString().padStart(3, '0')
  const out = `${t.slice(0, -2)}.${t.slice(-2)}`
  return neg && n !== 0n ? `-${out}` : out
}

// ---------------------------------------------------------------------------
// Server

const RESPONSE_FIELDS = [
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

// The doc's table lists role ids 2/3/4 while its example sends the slug "admin": both are accepted,
// and the role is stored and answered as its slug (as in the doc's example).
const ROLE_BY_ID: Record<string, string> = { 2: 'admin', 3: 'specialist', 4: 'personnel' }
const ROLE_VALUES = ['admin', 'specialist', 'personnel', '2', '3', '4']

export function start(options?: { breaks?: readonly string[] }): Promise<Standin> {
  const breaks = new Set(options?.breaks ?? [])
  for (const b of breaks) if (!breakable.includes(b)) throw new Error(`medibulut stand-in cannot break "${b}"`)
  const db = seed()

  const view = (u: User): Dict => {
    const d: Dict = {}
    for (const f of RESPONSE_FIELDS) d[f] = (u as unknown as Dict)[f]
    return d
  }

  const rulesFor = (target: User, tenant: number): RuleSet => {
    const limits = !breaks.has('body.limits')
    const L = (...r: Rule[]): Rule[] => (limits ? r : [])
    const emailFree = (v: unknown): boolean =>
      // assumed: e-mail is the login, so it is unique across all tenants (ignoring the user's own row).
      !db.users.some((u) => u.id !== target.id && u.email === v)
    const userExists = (v: unknown): boolean => {
      // assumed: authorized_users must be users of the same tenant (Rule::exists scoped by tenant).
      const id = filterInt(v)
      return id !== null && db.users.some((u) => u.id === id && u.tenant === tenant)
    }
    const serviceExists = (v: unknown): boolean => {
      const id = filterInt(v)
      return id !== null && db.services.some((s) => s.id === id && s.tenant === tenant)
    }
    // Only role_id is marked required by the doc's table; everything else is `sometimes`.
    // assumed: first_name/last_name/email/status are NOT NULL columns (not nullable); the other
    // optional fields accept null. assumed: string columns are varchar(255) and validated `max:255`
    // (photo, a base64 payload, has no max).
    return [
      ['first_name', [R.sometimes, ...L(R.string, R.max(255))]],
      ['last_name', [R.sometimes, ...L(R.string, R.max(255))]],
      ['mobile', [R.sometimes, R.nullable, ...L(R.string, R.max(255))]],
      ['phone', [R.sometimes, R.nullable, ...L(R.string, R.max(255))]],
      ['email', [R.sometimes, ...L(R.string), R.email, ...L(R.max(255)), R.unique(emailFree)]],
      // assumed: "the required security criteria" = Laravel's Password::defaults(), i.e. min 8.
      ['password', [R.sometimes, ...L(R.string), R.min(8), ...(breaks.has('body.confirmed') ? [] : [R.confirmed])]],
      ['status', [R.sometimes, ...L(R.integer, R.in(['0', '1']))]],
      ['photo', [R.sometimes, R.nullable, ...L(R.string)]],
      ['identity_number', [R.sometimes, R.nullable, ...L(R.string, R.max(255))]],
      // assumed: bonus_rate is any number (no 0–100 range is stated).
      ['bonus_rate', [R.sometimes, R.nullable, ...L(R.numeric)]],
      ['color', [R.sometimes, R.nullable, ...L(R.hex_color)]],
      // assumed: no `string` rule on role_id, so the numeric ids 2/3/4 may be sent as numbers.
      [
        'role_id',
        [...(breaks.has('body.role-required') ? [R.sometimes] : [R.required]), ...(breaks.has('body.role') ? [] : [R.in(ROLE_VALUES)])],
      ],
      // assumed: permissions are free strings (the doc's list ends with "etc.").
      ['permissions', [R.sometimes, R.nullable, ...L(R.array)]],
      ['permissions.*', L(R.string)],
      ['authorized_users', [R.sometimes, R.nullable, ...L(R.array)]],
      ['authorized_users.*', [...L(R.integer), R.exists(userExists)]],
      ['service_ids', [R.sometimes, R.nullable, ...L(R.array)]],
      ['service_ids.*', [...L(R.integer), R.exists(serviceExists)]],
    ]
  }

  const handleUpdate = (req: IncomingMessage, res: ServerResponse, tenantRaw: string, idRaw: string, input: Dict): void => {
    // --- auth ----------------------------------------------------------------------------------
    // assumed: the doc names no auth scheme; the app uses Sanctum-style Bearer tokens (auth:sanctum).
    const authz = String(req.headers.authorization ?? '')
    const pos = authz.toLowerCase().lastIndexOf('bearer ')
    let token = pos >= 0 ? authz.slice(pos + 7) : ''
    if (token.includes(',')) token = token.slice(0, token.indexOf(','))
    const me = token === '' ? undefined : db.users.find((u) => u.token === token)
    if (!me) {
      sendJson(res, 401, { message: 'Unauthenticated.' })
      return
    }

    // --- tenant ------------------------------------------------------------------------------
    // assumed: :tenantId must be the authenticated user's own tenant, else Laravel's authorization
    // 403 (a tenant-membership Gate); an unknown tenant id is refused the same way.
    const tenantId = /^\d+$/.test(tenantRaw) ? Number(tenantRaw) : NaN
    const isolation = !breaks.has('tenant.isolation')
    if (isolation && tenantId !== me.tenant) {
      sendJson(res, 403, { message: 'This action is unauthorized.' })
      return
    }

    // --- route model binding, scoped to the tenant ---------------------------------------------
    const id = /^\d+$/.test(idRaw) ? Number(idRaw) : NaN
    const target = db.users.find((u) => u.id === id && (!isolation || u.tenant === tenantId))
    if (!target) {
      sendJson(res, 404, { message: `No query results for model [App\\Models\\User] ${idRaw}` })
      return
    }
    // assumed: no role-based policy is documented, so any member of the tenant may update any
    // user of that tenant.

    // --- validation ----------------------------------------------------------------------------
    const { errors, validated } = validate(input, rulesFor(target, Number.isNaN(tenantId) ? target.tenant : tenantId))
    if (errors.size > 0) {
      const message = breaks.has('validation.summary') ? ([...errors.values()][0]?.[0] ?? '') : summarize(errors)
      sendJson(res, breaks.has('validation.status') ? 400 : 422, { message, errors: Object.fromEntries(errors) })
      return
    }

    // --- apply ---------------------------------------------------------------------------------
    const before = view(target)
    const next: User = { ...target, authorized_users: [...target.authorized_users], service_ids: [...target.service_ids] }
    const listOf = (v: unknown): unknown[] => (v === null ? [] : isPhpArray(v) ? phpEntries(v).map(([, x]) => x) : [v])
    const ids = (v: unknown): unknown[] => {
      // relation sync: ids become integers, duplicates collapse
      const out: unknown[] = []
      for (const x of listOf(v)) {
        const n = filterInt(x)
        const val = n ?? x
        if (!out.includes(val)) out.push(val)
      }
      return out
    }
    for (const [k, v] of validated) {
      switch (k) {
        case 'password':
          next.password = hashPassword(phpStr(v))
          break
        case 'status':
          next.status = phpInt(v)
          break
        case 'bonus_rate':
          next.bonus_rate = v === null ? null : (decimal2(v) ?? v)
          break
        case 'role_id':
          next.role_id = ROLE_BY_ID[phpStr(v)] ?? v
          break
        // assumed: permissions null clears them (stored as an empty list).
        case 'permissions':
          next.permissions = listOf(v)
          break
        case 'authorized_users':
          next.authorized_users = ids(v)
          break
        case 'service_ids':
          next.service_ids = ids(v)
          break
        default:
          ;(next as unknown as Dict)[k] = v
      }
    }
    if (!breaks.has('update.persists')) db.users[db.users.indexOf(target)] = next

    const data = view(next)
    if (breaks.has('response.echo')) {
      for (const f of RESPONSE_FIELDS) {
        if (validated.has(f) && JSON.stringify(before[f]) !== JSON.stringify(data[f])) {
          data[f] = before[f]
          break
        }
      }
    }
    if (breaks.has('response.no-password')) data['password'] = next.password
    if (breaks.has('response.shape')) delete data['email']
    sendJson(res, 200, { data })
  }

  const server = createServer((req, res) => {
    void (async () => {
      const { buf, tooLarge } = await readBody(req)
      // Laravel's ValidatePostSize (global middleware) throws PostTooLargeException with an empty message.
      if (tooLarge) {
        sendJson(res, 413, { message: '' }, { Connection: 'close' })
        return
      }
      const rawUrl = req.url ?? '/'
      const qi = rawUrl.indexOf('?')
      const rawPath = qi < 0 ? rawUrl : rawUrl.slice(0, qi)
      const query = qi < 0 ? '' : rawUrl.slice(qi + 1)
      let path: string
      try {
        path = decodeURIComponent(rawPath)
      } catch {
        path = rawPath
      }
      const trimmed = path.replace(/^\/+|\/+$/g, '')
      const input = parseInput(req, buf, query)

      let method = (req.method ?? 'GET').toUpperCase()
      if (method === 'POST') {
        // Laravel enables method spoofing: X-HTTP-Method-Override or a `_method` input on POST.
        const o = req.headers['x-http-method-override']
        const spoof = typeof o === 'string' && o !== '' ? o : typeof input['_method'] === 'string' ? input['_method'] : ''
        const up = spoof.toUpperCase()
        if (/^[A-Z]+$/.test(up) && !['GET', 'HEAD', 'CONNECT', 'TRACE'].includes(up)) method = up
      }

      const m = /^([^/]+)\/users\/([^/]+)$/.exec(trimmed)
      if (!m) {
        sendJson(res, 404, { message: `The route ${trimmed === '' ? '/' : trimmed} could not be found.` })
        return
      }
      // assumed: registered as a resource "update" route, so PUT is accepted alongside PATCH.
      if (method === 'PUT' || method === 'PATCH') {
        handleUpdate(req, res, m[1] ?? '', m[2] ?? '', input)
        return
      }
      if (method === 'OPTIONS') {
        res.writeHead(200, { Allow: 'PUT,PATCH', 'Content-Length': '0' })
        res.end()
        return
      }
      sendJson(
        res,
        405,
        { message: `The ${method} method is not supported for route ${trimmed}. Supported methods: PUT, PATCH.` },
        { Allow: 'PUT, PATCH' },
      )
    })().catch(() => {
      if (!res.headersSent) sendJson(res, 500, { message: 'Server Error' })
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
          actor: { userId: 485, token: 'medibulut-actor-token', email: 'usertemp@medibulut.com', tenant: 101, role: 'admin' },
          peer: { userId: 11, token: 'medibulut-peer-token', email: 'specialist@medibulut.com', tenant: 101, role: 'specialist' },
          foreign: { userId: 900, token: 'medibulut-foreign-token', email: 'admin@other-clinic.com', tenant: 202, role: 'admin' },
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
