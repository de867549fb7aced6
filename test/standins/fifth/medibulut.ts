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

/*
 * Stand-in for medibulut's "Update, PATCH /:tenantId/users/:id", written from the
 * documentation page alone. It behaves like a Laravel 10/11 app: Sanctum bearer tokens,
 * scoped route-model binding, a FormRequest (UpdateUserRequest) validated with Laravel's
 * own English messages, and a UserResource wrapping the user in {data:{...}}.
 */

import http from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto'

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type JsonObject = { [key: string]: Json }

// ---------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------

// assumed: 1 MiB request body cap (nginx's default client_max_body_size); larger bodies get 413 with a JSON message.
const BODY_LIMIT = 1024 * 1024
// Bodies beyond this are not even drained: the socket is dropped after the 413.
const DRAIN_LIMIT = 64 * 1024 * 1024
// PHP's json_decode default depth; deeper documents decode to null, i.e. an empty input.
const JSON_MAX_DEPTH = 512

// assumed: role_id accepts the slug spelled by the doc's example ("admin") and the documented
// numeric ids 2/3/4 (as "2" or 2) — Rule::in(['admin','specialist','personnel','2','3','4']);
// anything else (1, "superadmin", "Admin") is "The selected role id is invalid.".
const ROLE_VALUES: readonly string[] = ['admin', 'specialist', 'personnel', '2', '3', '4']

// assumed: the nine permission strings of the doc's example are the whole catalogue (the
// "etc." of the table); any other string is refused with Rule::in.
const PERMISSIONS: readonly string[] = [
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

// assumed: mobile must be E.164-like: "+", a non-zero country digit, 8–15 digits in all (the doc's example "+905555555554" fits).
const MOBILE_REGEX = /^\+[1-9][0-9]{7,14}$/
// assumed: color is a 3- or 6-digit hex code with "#" (the doc's "#c00"); no alpha channel, unlike Laravel 11's hex_color.
const COLOR_REGEX = /^#(?:[0-9a-fA-F]{3}){1,2}$/

const USER_FIELDS = [
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
type UserField = (typeof USER_FIELDS)[number]
type UserAttrs = Record<UserField, Json>

interface UserRow {
  id: number
  tenantId: number
  passwordHash: string
  attrs: UserAttrs
}

interface TokenRow {
  id: number
  userId: number
  hash: string
  abilities: readonly string[]
}

interface ServiceRow {
  id: number
  tenantId: number
  name: string
}

interface State {
  tenants: Map<number, string>
  users: Map<number, UserRow>
  tokens: Map<number, TokenRow>
  services: Map<number, ServiceRow>
  breaks: ReadonlySet<string>
}

// ---------------------------------------------------------------------------
// PHP-ish helpers
// ---------------------------------------------------------------------------

function isObj(v: Json | undefined): v is JsonObject | Json[] {
  return v !== null && typeof v === 'object'
}

function hasOwn(o: object, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k)
}

function child(v: Json | undefined, k: string): { found: boolean; value: Json | undefined } {
  if (Array.isArray(v)) {
    if (/^(0|[1-9][0-9]*)$/.test(k)) {
      const i = Number(k)
      if (i < v.length) return { found: true, value: v[i] }
    }
    return { found: false, value: undefined }
  }
  if (isObj(v) && hasOwn(v, k)) return { found: true, value: v[k] }
  return { found: false, value: undefined }
}

function lookup(data: JsonObject, key: string): { found: boolean; value: Json | undefined } {
  let cur: Json | undefined = data
  for (const part of key.split('.')) {
    const next = child(cur, part)
    if (!next.found) return { found: false, value: undefined }
    cur = next.value
  }
  return { found: true, value: cur }
}

function entriesOf(v: JsonObject | Json[]): [string, Json][] {
  if (Array.isArray(v)) return v.map((x, i): [string, Json] => [String(i), x])
  return Object.entries(v)
}

/** PHP's (string) cast for scalars. */
function phpString(v: Json | undefined): string {
  if (v === null || v === undefined) return ''
  if (typeof v === 'boolean') return v ? '1' : ''
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NAN'
    if (!Number.isFinite(v)) return v > 0 ? 'INF' : '-INF'
    return String(v)
  }
  if (typeof v === 'string') return v
  return 'Array'
}

/** PHP trim() default characters. */
function phpTrim(s: string): string {
  const junk = ' \t\n\r\u0000\u000b'
  let start = 0
  let end = s.length
  while (start < end && junk.includes(s.charAt(start))) start++
  while (end > start && junk.includes(s.charAt(end - 1))) end--
  return s.slice(start, end)
}

const NUMERIC_STRING = /^[ \t\n\r\v\f]*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[ \t\n\r\v\f]*$/

/** PHP is_numeric(). */
function isNumeric(v: Json | undefined): boolean {
  if (typeof v === 'number') return Number.isFinite(v)
  if (typeof v === 'string') return NUMERIC_STRING.test(v)
  return false
}

function toNumber(v: Json | undefined): number {
  return typeof v === 'number' ? v : Number(phpTrim(phpString(v)))
}

/** filter_var($v, FILTER_VALIDATE_INT) !== false, except that booleans are refused. */
function isFilterInt(v: Json | undefined): boolean {
  // assumed: booleans are not integers for "status" (PHP's filter_var would take true as 1; the doc types it integer).
  if (typeof v === 'boolean' || v === null || v === undefined || isObj(v)) return false
  const s = phpTrim(phpString(v))
  if (!/^[+-]?(0|[1-9][0-9]*)$/.test(s)) return false
  const n = BigInt(s)
  return n >= -(2n ** 63n) && n <= 2n ** 63n - 1n
}

