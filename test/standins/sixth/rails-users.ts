// Stand-in for a Rails 7 API: PUT /users/{id} — "Update user".
// Written from the endpoint's documentation page only; everything the doc does
// not say is a choice, marked with `// assumed: …`.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto'

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

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type JsonObject = { [key: string]: Json }

interface UserRecord {
  id: number
  email: string
  firstName: string | null
  lastName: string | null
  passwordDigest: string
  roles: string[]
  // Json rather than string[] only so that the body.arrays break can store anything.
  featureFlags: Json
  notifications: Json
  status: string
  locale: string | null
  expoPushToken: string | null
  emailVerified: boolean
  createdAt: string
  updatedAt: string
  token: string
}

interface FieldError {
  attr: Attr
  message: string // full message, e.g. "Email is invalid"
  short: string // Rails' short message, e.g. "is invalid"
}

// The permitted attributes, in the order the model declares its validations.
// assumed: errors are reported in model declaration order (email, password, names,
// locale, expo_push_token, feature_flags, notifications) — the doc's example lists
// email before password, and Rails reports errors in validator declaration order.
const ATTRS = ['email', 'password', 'first_name', 'last_name', 'locale', 'expo_push_token', 'feature_flags', 'notifications'] as const
type Attr = (typeof ATTRS)[number]

const HUMAN: Record<Attr, string> = {
  email: 'Email',
  password: 'Password',
  first_name: 'First name',
  last_name: 'Last name',
  locale: 'Locale',
  expo_push_token: 'Expo push token',
  feature_flags: 'Feature flags',
  notifications: 'Notifications',
}

const LOCALES = ['en', 'fr']
// Doc: "Must be in format ExponentPushToken[...] or ExpoPushToken[...]".
// assumed: the bracketed part must be non-empty and free of whitespace and brackets.
const EXPO_TOKEN_RE = /^(?:ExponentPushToken|ExpoPushToken)\[[^[\]\s]+\]$/
// assumed: a pragmatic e-mail format (one @, no whitespace, a dot in the domain)
// rather than URI::MailTo::EMAIL_REGEXP, which accepts dot-less domains.
const EMAIL_RE = /^[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+$/

// assumed: 64 KiB request body limit, enforced (413) before authentication, as a
// front proxy / Rack middleware would.
const MAX_BODY_BYTES = 64 * 1024
// assumed: extra length limits a real team ships — names ≤ 50 chars, e-mail ≤ 255
// chars (the varchar column), password ≤ 72 bytes (has_secure_password's BCrypt cap).
const MAX_NAME_CHARS = 50
const MAX_EMAIL_CHARS = 255
const MAX_PASSWORD_BYTES = 72
const MIN_PASSWORD_CHARS = 8

const MSG_UNAUTHORIZED = 'Not authenticated or insufficient permissions'
const MSG_USER_NOT_FOUND = 'User not found'

function hashPassword(password: string): string {
  const salt = randomBytes(16)
  const hash = scryptSync(password, salt, 32, { N: 1024, r: 8, p: 1 })
  return `scrypt$${salt.toString('hex')}$${hash.toString('hex')}`
}

function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function charLength(value: string): number {
  return [...value].length
}

function hasOwn(obj: JsonObject, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key)
}

function getOwn(obj: JsonObject, key: string): Json | undefined {
  return hasOwn(obj, key) ? obj[key] : undefined
}

function cloneJson(value: Json): Json {
  return JSON.parse(JSON.stringify(value)) as Json
}

function sendJson(res: ServerResponse, status: number, body: unknown, close = false): void {
  if (res.headersSent) return
  const payload = JSON.stringify(body)
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(payload),
    'Cache-Control': 'no-store',
  }
  if (close) headers['Connection'] = 'close'
  res.writeHead(status, headers)
  res.end(payload)
}

function notFoundRoute(res: ServerResponse): void {
  // assumed: unknown routes, other verbs on /users/{id} and non-numeric ids answer
  // 404 {"status":"error","message":"Not found"} — the app's catch-all route renders
  // the same JSON envelope as the documented errors.
  sendJson(res, 404, { status: 'error', message: 'Not found' })
}

class Store {
  readonly users = new Map<number, UserRecord>()
  /** Verification e-mails "sent" (doc: a verification e-mail goes to the new address). */
  readonly outbox: { userId: number; to: string; token: string }[] = []

  add(user: Omit<UserRecord, 'passwordDigest' | 'token' | 'updatedAt'> & { password: string }): UserRecord {
    const { password, ...rest } = user
    const record: UserRecord = {
      ...rest,
      passwordDigest: hashPassword(password),
      token: randomBytes(24).toString('hex'),
      updatedAt: rest.createdAt,
    }
    this.users.set(record.id, record)
    return record
  }

