/*
 * Stand-in for Flextell's "PUT /v1/users/{id} — Update a user" (a Laravel 10/11 app,
 * base URL https://dev.flextell.ai/api/v1), written from the public documentation page alone.
 *
 * It behaves like the Laravel app most plausibly behind that page: Sanctum bearer tokens,
 * an X-Tenant header scoping the request to a tenant, an UpdateUserRequest FormRequest with
 * Laravel's own English validation messages and 422 summary, and a UserResource wrapped as
 * {success, data}. Everything lives in memory; every start() is a fresh, independent world.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
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

// ---------------------------------------------------------------------------------------------
// Limits and constants
// ---------------------------------------------------------------------------------------------

// assumed: nginx's default client_max_body_size (1m) sits in front of the app, so bodies above
// 1 MiB are refused with 413 before Laravel sees them (long-but-sane strings still reach the 422).
const BODY_LIMIT = 1024 * 1024
/** Beyond this much body we stop draining and drop the connection after the 413. */
const DRAIN_LIMIT = 16 * 1024 * 1024
/** PHP json_decode's default nesting limit. */
const MAX_JSON_DEPTH = 512
const LANGUAGES: readonly string[] = ['Turkish', 'English', 'Other']
const SCRYPT_N = 16384
const SCRYPT_R = 8
const SCRYPT_P = 1
// assumed: the documented `success` string carries a human sentence, not "true".
const SUCCESS_TEXT = 'User updated successfully.'
const ROUTE_RE = /^\/api\/v1\/users\/([^/]+)$/

type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }
type JsonObject = { [key: string]: JsonValue }

const FILLABLE = [
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
type FillableKey = (typeof FILLABLE)[number]

// ---------------------------------------------------------------------------------------------
// In-memory database
// ---------------------------------------------------------------------------------------------

interface Tenant {
  id: number
  name: string
  ownerId: number
}

interface Role {
  id: number
  tenantId: number
  name: string
}

interface AccessToken {
  id: number
  userId: number
  /** sha256 hex of the secret part, as Sanctum stores it. */
  hash: string
}

interface UserRow {
  id: number
  tenantId: number
  attrs: Record<FillableKey, JsonValue>
  passwordHash: string
  roleIds: number[]
  lastLoginAt: number | null
  lastLoginIp: string | null
  createdAt: number
  updatedAt: number
  deletedAt: number | null
}

interface State {
  breaks: ReadonlySet<string>
  tenants: Map<number, Tenant>
  roles: Map<number, Role>
  users: Map<number, UserRow>
  tokens: AccessToken[]
}

interface Reply {
  status: number
  body: JsonValue
  headers?: Record<string, string>
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Own-property write that is safe for keys such as "__proto__". */
function setOwn(obj: JsonObject, key: string, value: JsonValue): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true })
}

function hasOwn(obj: JsonObject, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key)
}

function getOwn(obj: JsonObject, key: string): JsonValue | undefined {
  return hasOwn(obj, key) ? obj[key] : undefined
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex')
}

function randomToken(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
  const bytes = randomBytes(length)
  let out = ''
  for (const byte of bytes) out += alphabet[byte % alphabet.length] ?? 'x'
  return out
}

function scryptAsync(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, 32, { N: SCRYPT_N, r: SCRYPT_R, p: SCRYPT_P }, (err, key) => {
      if (err) reject(err)
      else resolve(key)
    })
  })
}

async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await scryptAsync(password, salt)
  return `$scrypt$n=${SCRYPT_N},r=${SCRYPT_R},p=${SCRYPT_P}$${salt.toString('base64')}$${key.toString('base64')}`
}

function iso(ms: number | null): string | null {
  if (ms === null) return null
  // The doc shows "2023-11-07T05:31:56Z": whole seconds, Zulu, no microseconds.
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

function clone(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(clone)
  if (isObject(value)) {
    const out: JsonObject = {}
    for (const [k, v] of Object.entries(value)) setOwn(out, k, clone(v))
    return out
  }
  return value
}

function same(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === undefined || b === undefined) return a === b
  return JSON.stringify(a) === JSON.stringify(b)
}

function isTrimChar(ch: string): boolean {
  return ch === '\u200B' || ch === '\u200E' || ch === '\uFEFF' || /^\s$/u.test(ch)
}

/** Laravel's Str::trim (TrimStrings middleware), written without backtracking regexes. */
function laravelTrim(text: string): string {
  let start = 0
  let end = text.length
  while (start < end && isTrimChar(text.charAt(start))) start++
  while (end > start && isTrimChar(text.charAt(end - 1))) end--
  return text.slice(start, end)
}