function mbLength(s: string): number {
  return s.length - (s.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g)?.length ?? 0)
}

function truthy(v: Json): boolean {
  if (v === null) return false
  if (typeof v === 'boolean') return v
  if (typeof v === 'number') return v !== 0
  if (typeof v === 'string') return v !== '' && v !== '0'
  return entriesOf(v).length > 0
}

/** PHP 8 loose comparison (==), close enough for the distinct rule. */
function looseEquals(a: Json, b: Json): boolean {
  if (typeof a === 'boolean' || typeof b === 'boolean') return truthy(a) === truthy(b)
  if (a === null || b === null) {
    const other = a === null ? b : a
    if (other === null) return true
    if (typeof other === 'string') return other === ''
    return !truthy(other)
  }
  if (isObj(a) || isObj(b)) {
    if (!isObj(a) || !isObj(b)) return false
    const ea = entriesOf(a)
    const eb = new Map(entriesOf(b))
    if (ea.length !== eb.size) return false
    return ea.every(([k, v]) => {
      const w = eb.get(k)
      return w !== undefined && looseEquals(v, w)
    })
  }
  if (typeof a === 'number' && typeof b === 'number') return a === b
  if (typeof a === 'string' && typeof b === 'string') {
    if (isNumeric(a) && isNumeric(b)) return toNumber(a) === toNumber(b)
    return a === b
  }
  const n = typeof a === 'number' ? a : (b as number)
  const s = typeof a === 'string' ? a : (b as string)
  if (isNumeric(s)) return toNumber(s) === n
  return phpString(n) === s
}

/** PHP strict comparison (===) on decoded JSON. */
function strictEquals(a: Json | undefined, b: Json | undefined): boolean {
  if (a === undefined || b === undefined) return a === b
  if (isObj(a) && isObj(b)) {
    // PHP decodes both to arrays; compare them as ordered key/value lists.
    const ea = entriesOf(a)
    const eb = entriesOf(b)
    if (ea.length !== eb.length) return false
    return ea.every(([k, v], i) => {
      const other = eb[i]
      return other !== undefined && other[0] === k && strictEquals(v, other[1])
    })
  }
  return a === b
}

/** Laravel's Str::snake, used for the displayable attribute name. */
function snake(value: string): string {
  if (/^[a-z]+$/.test(value)) return value
  let s = value.replace(/(^|[ \t\r\n\f\v])(\S)/g, (_m, a: string, b: string) => a + b.toUpperCase())
  s = s.replace(/\s+/gu, '')
  s = s.replace(/(.)(?=[A-Z])/gu, '$1_')
  return s.toLowerCase()
}

function displayName(key: string): string {
  return snake(key).replace(/_/g, ' ')
}

// ---------------------------------------------------------------------------
// A tiny Laravel-style validator
// ---------------------------------------------------------------------------

interface Attr {
  key: string
  label: string
  value: Json | undefined
  present: boolean
  rules: readonly Rule[]
  data: JsonObject
}

interface Rule {
  kind: string
  implicit?: boolean
  /** unique / exists: skipped once the attribute already has an error. */
  presence?: boolean
  check(a: Attr): readonly string[]
}

const NUMERIC_KINDS = new Set(['numeric', 'integer', 'decimal'])

function hasKind(a: Attr, kinds: ReadonlySet<string>): boolean {
  return a.rules.some((r) => kinds.has(r.kind))
}

function sizeOf(a: Attr): number {
  const v = a.value
  if (hasKind(a, NUMERIC_KINDS) && isNumeric(v)) return toNumber(v)
  if (isObj(v)) return entriesOf(v).length
  return mbLength(phpString(v))
}

function typeOf(a: Attr): 'numeric' | 'array' | 'string' {
  if (hasKind(a, NUMERIC_KINDS)) return 'numeric'
  if (hasKind(a, new Set(['list', 'array']))) return 'array'
  return 'string'
}

function requiredOk(v: Json | undefined): boolean {
  if (v === null || v === undefined) return false
  if (typeof v === 'string') return phpTrim(v) !== ''
  if (isObj(v)) return entriesOf(v).length > 0
  return true
}

const pass: readonly string[] = []

const marker = (kind: string): Rule => ({ kind, check: () => pass })
const sometimes = marker('sometimes')
const nullable = marker('nullable')

const required: Rule = {
  kind: 'required',
  implicit: true,
  check: (a) => (requiredOk(a.value) ? pass : [`The ${a.label} field is required.`]),
}

const string: Rule = {
  kind: 'string',
  check: (a) => (typeof a.value === 'string' ? pass : [`The ${a.label} field must be a string.`]),
}

const integer: Rule = {
  kind: 'integer',
  check: (a) => (isFilterInt(a.value) ? pass : [`The ${a.label} field must be an integer.`]),
}

// integer:strict (Laravel 11): only real JSON integers.
const strictInteger: Rule = {
  kind: 'integer',
  check: (a) => (typeof a.value === 'number' && Number.isSafeInteger(a.value) ? pass : [`The ${a.label} field must be an integer.`]),
}

const numeric: Rule = {
  kind: 'numeric',
  check: (a) => (isNumeric(a.value) ? pass : [`The ${a.label} field must be a number.`]),
}

const list: Rule = {
  kind: 'list',
  check: (a) => {
    const v = a.value
    if (Array.isArray(v)) return pass
    if (isObj(v) && Object.keys(v).every((k, i) => k === String(i))) return pass
    return [`The ${a.label} field must be a list.`]
  },
}

