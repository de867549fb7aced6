/**
 * Stand-in for Flextell's "PUT /v1/users/{id}" (Update a user), a Laravel API.
 * Served under /api/v1/users/{id}. Built from the public documentation page only.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createHash, randomBytes, scryptSync } from 'node:crypto'
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
/** The documented rule ids this server can break on request (start({ breaks: [...] })). */
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
// Types and data
// ---------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type JsonObject = { [key: string]: Json }

const NULLABLE_STRING_FIELDS = [
  'phone',
  'title',
  'emergency_contact_name',
  'emergency_contact_surname',
  'emergency_contact_phone_number',
  'blood_group',
  'avatar_url',
  'bio',
] as const
type NullableStringField = (typeof NULLABLE_STRING_FIELDS)[number]

const LANGUAGES: readonly string[] = ['Turkish', 'English', 'Other']

interface Role {
  id: number
  tenantId: number
  name: string
}

interface UserRow {
  id: number
  tenantId: number
  name: string
  email: string
  passwordHash: string
  strings: Record<NullableStringField, string | null>
  isActive: boolean | null
  language: string[] | null
  roleIds: number[]
  lastLoginAt: Date | null
  lastLoginIp: string | null
  createdAt: Date
  updatedAt: Date
  deletedAt: Date | null
}

interface TokenRow {
  id: number
  userId: number
  hash: string
}

interface State {
  users: Map<number, UserRow>
  roles: Map<number, Role>
  tokens: TokenRow[]
  breaks: ReadonlySet<string>
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: JsonObject,
  ) {
    super(typeof body['message'] === 'string' ? body['message'] : 'error')
  }
}

// assumed: body limit of 1 MiB (a typical nginx client_max_body_size / php post_max_size for an API);
// Laravel's PostTooLargeException renders an empty message, the team's handler gives a readable one.
const MAX_BODY_BYTES = 1024 * 1024
const MAX_DRAIN_BYTES = 16 * 1024 * 1024

function hasOwn(obj: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key)
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function hashPassword(plain: string): string {
  const salt = randomBytes(16)
  const derived = scryptSync(plain, salt, 32, { N: 1024, r: 8, p: 1 })
  return `$scrypt$n=1024$${salt.toString('base64')}$${derived.toString('base64')}`
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex')
}

function randomToken(len: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
  const bytes = randomBytes(len)
  let out = ''
  for (const b of bytes) out += alphabet[b % alphabet.length] ?? 'a'
  return out
}