// assumed: responses are serialized with json_encode's default flags (as Laravel's JsonResponse
// does): "/" escaped and non-ASCII as \uXXXX; the decoded values are unchanged.
/** PHP json_encode's default flags: "/" escaped, non-ASCII as \uXXXX. */
function phpJson(value: JsonValue): string {
  return JSON.stringify(value)
    .replace(/\//g, '\\/')
    .replace(/[\u0080-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

function codePoints(text: string): number {
  let n = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) i++
    }
    n++
  }
  return n
}

/** Laravel's Validator::getSize for a non-numeric attribute. */
function phpSize(value: JsonValue | undefined): number {
  if (value === undefined || value === null) return 0
  if (Array.isArray(value)) return value.length
  if (isObject(value)) return Object.keys(value).length
  if (typeof value === 'string') return codePoints(value)
  if (typeof value === 'boolean') return value ? 1 : 0
  return String(value).length
}

/** Laravel's validateRequired. */
function filled(value: JsonValue | undefined): boolean {
  if (value === undefined || value === null) return false
  if (typeof value === 'string') return value.trim() !== ''
  if (Array.isArray(value)) return value.length > 0
  if (isObject(value)) return Object.keys(value).length > 0
  return true
}

function integerValue(value: JsonValue | undefined): number | null {
  // assumed: like FILTER_VALIDATE_INT, numeric strings such as "5" pass the integer rule, but
  // booleans do not (PHP would turn true into 1 and attach role 1, which nobody means).
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : null
  if (typeof value === 'string') {
    const t = value.trim()
    if (!/^[+-]?(?:0|[1-9][0-9]{0,15})$/.test(t)) return null
    const n = Number(t)
    return Number.isSafeInteger(n) ? n : null
  }
  return null
}

const ATOM_RE = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uFFFF-]+$/
const LABEL_RE = /^[A-Za-z0-9\u0080-\uFFFF][A-Za-z0-9\u0080-\uFFFF-]*$/

/** An approximation of Laravel's default `email` rule (egulias RFCValidation), linear time. */
function isEmail(value: string): boolean {
  const at = value.indexOf('@')
  if (at <= 0 || at !== value.lastIndexOf('@') || at === value.length - 1) return false
  const local = value.slice(0, at)
  const domain = value.slice(at + 1)
  for (const atom of local.split('.')) if (!ATOM_RE.test(atom)) return false
  for (const label of domain.split('.')) {
    if (!LABEL_RE.test(label) || label.endsWith('-')) return false
  }
  return true
}

// ---------------------------------------------------------------------------------------------
// Request input: body parsing and Laravel's global input middleware
// ---------------------------------------------------------------------------------------------

type ParseResult = { ok: true; input: JsonObject } | { ok: false; reply: Reply }

function jsonError(detail: string): ParseResult {
  // assumed: Laravel silently treats unparsable JSON as an empty input (which would make a broken
  // body "succeed"), so this team added an EnsureValidJson middleware answering 400 with
  // "Invalid JSON: " + json_last_error_msg().
  return { ok: false, reply: { status: 400, body: { message: `Invalid JSON: ${detail}` } } }
}

function jsonDepthExceeded(text: string): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x5b || c === 0x7b) {
      depth++
      if (depth > MAX_JSON_DEPTH) return true
    } else if (c === 0x5d || c === 0x7d) depth--
  }
  return false
}

function hasLoneSurrogate(root: JsonValue): boolean {
  const lone = /\p{Cs}/u
  const stack: JsonValue[] = [root]
  while (stack.length > 0) {
    const v = stack.pop()
    if (typeof v === 'string') {
      if (lone.test(v)) return true
    } else if (Array.isArray(v)) {
      for (const item of v) stack.push(item)
    } else if (isObject(v)) {
      for (const [k, item] of Object.entries(v)) {
        if (lone.test(k)) return true
        stack.push(item)
      }
    }
  }
  return false
}

function parseJsonBody(raw: Buffer): ParseResult {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(raw)
  } catch {
    return jsonError('Malformed UTF-8 characters, possibly incorrectly encoded')
  }
  if (text.trim() === '') return { ok: true, input: {} }
  if (jsonDepthExceeded(text)) return jsonError('Maximum stack depth exceeded')
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return jsonError('Syntax error')
  }
  const value = parsed as JsonValue
  if (hasLoneSurrogate(value)) return jsonError('Single unpaired UTF-16 surrogate in unicode escape')
  if (!isObject(value)) {
    // assumed: a top-level array, string or number is refused rather than cast to an array.
    return { ok: false, reply: { status: 400, body: { message: 'The request body must be a JSON object.' } } }
  }
  return { ok: true, input: value }
}

function parseFormBody(raw: Buffer): JsonObject {
  const out: JsonObject = {}
  const params = new URLSearchParams(raw.toString('utf8'))
  for (const [key, val] of params) {
    const m = /^([^[\]]+)\[([^[\]]*)\]$/.exec(key)
    if (m === null) {
      setOwn(out, key, val)
      continue
    }
    const base = m[1] ?? key
    const idx = m[2] ?? ''
    let bucket = getOwn(out, base)
    if (idx === '') {
      if (!Array.isArray(bucket)) {
        bucket = []
        setOwn(out, base, bucket)
      }
      bucket.push(val)
    } else {
      if (!isObject(bucket)) {
        bucket = {}
        setOwn(out, base, bucket)
      }
      setOwn(bucket, idx, val)
    }
  }
  return out
}

/**
 * TrimStrings (except password fields) + ConvertEmptyStringsToNull, recursively, and PHP's view
 * of JSON objects: an object whose keys are 0..n-1 in order is a list once json_decode'd.
 */