function decimal(min: number, max: number): Rule {
  return {
    kind: 'decimal',
    check: (a) => {
      const fail = [`The ${a.label} field must have ${min}-${max} decimal places.`]
      if (!isNumeric(a.value)) return fail
      const m = /^[+-]?[0-9]*\.?([0-9]*)$/.exec(phpString(a.value))
      if (!m) return fail
      const d = (m[1] ?? '').length
      return d >= min && d <= max ? pass : fail
    },
  }
}

function max(n: number): Rule {
  return {
    kind: 'max',
    check: (a) => {
      if (sizeOf(a) <= n) return pass
      const t = typeOf(a)
      if (t === 'numeric') return [`The ${a.label} field must not be greater than ${n}.`]
      if (t === 'array') return [`The ${a.label} field must not have more than ${n} items.`]
      return [`The ${a.label} field must not be greater than ${n} characters.`]
    },
  }
}

function between(lo: number, hi: number): Rule {
  return {
    kind: 'between',
    check: (a) => {
      const s = sizeOf(a)
      if (s >= lo && s <= hi) return pass
      const t = typeOf(a)
      if (t === 'numeric') return [`The ${a.label} field must be between ${lo} and ${hi}.`]
      if (t === 'array') return [`The ${a.label} field must have between ${lo} and ${hi} items.`]
      return [`The ${a.label} field must be between ${lo} and ${hi} characters.`]
    },
  }
}

function inRule(values: readonly string[]): Rule {
  return {
    kind: 'in',
    check: (a) => (!isObj(a.value) && values.includes(phpString(a.value)) ? pass : [`The selected ${a.label} is invalid.`]),
  }
}

function regex(re: RegExp): Rule {
  return {
    kind: 'regex',
    check: (a) =>
      (typeof a.value === 'string' || typeof a.value === 'number') && re.test(phpString(a.value))
        ? pass
        : [`The ${a.label} field format is invalid.`],
  }
}

const EMAIL_ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~\\-\\u0080-\\uFFFF]+"
const EMAIL_LOCAL = new RegExp(`^(?:${EMAIL_ATEXT}(?:\\.${EMAIL_ATEXT})*|"(?:[^"\\\\\\r\\n]|\\\\.)*")$`, 'u')
const EMAIL_LABEL = '[A-Za-z0-9\\u0080-\\uFFFF](?:[A-Za-z0-9\\-\\u0080-\\uFFFF]*[A-Za-z0-9\\u0080-\\uFFFF])?'
const EMAIL_DOMAIN = new RegExp(`^(?:${EMAIL_LABEL}(?:\\.${EMAIL_LABEL})*|\\[(?:[0-9]{1,3}\\.){3}[0-9]{1,3}\\])$`, 'u')

/** Laravel's plain `email` rule (egulias RFCValidation), approximated. */
const email: Rule = {
  kind: 'email',
  check: (a) => {
    const fail = [`The ${a.label} field must be a valid email address.`]
    const v = a.value
    if (typeof v !== 'string') return fail
    const at = v.lastIndexOf('@')
    if (at <= 0 || at === v.length - 1) return fail
    const local = v.slice(0, at)
    const domain = v.slice(at + 1)
    if (domain.length > 253) return fail
    return EMAIL_LOCAL.test(local) && EMAIL_DOMAIN.test(domain) ? pass : fail
  },
}

// assumed: Password::min(8)->letters()->numbers() — at least 8 characters, one letter and one number (no mixed case, no symbols).
const passwordRule: Rule = {
  kind: 'password',
  check: (a) => {
    const v = a.value
    const out: string[] = []
    if (typeof v !== 'string') out.push(`The ${a.label} field must be a string.`)
    const size = isObj(v) ? entriesOf(v).length : mbLength(phpString(v))
    if (size < 8) out.push(`The ${a.label} field must be at least 8 characters.`)
    if (typeof v === 'string') {
      if (!/\p{L}/u.test(v)) out.push(`The ${a.label} field must contain at least one letter.`)
      if (!/\p{N}/u.test(v)) out.push(`The ${a.label} field must contain at least one number.`)
    }
    return out
  },
}

const confirmed: Rule = {
  kind: 'confirmed',
  check: (a) =>
    strictEquals(a.value, lookup(a.data, `${a.key}_confirmation`).value) ? pass : [`The ${a.label} field confirmation does not match.`],
}

const distinct: Rule = {
  kind: 'distinct',
  check: (a) => {
    const dot = a.key.lastIndexOf('.')
    const parent = lookup(a.data, a.key.slice(0, dot)).value
    const own = a.key.slice(dot + 1)
    if (!isObj(parent) || a.value === undefined) return pass
    const me = a.value
    const dup = entriesOf(parent).some(([k, v]) => k !== own && looseEquals(me, v))
    return dup ? [`The ${a.label} field has a duplicate value.`] : pass
  },
}

// assumed: photo is either an http(s) URL or base64 image data (a data:image/...;base64, URI or bare base64) — a closure rule.
const photoRule: Rule = {
  kind: 'photo',
  check: (a) => {
    const v = a.value
    if (typeof v !== 'string') return pass // the closure bails out; `string` already reported it
    const fail = [`The ${a.label} field must be a valid URL or a base64-encoded image.`]
    if (/^https?:\/\//i.test(v)) {
      try {
        const u = new URL(v)
        return u.hostname !== '' && !/\s/.test(v) ? pass : fail
      } catch {
        return fail
      }
    }
    const m = /^data:image\/(?:png|jpe?g|gif|webp|svg\+xml);base64,(.*)$/s.exec(v)
    const b64 = m ? (m[1] ?? '') : v
    return b64.length > 0 && b64.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(b64) ? pass : fail
  },
}

