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
  'auth.own-profile',
  'user.not-found',
  'body.password',
  'body.email',
  'body.locale',
  'body.expo-push-token',
  'body.arrays',
  'email.unique',
  'validation.shape',
  'response.shape',
  'response.echo',
  'response.no-password',
  'update.persists',
]

/*
 * Stand-in for "PUT /users/{id} — Update user" of a Rails 7 API app, written from
 * the API documentation page alone. It mimics a UsersController roughly like:
 *
 *   before_action :authenticate_user!          # bearer token -> current_user, else 401
 *   before_action :ensure_json_request         # 415 for non-JSON bodies
 *   before_action :set_user                    # User.find(params[:id]) -> 404
 *   before_action :authorize_own_profile!      # @user == current_user, else 401
 *   def update
 *     if @user.update(user_params) then render 200 envelope
 *     else render 422 envelope with errors [{path, message}] end
 *   end
 *   def user_params = params.require(:user).permit(:first_name, :last_name, :email,
 *     :password, :locale, :expo_push_token, feature_flags: [], notifications: [])
 *
 * with wrap_parameters (JSON), has_secure_password and ActiveRecord validations.
 */

import * as crypto from 'node:crypto'
import * as http from 'node:http'
import type { Socket } from 'node:net'

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type JsonObject = { [key: string]: Json }

interface UserRecord {
  id: number
  email: string
  firstName: string | null
  lastName: string | null
  passwordDigest: string
  roles: string[]
  // Normally string[]; typed loosely because the "body.arrays" break stores anything.
  featureFlags: Json
  notifications: Json
  status: string
  locale: string | null
  expoPushToken: string | null
  emailVerified: boolean
  createdAt: Date
  updatedAt: Date
}

interface State {
  users: Map<number, UserRecord>
  tokens: Map<string, number>
  breaks: ReadonlySet<string>
  /** Verification e-mails "sent" (not observable over HTTP). */
  outbox: { userId: number; email: string; token: string }[]
}

interface FieldError {
  attr: string
  msg: string
}

const BODY_LIMIT = 1024 * 1024
// assumed: Ruby's JSON parser (used by Rails' params parsing) refuses nesting deeper than 100 -> 400.
const MAX_JSON_NESTING = 100
// assumed: names are limited to 50 characters (a common Rails `length: { maximum: 50 }`); the doc says nothing.
const NAME_MAX = 50
// assumed: e-mails are limited to 255 characters (the usual varchar(255) guard).
const EMAIL_MAX = 255
const PASSWORD_MIN = 8
// has_secure_password refuses passwords longer than 72 bytes (BCrypt limit).
const PASSWORD_MAX_BYTES = 72
const LOCALES = ['en', 'fr']
// URI::MailTo::EMAIL_REGEXP, the regexp Rails apps most commonly validate e-mails with.
const EMAIL_RE =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/
// assumed: the bracketed part of an Expo token must be non-empty and free of whitespace and "]".
const EXPO_RE = /^(?:ExponentPushToken|ExpoPushToken)\[[^\]\s]+\]$/
// assumed: wrap_parameters wraps only User.attribute_names (Rails' default); `password` is NOT a
// column, so an unwrapped "password" is silently not wrapped (the well-known has_secure_password gotcha).
const WRAPPED_KEYS = [
  'id',
  'email',
  'first_name',
  'last_name',
  'password_digest',
  'roles',
  'feature_flags',
  'notifications',
  'status',
  'locale',
  'expo_push_token',
  'email_verified_at',
  'created_at',
  'updated_at',
]
const JSON_TYPES = ['application/json', 'text/x-json', 'application/jsonrequest']

function scryptAsync(password: string, salt: Buffer, keylen: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    crypto.scrypt(password, salt, keylen, (err, key) => {
      if (err) reject(err)
      else resolve(key)
    })
  })
}

async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16)
  const key = await scryptAsync(password.normalize('NFC'), salt, 32)
  return `$scrypt$${salt.toString('base64url')}$${key.toString('base64url')}`
}

function hasOwn(obj: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key)
}

function isPlainObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function humanize(attr: string): string {
  const words = attr.replace(/_/g, ' ')
  return words.charAt(0).toUpperCase() + words.slice(1)
}

function fullMessage(e: FieldError): string {
  return `${humanize(e.attr)} ${e.msg}`
}

function charLength(s: string): number {
  // Code points, like Ruby's String#length.
  return Array.from(s).length
}