function transformInput(value: JsonValue, key: string): JsonValue {
  if (typeof value === 'string') {
    const except = key === 'password' || key === 'password_confirmation' || key === 'current_password'
    const trimmed = except ? value : laravelTrim(value)
    return trimmed === '' ? null : trimmed
  }
  if (Array.isArray(value)) return value.map((v, i) => transformInput(v, `${key}.${i}`))
  if (isObject(value)) {
    const keys = Object.keys(value)
    if (keys.every((k, i) => k === String(i))) {
      return keys.map((k, i) => transformInput(getOwn(value, k) ?? null, `${key}.${i}`))
    }
    const out: JsonObject = {}
    for (const k of keys) setOwn(out, k, transformInput(getOwn(value, k) ?? null, key === '' ? k : `${key}.${k}`))
    return out
  }
  return value
}

// ---------------------------------------------------------------------------------------------
// Validation: the UpdateUserRequest rules, run the way Laravel's Validator runs them
// ---------------------------------------------------------------------------------------------

type Rule =
  | { k: 'required' }
  | { k: 'required_with'; other: string }
  | { k: 'string' }
  | { k: 'email' }
  | { k: 'max'; n: number }
  | { k: 'min'; n: number }
  | { k: 'unique' }
  | { k: 'confirmed' }
  | { k: 'boolean' }
  | { k: 'array' }
  | { k: 'list' }
  | { k: 'in'; values: readonly string[] }
  | { k: 'distinct' }
  | { k: 'integer' }
  | { k: 'exists_role' }
  | { k: 'prohibited' }

interface Spec {
  attr: string
  sometimes: boolean
  nullable: boolean
  rules: Rule[]
}

/** Rules that enforce a limit, a type or an enum (what the body.limits break forgets). */
const LIMIT_RULES: ReadonlySet<Rule['k']> = new Set<Rule['k']>([
  'string',
  'email',
  'max',
  'min',
  'boolean',
  'array',
  'list',
  'in',
  'integer',
  'distinct',
])

// assumed: read-only columns sent in the body are refused with Laravel's `prohibited` rule rather
// than silently dropped, so a client learns it cannot rewrite ids, tenancy or timestamps.
const PROHIBITED_FIELDS = ['id', 'tenant_id', 'created_at', 'updated_at', 'deleted_at', 'last_login_at', 'last_login_ip']

function buildSpecs(breaks: ReadonlySet<string>): { top: Spec[]; wildcard: Spec[] } {
  const nullableAllowed = !breaks.has('body.nullable')
  const str = (attr: string, max: number): Spec => ({
    attr,
    sometimes: true,
    nullable: nullableAllowed,
    rules: [{ k: 'string' }, { k: 'max', n: max }],
  })
  const top: Spec[] = [
    // assumed: name/email/password are `sometimes|required`, so sending null or "" for them is
    // "The name field is required." rather than a silent no-op.
    { attr: 'name', sometimes: true, nullable: false, rules: [{ k: 'required' }, { k: 'string' }, { k: 'max', n: 255 }] },
    {
      attr: 'email',
      sometimes: true,
      nullable: false,
      rules: [{ k: 'required' }, { k: 'string' }, { k: 'email' }, { k: 'max', n: 255 }, { k: 'unique' }],
    },
    {
      attr: 'password',
      sometimes: true,
      nullable: false,
      // assumed: no upper bound on password length (the doc gives none); only min:8 + confirmed.
      rules: [{ k: 'required' }, { k: 'string' }, { k: 'min', n: 8 }, { k: 'confirmed' }],
    },
    {
      attr: 'password_confirmation',
      sometimes: false,
      nullable: false,
      // assumed: the confirmation is also `required_with:password`, so a missing confirmation
      // yields two messages (confirmed + required_with), as that rule set does in Laravel.
      rules: [{ k: 'required_with', other: 'password' }, { k: 'string' }, { k: 'min', n: 8 }],
    },
    // assumed: phone numbers, blood group and avatar URL are free strings (doc: string, max only);
    // no phone regex, blood-group enum or `url` rule is added.
    str('phone', 20),
    str('title', 255),
    str('emergency_contact_name', 255),
    str('emergency_contact_surname', 255),
    str('emergency_contact_phone_number', 20),
    str('blood_group', 10),
    str('avatar_url', 1000),
    // assumed: is_active uses a strict boolean rule: only JSON true/false (or null) pass; Laravel's
    // plain `boolean` would also take 1, 0, "1" and "0", but this team wants real booleans.
    { attr: 'is_active', sometimes: true, nullable: nullableAllowed, rules: [{ k: 'boolean' }] },
    str('bio', 1000),
    // assumed: array fields are `array` + `list` (Laravel 11), so {"a":"Turkish"} is refused.
    { attr: 'language', sometimes: true, nullable: nullableAllowed, rules: [{ k: 'array' }, { k: 'list' }] },
    { attr: 'role_ids', sometimes: true, nullable: nullableAllowed, rules: [{ k: 'array' }, { k: 'list' }] },
    ...PROHIBITED_FIELDS.map((attr): Spec => ({ attr, sometimes: true, nullable: false, rules: [{ k: 'prohibited' }] })),
  ]
  const wildcard: Spec[] = [
    // assumed: a language listed twice is refused with `distinct`; role ids listed twice are fine
    // (sync() attaches each once).
    {
      attr: 'language',
      sometimes: false,
      nullable: false,
      rules: [{ k: 'string' }, { k: 'in', values: LANGUAGES }, { k: 'distinct' }],
    },
    // assumed: unknown role ids, and roles of another tenant, are refused (exists scoped to tenant).
    { attr: 'role_ids', sometimes: false, nullable: false, rules: [{ k: 'integer' }, { k: 'exists_role' }] },
  ]
  const prune = (spec: Spec): Spec => ({
    ...spec,
    rules: spec.rules.filter(
      (r) => !(breaks.has('body.limits') && LIMIT_RULES.has(r.k)) && !(breaks.has('body.confirmed') && r.k === 'confirmed'),
    ),
  })
  return { top: top.map(prune), wildcard: wildcard.map(prune) }
}