// assumed: timestamps are rendered exactly like the doc example ("2023-11-07T05:31:56Z", Zulu, no
// fraction) — the resource uses toIso8601ZuluString() instead of Carbon's default ".000000Z" JSON form.
function iso(d: Date | null): string | null {
  return d === null ? null : d.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

function cloneUser(u: UserRow): UserRow {
  return {
    ...u,
    strings: { ...u.strings },
    language: u.language === null ? null : [...u.language],
    roleIds: [...u.roleIds],
  }
}

// ---------------------------------------------------------------------------
// Seeding
// ---------------------------------------------------------------------------

interface SeedUser {
  id: number
  tenantId: number
  name: string
  email: string
  password: string
  roleIds: number[]
  isActive: boolean
  title: string | null
  phone: string | null
  language: string[] | null
  lastLogin: boolean
  deleted?: boolean
}

const ACTOR_TENANT = 101
const FOREIGN_TENANT = 202

function seed(breaks: ReadonlySet<string>): {
  state: State
  accounts: { actor: StandinAccount; peer: StandinAccount; foreign: StandinAccount }
} {
  const roles = new Map<number, Role>()
  const roleList: Role[] = [
    { id: 1, tenantId: ACTOR_TENANT, name: 'Admin' },
    { id: 2, tenantId: ACTOR_TENANT, name: 'Manager' },
    { id: 3, tenantId: ACTOR_TENANT, name: 'Agent' },
    { id: 4, tenantId: FOREIGN_TENANT, name: 'Admin' },
    { id: 5, tenantId: FOREIGN_TENANT, name: 'Agent' },
  ]
  for (const r of roleList) roles.set(r.id, r)

  const seedUsers: SeedUser[] = [
    {
      id: 7,
      tenantId: ACTOR_TENANT,
      name: 'Ayse Demir',
      email: 'ayse.demir@acme-clinic.test',
      password: 'Secret-actor-1',
      roleIds: [1],
      isActive: true,
      title: 'Operations Lead',
      phone: '+90 532 000 0007',
      language: ['Turkish', 'English'],
      lastLogin: true,
    },
    {
      id: 8,
      tenantId: ACTOR_TENANT,
      name: 'Mehmet Kaya',
      email: 'mehmet.kaya@acme-clinic.test',
      password: 'Secret-peer-22',
      roleIds: [2],
      isActive: true,
      title: 'Shift Manager',
      phone: '+90 532 000 0008',
      language: ['Turkish'],
      lastLogin: true,
    },
    {
      id: 9,
      tenantId: ACTOR_TENANT,
      name: 'Can Yilmaz',
      email: 'can.yilmaz@acme-clinic.test',
      password: 'Secret-agent-3',
      roleIds: [3],
      isActive: false,
      title: null,
      phone: null,
      language: null,
      lastLogin: false,
    },
    {
      id: 10,
      tenantId: ACTOR_TENANT,
      name: 'Former Employee',
      email: 'former.employee@acme-clinic.test',
      password: 'Secret-former-4',
      roleIds: [3],
      isActive: false,
      title: null,
      phone: null,
      language: null,
      lastLogin: false,
      deleted: true,
    },
    {
      id: 21,
      tenantId: FOREIGN_TENANT,
      name: 'John Smith',
      email: 'john.smith@globex-care.test',
      password: 'Secret-foreign-5',
      roleIds: [4],
      isActive: true,
      title: 'Director',
      phone: '+1 555 0100 021',
      language: ['English'],
      lastLogin: true,
    },
    {
      id: 22,
      tenantId: FOREIGN_TENANT,
      name: 'Jane Doe',
      email: 'jane.doe@globex-care.test',
      password: 'Secret-foreign-6',
      roleIds: [5],
      isActive: true,
      title: null,
      phone: null,
      language: ['Other'],
      lastLogin: false,
    },
  ]

  const users = new Map<number, UserRow>()
  const created = new Date('2024-03-11T09:15:42Z')
  const updated = new Date('2024-09-02T14:03:10Z')
  for (const s of seedUsers) {
    users.set(s.id, {
      id: s.id,
      tenantId: s.tenantId,
      name: s.name,
      email: s.email,
      passwordHash: hashPassword(s.password),
      strings: {
        phone: s.phone,
        title: s.title,
        emergency_contact_name: null,
        emergency_contact_surname: null,
        emergency_contact_phone_number: null,
        blood_group: null,
        avatar_url: null,
        bio: null,
      },
      isActive: s.isActive,
      language: s.language,
      roleIds: s.roleIds,
      lastLoginAt: s.lastLogin ? new Date('2025-01-14T08:22:31Z') : null,
      lastLoginIp: s.lastLogin ? '10.20.30.' + String(s.id) : null,
      createdAt: new Date(created.getTime() + s.id * 60_000),
      updatedAt: new Date(updated.getTime() + s.id * 60_000),
      deletedAt: s.deleted === true ? new Date('2024-12-01T10:00:00Z') : null,
    })
  }
  const actor = users.get(7)
  if (actor !== undefined) actor.strings.emergency_contact_name = 'Fatma'

  // Sanctum personal access tokens: plain text "<id>|<40 chars>", stored as sha256 of the random part.
  const tokens: TokenRow[] = []
  const issue = (tokenId: number, userId: number): string => {
    const plain = randomToken(40)
    tokens.push({ id: tokenId, userId, hash: sha256(plain) })
    return `${String(tokenId)}|${plain}`
  }
  const actorToken = issue(31, 7)
  const peerToken = issue(32, 8)
  issue(33, 9)
  const foreignToken = issue(41, 21)
  issue(42, 22)

  return {
    state: { users, roles, tokens, breaks },
    accounts: {
      actor: {
        userId: 7,
        token: actorToken,
        email: 'ayse.demir@acme-clinic.test',
        tenant: ACTOR_TENANT,
        role: 'Admin',
      },
      peer: {
        userId: 8,
        token: peerToken,
        email: 'mehmet.kaya@acme-clinic.test',
        tenant: ACTOR_TENANT,
        role: 'Manager',
      },
      foreign: {
        userId: 21,
        token: foreignToken,
        email: 'john.smith@globex-care.test',
        tenant: FOREIGN_TENANT,
        role: 'Admin',
      },
    },
  }
}

// ---------------------------------------------------------------------------
// Validation (a small re-implementation of Laravel's validator semantics)
// ---------------------------------------------------------------------------

type Rule =
  | { kind: 'required' }
  | { kind: 'required_with'; other: string }
  | { kind: 'string' }
  | { kind: 'email' }
  | { kind: 'max'; n: number }
  | { kind: 'min'; n: number }
  | { kind: 'confirmed' }
  | { kind: 'boolean' }
  | { kind: 'list' }
  | { kind: 'distinct' }
  | { kind: 'in'; values: readonly string[] }
  | { kind: 'integer' }
  | { kind: 'role_exists' }
  | { kind: 'email_unique' }

interface FieldSpec {
  attr: string
  sometimes: boolean
  nullable: boolean
  bail: boolean
  rules: Rule[]
}

interface ValidationContext {
  state: State
  target: UserRow
  tenantScope: number | null
}

function buildSpecs(breaks: ReadonlySet<string>): FieldSpec[] {
  const noLimits = breaks.has('body.limits')
  const nullable = !breaks.has('body.nullable')
  const limitKinds = new Set(['string', 'email', 'max', 'min', 'boolean', 'list', 'in', 'integer'])
  const r = (...rules: Rule[]): Rule[] => (noLimits ? rules.filter((x) => !limitKinds.has(x.kind)) : rules)

  const specs: FieldSpec[] = [
    // assumed: name/email/password use "sometimes|required" so null or "" is rejected with the
    // "field is required" message rather than a type error (the columns are NOT NULL).
    {
      attr: 'name',
      sometimes: true,
      nullable: false,
      bail: false,
      rules: r({ kind: 'required' }, { kind: 'string' }, { kind: 'max', n: 255 }),
    },
    {
      attr: 'email',
      sometimes: true,
      nullable: false,
      bail: false,
      rules: r({ kind: 'required' }, { kind: 'string' }, { kind: 'email' }, { kind: 'max', n: 255 }, { kind: 'email_unique' }),
    },
    {
      attr: 'password',
      sometimes: true,
      nullable: false,
      bail: false,
      rules: r(
        { kind: 'required' },
        { kind: 'string' },
        { kind: 'min', n: 8 },
        ...(breaks.has('body.confirmed') ? [] : [{ kind: 'confirmed' } as const]),
      ),
    },
    // assumed: password_confirmation is required_with:password (besides the documented min:8), so a
    // password without confirmation reports both fields.
    {
      attr: 'password_confirmation',
      sometimes: false,
      nullable: false,
      bail: false,
      rules: r({ kind: 'required_with', other: 'password' }, { kind: 'string' }, { kind: 'min', n: 8 }),
    },
  ]
  const maxima: Record<NullableStringField, number> = {
    phone: 20,
    title: 255,
    emergency_contact_name: 255,
    emergency_contact_surname: 255,
    emergency_contact_phone_number: 20,
    blood_group: 10,
    avatar_url: 1000,
    bio: 1000,
  }
  // Documented order: phone, title, emergency_*, blood_group, avatar_url, is_active, bio, language, role_ids.
  for (const f of NULLABLE_STRING_FIELDS) {
    if (f === 'bio') {
      specs.push({ attr: 'is_active', sometimes: true, nullable, bail: false, rules: r({ kind: 'boolean' }) })
    }
    specs.push({ attr: f, sometimes: true, nullable, bail: false, rules: r({ kind: 'string' }, { kind: 'max', n: maxima[f] }) })
  }
  // assumed: language must be a JSON list (Laravel 11 "list" rule) of at most 3 distinct options;
  // bail keeps "must be a list" from being followed by a nonsense size message.
  specs.push({ attr: 'language', sometimes: true, nullable, bail: true, rules: r({ kind: 'list' }, { kind: 'max', n: 3 }) })
  specs.push({
    attr: 'language.*',
    sometimes: false,
    nullable: false,
    bail: true,
    rules: r({ kind: 'in', values: LANGUAGES }, { kind: 'distinct' }),
  })
  // assumed: role_ids is capped at 10 entries, items are strict integers (integer:strict, "5" is
  // rejected), distinct, and must exist among the roles of the current tenant.
  specs.push({ attr: 'role_ids', sometimes: true, nullable, bail: true, rules: r({ kind: 'list' }, { kind: 'max', n: 10 }) })
  specs.push({
    attr: 'role_ids.*',
    sometimes: false,
    nullable: false,
    bail: true,
    rules: r({ kind: 'integer' }, { kind: 'distinct' }, { kind: 'role_exists' }),
  })
  return specs
}

// assumed: Laravel 11 English messages ("The :attribute field must ..." wording of 10+, not 9's
// "The :attribute must ..."), attributes displayed with underscores as spaces ("role ids.0"), no bail
// except where noted, errors in the documented field order.
function displayName(attr: string): string {
  return attr.replace(/_/g, ' ')
}

function phpString(v: Json | undefined): string {
  if (v === undefined || v === null || v === false) return ''
  if (v === true) return '1'
  if (typeof v === 'string') return v
  if (typeof v === 'number') return String(v)
  return 'Array'
}

function sizeOf(v: Json | undefined): { size: number; array: boolean } {
  if (Array.isArray(v)) return { size: v.length, array: true }
  if (isObject(v)) return { size: Object.keys(v).length, array: true }
  return { size: [...phpString(v)].length, array: false }
}

function isEmptyForRequired(v: Json | undefined): boolean {
  if (v === undefined || v === null) return true
  if (typeof v === 'string') return v.trim() === ''
  if (Array.isArray(v)) return v.length === 0
  if (isObject(v)) return Object.keys(v).length === 0
  return false
}

const EMAIL_BAD = /[\s()<>[\]:;,\\"@]/u
function isEmail(v: Json | undefined): boolean {
  if (typeof v !== 'string') return false
  const at = v.lastIndexOf('@')
  if (at <= 0 || at === v.length - 1) return false
  const local = v.slice(0, at)
  const domain = v.slice(at + 1)
  if (/\p{Cc}/u.test(v)) return false
  const localParts = local.split('.')
  if (localParts.some((p) => p === '' || EMAIL_BAD.test(p))) return false
  const labels = domain.split('.')
  return labels.every((l) => l !== '' && !EMAIL_BAD.test(l) && !l.startsWith('-') && !l.endsWith('-'))
}

function looseEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true
  const prim = (x: Json | undefined): boolean => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean'
  if (prim(a) && prim(b)) return phpString(a) === phpString(b)
  return false
}

function checkRule(
  rule: Rule,
  attr: string,
  value: Json | undefined,
  input: JsonObject,
  siblings: readonly Json[] | null,
  index: number,
  ctx: ValidationContext,
): string | null {
  const a = displayName(attr)
  switch (rule.kind) {
    case 'required':
      return isEmptyForRequired(value) ? `The ${a} field is required.` : null
    case 'required_with': {
      const other = input[rule.other]
      if (!isEmptyForRequired(other) && isEmptyForRequired(value)) {
        return `The ${a} field is required when ${displayName(rule.other)} is present.`
      }
      return null
    }
    case 'string':
      return typeof value === 'string' ? null : `The ${a} field must be a string.`
    case 'email':
      return isEmail(value) ? null : `The ${a} field must be a valid email address.`
    case 'max': {
      const s = sizeOf(value)
      if (s.size <= rule.n) return null
      return s.array
        ? `The ${a} field must not have more than ${String(rule.n)} items.`
        : `The ${a} field must not be greater than ${String(rule.n)} characters.`
    }
    case 'min': {
      const s = sizeOf(value)
      if (s.size >= rule.n) return null
      return s.array
        ? `The ${a} field must have at least ${String(rule.n)} items.`
        : `The ${a} field must be at least ${String(rule.n)} characters.`
    }
    case 'confirmed':
      return value === input[`${attr}_confirmation`] ? null : `The ${a} field confirmation does not match.`
    case 'boolean':
      return value === true || value === false || value === 0 || value === 1 || value === '0' || value === '1'
        ? null
        : `The ${a} field must be true or false.`
    case 'list':
      return Array.isArray(value) ? null : `The ${a} field must be a list.`
    case 'distinct': {
      if (siblings === null) return null
      const dup = siblings.some((s, i) => i !== index && looseEqual(s, value))
      return dup ? `The ${a} field has a duplicate value.` : null
    }
    case 'in':
      return typeof value !== 'object' && rule.values.includes(phpString(value)) ? null : `The selected ${a} is invalid.`
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value) ? null : `The ${a} field must be an integer.`
    case 'role_exists': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN
      const role = ctx.state.roles.get(n)
      // assumed: custom message for role_ids.*.exists; the roles lookup is scoped to the current tenant.
      if (role === undefined || (ctx.tenantScope !== null && role.tenantId !== ctx.tenantScope)) {
        return 'The selected role does not exist in this tenant.'
      }
      return null
    }
    case 'email_unique': {
      if (typeof value !== 'string') return null
      const lower = value.toLowerCase()
      // assumed: uniqueness is global (login is by e-mail), case-insensitive (MySQL *_ci collation),
      // ignores the user being updated, and still counts soft-deleted users (Laravel's unique default).
      for (const u of ctx.state.users.values()) {
        if (u.id !== ctx.target.id && u.email.toLowerCase() === lower) {
          // assumed: custom message for email.unique.
          return 'This email address is already registered.'
        }
      }
      return null
    }
  }
}