function idOf(v: Json | undefined): number | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v
  if (typeof v === 'string' && /^[0-9]{1,15}$/.test(phpTrim(v))) return Number(phpTrim(v))
  return undefined
}

interface Ctx {
  state: State
  tenantId: number
  userId: number
}

function uniqueEmail(ctx: Ctx): Rule {
  // assumed: e-mails are unique across all tenants (they are the login), compared case-insensitively like MySQL's default collation.
  return {
    kind: 'unique',
    presence: true,
    check: (a) => {
      if (typeof a.value !== 'string') return pass
      const wanted = a.value.toLowerCase()
      for (const u of ctx.state.users.values()) {
        if (u.id !== ctx.userId && typeof u.attrs.email === 'string' && u.attrs.email.toLowerCase() === wanted) {
          return [`The ${a.label} has already been taken.`]
        }
      }
      return pass
    },
  }
}

// assumed: authorized_users must be users of the same tenant (Rule::exists('users','id')->where('tenant_id', ...)); the user itself is allowed.
function existsUser(ctx: Ctx): Rule {
  return {
    kind: 'exists',
    presence: true,
    check: (a) => {
      const id = idOf(a.value)
      const u = id === undefined ? undefined : ctx.state.users.get(id)
      return u && u.tenantId === ctx.tenantId ? pass : [`The selected ${a.label} is invalid.`]
    },
  }
}

// assumed: service_ids must be services of the same tenant (exists, scoped).
function existsService(ctx: Ctx): Rule {
  return {
    kind: 'exists',
    presence: true,
    check: (a) => {
      const id = idOf(a.value)
      const s = id === undefined ? undefined : ctx.state.services.get(id)
      return s && s.tenantId === ctx.tenantId ? pass : [`The selected ${a.label} is invalid.`]
    },
  }
}

type RuleSet = [string, readonly Rule[]][]

const MOBILE: Rule = regex(MOBILE_REGEX)

/** UpdateUserRequest::rules(). */
function rulesFor(ctx: Ctx): RuleSet {
  const b = ctx.state.breaks
  const loose = b.has('body.limits')
  // assumed: names are `sometimes|required|string|max:50` — optional, but null/"" gives the doc's "The first name field is required.".
  const name: readonly Rule[] = loose ? [sometimes] : [sometimes, required, string, max(50)]
  let role: readonly Rule[] = [required, inRule(ROLE_VALUES)]
  if (b.has('body.role-required')) role = [sometimes, inRule(ROLE_VALUES)]
  if (b.has('body.role')) role = [required]
  // assumed: password is `sometimes|required|string|Password|confirmed` — leave it out to keep the current one; null/"" is
  // "The password field is required." (the doc's 422 wording), so the doc's six-error example is reproducible.
  let password: readonly Rule[] = [sometimes, required, string, passwordRule, confirmed]
  if (loose) password = [sometimes, confirmed]
  if (b.has('body.confirmed')) password = loose ? [sometimes] : [sometimes, required, string, passwordRule]
  const free: readonly Rule[] = [sometimes]
  // assumed: rule order follows the doc's 422 example (first_name, last_name, email, password, role_id, status), the rest after.
  const set: RuleSet = [
    ['first_name', name],
    ['last_name', name],
    // assumed: email is `sometimes|required|string|email|max:100|unique` — optional, but never null.
    ['email', loose ? [sometimes, uniqueEmail(ctx)] : [sometimes, required, string, email, max(100), uniqueEmail(ctx)]],
    ['password', password],
    ['role_id', role],
    // assumed: status is `sometimes|required|integer|in:0,1`: "1" is accepted (and stored as 1), null is refused.
    ['status', loose ? free : [sometimes, required, integer, inRule(['0', '1'])]],
    // assumed: mobile is nullable (may be cleared) but, when given, must match MOBILE_REGEX.
    ['mobile', loose ? free : [nullable, string, MOBILE]],
    // assumed: phone is free text up to 20 characters (may be "" as in the doc's example, or null).
    ['phone', loose ? free : [nullable, string, max(20)]],
    // assumed: identity_number is a nullable string of at most 20 characters (not only Turkish 11-digit TCKN).
    ['identity_number', loose ? free : [nullable, string, max(20)]],
    // assumed: "name" (in the doc's bodies but not its table) is a fillable nullable display name, max 100.
    ['name', loose ? free : [nullable, string, max(100)]],
    ['photo', loose ? free : [nullable, string, photoRule]],
    // assumed: color may be null (the UI then picks one).
    ['color', loose ? free : [nullable, string, regex(COLOR_REGEX)]],
    // assumed: bonus_rate is `sometimes|required|numeric|decimal:0,2|between:0,100` — "15.00" and 15 both fine, never null.
    ['bonus_rate', loose ? free : [sometimes, required, numeric, decimal(0, 2), between(0, 100)]],
    // assumed: the three lists use Laravel 11's `list` rule (a JSON object is refused) and are not nullable.
    ['permissions', loose ? free : [sometimes, list]],
    ['authorized_users', loose ? free : [sometimes, list]],
    ['service_ids', loose ? free : [sometimes, list]],
  ]
  if (!loose) {
    set.push(
      // assumed: list items must be present, distinct (duplicates refused, not silently merged).
      ['permissions.*', [required, string, distinct, inRule(PERMISSIONS)]],
      // assumed: ids in lists use integer:strict — 11 is fine, "11" is "must be an integer."
      ['authorized_users.*', [required, strictInteger, distinct, existsUser(ctx)]],
      ['service_ids.*', [required, strictInteger, distinct, existsService(ctx)]],
    )
  }
  return set
}