interface ValidationContext {
  input: JsonObject
  state: State
  target: UserRow
  tenantId: number
}

function display(attr: string): string {
  return attr.replace(/_/g, ' ')
}

function message(rule: Rule, attr: string): string {
  const a = display(attr)
  switch (rule.k) {
    case 'required':
      return `The ${a} field is required.`
    case 'required_with':
      return `The ${a} field is required when ${display(rule.other)} is present.`
    case 'string':
      return `The ${a} field must be a string.`
    case 'email':
      return `The ${a} field must be a valid email address.`
    case 'max':
      return `The ${a} field must not be greater than ${rule.n} characters.`
    case 'min':
      return `The ${a} field must be at least ${rule.n} characters.`
    case 'unique':
      return `The ${a} has already been taken.`
    case 'confirmed':
      return `The ${a} field confirmation does not match.`
    case 'boolean':
      return `The ${a} field must be true or false.`
    case 'array':
      return `The ${a} field must be an array.`
    case 'list':
      return `The ${a} field must be a list.`
    case 'in':
    case 'exists_role':
      return `The selected ${a} is invalid.`
    case 'distinct':
      return `The ${a} field has a duplicate value.`
    case 'integer':
      return `The ${a} field must be an integer.`
    case 'prohibited':
      return `The ${a} field is prohibited.`
  }
}

function distinctKey(value: JsonValue): string {
  if (typeof value === 'string' || typeof value === 'number') return `s:${String(value)}`
  return `j:${JSON.stringify(value)}`
}

function emailTaken(ctx: ValidationContext, email: string): boolean {
  // assumed: unique is global (e-mail is the login, across tenants), case-insensitive like a
  // MySQL *_ci collation, and includes soft-deleted rows (Rule::unique without withoutTrashed()).
  const wanted = email.toLowerCase()
  for (const u of ctx.state.users.values()) {
    if (u.id === ctx.target.id) continue
    const other = u.attrs.email
    if (typeof other === 'string' && other.toLowerCase() === wanted) return true
  }
  return false
}

function passes(rule: Rule, attr: string, value: JsonValue | undefined, ctx: ValidationContext, counts?: Map<string, number>): boolean {
  switch (rule.k) {
    case 'required':
      return filled(value)
    case 'required_with':
      return !filled(getOwn(ctx.input, rule.other)) || filled(value)
    case 'string':
      return typeof value === 'string'
    case 'email':
      return typeof value === 'string' && isEmail(value)
    case 'max':
      return phpSize(value) <= rule.n
    case 'min':
      return phpSize(value) >= rule.n
    case 'unique':
      return typeof value !== 'string' || !emailTaken(ctx, value)
    case 'confirmed': {
      const other = getOwn(ctx.input, `${attr}_confirmation`)
      return other !== undefined && value !== undefined && same(value, other)
    }
    case 'boolean':
      return value === true || value === false
    case 'array':
      return Array.isArray(value) || isObject(value)
    case 'list':
      return Array.isArray(value)
    case 'in':
      return typeof value === 'string' && rule.values.includes(value)
    case 'distinct':
      return value === undefined || (counts?.get(distinctKey(value)) ?? 0) <= 1
    case 'integer':
      return integerValue(value) !== null
    case 'exists_role': {
      const id = integerValue(value)
      const role = id === null ? undefined : ctx.state.roles.get(id)
      return role !== undefined && role.tenantId === ctx.tenantId
    }
    case 'prohibited':
      return !filled(value)
  }
}

function runSpec(
  spec: Spec,
  attr: string,
  present: boolean,
  value: JsonValue | undefined,
  ctx: ValidationContext,
  counts?: Map<string, number>,
): string[] {
  const out: string[] = []
  if (spec.sometimes && !present) return out
  const blank = typeof value === 'string' && value.trim() === ''
  for (const rule of spec.rules) {
    const implicit = rule.k === 'required' || rule.k === 'required_with'
    if (!implicit) {
      if (!present || blank) continue
      if (spec.nullable && value === null) continue
      // Laravel skips unique/exists once the attribute already has an error.
      if ((rule.k === 'unique' || rule.k === 'exists_role') && out.length > 0) continue
    }
    if (!passes(rule, attr, value, ctx, counts)) {
      out.push(message(rule, attr))
      if (implicit) break
    }
  }
  return out
}