  byToken(token: string): UserRecord | undefined {
    const wanted = Buffer.from(token)
    for (const user of this.users.values()) {
      const have = Buffer.from(user.token)
      if (have.length === wanted.length && timingSafeEqual(have, wanted)) return user
    }
    return undefined
  }

  emailTaken(email: string, exceptId: number): boolean {
    // assumed: uniqueness is case-insensitive (validates :email, uniqueness:
    // { case_sensitive: false }), so legacy mixed-case rows still collide.
    const wanted = email.toLowerCase()
    for (const user of this.users.values()) {
      if (user.id !== exceptId && user.email.toLowerCase() === wanted) return true
    }
    return false
  }
}

function serialize(user: UserRecord): JsonObject {
  return {
    id: user.id,
    email: user.email,
    first_name: user.firstName,
    last_name: user.lastName,
    roles: [...user.roles],
    feature_flags: cloneJson(user.featureFlags),
    notifications: cloneJson(user.notifications),
    status: user.status,
    locale: user.locale,
    created_at: user.createdAt,
  }
}

function isoSeconds(date: Date): string {
  // assumed: timestamps are ISO 8601 UTC with second precision ("2024-01-15T10:30:00Z",
  // as in the doc's example) rather than Rails' default millisecond precision.
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

interface Changes {
  email?: string
  password?: string
  firstName?: string | null
  lastName?: string | null
  locale?: string | null
  expoPushToken?: string | null
  featureFlags?: Json
  notifications?: Json
}

function validate(
  store: Store,
  target: UserRecord,
  params: JsonObject,
  breaks: ReadonlySet<string>,
): { errors: FieldError[]; changes: Changes } {
  const errors: FieldError[] = []
  const changes: Changes = {}
  const add = (attr: Attr, short: string): void => {
    errors.push({ attr, short, message: `${HUMAN[attr]} ${short}` })
  }
  // assumed: numbers, booleans, arrays or objects sent for a string attribute are
  // refused with "<Attr> must be a string" instead of being cast ("123", "t") or
  // silently filtered out by strong parameters.
  const stringOrNull = (attr: Attr, value: Json): value is string | null => {
    if (value === null || typeof value === 'string') return true
    add(attr, 'must be a string')
    return false
  }

  for (const attr of ATTRS) {
    if (!hasOwn(params, attr)) continue
    const value = params[attr] as Json
    switch (attr) {
      case 'email': {
        if (!stringOrNull(attr, value)) break
        // assumed: e-mail is normalised (strip + downcase, Rails 7.1 `normalizes`)
        // before validation, so the stored and returned value is lower case.
        const email = value === null ? '' : value.trim().toLowerCase()
        if (email === '') {
          // assumed: a blank e-mail only yields "Email can't be blank" (the format
          // validation is allow_blank), and the e-mail can never be removed.
          add(attr, "can't be blank")
          break
        }
        if (charLength(email) > MAX_EMAIL_CHARS) {
          add(attr, `is too long (maximum is ${MAX_EMAIL_CHARS} characters)`)
        }
        if (!breaks.has('body.email') && !EMAIL_RE.test(email)) add(attr, 'is invalid')
        if (!breaks.has('email.unique') && store.emailTaken(email, target.id)) {
          add(attr, 'has already been taken')
        }
        changes.email = email
        break
      }
      case 'password': {
        if (!stringOrNull(attr, value)) break
        if (value === null) {
          // has_secure_password: assigning nil clears the digest → presence error.
          add(attr, "can't be blank")
          break
        }
        // assumed: an empty string is refused as too short, not silently ignored as
        // has_secure_password's setter would do — the team validates the raw input.
        if (!breaks.has('body.password') && charLength(value) < MIN_PASSWORD_CHARS) {
          add(attr, `is too short (minimum is ${MIN_PASSWORD_CHARS} characters)`)
        }
        if (Buffer.byteLength(value, 'utf8') > MAX_PASSWORD_BYTES) {
          add(attr, `is too long (maximum is ${MAX_PASSWORD_BYTES} characters)`)
        }
        changes.password = value
        break
      }
      case 'first_name':
      case 'last_name': {
        if (!stringOrNull(attr, value)) break
        // assumed: names are optional (null or "" allowed) and stored verbatim (no strip).
        if (value !== null && charLength(value) > MAX_NAME_CHARS) {
          add(attr, `is too long (maximum is ${MAX_NAME_CHARS} characters)`)
        }
        if (attr === 'first_name') changes.firstName = value
        else changes.lastName = value
        break
      }
      case 'locale': {
        if (!stringOrNull(attr, value)) break
        // assumed: locale is case-sensitive and cannot be cleared: null, "", "EN"
        // are all "not included in the list" (inclusion without allow_nil).
        if (!breaks.has('body.locale') && (value === null || !LOCALES.includes(value))) {
          add(attr, 'is not included in the list')
        }
        changes.locale = value
        break
      }
      case 'expo_push_token': {
        if (!stringOrNull(attr, value)) break
        // assumed: null unregisters the device (format validation is allow_nil), but
        // an empty string is just another malformed token.
        if (!breaks.has('body.expo-push-token') && value !== null && !EXPO_TOKEN_RE.test(value)) {
          add(attr, 'is invalid')
        }
        changes.expoPushToken = value
        break
      }
      case 'feature_flags':
      case 'notifications': {
        if (breaks.has('body.arrays')) {
          // Broken: stored as whatever JSON came in (a json column without a check).
          if (attr === 'feature_flags') changes.featureFlags = value
          else changes.notifications = value
          break
        }
        // assumed: a string (or null, number, object) where an array is expected, or an
        // array holding non-strings, is refused with "<Attr> must be an array of strings"
        // instead of strong parameters silently dropping it; [] clears the list, and
        // duplicates and order are kept exactly as sent.
        if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
          add(attr, 'must be an array of strings')
          break
        }
        if (attr === 'feature_flags') changes.featureFlags = [...value]
        else changes.notifications = [...value]
        break
      }
    }
  }
  return { errors, changes }
}