function isBlank(s: string | null): boolean {
  return s === null || /^\s*$/u.test(s)
}

function iso(d: Date): string {
  // The doc's example renders created_at without milliseconds: 2024-01-15T10:30:00Z.
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** Ruby's String#to_i as ActiveRecord applies it to params[:id] ("2-john" -> 2, "abc" -> 0). */
function rubyToI(s: string): number {
  const m = /^\s*([+-]?\d+(?:_\d+)*)/.exec(s)
  if (!m || m[1] === undefined) return 0
  const digits = m[1].replace(/_/g, '')
  const n = Number(digits)
  return Number.isSafeInteger(n) ? n : Number.NaN
}

/** Deepest array/object nesting of a JSON text (strings skipped). */
function jsonNesting(text: string): number {
  let depth = 0
  let max = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92) i++
      else if (c === 34) inString = false
    } else if (c === 34) inString = true
    else if (c === 91 || c === 123) {
      depth++
      if (depth > max) max = depth
    } else if (c === 93 || c === 125) depth--
  }
  return max
}

function serialize(u: UserRecord, breaks: ReadonlySet<string>): JsonObject {
  const data: JsonObject = {
    id: u.id,
    email: u.email,
    first_name: u.firstName,
    last_name: u.lastName,
    roles: [...u.roles],
    feature_flags: u.featureFlags,
    notifications: u.notifications,
    status: u.status,
    locale: u.locale,
    created_at: iso(u.createdAt),
  }
  // assumed: expo_push_token is write-only: the doc's 200 example (the serializer) does not list it.
  if (breaks.has('response.shape')) {
    // Break: an incomplete serializer (`as_json(only: [...])`) that forgot roles, status and created_at.
    delete data.roles
    delete data.status
    delete data.created_at
  }
  if (breaks.has('response.no-password')) {
    // Break: serializer built from the raw attributes, leaking the digest.
    data.password_digest = u.passwordDigest
  }
  return data
}

function send(res: http.ServerResponse, status: number, body: Json, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.writableEnded) return
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': status === 200 ? 'max-age=0, private, must-revalidate' : 'no-cache',
    'X-Request-Id': crypto.randomUUID(),
    ...headers,
  })
  res.end(text)
}

/** Framework-level errors are rendered the way Rails' PublicExceptions does for JSON requests. */
function sendFramework(res: http.ServerResponse, status: number, headers: Record<string, string> = {}): void {
  const reason: Record<number, string> = {
    400: 'Bad Request',
    404: 'Not Found',
    413: 'Payload Too Large',
    500: 'Internal Server Error',
  }
  send(res, status, { status, error: reason[status] ?? 'Error' }, headers)
}

function sendUnauthorized(res: http.ServerResponse): void {
  send(
    res,
    401,
    { status: 'error', message: 'Not authenticated or insufficient permissions' },
    { 'WWW-Authenticate': 'Bearer realm="Application"' },
  )
}

/** Rails' authenticate_with_http_token: "Bearer xyz", "Token xyz", 'Token token="xyz"'. */
function extractToken(header: string | undefined): string | null {
  if (header === undefined) return null
  // assumed: like ActionController::HttpAuthentication::Token, both the "Bearer" and "Token" schemes
  // are accepted, and the scheme is matched case-sensitively (its regexp is /^(Token|Bearer)\s+/).
  const m = /^(?:Token|Bearer)\s+([\s\S]*)$/.exec(header)
  if (!m || m[1] === undefined) return null
  let first = m[1].split(/\s*(?:,|;|\t)\s*/)[0] ?? ''
  first = first
    .replace(/^token=/, '')
    .replace(/^"|"$/g, '')
    .trim()
  return first === '' ? null : first
}

type ReadResult = { kind: 'ok'; buf: Buffer } | { kind: 'too-large' } | { kind: 'aborted' }

function readBody(req: http.IncomingMessage): Promise<ReadResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    let done = false
    const finish = (r: ReadResult): void => {
      if (done) return
      done = true
      resolve(r)
    }
    req.on('data', (chunk: Buffer) => {
      if (done) return
      size += chunk.length
      if (size > BODY_LIMIT) {
        chunks.length = 0
        finish({ kind: 'too-large' })
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => finish({ kind: 'ok', buf: Buffer.concat(chunks) }))
    req.on('error', () => finish({ kind: 'aborted' }))
    req.on('aborted', () => finish({ kind: 'aborted' }))
  })
}