function validate(ctx: ValidationContext): Map<string, string[]> {
  const errors = new Map<string, string[]>()
  const { top, wildcard } = buildSpecs(ctx.state.breaks)
  for (const spec of top) {
    const present = hasOwn(ctx.input, spec.attr)
    const msgs = runSpec(spec, spec.attr, present, getOwn(ctx.input, spec.attr), ctx)
    if (msgs.length > 0) errors.set(spec.attr, msgs)
  }
  // Wildcard rules are expanded after the plain ones, as Laravel's rule parser appends them.
  for (const spec of wildcard) {
    const list = getOwn(ctx.input, spec.attr)
    if (!Array.isArray(list)) continue
    const counts = new Map<string, number>()
    for (const item of list) counts.set(distinctKey(item), (counts.get(distinctKey(item)) ?? 0) + 1)
    list.forEach((item, i) => {
      const attr = `${spec.attr}.${i}`
      const msgs = runSpec(spec, attr, true, item, ctx, counts)
      if (msgs.length > 0) errors.set(attr, msgs)
    })
  }
  return errors
}

function validationReply(errors: Map<string, string[]>): Reply {
  const all: string[] = []
  const body: JsonObject = {}
  for (const [attr, msgs] of errors) {
    body[attr] = msgs
    all.push(...msgs)
  }
  const extra = all.length - 1
  let summary = all[0] ?? 'The given data was invalid.'
  if (extra > 0) summary += ` (and ${extra} more ${extra === 1 ? 'error' : 'errors'})`
  return { status: 422, body: { message: summary, errors: body } }
}

// ---------------------------------------------------------------------------------------------
// The UserResource
// ---------------------------------------------------------------------------------------------

function userResource(state: State, u: UserRow): JsonObject {
  const roles: JsonValue[] = [...u.roleIds]
    .sort((a, b) => a - b)
    .flatMap((id) => {
      const role = state.roles.get(id)
      return role === undefined ? [] : [{ id: role.id, name: role.name }]
    })
  const a = u.attrs
  const data: JsonObject = {
    id: u.id,
    name: a.name,
    email: a.email,
  }
  if (state.breaks.has('response.no-password')) {
    // break: the resource is built from the model's attributes with `password` not in $hidden.
    data.password = u.passwordHash
  }
  Object.assign(data, {
    title: a.title,
    phone: a.phone,
    emergency_contact_name: a.emergency_contact_name,
    emergency_contact_surname: a.emergency_contact_surname,
    emergency_contact_phone_number: a.emergency_contact_phone_number,
    blood_group: a.blood_group,
    language: a.language,
    avatar_url: a.avatar_url,
    is_active: a.is_active,
    bio: a.bio,
    last_login_at: iso(u.lastLoginAt),
    last_login_ip: u.lastLoginIp,
    created_at: iso(u.createdAt),
    updated_at: iso(u.updatedAt),
    deleted_at: iso(u.deletedAt),
    roles,
  })
  if (state.breaks.has('response.shape')) {
    // break: a hand-written resource that forgot the login/soft-delete columns.
    delete data.last_login_at
    delete data.last_login_ip
    delete data.deleted_at
  }
  return data
}

function copyUser(u: UserRow): UserRow {
  const attrs = {} as Record<FillableKey, JsonValue>
  for (const key of FILLABLE) attrs[key] = clone(u.attrs[key])
  return { ...u, attrs, roleIds: [...u.roleIds] }
}

// ---------------------------------------------------------------------------------------------
// The request pipeline
// ---------------------------------------------------------------------------------------------

function notFoundRoute(path: string): Reply {
  return { status: 404, body: { message: `The route ${path.replace(/^\//, '')} could not be found.` } }
}

function bearerToken(req: IncomingMessage): string | null {
  const header = req.headers.authorization
  if (typeof header !== 'string') return null
  const m = /^\s*Bearer\s+(\S+)\s*$/i.exec(header)
  return m?.[1] ?? null
}

function hashEquals(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8')
  const y = Buffer.from(b, 'utf8')
  return x.length === y.length && timingSafeEqual(x, y)
}

/** Sanctum's PersonalAccessToken::findToken + the tokenable lookup. */
function authenticate(state: State, req: IncomingMessage): UserRow | null {
  const token = bearerToken(req)
  if (token === null || token.length > 512) return null
  let row: AccessToken | undefined
  const bar = token.indexOf('|')
  if (bar === -1) {
    const hash = sha256(token)
    row = state.tokens.find((t) => hashEquals(t.hash, hash))
  } else {
    const id = token.slice(0, bar)
    const candidate = state.tokens.find((t) => String(t.id) === id)
    if (candidate !== undefined && hashEquals(candidate.hash, sha256(token.slice(bar + 1)))) row = candidate
  }
  if (row === undefined) return null
  const user = state.users.get(row.userId)
  return user === undefined || user.deletedAt !== null ? null : user
}

// assumed: is_active is profile data only; an inactive user's token still authenticates.
function canManageUsers(state: State, user: UserRow, tenantId: number): boolean {
  // assumed: the tenant owner may always manage users (so an owner cannot lock itself out by
  // editing its own role_ids); otherwise the Admin or Manager role of that tenant is needed.
  if (state.tenants.get(tenantId)?.ownerId === user.id) return true
  return user.roleIds.some((id) => {
    const role = state.roles.get(id)
    return role !== undefined && role.tenantId === tenantId && (role.name === 'Admin' || role.name === 'Manager')
  })
}