function validate(input: JsonObject, ctx: ValidationContext): Map<string, string[]> {
  const errors = new Map<string, string[]>()
  const add = (attr: string, msg: string): void => {
    const list = errors.get(attr)
    if (list === undefined) errors.set(attr, [msg])
    else list.push(msg)
  }
  const implicit = new Set(['required', 'required_with'])

  const runField = (
    spec: FieldSpec,
    attr: string,
    present: boolean,
    value: Json | undefined,
    siblings: readonly Json[] | null,
    index: number,
  ): void => {
    if (spec.sometimes && !present) return
    for (const rule of spec.rules) {
      const isImplicit = implicit.has(rule.kind)
      if (!present && !isImplicit) continue
      if (!isImplicit && spec.nullable && value === null) continue
      const msg = checkRule(rule, attr, value, input, siblings, index, ctx)
      if (msg !== null) {
        add(attr, msg)
        if (spec.bail || isImplicit) return
      }
    }
  }

  for (const spec of buildSpecs(ctx.state.breaks)) {
    if (spec.attr.endsWith('.*')) {
      const parent = spec.attr.slice(0, -2)
      const arr = input[parent]
      if (!Array.isArray(arr)) continue
      arr.forEach((item, i) => {
        runField(spec, `${parent}.${String(i)}`, true, item, arr, i)
      })
      continue
    }
    const present = hasOwn(input, spec.attr)
    runField(spec, spec.attr, present, present ? input[spec.attr] : undefined, null, -1)
  }
  return errors
}