/** Casts a permitted scalar the way ActiveModel::Type::String would; undefined = not permitted. */
function castString(v: unknown): string | null | undefined {
  if (v === null) return null
  if (typeof v === 'string') return v
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : undefined
  if (typeof v === 'boolean') return v ? 't' : 'f'
  // assumed: objects/arrays given for scalar fields are dropped silently, as strong parameters do.
  return undefined
}

interface Changes {
  firstName?: string | null
  lastName?: string | null
  email?: string | null
  password?: { kind: 'value'; value: string } | { kind: 'null' } | { kind: 'bad-type' }
  locale?: string | null
  expoPushToken?: string | null
  featureFlags?: { raw: Json }
  notifications?: { raw: Json }
}

function permit(user: JsonObject): Changes {
  const c: Changes = {}
  const scalar = (key: string): string | null | undefined => (hasOwn(user, key) ? castString(user[key]) : undefined)
  const fn = scalar('first_name')
  if (fn !== undefined) c.firstName = fn
  const ln = scalar('last_name')
  if (ln !== undefined) c.lastName = ln
  const em = scalar('email')
  if (em !== undefined) c.email = em
  const lo = scalar('locale')
  if (lo !== undefined) c.locale = lo
  const ex = scalar('expo_push_token')
  if (ex !== undefined) c.expoPushToken = ex
  if (hasOwn(user, 'password')) {
    const p = user.password
    if (typeof p === 'string') c.password = { kind: 'value', value: p }
    else if (p === null) c.password = { kind: 'null' }
    // assumed: a number/boolean password (which would crash has_secure_password's setter) is refused
    // with "Password is invalid"; objects/arrays are dropped like any unpermitted value.
    else if (typeof p === 'number' || typeof p === 'boolean') c.password = { kind: 'bad-type' }
  }
  // assumed: array fields are type-checked in the controller instead of being silently dropped by
  // `permit(feature_flags: [])`: a non-array (null included) or an array holding anything but strings
  // is a 422 "... must be an array of strings".
  if (hasOwn(user, 'feature_flags')) c.featureFlags = { raw: user.feature_flags ?? null }
  if (hasOwn(user, 'notifications')) c.notifications = { raw: user.notifications ?? null }
  return c
}

function isStringArray(v: Json): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string')
}

/** ActiveRecord validations run on the would-be record; returns errors in declaration order. */
function validate(state: State, rec: UserRecord, changes: Changes): FieldError[] {
  const b = state.breaks
  const errors: FieldError[] = []
  // email: presence, format, length, uniqueness (case_sensitive: false)
  if (isBlank(rec.email)) errors.push({ attr: 'email', msg: "can't be blank" })
  if (!b.has('body.email') && !EMAIL_RE.test(rec.email)) errors.push({ attr: 'email', msg: 'is invalid' })
  if (charLength(rec.email) > EMAIL_MAX) {
    errors.push({ attr: 'email', msg: `is too long (maximum is ${EMAIL_MAX} characters)` })
  }
  if (!b.has('email.unique') && rec.email !== '') {
    // assumed: uniqueness is case-insensitive (LOWER(email)) although e-mails are stored as sent.
    const lower = rec.email.toLowerCase()
    for (const other of state.users.values()) {
      if (other.id !== rec.id && other.email.toLowerCase() === lower) {
        errors.push({ attr: 'email', msg: 'has already been taken' })
        break
      }
    }
  }
  // password: has_secure_password + `validates :password, length: { minimum: 8 }, allow_nil: true`
  const p = changes.password
  if (p !== undefined) {
    if (p.kind === 'null') errors.push({ attr: 'password', msg: "can't be blank" })
    else if (p.kind === 'bad-type') errors.push({ attr: 'password', msg: 'is invalid' })
    else {
      // assumed: an empty password is refused as too short (Rails' setter would silently ignore "").
      if (!b.has('body.password') && charLength(p.value) < PASSWORD_MIN) {
        errors.push({ attr: 'password', msg: `is too short (minimum is ${PASSWORD_MIN} characters)` })
      }
      if (Buffer.byteLength(p.value) > PASSWORD_MAX_BYTES) {
        errors.push({ attr: 'password', msg: `is too long (maximum is ${PASSWORD_MAX_BYTES} characters)` })
      }
    }
  }
  // names: presence and length
  // assumed: first and last name are required (`presence: true`), so "", "  " or null are refused.
  for (const [attr, value] of [
    ['first_name', rec.firstName],
    ['last_name', rec.lastName],
  ] as const) {
    if (isBlank(value)) errors.push({ attr, msg: "can't be blank" })
    else if (value !== null && charLength(value) > NAME_MAX) {
      errors.push({ attr, msg: `is too long (maximum is ${NAME_MAX} characters)` })
    }
  }
  // locale: inclusion in en/fr
  // assumed: locale is case-sensitive ("EN" is refused) and may not be null/blank.
  if (!b.has('body.locale') && (rec.locale === null || !LOCALES.includes(rec.locale))) {
    errors.push({ attr: 'locale', msg: 'is not included in the list' })
  }
  // expo_push_token: format, allow_nil
  // assumed: null clears the token (allow_nil: true, e.g. on logout) but "" is invalid.
  if (!b.has('body.expo-push-token') && rec.expoPushToken !== null && !EXPO_RE.test(rec.expoPushToken)) {
    errors.push({ attr: 'expo_push_token', msg: 'is invalid' })
  }
  if (!b.has('body.arrays')) {
    if (changes.featureFlags !== undefined && !isStringArray(changes.featureFlags.raw)) {
      errors.push({ attr: 'feature_flags', msg: 'must be an array of strings' })
    }
    if (changes.notifications !== undefined && !isStringArray(changes.notifications.raw)) {
      errors.push({ attr: 'notifications', msg: 'must be an array of strings' })
    }
  }
  return errors
}