function applyChanges(store: Store, target: UserRecord, changes: Changes, now: Date): UserRecord {
  const next: UserRecord = { ...target }
  if (changes.email !== undefined && changes.email !== target.email) {
    // Doc: a changed e-mail is marked unverified and a verification e-mail is sent to
    // the new address.
    // assumed: the account status stays "active"; only the verification flag changes.
    next.email = changes.email
    next.emailVerified = false
    store.outbox.push({
      userId: target.id,
      to: changes.email,
      token: randomBytes(16).toString('hex'),
    })
  }
  if (changes.password !== undefined) next.passwordDigest = hashPassword(changes.password)
  if (changes.firstName !== undefined) next.firstName = changes.firstName
  if (changes.lastName !== undefined) next.lastName = changes.lastName
  if (changes.locale !== undefined) next.locale = changes.locale
  if (changes.expoPushToken !== undefined) next.expoPushToken = changes.expoPushToken
  if (changes.featureFlags !== undefined) next.featureFlags = cloneJson(changes.featureFlags)
  if (changes.notifications !== undefined) next.notifications = cloneJson(changes.notifications)
  next.updatedAt = isoSeconds(now)
  return next
}

function readBody(req: IncomingMessage, res: ServerResponse): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length'])
    if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
      sendJson(res, 413, { status: 'error', message: 'Request body too large' }, true)
      req.resume()
      resolve(null)
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    let done = false
    req.on('data', (chunk: Buffer) => {
      if (done) return
      size += chunk.length
      if (size > MAX_BODY_BYTES) {
        done = true
        chunks.length = 0
        sendJson(res, 413, { status: 'error', message: 'Request body too large' }, true)
        resolve(null)
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => {
      if (done) return
      done = true
      resolve(Buffer.concat(chunks))
    })
    req.on('error', () => {
      if (done) return
      done = true
      resolve(null)
    })
  })
}

type ParsedBody = { ok: true; value: JsonObject } | { ok: false; status: number; message: string }

function parseBody(req: IncomingMessage, raw: Buffer): ParsedBody {
  const contentType = (req.headers['content-type'] ?? '').toLowerCase()
  // assumed: form-encoded and multipart bodies are refused with 415; any other (or no)
  // Content-Type is read as JSON, since this is a JSON-only API.
  if (contentType.startsWith('application/x-www-form-urlencoded') || contentType.startsWith('multipart/')) {
    return { ok: false, status: 415, message: 'Content-Type must be application/json' }
  }
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw)
  } catch {
    return { ok: false, status: 400, message: 'Malformed JSON request body' }
  }
  // assumed: an empty body is an empty parameter set (a no-op update), not an error.
  if (text.trim() === '') return { ok: true, value: {} }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    // assumed: malformed JSON → 400 in the app's error envelope (Rails would raise
    // ActionDispatch::Http::Parameters::ParseError and render its own page).
    return { ok: false, status: 400, message: 'Malformed JSON request body' }
  }
  // assumed: a JSON body that is not an object (array, string, number) → 400 rather
  // than Rails' `_json` wrapping followed by a silent no-op.
  if (!isPlainObject(parsed)) {
    return { ok: false, status: 400, message: 'Request body must be a JSON object' }
  }
  return { ok: true, value: parsed }
}