// ---------------------------------------------------------------------------
// Input normalisation (Laravel's TrimStrings + ConvertEmptyStringsToNull middleware)
// ---------------------------------------------------------------------------

const NO_TRIM = new Set(['password', 'password_confirmation', 'current_password'])

// assumed: nesting deeper than PHP json_decode's default depth (512) is treated as malformed JSON.
const MAX_JSON_DEPTH = 512

function normalise(value: Json, key: string, depth = 0): Json {
  if (depth > MAX_JSON_DEPTH) throw new HttpError(400, { message: 'Malformed JSON payload.' })
  if (typeof value === 'string') {
    if (NO_TRIM.has(key)) return value === '' ? null : value
    // PHP trim() default characters: space, \t, \n, \r, \0, \x0B.
    const t = value.replace(/^[ \t\n\r\0\v]+|[ \t\n\r\0\v]+$/g, '')
    return t === '' ? null : t
  }
  if (Array.isArray(value)) return value.map((v) => normalise(v, key, depth + 1))
  if (isObject(value)) {
    const out: JsonObject = {}
    for (const [k, v] of Object.entries(value)) {
      Object.defineProperty(out, k, { value: normalise(v, k, depth + 1), enumerable: true, writable: true, configurable: true })
    }
    return out
  }
  return value
}