async function handle(state: State, req: IncomingMessage, raw: Buffer): Promise<Reply> {
  // --- routing -------------------------------------------------------------------------------
  const rawPath = (req.url ?? '/').split('?')[0] ?? '/'
  let path: string
  try {
    path = decodeURIComponent(rawPath)
  } catch {
    path = rawPath
  }
  if (path.length > 1) path = path.replace(/\/+$/, '')
  const match = ROUTE_RE.exec(path)
  const segment = match?.[1]
  // assumed: the route has ->whereNumber('user'), so /users/abc is "route not found" (not a 404
  // from model binding, and not MySQL casting "1abc" to 1).
  if (segment === undefined || !/^[0-9]+$/.test(segment)) return notFoundRoute(path)
  const method = (req.method ?? 'GET').toUpperCase()
  // assumed: registered through Route::apiResource, so PATCH is accepted as well as PUT; no other
  // verb on this URI is part of the documented surface, so they answer 405.
  if (method !== 'PUT' && method !== 'PATCH') {
    return {
      status: 405,
      body: {
        message: `The ${method} method is not supported for route ${path.replace(/^\//, '')}. Supported methods: PUT, PATCH.`,
      },
      headers: { Allow: 'PUT, PATCH' },
    }
  }

  // --- auth:sanctum --------------------------------------------------------------------------
  const user = authenticate(state, req)
  if (user === null && !state.breaks.has('auth.required')) {
    // assumed: the team renders AuthenticationException as {"error": "Unauthenticated."}
    // (their own error envelope), not Laravel's {"message": "Unauthenticated."}.
    return { status: 401, body: { error: 'Unauthenticated.' } }
  }
  // break auth.required: the route sits outside the auth:sanctum group, so without a (valid)
  // token the request carries on with no user and the FormRequest's authorize() lets it through.

  // --- tenant middleware (X-Tenant) -----------------------------------------------------------
  let headerTenant: number | null = null
  const rawTenant = req.headers['x-tenant']
  const tenantText = (Array.isArray(rawTenant) ? rawTenant.join(',') : (rawTenant ?? '')).trim()
  if (tenantText !== '') {
    // assumed: a non-numeric X-Tenant is a 400, an unknown tenant a 404, and a tenant the user
    // does not belong to a 403; without the header the user's own tenant is used.
    if (!/^[0-9]{1,15}$/.test(tenantText)) {
      return { status: 400, body: { message: 'The X-Tenant header must be a numeric tenant id.' } }
    }
    const tenant = state.tenants.get(Number(tenantText))
    if (tenant === undefined) return { status: 404, body: { message: 'Tenant not found.' } }
    if (user !== null && user.tenantId !== tenant.id) {
      return { status: 403, body: { message: 'You do not have access to this tenant.' } }
    }
    headerTenant = tenant.id
  }

  // --- body ----------------------------------------------------------------------------------
  let input: JsonObject = {}
  if (raw.length > 0) {
    const type = (req.headers['content-type'] ?? '').toLowerCase()
    if (type === '' || type.includes('/json') || type.includes('+json')) {
      // assumed: a body without Content-Type is read as JSON (curl users forget the header).
      const parsed = parseJsonBody(raw)
      if (!parsed.ok) return parsed.reply
      input = parsed.input
    } else if (type.startsWith('application/x-www-form-urlencoded')) {
      input = parseFormBody(raw)
    } else {
      // assumed: other media types (text/plain, multipart on PUT) are refused with 415 instead of
      // being silently read as an empty input.
      return { status: 415, body: { message: 'Unsupported media type. Send application/json.' } }
    }
  }
  const transformed = transformInput(input, '')
  input = isObject(transformed) ? transformed : {}

  // --- route model binding (soft-deleted users are not found) --------------------------------
  const id = segment.length <= 15 ? Number(segment) : Number.NaN
  const target = state.users.get(id)
  if (target === undefined || target.deletedAt !== null) {
    // assumed: Laravel's stock ModelNotFoundException text (class name and all) is not rewritten.
    return { status: 404, body: { message: `No query results for model [App\\Models\\User] ${segment}` } }
  }
  const tenantId = headerTenant ?? user?.tenantId ?? target.tenantId

  // --- UpdateUserRequest::authorize() ---------------------------------------------------------
  // assumed: a user of another tenant is found by binding but refused by the policy with 403
  // (not hidden as 404), the policy being the place where the tenant is compared.
  if (target.tenantId !== tenantId && !state.breaks.has('tenant.isolation')) {
    return { status: 403, body: { message: 'This action is unauthorized.' } }
  }
  // break tenant.isolation: the policy only checks the acting user's role, never the tenant.
  if (user !== null) {
    const manager = canManageUsers(state, user, tenantId)
    // assumed: a plain Member may update only itself, and may not change its own roles or
    // active flag; Admins, Managers and the tenant owner may update anyone in the tenant.
    if (!manager && (user.id !== target.id || hasOwn(input, 'role_ids') || hasOwn(input, 'is_active'))) {
      return { status: 403, body: { message: 'This action is unauthorized.' } }
    }
  }

  // --- validation -----------------------------------------------------------------------------
  const errors = validate({ input, state, target, tenantId })
  if (errors.size > 0) return validationReply(errors)

  // --- the update -----------------------------------------------------------------------------
  const before = copyUser(target)
  const next = copyUser(target)
  let dirty = false
  for (const key of FILLABLE) {
    const value = getOwn(input, key)
    if (value === undefined) continue
    if (!same(next.attrs[key], value)) dirty = true
    next.attrs[key] = clone(value)
  }
  const password = getOwn(input, 'password')
  if (password !== undefined && password !== null) {
    // assumed: a new password does not revoke the user's existing Sanctum tokens.
    next.passwordHash = await hashPassword(typeof password === 'string' ? password : JSON.stringify(password))
    dirty = true
  }
  const roleInput = getOwn(input, 'role_ids')
  if (roleInput !== undefined) {
    // sync(): null detaches every role. Duplicates collapse; under body.limits junk is dropped.
    const items = roleInput === null ? [] : Array.isArray(roleInput) ? roleInput : [roleInput]
    const ids: number[] = []
    for (const item of items) {
      const rid = integerValue(item)
      const role = rid === null ? undefined : state.roles.get(rid)
      if (role !== undefined && role.tenantId === tenantId && !ids.includes(role.id)) ids.push(role.id)
    }
    next.roleIds = ids
  }
  // assumed: as with Eloquent, updated_at only moves when a column actually changed; a role sync
  // alone or an identical payload leaves it as it was.
  if (dirty) next.updatedAt = Math.max(Date.now(), target.updatedAt)

  if (!state.breaks.has('update.persists')) {
    state.users.set(next.id, next)
  }
  // break update.persists: the model is fill()ed and rendered but never save()d.

  // break response.echo: User::whereKey($id)->update($data) ran, but the stale bound model is rendered.
  const shown = state.breaks.has('response.echo') ? before : next
  const success: JsonValue = state.breaks.has('response.shape') ? true : SUCCESS_TEXT
  return { status: 200, body: { success, data: userResource(state, shown) } }
}