function cloneUser(u: UserRecord): UserRecord {
  return {
    ...u,
    roles: [...u.roles],
    featureFlags: structuredClone(u.featureFlags),
    notifications: structuredClone(u.notifications),
  }
}

async function handle(state: State, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const b = state.breaks
  const declared = Number(req.headers['content-length'] ?? '0')
  if (Number.isFinite(declared) && declared > BODY_LIMIT) {
    sendFramework(res, 413, { Connection: 'close' })
    req.resume()
    return
  }
  const read = await readBody(req)
  if (read.kind === 'aborted') return
  if (read.kind === 'too-large') {
    sendFramework(res, 413, { Connection: 'close' })
    req.resume()
    return
  }

  // Routing: resources :users, only: :update  ->  PUT/PATCH /users/:id(.:format)
  const rawPath = (req.url ?? '/').split('?')[0] ?? '/'
  const route = /^\/users\/([^/.]+)(?:\.[^/.]+)?\/?$/.exec(rawPath)
  // assumed: PATCH is routed to #update as well, like `resources :users` does.
  if (!route || route[1] === undefined || (req.method !== 'PUT' && req.method !== 'PATCH')) {
    // assumed: unknown routes get Rails' production JSON 404 ({"status":404,"error":"Not Found"}).
    sendFramework(res, 404)
    return
  }
  let idParam: string
  try {
    idParam = decodeURIComponent(route[1])
  } catch {
    sendFramework(res, 400)
    return
  }

  // before_action :authenticate_user!
  const token = extractToken(req.headers.authorization)
  const currentId = token === null ? undefined : state.tokens.get(token)
  const currentUser = currentId === undefined ? undefined : state.users.get(currentId)
  if (currentUser === undefined && !b.has('auth.required')) {
    sendUnauthorized(res)
    return
  }
  // Break auth.required: authentication is skipped and, with no current_user, so is the ownership check.

  // before_action :ensure_json_request
  const text = read.buf.length === 0 ? '' : read.buf.toString('latin1')
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
  if (text.trim() !== '' && !JSON_TYPES.includes(contentType)) {
    // assumed: a non-JSON body is refused with 415 by a before_action (plain Rails would parse forms).
    send(res, 415, { status: 'error', message: 'Content-Type must be application/json' })
    return
  }

  // Accessing params parses the JSON body: a malformed body raises ParseError -> 400.
  let body: Json = {}
  if (text.trim() !== '') {
    let decoded: string
    try {
      decoded = new TextDecoder('utf-8', { fatal: true }).decode(read.buf)
    } catch {
      sendFramework(res, 400)
      return
    }
    if (jsonNesting(decoded) > MAX_JSON_NESTING) {
      sendFramework(res, 400)
      return
    }
    try {
      body = JSON.parse(decoded) as Json
    } catch {
      // assumed: malformed JSON is not rescued by the app: Rails renders {"status":400,"error":"Bad Request"}.
      sendFramework(res, 400)
      return
    }
  }

  // before_action :set_user, :authorize_own_profile!
  // assumed: User.find(params[:id]) casts the id like Ruby's to_i, so "2-john" finds user 2, "abc" none.
  const id = rubyToI(idParam)
  // assumed: the record is looked up before ownership is checked: unknown id -> 404 even for others.
  if (b.has('user.not-found') && currentUser !== undefined && id !== currentUser.id) {
    // Break: authorization compares params[:id] with current_user.id before finding -> 401 for unknown ids.
    sendUnauthorized(res)
    return
  }
  const target = Number.isNaN(id) ? undefined : state.users.get(id)
  if (target === undefined) {
    send(res, 404, { status: 'error', message: 'User not found' })
    return
  }
  // assumed: no admin exception: even users with the "admin" role may only update themselves (per the doc).
  if (currentUser !== undefined && currentUser.id !== target.id && !b.has('auth.own-profile')) {
    sendUnauthorized(res)
    return
  }

  // params.require(:user) with wrap_parameters
  let userParam: Json | undefined
  if (isPlainObject(body) && hasOwn(body, 'user')) {
    userParam = body.user
  } else if (isPlainObject(body)) {
    // assumed: an unwrapped JSON object is wrapped into `user` (wrap_parameters), keeping only column names.
    const wrapped: JsonObject = {}
    for (const key of WRAPPED_KEYS) {
      const v = body[key]
      if (hasOwn(body, key) && v !== undefined) wrapped[key] = v
    }
    userParam = wrapped
  }
  if (!isPlainObject(userParam) || Object.keys(userParam).length === 0) {
    // assumed: ParameterMissing is rescued into the app envelope with 400; a non-object `user` too.
    send(res, 400, { status: 'error', message: 'param is missing or the value is empty: user' })
    return
  }

  const changes = permit(userParam)
  const before = serialize(target, b)
  const candidate = cloneUser(target)
  if (changes.firstName !== undefined) candidate.firstName = changes.firstName
  if (changes.lastName !== undefined) candidate.lastName = changes.lastName
  // assumed: e-mails are stored exactly as sent (no strip/downcase normalisation).
  if (changes.email !== undefined) candidate.email = changes.email ?? ''
  if (changes.locale !== undefined) candidate.locale = changes.locale
  if (changes.expoPushToken !== undefined) candidate.expoPushToken = changes.expoPushToken
  if (changes.featureFlags !== undefined) candidate.featureFlags = structuredClone(changes.featureFlags.raw)
  if (changes.notifications !== undefined) candidate.notifications = structuredClone(changes.notifications.raw)

  const errors = validate(state, candidate, changes)
  if (errors.length > 0) {
    let errorsBody: Json
    if (b.has('validation.shape')) {
      // Break: `render json: { ..., errors: @user.errors }` -> { "email": ["has already been taken"] }.
      const byAttr: { [key: string]: Json } = {}
      for (const e of errors) {
        const list = byAttr[e.attr]
        if (Array.isArray(list)) list.push(e.msg)
        else byAttr[e.attr] = [e.msg]
      }
      errorsBody = byAttr
    } else {
      errorsBody = errors.map((e) => ({ path: e.attr, message: fullMessage(e) }))
    }
    send(res, 422, { status: 'error', message: 'Failed to update user', errors: errorsBody })
    return
  }

  if (changes.password?.kind === 'value') candidate.passwordDigest = await hashPassword(changes.password.value)
  if (candidate.email !== target.email) {
    // Email verification: the new address is marked unverified and a verification mail is "sent".
    // The status stays "active"; verification gates features, not this endpoint (not observable).
    candidate.emailVerified = false
    state.outbox.push({ userId: candidate.id, email: candidate.email, token: crypto.randomBytes(16).toString('hex') })
  }
  candidate.updatedAt = new Date()
  // assumed: tokens stay valid after an e-mail or password change.
  if (!b.has('update.persists')) {
    state.users.set(candidate.id, candidate)
  }
  // Break update.persists: `@user.assign_attributes(...)` + `valid?` without `save`: rendered, never stored.
  // Break response.echo: renders the record as loaded before the update (stale object).
  const data = b.has('response.echo') ? before : serialize(candidate, b)
  send(res, 200, { status: 'success', message: 'User updated successfully', data })
}