function parseForm(raw: string): JsonObject {
  const out: JsonObject = {}
  const set = (k: string, v: Json): void => {
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true })
  }
  for (const [k, v] of new URLSearchParams(raw)) {
    const m = /^([A-Za-z0-9_]+)\[\d*\]$/.exec(k)
    if (m?.[1] !== undefined) {
      const name = m[1]
      const existing = hasOwn(out, name) ? out[name] : undefined
      if (Array.isArray(existing)) existing.push(v)
      else set(name, [v])
    } else {
      set(k, v)
    }
  }
  return out
}

// ---------------------------------------------------------------------------
// Update + resource
// ---------------------------------------------------------------------------

function coerceString(v: Json | undefined): string | null {
  if (v === undefined || v === null) return null
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean') return phpString(v)
  return JSON.stringify(v)
}

function applyUpdate(user: UserRow, input: JsonObject, state: State, tenantScope: number | null): UserRow {
  const next = cloneUser(user)
  let dirty = false
  const has = (k: string): boolean => hasOwn(input, k)
  if (has('name')) {
    const v = coerceString(input['name']) ?? next.name
    if (v !== next.name) dirty = true
    next.name = v
  }
  if (has('email')) {
    // assumed: e-mail is stored as sent (after TrimStrings), case preserved; only uniqueness ignores case.
    const v = coerceString(input['email']) ?? next.email
    if (v !== next.email) dirty = true
    next.email = v
  }
  if (has('password')) {
    const pw = coerceString(input['password'])
    if (pw !== null) {
      next.passwordHash = hashPassword(pw)
      dirty = true
    }
  }
  for (const f of NULLABLE_STRING_FIELDS) {
    if (!has(f)) continue
    const v = coerceString(input[f])
    if (v !== next.strings[f]) dirty = true
    next.strings[f] = v
  }
  if (has('is_active')) {
    const raw = input['is_active']
    // assumed: Laravel's lenient boolean rule (true/false/0/1/"0"/"1") with a boolean cast on the model.
    const v =
      raw === null || raw === undefined
        ? null
        : raw === true || raw === 1 || raw === '1'
          ? true
          : raw === false || raw === 0 || raw === '0'
            ? false
            : Boolean(raw)
    if (v !== next.isActive) dirty = true
    next.isActive = v
  }
  if (has('language')) {
    const raw = input['language']
    const v = raw === null || raw === undefined ? null : Array.isArray(raw) ? raw.map((x) => phpString(x)) : [phpString(raw)]
    if (JSON.stringify(v) !== JSON.stringify(next.language)) dirty = true
    next.language = v
  }
  if (has('role_ids')) {
    // assumed: role_ids null or [] detaches every role (sync([])); omitting the key leaves roles untouched.
    const raw = input['role_ids']
    const list = raw === null || raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]
    const ids: number[] = []
    for (const x of list) {
      const n = typeof x === 'number' ? x : typeof x === 'string' && /^\d+$/.test(x) ? Number(x) : NaN
      const role = state.roles.get(n)
      if (role === undefined || (tenantScope !== null && role.tenantId !== tenantScope)) continue
      if (!ids.includes(n)) ids.push(n)
    }
    ids.sort((a, b) => a - b)
    // assumed: a role-only change also bumps updated_at (the controller calls $user->touch() after sync).
    if (JSON.stringify(ids) !== JSON.stringify(next.roleIds)) dirty = true
    next.roleIds = ids
  }
  // assumed: a no-op update does not move updated_at (Eloquent skips the save when nothing is dirty).
  if (dirty) next.updatedAt = new Date()
  return next
}