/** Laravel expands "x.*" rules after the explicit ones, one key per element. */
function explode(data: JsonObject, set: RuleSet): RuleSet {
  const out: RuleSet = []
  const wild: RuleSet = []
  for (const [key, rules] of set) {
    if (!key.endsWith('.*')) {
      out.push([key, rules])
      continue
    }
    const parentKey = key.slice(0, -2)
    const parent = lookup(data, parentKey).value
    if (isObj(parent)) {
      for (const [k] of entriesOf(parent)) wild.push([`${parentKey}.${k}`, rules])
    }
  }
  return [...out, ...wild]
}

function validate(data: JsonObject, set: RuleSet): Map<string, string[]> {
  const errors = new Map<string, string[]>()
  for (const [key, rules] of explode(data, set)) {
    const { found, value } = lookup(data, key)
    const attr: Attr = { key, label: displayName(key), value, present: found, rules, data }
    const kinds = new Set(rules.map((r) => r.kind))
    if (kinds.has('sometimes') && !found) continue
    let stop = false
    for (const rule of rules) {
      if (stop) break
      if (rule.kind === 'sometimes' || rule.kind === 'nullable') continue
      if (rule.presence && errors.has(key)) continue
      if (!rule.implicit) {
        if (typeof value === 'string' && phpTrim(value) === '') continue
        if (!found) continue
        if (kinds.has('nullable') && value === null) continue
      }
      const messages = rule.check(attr)
      if (messages.length === 0) continue
      const bag = errors.get(key) ?? []
      for (const m of messages) if (!bag.includes(m)) bag.push(m)
      errors.set(key, bag)
      if (rule.implicit) stop = true
    }
  }
  return errors
}

// ---------------------------------------------------------------------------
// Request input (Laravel's JSON / form parsing + TrimStrings)
// ---------------------------------------------------------------------------

function hasLoneSurrogate(s: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s)
}

/** Checks depth and UTF-16 sanity iteratively, like json_decode would refuse. */
function decodable(root: Json): boolean {
  const stack: [Json, number][] = [[root, 1]]
  while (stack.length > 0) {
    const top = stack.pop()
    if (!top) break
    const [v, depth] = top
    if (typeof v === 'string') {
      if (hasLoneSurrogate(v)) return false
      continue
    }
    if (!isObj(v)) continue
    if (depth > JSON_MAX_DEPTH) return false
    for (const [k, x] of entriesOf(v)) {
      if (hasLoneSurrogate(k)) return false
      stack.push([x, depth + 1])
    }
  }
  return true
}

/** json_decode($body, true), cast to an array: anything but an object becomes an empty input. */
function parseJson(raw: Buffer): JsonObject | undefined {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(raw)
  } catch {
    return undefined
  }
  if (text.trim() === '') return {}
  let parsed: Json
  try {
    parsed = JSON.parse(text) as Json
  } catch {
    return undefined
  }
  if (!decodable(parsed)) return undefined
  if (Array.isArray(parsed)) return Object.fromEntries(entriesOf(parsed))
  if (isObj(parsed)) return parsed
  return {}
}

function parseForm(raw: Buffer): JsonObject {
  const top = new Map<string, Json>()
  const params = new URLSearchParams(raw.toString('latin1'))
  for (const [rawKey, value] of params) {
    const m = /^([^[\]]+)\[([^[\]]*)\]$/.exec(rawKey)
    if (!m) {
      top.set(rawKey, value)
      continue
    }
    const name = m[1] ?? ''
    const sub = m[2] ?? ''
    let holder = top.get(name)
    if (!isObj(holder)) {
      holder = {}
      top.set(name, holder)
    }
    const obj = holder as JsonObject
    const k = sub === '' ? String(Object.keys(obj).length) : sub
    Object.defineProperty(obj, k, { value, enumerable: true, writable: true, configurable: true })
  }
  return Object.fromEntries(top)
}

// assumed: Laravel's default TrimStrings middleware is on (" Ada " is stored as "Ada"; password fields excepted), while
// ConvertEmptyStringsToNull is off — the doc's example echoes phone "" as "", not null.
const TRIM_EXCEPT = new Set(['current_password', 'password', 'password_confirmation'])

function trimStrings(v: Json, depth = 0): Json {
  if (typeof v === 'string') return v.replace(/^[ \t\n\r\v\f\uFEFF\u200B]+|[ \t\n\r\v\f\uFEFF\u200B]+$/g, '')
  if (!isObj(v) || depth > JSON_MAX_DEPTH) return v
  if (Array.isArray(v)) return v.map((x) => trimStrings(x, depth + 1))
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, trimStrings(x, depth + 1)]))
}

function input(req: IncomingMessage, raw: Buffer): JsonObject {
  const type = String(req.headers['content-type'] ?? '').toLowerCase()
  let data: JsonObject
  if (type.includes('/json') || type.includes('+json')) {
    // assumed: malformed JSON is not a 400: like Laravel, it decodes to an empty input and fails validation (422, role id required).
    data = parseJson(raw) ?? {}
  } else if (type.startsWith('application/x-www-form-urlencoded')) {
    data = parseForm(raw)
  } else if (type.startsWith('multipart/')) {
    // PHP does not parse multipart bodies of PATCH/PUT requests.
    data = {}
  } else {
    // assumed: a body sent without a JSON content type is still read as JSON when it parses (a ForceJson middleware).
    data = parseJson(raw) ?? {}
  }
  const out = new Map<string, Json>()
  for (const [k, v] of Object.entries(data)) out.set(k, TRIM_EXCEPT.has(k) ? v : trimStrings(v))
  return Object.fromEntries(out)
}

