/**
 * Lenient stand-in for "flextell" (Laravel): PUT /api/v1/users/{id}.
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

interface Role {
  id: number
  tenant: number
  name: string
}
interface User {
  id: number
  tenant: number
  token: string | null
  name: string
  email: string
  password: string
  title: unknown
  phone: unknown
  emergency_contact_name: unknown
  emergency_contact_surname: unknown
  emergency_contact_phone_number: unknown
  blood_group: unknown
  language: unknown
  avatar_url: unknown
  is_active: unknown
  bio: unknown
  last_login_at: string | null
  last_login_ip: string | null
  created_at: string
  updated_at: string
  deleted_at: string | null
  role_ids: number[]
}

function hashPassword(pw: string, salt?: Buffer): string {
  const s = salt ?? randomBytes(16)
  const h = scryptSync(pw, s, 32, { N: 1024, r: 8, p: 1 })
  return `$scrypt$N=1024,r=8,p=1$${s.toString('base64')}$${h.toString('base64')}`
}
const seedSalt = (email: string): Buffer => createHash('sha256').update(`salt:${email}`).digest().subarray(0, 16)

// Laravel serialises dates as ISO-8601; the doc's example shows no fraction, so none here.
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

function seed(): { users: User[]; roles: Role[] } {
  const roles: Role[] = [
    { id: 1, tenant: 1, name: 'Admin' },
    { id: 2, tenant: 1, name: 'Manager' },
    { id: 3, tenant: 1, name: 'Agent' },
    { id: 4, tenant: 2, name: 'Admin' },
    { id: 5, tenant: 2, name: 'Agent' },
  ]
  const base = (id: number, tenant: number, token: string | null, name: string, email: string, role_ids: number[]): User => ({
    id,
    tenant,
    token,
    name,
    email,
    password: hashPassword('password123', seedSalt(email)),
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
    last_login_at: '2024-03-01T09:00:00Z',
    last_login_ip: '10.0.0.1',
    created_at: '2024-01-15T10:30:00Z',
    updated_at: '2024-01-15T10:30:00Z',
    deleted_at: null,
    role_ids,
  })
  const users: User[] = [
    {
      ...base(1, 1, 'flextell-actor-token', 'Alice Actor', 'alice@flextell.test', [1]),
      title: 'CTO',
      phone: '+905551112233',
      blood_group: 'A+',
      language: ['Turkish', 'English'],
    },
    base(2, 1, 'flextell-peer-token', 'Peter Peer', 'peter@flextell.test', [3]),
    base(3, 1, 'flextell-carol-token', 'Carol Third', 'carol@flextell.test', [2]),
    { ...base(4, 1, 'flextell-deleted-token', 'Dan Deleted', 'dan@flextell.test', []), deleted_at: '2024-02-01T00:00:00Z' },
    base(10, 2, 'flextell-foreign-token', 'Fiona Foreign', 'fiona@flextell.test', [4]),
    base(11, 2, null, 'George Foreign', 'george@flextell.test', [5]),
  ]
  return { users, roles }
}

// ---------------------------------------------------------------------------
// Server

const RESPONSE_FIELDS = [
  'id',
  'name',
  'email',
  'title',
  'phone',
  'emergency_contact_name',
  'emergency_contact_surname',
  'emergency_contact_phone_number',
  'blood_group',
  'language',
  'avatar_url',
  'is_active',
  'bio',
  'last_login_at',
  'last_login_ip',
  'created_at',
  'updated_at',
  'deleted_at',
  'roles',
] as const

const NULLABLE_STRINGS: [string, number][] = [
  ['phone', 20],
  ['title', 255],
  ['emergency_contact_name', 255],
  ['emergency_contact_surname', 255],
  ['emergency_contact_phone_number', 20],
  ['blood_group', 10],
  ['avatar_url', 1000],
]

export function start(options?: { breaks?: readonly string[] }): Promise<Standin> {
  const breaks = new Set(options?.breaks ?? [])
  for (const b of breaks) if (!breakable.includes(b)) throw new Error(`flextell stand-in cannot break "${b}"`)
  const db = seed()

  const roleView = (u: User): { id: number; name: string }[] =>
    u.role_ids
      .map((id) => db.roles.find((r) => r.id === id))
      .filter((r): r is Role => r !== undefined)
      .map((r) => ({ id: r.id, name: r.name }))

  const view = (u: User): Dict => {
    const d: Dict = {}
    for (const f of RESPONSE_FIELDS) d[f] = f === 'roles' ? roleView(u) : (u as unknown as Dict)[f]
    return d
  }

  const rulesFor = (target: User): RuleSet => {
    const limits = !breaks.has('body.limits')
    const nullable = !breaks.has('body.nullable')
    const str = (max: number, isNullable: boolean): Rule[] => [
      R.sometimes,
      ...(isNullable && nullable ? [R.nullable] : []),
      ...(limits ? [R.string, R.max(max)] : []),
    ]
    const emailTaken = (v: unknown): boolean =>
      // assumed: the stock users migration has a global unique index on email, surfaced as a `unique` rule
      // (ignoring the user's own row); compared exactly as the DB collation would most leniently allow.
      !db.users.some((u) => u.id !== target.id && u.deleted_at === null && u.email === v)
    const roleExists = (v: unknown): boolean => {
      // assumed: roles are tenant-scoped, so only roles of the target's tenant exist for role_ids
      const id = filterInt(v)
      return id !== null && db.roles.some((r) => r.id === id && r.tenant === target.tenant)
    }
    const rules: RuleSet = [
      ['name', str(255, false)],
      ['email', [R.sometimes, ...(limits ? [R.string] : []), R.email, ...(limits ? [R.max(255)] : []), R.unique(emailTaken)]],
      ['password', [R.sometimes, ...(limits ? [R.string] : []), R.min(8), ...(breaks.has('body.confirmed') ? [] : [R.confirmed])]],
      ['password_confirmation', [R.sometimes, ...(limits ? [R.string] : []), R.min(8)]],
      ...NULLABLE_STRINGS.map(([k, n]): [string, Rule[]] => [k, str(n, true)]),
      ['is_active', [R.sometimes, ...(nullable ? [R.nullable] : []), ...(limits ? [R.boolean] : [])]],
      ['bio', str(1000, true)],
      ['language', [R.sometimes, ...(nullable ? [R.nullable] : []), ...(limits ? [R.array] : [])]],
      ['language.*', limits ? [R.in(['Turkish', 'English', 'Other'])] : []],
      ['role_ids', [R.sometimes, ...(nullable ? [R.nullable] : []), ...(limits ? [R.array] : [])]],
      ['role_ids.*', [...(limits ? [R.integer] : []), R.exists(roleExists)]],
    ]
    return rules
  }

  const handleUpdate = (req: IncomingMessage, res: ServerResponse, idRaw: string, input: Dict): void => {
    // --- auth:sanctum / passport (Bearer token) -----------------------------------------------
    const authz = String(req.headers.authorization ?? '')
    // Laravel's bearerToken(): case-insensitive "Bearer ", last occurrence, cut at a comma.
    const pos = authz.toLowerCase().lastIndexOf('bearer ')
    let token = pos >= 0 ? authz.slice(pos + 7) : ''
    if (token.includes(',')) token = token.slice(0, token.indexOf(','))
    const me = token === '' ? undefined : db.users.find((u) => u.token === token && u.deleted_at === null)
    if (!me && !breaks.has('auth.required')) {
      sendJson(res, 401, { message: 'Unauthenticated.' })
      return
    }

    // --- tenancy (X-Tenant header) ----------------------------------------------------------
    const rawTenant = req.headers['x-tenant']
    const headerTenant = typeof rawTenant === 'string' && rawTenant.trim() !== '' ? rawTenant.trim() : null
    let tenant: number | null
    if (me) {
      // assumed: a missing X-Tenant header falls back to the authenticated user's own tenant.
      // assumed: an X-Tenant naming a tenant the user does not belong to is refused with Laravel's
      // authorization 403 (as a tenant-membership Gate would).
      if (headerTenant !== null && Number(headerTenant) !== me.tenant && !breaks.has('tenant.isolation')) {
        sendJson(res, 403, { message: 'This action is unauthorized.' })
        return
      }
      tenant = me.tenant
    } else {
      tenant = headerTenant !== null && Number.isFinite(Number(headerTenant)) ? Number(headerTenant) : null
    }

    // --- route model binding, scoped to the tenant; soft-deleted users are not found ----------
    // assumed: ids are matched as integers (digits only); anything else is simply "not found".
    const id = /^\d+$/.test(idRaw) ? Number(idRaw) : NaN
    const target = db.users.find(
      (u) => u.id === id && u.deleted_at === null && (breaks.has('tenant.isolation') || tenant === null || u.tenant === tenant),
    )
    if (!target) {
      sendJson(res, 404, { message: `No query results for model [App\\Models\\User] ${idRaw}` })
      return
    }
    // assumed: the doc states no authorization rule beyond authentication and the tenant, so any
    // authenticated user of the tenant may update any user of that tenant (no policy).

    // --- FormRequest validation -------------------------------------------------------------
    const { errors, validated } = validate(input, rulesFor(target))
    if (errors.size > 0) {
      sendJson(res, 422, { message: summarize(errors), errors: Object.fromEntries(errors) })
      return
    }

    // --- apply ------------------------------------------------------------------------------
    const before = view(target)
    const next: User = { ...target, role_ids: [...target.role_ids] }
    let dirty = false
    const setAttr = (k: keyof User, v: unknown): void => {
      if (JSON.stringify((next as unknown as Dict)[k]) !== JSON.stringify(v)) dirty = true
      ;(next as unknown as Dict)[k] = v
    }
    for (const [k, v] of validated) {
      switch (k) {
        case 'password_confirmation':
          break
        case 'password': {
          // `password` => 'hashed' cast; when body.limits is broken a non-string is stringified first.
          const pw = phpStr(v)
          next.password = hashPassword(pw)
          dirty = true
          break
        }
        case 'is_active':
          // boolean cast: PHP (bool) semantics; null stays null (the doc marks the field nullable).
          setAttr(
            'is_active',
            v === null ? null : !(v === false || v === 0 || v === '0' || v === '' || (isPhpArray(v) && phpCount(v) === 0)),
          )
          break
        case 'language':
          // array cast; assumed: a JSON object (a PHP array to Laravel) is kept as its list of values.
          setAttr('language', v === null ? null : isPhpArray(v) ? phpEntries(v).map(([, x]) => x) : v)
          break
        case 'role_ids': {
          // assumed: null detaches every role (sync([])); duplicates collapse as sync() does.
          const list = v === null ? [] : isPhpArray(v) ? phpEntries(v).map(([, x]) => x) : [v]
          const ids: number[] = []
          for (const x of list) {
            const n = filterInt(x)
            if (n !== null && !ids.includes(n)) ids.push(n)
          }
          next.role_ids = ids // a pivot sync does not touch users.updated_at
          break
        }
        default:
          setAttr(k as keyof User, v)
      }
    }
    if (dirty) {
      // updated_at only moves when the model is dirty; strictly after the previous value.
      const prev = Date.parse(target.updated_at)
      next.updated_at = iso(Math.max(Date.now(), prev + 1000))
    }
    if (!breaks.has('update.persists')) {
      const i = db.users.indexOf(target)
      db.users[i] = next
    }

    const data = view(next)
    if (breaks.has('response.echo')) {
      // show the old value of the first field that was sent and changed
      const sentKeys = new Set([...validated.keys()].map((k) => (k === 'role_ids' ? 'roles' : k)))
      for (const f of RESPONSE_FIELDS) {
        if (sentKeys.has(f) && JSON.stringify(before[f]) !== JSON.stringify(data[f])) {
          data[f] = before[f]
          break
        }
      }
    }
    if (breaks.has('response.no-password')) data['password'] = next.password
    const body: Dict = { success: 'User updated successfully.', data }
    // assumed: the `success` value is a human message (the doc only says it is a string).
    if (breaks.has('response.shape')) delete body['success']
    sendJson(res, 200, body)
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
      // Request::path(): leading and trailing slashes are trimmed before matching.
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

      const m = /^api\/v1\/users\/([^/]+)$/.exec(trimmed)
      if (!m) {
        sendJson(res, 404, { message: `The route ${trimmed === '' ? '/' : trimmed} could not be found.` })
        return
      }
      // assumed: registered as a resource "update" route, so PATCH is accepted alongside PUT.
      if (method === 'PUT' || method === 'PATCH') {
        handleUpdate(req, res, m[1] ?? '', input)
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
          actor: { userId: 1, token: 'flextell-actor-token', email: 'alice@flextell.test', tenant: 1 },
          peer: { userId: 2, token: 'flextell-peer-token', email: 'peter@flextell.test', tenant: 1 },
          foreign: { userId: 10, token: 'flextell-foreign-token', email: 'fiona@flextell.test', tenant: 2 },
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