function userResource(u: UserRow, state: State): JsonObject {
  const data: JsonObject = {
    id: u.id,
    name: u.name,
    email: u.email,
    title: u.strings.title,
    phone: u.strings.phone,
    emergency_contact_name: u.strings.emergency_contact_name,
    emergency_contact_surname: u.strings.emergency_contact_surname,
    emergency_contact_phone_number: u.strings.emergency_contact_phone_number,
    blood_group: u.strings.blood_group,
    language: u.language === null ? null : [...u.language],
    avatar_url: u.strings.avatar_url,
    is_active: u.isActive,
    bio: u.strings.bio,
    last_login_at: iso(u.lastLoginAt),
    last_login_ip: u.lastLoginIp,
    created_at: iso(u.createdAt),
    updated_at: iso(u.updatedAt),
    deleted_at: iso(u.deletedAt),
  }
  if (state.breaks.has('response.no-password')) {
    // Bug: the resource spreads the model attributes without honouring $hidden.
    data['password'] = u.passwordHash
  }
  if (!state.breaks.has('response.shape')) {
    // Bug when broken: roles are wrapped in whenLoaded() but never eager-loaded, so the key vanishes.
    data['roles'] = u.roleIds.flatMap((id): Json[] => {
      const role = state.roles.get(id)
      return role === undefined ? [] : [{ id: role.id, name: role.name }]
    })
  }
  return data
}

function successBody(message: string, data: JsonObject, state: State): JsonObject {
  // Bug when broken: success is sent as a boolean instead of the documented string.
  return { success: state.breaks.has('response.shape') ? true : message, data }
}