// ---------------------------------------------------------------------------------------------
// HTTP plumbing
// ---------------------------------------------------------------------------------------------

function send(res: ServerResponse, reply: Reply, close = false): void {
  if (res.headersSent || res.destroyed) return
  const payload = phpJson(reply.body)
  res.statusCode = reply.status
  res.setHeader('Content-Type', 'application/json')
  res.setHeader('Cache-Control', 'no-cache, private')
  res.setHeader('Content-Length', Buffer.byteLength(payload))
  for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v)
  if (close) res.setHeader('Connection', 'close')
  res.end(payload)
}

// assumed: the 413 is JSON (as Laravel's PostTooLargeException renders for an API), not nginx HTML.
const TOO_LARGE: Reply = { status: 413, body: { message: 'Request Entity Too Large' } }

function onRequest(state: State, req: IncomingMessage, res: ServerResponse): void {
  res.on('error', () => undefined)
  req.on('error', () => undefined)
  let size = 0
  let tooLarge = false
  let answered = false
  const chunks: Buffer[] = []
  const declared = Number(req.headers['content-length'] ?? '0')
  const hangUp = (): void => {
    if (answered) return
    answered = true
    send(res, TOO_LARGE, true)
    res.once('finish', () => req.destroy())
  }
  if (Number.isFinite(declared) && declared > DRAIN_LIMIT) {
    hangUp()
    return
  }
  req.on('data', (chunk: Buffer) => {
    if (answered) return
    size += chunk.length
    if (size > DRAIN_LIMIT) {
      hangUp()
      return
    }
    if (size > BODY_LIMIT) {
      // Keep draining (so the client can read the answer), but stop buffering.
      tooLarge = true
      chunks.length = 0
      return
    }
    chunks.push(chunk)
  })
  req.on('end', () => {
    if (answered) return
    answered = true
    if (tooLarge) {
      send(res, TOO_LARGE)
      return
    }
    handle(state, req, Buffer.concat(chunks))
      .then((reply) => send(res, reply))
      .catch(() => send(res, { status: 500, body: { message: 'Server Error' } }))
  })
}

// ---------------------------------------------------------------------------------------------
// Seed data and start()
// ---------------------------------------------------------------------------------------------

interface SeedUser {
  id: number
  tenantId: number
  name: string
  email: string
  password: string
  roles: number[]
  title: string | null
  phone: string | null
  language: string[] | null
  token?: number
  lastLogin?: [string, string]
  deleted?: boolean
}