// ---------------------------------------------------------------------------
// Passwords and tokens
// ---------------------------------------------------------------------------

function hashPassword(plain: string): Promise<string> {
  const salt = randomBytes(16)
  return new Promise((resolve, reject) => {
    scrypt(plain, salt, 32, { N: 16384, r: 8, p: 1 }, (err, key) => {
      if (err) reject(err)
      else resolve(`$scrypt$ln=14,r=8,p=1$${salt.toString('base64')}$${key.toString('base64')}`)
    })
  })
}

function sha256(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex')
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8')
  const y = Buffer.from(b, 'utf8')
  return x.length === y.length && timingSafeEqual(x, y)
}

const TOKEN_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

function plainToken(): string {
  const bytes = randomBytes(40)
  let s = ''
  for (const byte of bytes) s += TOKEN_CHARS[byte % TOKEN_CHARS.length] ?? 'x'
  return s
}

/** Request::bearerToken(). */
function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization ?? ''
  const pos = header.toLowerCase().lastIndexOf('bearer ')
  if (pos < 0) return undefined
  const rest = header.slice(pos + 7)
  const comma = rest.indexOf(',')
  const token = comma >= 0 ? rest.slice(0, comma) : rest
  return token === '' ? undefined : token
}

/** Sanctum's PersonalAccessToken::findToken(). */
function findToken(state: State, token: string): TokenRow | undefined {
  const bar = token.indexOf('|')
  if (bar < 0) {
    const h = sha256(token)
    for (const t of state.tokens.values()) if (sameHex(t.hash, h)) return t
    return undefined
  }
  const id = token.slice(0, bar)
  if (!/^[0-9]{1,15}$/.test(id)) return undefined
  const row = state.tokens.get(Number(id))
  return row && sameHex(row.hash, sha256(token.slice(bar + 1))) ? row : undefined
}

// ---------------------------------------------------------------------------
// UserResource
// ---------------------------------------------------------------------------

function money(v: Json): Json {
  if (isNumeric(v)) return toNumber(v).toFixed(2)
  return v
}

function resource(u: UserRow, breaks: ReadonlySet<string>): JsonObject {
  const a = u.attrs
  const shapeBug = breaks.has('response.shape')
  const bonus = money(a.bonus_rate)
  const out: JsonObject = {
    id: u.id,
    email: a.email,
    first_name: a.first_name,
    last_name: a.last_name,
    name: a.name,
    identity_number: a.identity_number,
    mobile: a.mobile,
    phone: a.phone,
    role_id: a.role_id,
    status: a.status,
    color: a.color,
    // BREAK response.shape: the decimal:2 cast forgotten — bonus_rate comes out as a float.
    bonus_rate: shapeBug && typeof bonus === 'string' ? Number(bonus) : bonus,
    photo: a.photo,
    authorized_users: a.authorized_users,
    permissions: a.permissions,
    service_ids: a.service_ids,
  }
  // BREAK response.shape: service_ids sits behind whenLoaded('services') and the relation is not loaded.
  if (shapeBug) delete out.service_ids
  // BREAK response.no-password: the resource is parent::toArray() with an empty $hidden.
  if (breaks.has('response.no-password')) out.password = u.passwordHash
  return { data: out }
}

// ---------------------------------------------------------------------------
// HTTP plumbing
// ---------------------------------------------------------------------------

function send(res: ServerResponse, status: number, body: JsonObject | undefined, headers: Record<string, string> = {}): void {
  if (res.headersSent) return
  const payload = body === undefined ? '' : JSON.stringify(body)
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Content-Length': String(Buffer.byteLength(payload)),
    ...headers,
  })
  res.end(payload)
}

interface Body {
  raw: Buffer
  tooLarge: boolean
}

function readBody(req: IncomingMessage): Promise<Body> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let total = 0
    let tooLarge = Number(req.headers['content-length'] ?? '0') > BODY_LIMIT
    let done = false
    const finish = (): void => {
      if (done) return
      done = true
      resolve({ raw: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks), tooLarge })
    }
    req.on('data', (chunk: Buffer) => {
      total += chunk.length
      if (total > BODY_LIMIT) tooLarge = true
      if (!tooLarge) chunks.push(chunk)
      else chunks.length = 0
      if (total > DRAIN_LIMIT) {
        req.pause()
        finish()
      }
    })
    req.on('end', finish)
    req.on('error', finish)
    req.on('aborted', finish)
  })
}

/** rawurldecode(), byte-wise; enough to match ASCII route patterns. */
function rawUrlDecode(s: string): string {
  return s.replace(/%([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)))
}

function canonicalId(s: string): string {
  return s.replace(/^0+(?=[0-9])/, '')
}

function rowById<T extends { id: number }>(rows: Map<number, T>, param: string): T | undefined {
  const id = canonicalId(param)
  if (id.length > 15) return undefined
  return rows.get(Number(id))
}