// ---------------------------------------------------------------------------
// HTTP plumbing
// ---------------------------------------------------------------------------

function send(res: ServerResponse, status: number, body: JsonObject | null, extra: Record<string, string> = {}): void {
  if (res.headersSent || res.writableEnded) return
  const payload = body === null ? '' : JSON.stringify(body)
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Content-Length': String(Buffer.byteLength(payload)),
    ...extra,
  })
  res.end(payload)
}

function readBody(req: IncomingMessage): Promise<{ tooLarge: boolean; body: Buffer }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let total = 0
    let tooLarge = false
    let done = false
    const finish = (): void => {
      if (done) return
      done = true
      resolve({ tooLarge, body: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks) })
    }
    const declared = Number(req.headers['content-length'])
    if (Number.isFinite(declared) && declared > MAX_DRAIN_BYTES) {
      tooLarge = true
      finish()
      return
    }
    req.on('data', (chunk: Buffer) => {
      total += chunk.length
      if (total > MAX_BODY_BYTES) {
        tooLarge = true
        chunks.length = 0
        if (total > MAX_DRAIN_BYTES) {
          finish()
          req.destroy()
        }
        return
      }
      chunks.push(chunk)
    })
    req.on('end', finish)
    req.on('error', finish)
    req.on('close', finish)
  })
}

function bearerToken(req: IncomingMessage): string | null {
  const h = req.headers['authorization']
  if (typeof h !== 'string') return null
  const m = /^\s*Bearer\s+(\S+)\s*$/i.exec(h)
  return m?.[1] ?? null
}

function authenticate(state: State, token: string | null): UserRow | null {
  if (token === null) return null
  let row: TokenRow | undefined
  const bar = token.indexOf('|')
  if (bar >= 0) {
    const id = token.slice(0, bar)
    const plain = token.slice(bar + 1)
    if (!/^\d+$/.test(id)) return null
    const hash = sha256(plain)
    row = state.tokens.find((t) => t.id === Number(id) && t.hash === hash)
  } else {
    const hash = sha256(token)
    row = state.tokens.find((t) => t.hash === hash)
  }
  if (row === undefined) return null
  const user = state.users.get(row.userId)
  if (user === undefined || user.deletedAt !== null) return null
  return user
}

function notFoundModel(rawId: string): HttpError {
  return new HttpError(404, { message: `No query results for model [App\\Models\\User] ${rawId}` })
}