type UserParams = { ok: true; value: JsonObject } | { ok: false }

function extractUserParams(body: JsonObject): UserParams {
  if (hasOwn(body, 'user')) {
    const wrapped = getOwn(body, 'user')
    // assumed: `params.fetch(:user, {})` — a null/absent "user" is an empty update
    // (200, nothing changes) instead of ParameterMissing (400); a non-object is 400.
    if (wrapped === null || wrapped === undefined) return { ok: true, value: {} }
    if (!isPlainObject(wrapped)) return { ok: false }
    return { ok: true, value: permit(wrapped) }
  }
  // assumed: wrap_parameters is on and explicitly includes :password, so an unwrapped
  // body ({"first_name": "Jane"}) works like {"user": {...}}; "user" wins if present.
  return { ok: true, value: permit(body) }
}

function permit(source: JsonObject): JsonObject {
  // assumed: unpermitted keys (id, roles, status, created_at, anything else) are
  // dropped silently (Rails' default :log), never raised as 400/422.
  const out: JsonObject = {}
  for (const attr of ATTRS) {
    const value = getOwn(source, attr)
    if (value !== undefined) out[attr] = value
  }
  return out
}

function bearerToken(req: IncomingMessage): string | null {
  const header = req.headers.authorization
  if (typeof header !== 'string') return null
  const match = /^Bearer\s+([^\s]+)\s*$/i.exec(header)
  return match?.[1] ?? null
}