const SEED_USERS: SeedUser[] = [
  {
    id: 12,
    tenantId: 3,
    name: 'Ayşe Yılmaz',
    email: 'ayse.yilmaz@anatolia-care.example',
    password: 'Owner-pass-2024',
    roles: [1],
    title: 'Clinic Director',
    phone: '+90 532 000 1122',
    language: ['Turkish', 'English'],
    token: 41,
    lastLogin: ['2024-05-02T08:14:09Z', '203.0.113.24'],
  },
  {
    id: 15,
    tenantId: 3,
    name: 'Mehmet Demir',
    email: 'mehmet.demir@anatolia-care.example',
    password: 'Member-pass-2024',
    roles: [3],
    title: 'Nurse',
    phone: null,
    language: ['Turkish'],
    token: 42,
  },
  {
    id: 16,
    tenantId: 3,
    name: 'Elif Kaya',
    email: 'elif.kaya@anatolia-care.example',
    password: 'Manager-pass-2024',
    roles: [2],
    title: 'Head Nurse',
    phone: '+90 555 123 4567',
    language: null,
    lastLogin: ['2024-04-28T16:02:44Z', '198.51.100.7'],
  },
  {
    id: 17,
    tenantId: 3,
    name: 'Can Öztürk',
    email: 'can.ozturk@anatolia-care.example',
    password: 'Former-pass-2024',
    roles: [3],
    title: null,
    phone: null,
    language: ['Other'],
    deleted: true,
  },
  {
    id: 21,
    tenantId: 8,
    name: 'John Carter',
    email: 'john.carter@northwind-health.example',
    password: 'Foreign-pass-2024',
    roles: [4],
    title: 'Practice Manager',
    phone: '+44 20 7946 0000',
    language: ['English'],
    token: 43,
    lastLogin: ['2024-05-01T11:45:00Z', '192.0.2.55'],
  },
  {
    id: 22,
    tenantId: 8,
    name: 'Sarah Lee',
    email: 'sarah.lee@northwind-health.example',
    password: 'Foreign-member-2024',
    roles: [5],
    title: null,
    phone: null,
    language: ['English', 'Other'],
  },
]

let seedHashes: Promise<string[]> | null = null

async function seed(breaks: ReadonlySet<string>): Promise<{ state: State; plainTokens: Map<number, string> }> {
  const state: State = {
    breaks,
    tenants: new Map([
      [3, { id: 3, name: 'Anatolia Care', ownerId: 12 }],
      [8, { id: 8, name: 'Northwind Health', ownerId: 21 }],
    ]),
    roles: new Map([
      [1, { id: 1, tenantId: 3, name: 'Admin' }],
      [2, { id: 2, tenantId: 3, name: 'Manager' }],
      [3, { id: 3, tenantId: 3, name: 'Member' }],
      [4, { id: 4, tenantId: 8, name: 'Admin' }],
      [5, { id: 5, tenantId: 8, name: 'Member' }],
    ]),
    users: new Map(),
    tokens: [],
  }
  const plainTokens = new Map<number, string>()
  const created = Date.parse('2024-01-15T09:30:00Z')
  // The seed hashes are computed once per process (immutable strings); every start() still
  // gets its own users, tokens and state.
  seedHashes ??= Promise.all(SEED_USERS.map((s) => hashPassword(s.password)))
  const hashes = await seedHashes
  SEED_USERS.forEach((s, i) => {
    const attrs: Record<FillableKey, JsonValue> = {
      name: s.name,
      email: s.email,
      phone: s.phone,
      title: s.title,
      emergency_contact_name: null,
      emergency_contact_surname: null,
      emergency_contact_phone_number: null,
      blood_group: null,
      avatar_url: null,
      is_active: s.deleted === true ? false : true,
      bio: null,
      language: s.language === null ? null : [...s.language],
    }
    state.users.set(s.id, {
      id: s.id,
      tenantId: s.tenantId,
      attrs,
      passwordHash: hashes[i] ?? '',
      roleIds: [...s.roles],
      lastLoginAt: s.lastLogin === undefined ? null : Date.parse(s.lastLogin[0]),
      lastLoginIp: s.lastLogin === undefined ? null : s.lastLogin[1],
      createdAt: created + s.id * 3600_000,
      updatedAt: created + s.id * 3600_000 + 86_400_000,
      deletedAt: s.deleted === true ? Date.parse('2024-03-01T12:00:00Z') : null,
    })
    if (s.token !== undefined) {
      // assumed: Sanctum's "{id}|{40 random chars}" plain-text format, sha256 stored, no expiry.
      const secret = randomToken(40)
      state.tokens.push({ id: s.token, userId: s.id, hash: sha256(secret) })
      plainTokens.set(s.id, `${s.token}|${secret}`)
    }
  })
  return { state, plainTokens }
}

function account(state: State, plainTokens: Map<number, string>, userId: number): StandinAccount {
  const u = state.users.get(userId)
  const token = plainTokens.get(userId)
  if (u === undefined || token === undefined) throw new Error(`seed user ${userId} is missing`)
  const role = u.roleIds.map((id) => state.roles.get(id)?.name).find((n) => n !== undefined)
  const email = u.attrs.email
  return {
    userId: u.id,
    token,
    email: typeof email === 'string' ? email : '',
    tenant: u.tenantId,
    ...(role === undefined ? {} : { role }),
  }
}

export async function start(options?: { breaks?: readonly string[] }): Promise<Standin> {
  const breaks = new Set(options?.breaks ?? [])
  for (const b of breaks) {
    if (!breakable.includes(b)) throw new Error(`flextell stand-in: unknown break id "${b}"`)
  }
  const { state, plainTokens } = await seed(breaks)
  const server = createServer((req, res) => onRequest(state, req, res))
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  let closing: Promise<void> | null = null
  return {
    url: `http://127.0.0.1:${port}`,
    accounts: {
      actor: account(state, plainTokens, 12),
      peer: account(state, plainTokens, 15),
      foreign: account(state, plainTokens, 21),
    },
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      return closing
    },
  }
}