interface Seed {
  id: number
  email: string
  firstName: string
  lastName: string
  password: string
  roles: string[]
  featureFlags: string[]
  notifications: string[]
  status: string
  locale: string
  expoPushToken: string | null
  createdAt: string
}

const SEEDS: Seed[] = [
  {
    id: 1,
    email: 'ada.admin@example.com',
    firstName: 'Ada',
    lastName: 'Lovelace',
    password: 'adminpassword123',
    roles: ['admin'],
    featureFlags: ['affiliate', 'beta'],
    notifications: ['email_new_transaction'],
    status: 'active',
    locale: 'en',
    expoPushToken: null,
    createdAt: '2023-11-02T08:00:00Z',
  },
  {
    id: 2,
    email: 'john.doe@example.com',
    firstName: 'John',
    lastName: 'Doe',
    password: 'securepassword123',
    roles: [],
    featureFlags: ['affiliate'],
    notifications: ['email_new_transaction', 'push_new_transaction'],
    status: 'active',
    locale: 'en',
    expoPushToken: 'ExponentPushToken[xxxxxxxxxxxxxxxxxxxxxx]',
    createdAt: '2024-01-15T10:30:00Z',
  },
  {
    id: 3,
    // Stored as sent, mixed case (see the e-mail assumptions).
    email: 'Marie.Curie@Example.fr',
    firstName: 'Marie',
    lastName: 'Curie',
    password: 'radium-1898-paris',
    roles: [],
    featureFlags: [],
    notifications: ['push_new_transaction'],
    status: 'active',
    locale: 'fr',
    expoPushToken: 'ExpoPushToken[mC3x9QpL2vRt8sYw1zAb0K]',
    createdAt: '2024-02-03T14:12:45Z',
  },
  {
    id: 4,
    email: 'sam.suspended@example.com',
    firstName: 'Sam',
    lastName: 'Stone',
    password: 'suspendedpass42',
    roles: [],
    featureFlags: [],
    notifications: [],
    status: 'suspended',
    locale: 'en',
    expoPushToken: null,
    createdAt: '2024-03-21T09:05:10Z',
  },
  {
    id: 5,
    email: 'lea.martin@example.org',
    firstName: 'Léa',
    lastName: 'Martin',
    password: 'bonjour-le-monde',
    roles: ['support'],
    featureFlags: ['affiliate'],
    notifications: ['email_new_transaction', 'push_new_transaction'],
    status: 'active',
    locale: 'fr',
    expoPushToken: null,
    createdAt: '2024-05-30T17:45:00Z',
  },
]