async function handle(state: State, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req)
  // ValidatePostSize runs before routing.
  if (body.tooLarge) {
    send(res, 413, { message: 'The PATCH data is too large.' }, { Connection: 'close' })
    return
  }

  let pathname: string
  try {
    pathname = new URL(req.url ?? '/', 'http://localhost').pathname
  } catch {
    pathname = '/'
  }
  const displayPath = pathname.replace(/^\/+|\/+$/g, '') || '/'
  const matched = /^\/([0-9]+)\/users\/([0-9]+)$/.exec(rawUrlDecode(pathname).replace(/\/+$/, ''))
  if (!matched) {
    send(res, 404, { message: `The route ${displayPath} could not be found.` })
    return
  }
  const method = (req.method ?? 'GET').toUpperCase()
  // assumed: the update route is an apiResource one, so PUT is served like PATCH.
  const allowed = ['PUT', 'PATCH']
  if (method === 'OPTIONS') {
    send(res, 200, undefined, { Allow: allowed.join(',') })
    return
  }
  if (!allowed.includes(method)) {
    send(
      res,
      405,
      {
        message: `The ${method} method is not supported for route ${displayPath}. Supported methods: ${allowed.join(', ')}.`,
      },
      { Allow: allowed.join(', ') },
    )
    return
  }
  const tenantParam = matched[1] ?? ''
  const userParam = matched[2] ?? ''
  const breaks = state.breaks

  // auth:sanctum
  const plain = bearerToken(req)
  const token = plain === undefined ? undefined : findToken(state, plain)
  const actor = token ? state.users.get(token.userId) : undefined
  if (!token || !actor) {
    // assumed: the app renders AuthenticationException as {success:false, message:"Unauthenticated."} (an ApiResponse trait habit).
    send(res, 401, { success: false, message: 'Unauthenticated.' })
    return
  }

  // SubstituteBindings with scopeBindings(): {tenant}, then {user} through $tenant->users().
  const tenantId = Number(canonicalId(tenantParam))
  if (canonicalId(tenantParam).length > 15 || !state.tenants.has(tenantId)) {
    send(res, 404, { message: `No query results for model [App\\Models\\Tenant] ${tenantParam}` })
    return
  }
  const target = rowById(state.users, userParam)
  const isolate = !breaks.has('tenant.isolation')
  // assumed: another tenant's user under this tenant's path is 404 (scoped binding), not 403.
  // BREAK tenant.isolation: User::findOrFail($id) — the binding is not scoped to the tenant.
  if (!target || (isolate && target.tenantId !== tenantId)) {
    send(res, 404, { message: `No query results for model [App\\Models\\User] ${userParam}` })
    return
  }
  // abilities:users.manage (Sanctum token abilities).
  // assumed: only tokens carrying the users.manage ability may update users (the peer's token does not): 403.
  if (!token.abilities.includes('*') && !token.abilities.includes('users.manage')) {
    send(res, 403, { message: 'Invalid ability provided.' })
    return
  }
  // UpdateUserRequest::authorize(): the token's user must belong to the tenant in the path.
  // assumed: a token of tenant B under tenant A's path gets 403 "This action is unauthorized.".
  // BREAK tenant.isolation: authorize() just returns true.
  if (isolate && actor.tenantId !== tenantId) {
    send(res, 403, { message: 'This action is unauthorized.' })
    return
  }

  const data = input(req, body.raw)
  const ctx: Ctx = { state, tenantId, userId: target.id }
  const set = rulesFor(ctx)
  const errors = validate(data, set)
  if (errors.size > 0) {
    const all = [...errors.values()].flat()
    const first = all[0] ?? 'The given data was invalid.'
    const more = all.length - 1
    let message = more > 0 ? `${first} (and ${more} more ${more === 1 ? 'error' : 'errors'})` : first
    // BREAK validation.summary: a custom failedValidation() with the pre-Laravel-9 generic message.
    if (breaks.has('validation.summary')) message = 'The given data was invalid.'
    // BREAK validation.status: failedValidation() answers 400 instead of 422.
    const status = breaks.has('validation.status') ? 400 : 422
    send(res, status, { message, errors: Object.fromEntries(errors) })
    return
  }

  // $request->validated(): the top-level attributes with rules that were sent.
  const changes: Partial<UserAttrs> = {}
  let newPassword: Json | undefined
  for (const [key] of set) {
    if (key.includes('*')) continue
    const got = lookup(data, key)
    if (!got.found || got.value === undefined) continue
    const v = got.value
    if (key === 'password') {
      newPassword = v
      continue
    }
    if (!(USER_FIELDS as readonly string[]).includes(key)) continue
    const field = key as UserField
    if (field === 'status') changes.status = isFilterInt(v) ? Number(phpTrim(phpString(v))) : v
    else if (field === 'bonus_rate') changes.bonus_rate = money(v)
    else if (field === 'permissions' || field === 'authorized_users' || field === 'service_ids') {
      changes[field] = isObj(v) ? entriesOf(v).map(([, x]) => x) : v
    } else changes[field] = v
  }
  // if ($request->filled('password')) $user->password = Hash::make(...)
  let newHash: string | undefined
  if (typeof newPassword === 'string' && phpTrim(newPassword) !== '') newHash = await hashPassword(newPassword)
  else if (newPassword !== undefined && newPassword !== null && typeof newPassword !== 'string') {
    newHash = await hashPassword(JSON.stringify(newPassword))
  }

  const before: UserRow = { ...target, attrs: { ...target.attrs } }
  const after: UserRow = {
    ...target,
    attrs: { ...target.attrs, ...changes },
    passwordHash: newHash ?? target.passwordHash,
  }
  // BREAK update.persists: $user->fill($data) without save().
  if (!breaks.has('update.persists')) {
    target.attrs = after.attrs
    target.passwordHash = after.passwordHash
  }
  // BREAK response.echo: the resource is built from the model loaded before the update.
  const shown = breaks.has('response.echo') ? before : after
  send(res, 200, resource(shown, breaks))
}

// ---------------------------------------------------------------------------
// Seeding and start()
// ---------------------------------------------------------------------------

interface SeedUser {
  id: number
  tenantId: number
  password: string
  abilities: readonly string[]
  attrs: UserAttrs
}