async function handle(state: State, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { tooLarge, body } = await readBody(req)
  if (tooLarge) {
    send(res, 413, { message: 'Payload Too Large.' }, { Connection: 'close' })
    return
  }

  const method = (req.method ?? 'GET').toUpperCase()
  let pathname: string
  try {
    pathname = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
  } catch {
    pathname = '/'
  }
  const trimmed = pathname.replace(/^\/+|\/+$/g, '')
  const routeMatch = /^api\/v1\/users\/([^/]+)$/.exec(trimmed)
  const rawId = routeMatch?.[1]
  // Route constraint whereNumber('user'): a non-numeric id does not match the route at all.
  if (rawId === undefined || !/^\d+$/.test(rawId)) {
    throw new HttpError(404, { message: `The route ${trimmed} could not be found.` })
  }
  const allowed = ['GET', 'HEAD', 'PUT', 'PATCH']
  if (method === 'OPTIONS') {
    send(res, 204, null, { Allow: allowed.join(', ') })
    return
  }
  if (!allowed.includes(method)) {
    throw new HttpError(405, {
      message: `The ${method} method is not supported for route ${trimmed}. Supported methods: ${allowed.join(', ')}.`,
    })
  }

  // auth:sanctum
  const authUser = authenticate(state, bearerToken(req))
  // assumed: 401 body is Laravel's stock {"message":"Unauthenticated."}, always JSON regardless of Accept
  // (the team's ForceJsonResponse middleware; stock Laravel would redirect to a login route).
  if (authUser === null && !state.breaks.has('auth.required')) {
    throw new HttpError(401, { message: 'Unauthenticated.' })
  }

  // Tenancy via X-Tenant.
  // assumed: X-Tenant is optional and defaults to the token owner's tenant; a non-numeric value is a
  // 400, and a tenant the caller does not belong to is a 403 (checked before the user lookup).
  let tenantScope: number | null = authUser?.tenantId ?? null
  const tenantHeader = req.headers['x-tenant']
  if (tenantHeader !== undefined) {
    const value = Array.isArray(tenantHeader) ? tenantHeader.join(',') : tenantHeader
    const t = value.trim()
    if (!/^\d{1,18}$/.test(t)) {
      throw new HttpError(400, { message: 'The X-Tenant header must be a numeric tenant identifier.' })
    }
    const tid = Number(t)
    // Bug when "tenant.isolation" is broken: the tenancy middleware trusts X-Tenant without a
    // membership check, and (below) the User model lost its tenant global scope.
    if (authUser !== null && tid !== authUser.tenantId && !state.breaks.has('tenant.isolation')) {
      throw new HttpError(403, { message: 'You do not have access to this tenant.' })
    }
    tenantScope = tid
  }

  // Body parsing (only for writes).
  let input: JsonObject = {}
  if (method === 'PUT' || method === 'PATCH') {
    const text = body.toString('utf8')
    const ctype = (req.headers['content-type'] ?? '').toLowerCase()
    if (ctype.includes('application/x-www-form-urlencoded')) {
      input = parseForm(text)
    } else if (text.trim() !== '') {
      // assumed: any other content type is read as JSON (the API is JSON-only). Malformed JSON or a
      // non-object document is a 400 (team middleware), where stock Laravel silently sees empty input.
      let parsed: unknown
      try {
        parsed = JSON.parse(text)
      } catch {
        throw new HttpError(400, { message: 'Malformed JSON payload.' })
      }
      if (parsed === null) parsed = {}
      if (!isObject(parsed)) {
        throw new HttpError(400, { message: 'The request body must be a JSON object.' })
      }
      input = parsed
    }
    const norm = normalise(input, '')
    input = isObject(norm) ? norm : {}
  }

  // Route model binding, scoped by the tenant global scope; soft-deleted users are not bound.
  // assumed: another tenant's user answers 404 (indistinguishable from a missing id), not 403.
  const id = Number(rawId)
  const user = Number.isSafeInteger(id) ? state.users.get(id) : undefined
  const tenantOk = state.breaks.has('tenant.isolation') || tenantScope === null || user?.tenantId === tenantScope
  if (user === undefined || user.deletedAt !== null || !tenantOk) throw notFoundModel(rawId)

  if (method === 'GET' || method === 'HEAD') {
    // assumed: the apiResource "show" route exists beside update and answers in the same envelope.
    send(res, 200, successBody('User retrieved successfully.', userResource(user, state), state))
    return
  }

  const errors = validate(input, { state, target: user, tenantScope })
  if (errors.size > 0) {
    const all = [...errors.values()].flat()
    const first = all[0] ?? 'The given data was invalid.'
    const more = all.length - 1
    const message = more > 0 ? `${first} (and ${String(more)} more ${more === 1 ? 'error' : 'errors'})` : first
    const errObj: JsonObject = {}
    for (const [k, v] of errors) {
      Object.defineProperty(errObj, k, { value: v, enumerable: true, writable: true, configurable: true })
    }
    throw new HttpError(422, { message, errors: errObj })
  }

  // assumed: unknown and read-only keys (id, roles, created_at, last_login_*) are silently ignored —
  // only $request->validated() reaches the model.
  const before = cloneUser(user)
  const next = applyUpdate(user, input, state, tenantScope)
  if (!state.breaks.has('update.persists')) {
    // Bug when broken: the model is fill()-ed for the response but save() is never called.
    state.users.set(user.id, next)
  }
  // Bug when "response.echo" is broken: the response is built from the instance loaded before the update.
  const shown = state.breaks.has('response.echo') ? before : next
  // assumed: success carries a human-readable message, "User updated successfully.".
  send(res, 200, successBody('User updated successfully.', userResource(shown, state), state))
}

export async function start(options?: { breaks?: readonly string[] }): Promise<Standin> {
  const breaks = new Set((options?.breaks ?? []).filter((b) => breakable.includes(b)))
  const { state, accounts } = seed(breaks)

  const server = createServer((req, res) => {
    handle(state, req, res).catch((err: unknown) => {
      if (err instanceof HttpError) send(res, err.status, err.body)
      else send(res, 500, { message: 'Server Error' })
    })
  })
  server.on('clientError', (_err, socket) => {
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

  return {
    url: `http://127.0.0.1:${String(port)}`,
    accounts,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve()
        })
        server.closeAllConnections()
      }),
  }
}