export async function start(options?: { breaks?: readonly string[] }): Promise<Standin> {
  const unknown = (options?.breaks ?? []).filter((id) => !breakable.includes(id))
  if (unknown.length > 0) throw new Error(`rails-users stand-in: unknown break id(s): ${unknown.join(', ')}`)
  const state: State = {
    users: new Map(),
    tokens: new Map(),
    breaks: new Set(options?.breaks ?? []),
    outbox: [],
  }
  const tokenFor = new Map<number, string>()
  await Promise.all(
    SEEDS.map(async (s) => {
      const created = new Date(s.createdAt)
      state.users.set(s.id, {
        id: s.id,
        email: s.email,
        firstName: s.firstName,
        lastName: s.lastName,
        passwordDigest: await hashPassword(s.password),
        roles: [...s.roles],
        featureFlags: [...s.featureFlags],
        notifications: [...s.notifications],
        status: s.status,
        locale: s.locale,
        expoPushToken: s.expoPushToken,
        emailVerified: true,
        createdAt: created,
        updatedAt: created,
      })
      const token = crypto.randomBytes(32).toString('base64url')
      state.tokens.set(token, s.id)
      tokenFor.set(s.id, token)
    }),
  )

  const sockets = new Set<Socket>()
  const server = http.createServer((req, res) => {
    handle(state, req, res).catch(() => {
      sendFramework(res, 500)
    })
  })
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  server.on('clientError', (_err: Error, socket: Socket) => {
    if (socket.writable) {
      const text = JSON.stringify({ status: 400, error: 'Bad Request' })
      socket.end(
        `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
      )
    } else {
      socket.destroy()
    }
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('rails-users stand-in: no TCP address')

  const account = (id: number): StandinAccount => {
    const user = state.users.get(id)
    const token = tokenFor.get(id)
    if (user === undefined || token === undefined) throw new Error('rails-users stand-in: missing seed')
    return { userId: user.id, token, email: user.email, role: user.roles[0] ?? 'user' }
  }

  let closing: Promise<void> | undefined
  return {
    url: `http://127.0.0.1:${address.port}`,
    accounts: { actor: account(2), peer: account(3) },
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
        for (const socket of sockets) socket.destroy()
      })
      return closing
    },
  }
}