function seedUsers(): SeedUser[] {
  const base = (over: Partial<UserAttrs>): UserAttrs => ({
    email: '',
    first_name: '',
    last_name: '',
    name: null,
    identity_number: null,
    mobile: null,
    phone: '',
    role_id: 'personnel',
    status: 1,
    color: '#607d8b',
    bonus_rate: '0.00',
    photo: null,
    authorized_users: [],
    permissions: [],
    service_ids: [],
    ...over,
  })
  // Tenant 17 ("Medibulut Ağız ve Diş Sağlığı"), tenant 23 ("Dişklinik Ankara").
  return [
    {
      id: 11,
      tenantId: 17,
      password: 'Zeynep2024',
      abilities: ['*'],
      attrs: base({
        email: 'zeynep.kaya@medibulut.com',
        first_name: 'Zeynep',
        last_name: 'Kaya',
        mobile: '+905321112233',
        role_id: 'admin',
        color: '#1e88e5',
        permissions: [...PERMISSIONS],
        service_ids: [1, 2],
      }),
    },
    {
      id: 12,
      tenantId: 17,
      password: 'Mehmet2024',
      abilities: ['appointments.manage', 'patients.manage'],
      attrs: base({
        email: 'mehmet.demir@medibulut.com',
        first_name: 'Mehmet',
        last_name: 'Demir',
        mobile: '+905334445566',
        role_id: 'specialist',
        color: '#43a047',
        bonus_rate: '12.50',
        permissions: ['appointments.manage', 'patients.manage'],
        service_ids: [1, 3],
      }),
    },
    {
      id: 13,
      tenantId: 17,
      password: 'Ayse2024x',
      abilities: ['appointments.manage'],
      attrs: base({
        email: 'ayse.yilmaz@medibulut.com',
        first_name: 'Ayşe',
        last_name: 'Yılmaz',
        role_id: 'personnel',
        authorized_users: [12],
        permissions: ['appointments.manage'],
      }),
    },
    {
      id: 485,
      tenantId: 17,
      password: 'Usertemp1',
      abilities: ['appointments.manage'],
      attrs: base({
        email: 'usertemp@medibulut.com',
        first_name: 'Adı',
        last_name: 'Soyadı',
        mobile: '+905555555554',
        role_id: 'admin',
        color: '#c00',
        bonus_rate: '15.00',
        authorized_users: [11],
        permissions: [...PERMISSIONS],
      }),
    },
    {
      id: 31,
      tenantId: 23,
      password: 'AliCelik77',
      abilities: ['*'],
      attrs: base({
        email: 'ali.celik@disklinik.com.tr',
        first_name: 'Ali',
        last_name: 'Çelik',
        mobile: '+905427778899',
        role_id: 'admin',
        color: '#8e24aa',
        permissions: [...PERMISSIONS],
        service_ids: [4],
      }),
    },
    {
      id: 32,
      tenantId: 23,
      password: 'ElifSahin8',
      abilities: ['appointments.manage'],
      attrs: base({
        email: 'elif.sahin@disklinik.com.tr',
        first_name: 'Elif',
        last_name: 'Şahin',
        role_id: 'specialist',
        authorized_users: [31],
        permissions: ['appointments.manage', 'patients.manage'],
        service_ids: [4, 5],
      }),
    },
  ]
}

export async function start(options?: { breaks?: readonly string[] }): Promise<Standin> {
  const wanted = options?.breaks ?? []
  for (const id of wanted) {
    if (!breakable.includes(id)) throw new TypeError(`medibulut stand-in: unknown break "${id}"`)
  }
  const state: State = {
    tenants: new Map([
      [17, 'Medibulut Ağız ve Diş Sağlığı'],
      [23, 'Dişklinik Ankara'],
    ]),
    users: new Map(),
    tokens: new Map(),
    services: new Map(
      (
        [
          [1, 17, 'Muayene'],
          [2, 17, 'Diş Taşı Temizliği'],
          [3, 17, 'Kanal Tedavisi'],
          [4, 23, 'İmplant'],
          [5, 23, 'Ortodonti'],
        ] as const
      ).map(([id, tenantId, name]): [number, ServiceRow] => [id, { id, tenantId, name }]),
    ),
    breaks: new Set(wanted),
  }

  const seeds = seedUsers()
  const hashes = await Promise.all(seeds.map((s) => hashPassword(s.password)))
  const plainTokens = new Map<number, string>()
  let tokenId = 301
  seeds.forEach((s, i) => {
    state.users.set(s.id, { id: s.id, tenantId: s.tenantId, passwordHash: hashes[i] ?? '', attrs: s.attrs })
    const plain = plainToken()
    const id = tokenId++
    state.tokens.set(id, { id, userId: s.id, hash: sha256(plain), abilities: s.abilities })
    plainTokens.set(s.id, `${id}|${plain}`)
  })

  const sockets = new Set<Socket>()
  const server = http.createServer((req, res) => {
    handle(state, req, res).catch(() => {
      send(res, 500, { message: 'Server Error' })
    })
  })
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  server.on('clientError', (_err, socket: Socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
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

  const account = (userId: number): StandinAccount => {
    const u = state.users.get(userId)
    return {
      userId,
      token: plainTokens.get(userId) ?? '',
      email: typeof u?.attrs.email === 'string' ? u.attrs.email : '',
      tenant: u?.tenantId ?? 0,
      role: typeof u?.attrs.role_id === 'string' ? u.attrs.role_id : '',
    }
  }

  let closing: Promise<void> | undefined
  return {
    url: `http://127.0.0.1:${port}`,
    accounts: { actor: account(11), peer: account(12), foreign: account(31) },
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
        for (const s of sockets) s.destroy()
      })
      return closing
    },
  }
}