export async function start(options?: { breaks?: readonly string[] }): Promise<Standin> {
  const breaks = new Set(options?.breaks ?? [])
  for (const id of breaks) {
    if (!breakable.includes(id)) throw new Error(`rails-users stand-in cannot break "${id}"`)
  }

  const store = new Store()
  const created = (iso: string): string => isoSeconds(new Date(iso))
  store.add({
    id: 1,
    email: 'admin@example.com',
    firstName: 'Ada',
    lastName: 'Admin',
    password: 'admin-password-1',
    roles: ['admin'],
    featureFlags: [],
    notifications: [],
    status: 'active',
    locale: 'en',
    expoPushToken: null,
    emailVerified: true,
    createdAt: created('2023-11-02T08:00:00Z'),
  })
  store.add({
    id: 2,
    email: 'bob@example.com',
    firstName: 'Bob',
    lastName: 'Builder',
    password: 'bob-password-2',
    roles: [],
    featureFlags: [],
    notifications: ['email_new_transaction'],
    status: 'active',
    locale: 'en',
    expoPushToken: null,
    emailVerified: true,
    createdAt: created('2023-12-24T17:45:12Z'),
  })
  const actor = store.add({
    id: 3,
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
    emailVerified: true,
    createdAt: created('2024-01-15T10:30:00Z'),
  })
  const peer = store.add({
    id: 4,
    email: 'jeanne.martin@example.org',
    firstName: 'Jeanne',
    lastName: 'Martin',
    password: 'motdepasse-secret',
    roles: [],
    featureFlags: [],
    notifications: ['push_new_transaction'],
    status: 'active',
    locale: 'fr',
    expoPushToken: null,
    emailVerified: true,
    createdAt: created('2024-02-03T09:12:44Z'),
  })
  store.add({
    id: 5,
    // A legacy row stored before e-mail normalisation existed.
    email: 'Carla.Legacy@Example.COM',
    firstName: 'Carla',
    lastName: 'Legacy',
    password: 'legacy-password-5',
    roles: [],
    featureFlags: ['beta'],
    notifications: [],
    status: 'active',
    locale: 'en',
    expoPushToken: null,
    emailVerified: true,
    createdAt: created('2022-06-30T23:59:59Z'),
  })

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const raw = await readBody(req, res)
    if (raw === null || res.headersSent) return

    let pathname: string
    try {
      pathname = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
    } catch {
      notFoundRoute(res)
      return
    }
    // assumed: the route has an `id: /\d+/` constraint, so a non-numeric id ("abc",
    // "-1", "3abc") is a routing 404 before authentication, not User.find("3abc") → 3.
    // A trailing slash is tolerated, as Rails' router does.
    const route = /^\/users\/(\d+)\/?$/.exec(pathname)
    const idText = route?.[1]
    // assumed: PATCH behaves exactly like PUT (resources :users routes both to #update).
    if (idText === undefined || (req.method !== 'PUT' && req.method !== 'PATCH')) {
      notFoundRoute(res)
      return
    }

    // 1. Authentication (doc: "User must be authenticated").
    const token = bearerToken(req)
    const current = token === null ? undefined : store.byToken(token)
    if (current === undefined && !breaks.has('auth.required')) {
      sendJson(res, 401, { status: 'error', message: MSG_UNAUTHORIZED })
      return
    }

    // 2. Body parsing happens when params are first read (the set_user before_action),
    // so a malformed body of an authenticated request is 400 before any 404.
    const body = parseBody(req, raw)
    if (!body.ok) {
      sendJson(res, body.status, { status: 'error', message: body.message })
      return
    }
    const userParams = extractUserParams(body.value)
    if (!userParams.ok) {
      // assumed: "user" given as a string/array/number → 400 with Rails' own wording.
      sendJson(res, 400, {
        status: 'error',
        message: 'param is missing or the value is empty: user',
      })
      return
    }

    // 3. Find, then authorize.
    // assumed: the record is looked up before the ownership check (before_action
    // :set_user, then :authorize_user!), so any unknown id is 404 "User not found" and
    // only an existing other user's id is the documented 401. Ids beyond the integer
    // range, like Rails' ActiveModel::RangeError, are simply not found. Leading zeros
    // are cast ("003" → 3).
    const id = Number(idText)
    if (breaks.has('user.not-found')) {
      // Broken: ownership is compared against the raw id first, so an unknown id never
      // reaches the lookup and gets the 401 instead of the documented 404.
      if (current !== undefined && id !== current.id) {
        sendJson(res, 401, { status: 'error', message: MSG_UNAUTHORIZED })
        return
      }
    }
    const target = Number.isSafeInteger(id) ? store.users.get(id) : undefined
    if (target === undefined) {
      sendJson(res, 404, { status: 'error', message: MSG_USER_NOT_FOUND })
      return
    }
    // Doc: "Users can only update their own profile" → the documented 401.
    // assumed: no admin override — even the admin role cannot update another profile.
    if (current !== undefined && target.id !== current.id && !breaks.has('auth.own-profile')) {
      sendJson(res, 401, { status: 'error', message: MSG_UNAUTHORIZED })
      return
    }

    // 4. Validate.
    const { errors, changes } = validate(store, target, userParams.value, breaks)
    if (errors.length > 0) {
      if (breaks.has('validation.shape')) {
        // Broken: `render json: { errors: user.errors }` — a hash of short messages.
        const byAttr: Record<string, string[]> = {}
        for (const e of errors) (byAttr[e.attr] ??= []).push(e.short)
        sendJson(res, 422, { status: 'error', message: 'Failed to update user', errors: byAttr })
        return
      }
      sendJson(res, 422, {
        status: 'error',
        message: 'Failed to update user',
        errors: errors.map((e) => ({ path: e.attr, message: e.message })),
      })
      return
    }

    // 5. Save.
    const updated = applyChanges(store, target, changes, new Date())
    if (!breaks.has('update.persists')) {
      // Broken (update.persists): assign_attributes + valid? without save — the
      // response shows the new values but the store keeps the old row.
      store.users.set(updated.id, updated)
    }

    // 6. Respond.
    // Broken (response.echo): the user was serialized before the update was applied.
    const shown = breaks.has('response.echo') ? target : updated
    let data = serialize(shown)
    if (breaks.has('response.shape')) {
      // Broken: the serializer forgot roles, status and created_at.
      const { roles: _roles, status: _status, created_at: _createdAt, ...rest } = data
      void _roles
      void _status
      void _createdAt
      data = rest
    }
    if (breaks.has('response.no-password')) {
      // Broken: `user.as_json.merge(user_params)` — leaks the digest and the password.
      data = { ...data, password_digest: shown.passwordDigest }
      const sent = userParams.value['password']
      if (sent !== undefined) data['password'] = sent
    }
    sendJson(res, 200, { status: 'success', message: 'User updated successfully', data })
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      sendJson(res, 500, { status: 'error', message: 'Internal server error' }, true)
    })
  })
  server.on('clientError', (_err, socket) => {
    if (socket.writable) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
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
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}`,
    accounts: {
      actor: { userId: actor.id, token: actor.token, email: actor.email, role: 'user' },
      peer: { userId: peer.id, token: peer.token, email: peer.email, role: 'user' },
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()))
        server.closeAllConnections()
      }),
  }
}
