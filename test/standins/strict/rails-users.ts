/**
 * Strict stand-in for rails-users: `PUT /users/{id}` (a Ruby on Rails app).
 *
 * Written from the vendor's API page alone. Where the page is silent, this server does what
 * Rails does when configured at its strictest plausible setting; every such choice carries a
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
  'email.verification',
]

type Obj = Record<string, unknown>
interface FieldError {
  path: string
  message: string
}

// assumed: a 1 MiB request-body cap sits in front of the app (Rack middleware) and answers 413 before routing.
const BODY_LIMIT = 1024 * 1024

/** Scalar attributes permitted by the strong-parameters whitelist (doc's request body). */
const SCALARS = ['first_name', 'last_name', 'email', 'password', 'locale', 'expo_push_token'] as const
/** Array-of-scalars attributes permitted by the whitelist (doc's request body). */
const ARRAYS = ['feature_flags', 'notifications'] as const
const LOCALES = ['en', 'fr'] as const
const EXPO_TOKEN = /^(?:ExponentPushToken|ExpoPushToken)\[[^[\]\s]+\]$/

interface User {
  id: number
  /** Columns shown in `data`, keyed by wire name. */
  attrs: Obj
  expoPushToken: unknown
  passwordDigest: string
  emailVerifiedAt: string | null
  roles: string[]
  status: string
  createdAt: string
  updatedAt: string
}
interface Mail {
  to: string
  subject: string
}
interface State {
  users: User[]
  tokens: Map<string, number>
  outbox: Mail[]
}

// ---------------------------------------------------------------------------------------------
// helpers

function sha(label: string): string {
  return crypto.createHash('sha256').update(label).digest('hex')
}

const SCRYPT = { N: 16384, r: 8, p: 1 } as const
function digest(password: string, salt: Buffer = crypto.randomBytes(16)): string {
  const key = crypto.scryptSync(password, salt, 32, SCRYPT)
  return `$scrypt$N=${SCRYPT.N},r=${SCRYPT.r},p=${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`
}
const seedDigests = new Map<string, string>()
function seedDigest(email: string, password: string): string {
  const k = `${email}\u0000${password}`
  let d = seedDigests.get(k)
  if (d === undefined) {
    d = digest(password, Buffer.from(sha(`rails-users-salt:${email}`).slice(0, 32), 'hex'))
    seedDigests.set(k, d)
  }
  return d
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
function has(o: Obj, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k)
}
function isScalar(v: unknown): boolean {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
}
/** ActiveSupport's humanize for attribute names: "first_name" -> "First name". */
function human(k: string): string {
  const s = k.replace(/_/g, ' ')
  return s.charAt(0).toUpperCase() + s.slice(1)
}
function stamp(d: Date = new Date()): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

// assumed: email format is checked strictly (RFC 5322 dot-atom local part, dot-separated domain, alphabetic TLD, ASCII only).
const EMAIL_LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/
const EMAIL_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/
function isEmail(s: string): boolean {
  if (s.length > 254) return false
  const at = s.lastIndexOf('@')
  if (at <= 0 || at === s.length - 1) return false
  const local = s.slice(0, at)
  const labels = s.slice(at + 1).split('.')
  if (local.length > 64 || !EMAIL_LOCAL.test(local)) return false
  if (labels.length < 2 || !labels.every((l) => EMAIL_LABEL.test(l))) return false
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
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-cache',
    'Content-Length': String(Buffer.byteLength(text)),
    ...headers,
  })
  res.end(text)
}

/** Body Rails' exceptions app renders for framework-level errors in JSON format. */
function railsError(res: http.ServerResponse, status: number, reason: string, headers: Record<string, string> = {}): void {
  send(res, status, { status, error: reason }, headers)
}

const UNAUTHORIZED = { status: 'error', message: 'Not authenticated or insufficient permissions' } as const
const NOT_FOUND = { status: 'error', message: 'User not found' } as const

// ---------------------------------------------------------------------------------------------
// data

interface Seed {
  id: number
  email: string
  first: string
  last: string
  password: string
  flags: string[]
  notes: string[]
  locale: string
  roles: string[]
  expo: string | null
}
const SEEDS: readonly Seed[] = [
  {
    id: 1,
    email: 'john.doe@example.com',
    first: 'John',
    last: 'Doe',
    password: 'newsecurepassword123',
    flags: ['affiliate'],
    notes: ['email_new_transaction', 'push_new_transaction'],
    locale: 'en',
    roles: [],
    expo: 'ExponentPushToken[a1b2c3d4e5f6g7h8i9j0k1]',
  },
  {
    id: 2,
    email: 'marie.curie@example.com',
    first: 'Marie',
    last: 'Curie',
    password: 'radium-and-polonium',
    flags: [],
    notes: ['email_new_transaction'],
    locale: 'fr',
    roles: [],
    expo: null,
  },
  {
    id: 12,
    email: 'ada.lovelace@example.com',
    first: 'Ada',
    last: 'Lovelace',
    password: 'analytical-engine',
    flags: ['affiliate'],
    notes: [],
    locale: 'en',
    roles: [],
    expo: null,
  },
]

function tokenFor(who: string): string {
  return sha(`rails-users-token:${who}`).slice(0, 40)
}

function seedState(): State {
  const users: User[] = SEEDS.map((s) => ({
    id: s.id,
    attrs: {
      email: s.email,
      first_name: s.first,
      last_name: s.last,
      feature_flags: [...s.flags],
      notifications: [...s.notes],
      locale: s.locale,
    },
    expoPushToken: s.expo,
    passwordDigest: seedDigest(s.email, s.password),
    emailVerifiedAt: '2024-01-15T10:45:00Z',
    roles: [...s.roles],
    status: 'active',
    createdAt: '2024-01-15T10:30:00Z',
    updatedAt: '2024-01-15T10:30:00Z',
  }))
  const tokens = new Map<string, number>([
    [tokenFor('actor'), 1],
    [tokenFor('peer'), 2],
    [tokenFor('other'), 12],
  ])
  return { users, tokens, outbox: [] }
}

function clone(u: User): User {
  return {
    ...u,
    attrs: Object.fromEntries(Object.entries(u.attrs).map(([k, v]) => [k, Array.isArray(v) ? [...(v as unknown[])] : v])),
    roles: [...u.roles],
  }
}

function serialize(u: User): Obj {
  const a = u.attrs
  const copy = (v: unknown): unknown => (Array.isArray(v) ? [...(v as unknown[])] : v)
  return {
    id: u.id,
    email: a['email'],
    first_name: a['first_name'],
    last_name: a['last_name'],
    roles: [...u.roles],
    feature_flags: copy(a['feature_flags']),
    notifications: copy(a['notifications']),
    status: u.status,
    locale: a['locale'],
    created_at: u.createdAt,
  }
}

// ---------------------------------------------------------------------------------------------
// strong parameters + model validations

function unpermitted(user: Obj, breaks: ReadonlySet<string>): FieldError[] {
  // assumed: action_on_unpermitted_parameters = :raise, rescued into the documented 422 envelope (one entry per offending key).
  const out: FieldError[] = []
  for (const [k, v] of Object.entries(user)) {
    if ((SCALARS as readonly string[]).includes(k)) {
      if (!isScalar(v)) out.push({ path: k, message: `${human(k)} must be a single value, not a list or an object` })
    } else if ((ARRAYS as readonly string[]).includes(k)) {
      // assumed: `feature_flags: []` in permit — only an array of scalars passes (null or a bare string is unpermitted).
      if (breaks.has('body.arrays')) continue
      if (!Array.isArray(v) || !v.every(isScalar)) out.push({ path: k, message: `${human(k)} must be an array of strings` })
    } else {
      out.push({ path: k, message: `${human(k)} is not a permitted attribute` })
    }
  }
  return out
}

function validate(user: Obj, target: User, state: State, breaks: ReadonlySet<string>): FieldError[] {
  const errors: FieldError[] = []
  const add = (path: string, message: string): void => {
    errors.push({ path, message })
  }

  if (has(user, 'email')) {
    const v = user['email']
    // assumed: no type casting — a non-string email is refused rather than cast with to_s.
    if (v === null || (typeof v === 'string' && v.trim() === '')) add('email', "Email can't be blank")
    else if (typeof v !== 'string') add('email', 'Email must be a string')
    else if (!breaks.has('body.email') && !isEmail(v)) add('email', 'Email is invalid')
    // assumed: email column is a 255-character string and its length is validated.
    else if (v.length > 255) add('email', 'Email is too long (maximum is 255 characters)')
    // assumed: uniqueness is case-insensitive (validates :email, uniqueness: { case_sensitive: false }); the value is stored as sent.
    else if (
      !breaks.has('email.unique') &&
      state.users.some((u) => u.id !== target.id && String(u.attrs['email']).toLowerCase() === v.toLowerCase())
    ) {
      add('email', 'Email has already been taken')
    }
  }

  if (has(user, 'password')) {
    const v = user['password']
    // assumed: has_secure_password; a null or empty password is refused instead of being silently ignored.
    if (v === null || v === '') add('password', "Password can't be blank")
    else if (typeof v !== 'string') add('password', 'Password must be a string')
    else if (!breaks.has('body.password') && [...v].length < 8) add('password', 'Password is too short (minimum is 8 characters)')
    // assumed: has_secure_password's 72-byte bcrypt ceiling applies.
    else if (Buffer.byteLength(v) > 72) add('password', 'Password is too long (maximum is 72 bytes)')
  }

  for (const k of ['first_name', 'last_name'] as const) {
    if (!has(user, k)) continue
    const v = user[k]
    // assumed: names are validated for presence, so null or blank names are refused; non-strings are not cast.
    if (v === null || (typeof v === 'string' && v.trim() === '')) add(k, `${human(k)} can't be blank`)
    else if (typeof v !== 'string') add(k, `${human(k)} must be a string`)
  }

  if (has(user, 'locale') && !breaks.has('body.locale')) {
    const v = user['locale']
    // assumed: inclusion is exact and case-sensitive; null is refused (every user has a locale).
    if (typeof v !== 'string' || !(LOCALES as readonly string[]).includes(v)) add('locale', `Locale must be one of: ${LOCALES.join(', ')}`)
  }

  if (has(user, 'expo_push_token')) {
    const v = user['expo_push_token']
    // assumed: null clears the token (users without the mobile app have none, so the validation must allow nil); "" is refused.
    if (v !== null) {
      if (typeof v !== 'string') add('expo_push_token', 'Expo push token must be a string')
      else if (!breaks.has('body.expo-push-token') && !EXPO_TOKEN.test(v)) {
        add('expo_push_token', 'Expo push token must look like ExponentPushToken[...] or ExpoPushToken[...]')
      }
    }
  }

  if (!breaks.has('body.arrays')) {
    for (const k of ARRAYS) {
      const v = user[k]
      if (!Array.isArray(v)) continue
      // assumed: deep_munge is off, so nulls inside the array reach the model; every entry must be a non-blank string.
      if (!v.every((x) => typeof x === 'string' && x.trim() !== '')) add(k, `${human(k)} must only contain non-blank strings`)
    }
  }
  return errors
}

function invalid(res: http.ServerResponse, errors: FieldError[], breaks: ReadonlySet<string>): void {
  if (breaks.has('validation.shape')) {
    const byPath: Record<string, string[]> = {}
    for (const e of errors) (byPath[e.path] ??= []).push(e.message)
    send(res, 422, { status: 'error', message: 'Failed to update user', errors: byPath })
    return
  }
  send(res, 422, { status: 'error', message: 'Failed to update user', errors })
}

// ---------------------------------------------------------------------------------------------
// server

// assumed: `resources :users, only: :update` narrowed to PUT (the doc's method), `format: false`, and `id` constrained to a positive integer.
const ROUTE = /^\/users\/([1-9][0-9]{0,17})\/?$/

export async function start(options: { breaks?: readonly string[] } = {}): Promise<Standin> {
  const unknown = (options.breaks ?? []).filter((b) => !breakable.includes(b))
  if (unknown.length > 0) throw new Error(`rails-users stand-in cannot break: ${unknown.join(', ')}`)
  const breaks: ReadonlySet<string> = new Set(options.breaks ?? [])
  const state = seedState()

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const { tooLarge, body } = await readBody(req)
    if (tooLarge) {
      railsError(res, 413, 'Payload Too Large', { Connection: 'close' })
      return
    }
    const url = new URL(req.url ?? '/', 'http://localhost')

    // Test hook: the verification mails "sent" so far.
    if (url.pathname === '/__outbox' && req.method === 'GET') {
      send(
        res,
        200,
        state.outbox.map((m) => ({ to: m.to, subject: m.subject })),
      )
      return
    }

    const m = ROUTE.exec(url.pathname)
    const rawId = m?.[1]
    // assumed: Rails answers an unmatched route (wrong method included) 404; the app always renders JSON.
    if (rawId === undefined || req.method !== 'PUT') {
      railsError(res, 404, 'Not Found')
      return
    }

    // --- before_action :authenticate_user! (Bearer token) ---
    const auth = req.headers['authorization'] ?? ''
    // assumed: only the "Bearer <token>" scheme is read (case-sensitive, as Rails' token regex).
    const presented = /^Bearer\s+(\S+)\s*$/.exec(auth)?.[1] ?? ''
    let meId = state.tokens.get(presented)
    if (meId === undefined) {
      if (!breaks.has('auth.required')) {
        send(res, 401, UNAUTHORIZED)
        return
      }
      meId = 1 // auth.required broken: an anonymous caller is treated as user 1.
    }

    // --- request body ---
    let params: Obj = {}
    if (body.length > 0) {
      const ct = String(req.headers['content-type'] ?? '').toLowerCase()
      // assumed: a before_action refuses bodies that are not application/json with 415 (form-encoded params are not accepted).
      if (!/^application\/json\s*(?:;|$)/.test(ct)) {
        send(res, 415, { status: 'error', message: 'Content-Type must be application/json' })
        return
      }
      let parsed: unknown
      try {
        parsed = JSON.parse(body.toString('utf8'))
      } catch {
        // ActionDispatch::Http::Parameters::ParseError -> 400.
        railsError(res, 400, 'Bad Request')
        return
      }
      // Rails puts a non-object JSON document under "_json".
      params = isObj(parsed) ? parsed : { _json: parsed }
    }

    // --- before_action :set_user ---
    const id = Number(rawId)
    const target = state.users.find((u) => u.id === id)
    if (target === undefined) {
      if (breaks.has('user.not-found')) {
        send(res, 401, UNAUTHORIZED)
        return
      }
      send(res, 404, NOT_FOUND)
      return
    }

    // --- before_action :authorize_user! — users can only update their own profile (doc) ---
    // assumed: the refusal is the documented 401 ("... or insufficient permissions"); the doc lists no 403.
    if (target.id !== meId && !breaks.has('auth.own-profile')) {
      send(res, 401, UNAUTHORIZED)
      return
    }

    // --- params.require(:user).permit(...) ---
    const user = params['user']
    // assumed: wrap_parameters is off, so the body must carry a non-empty "user" object (ParameterMissing -> 400).
    if (!isObj(user) || Object.keys(user).length === 0) {
      railsError(res, 400, 'Bad Request')
      return
    }
    const refused = unpermitted(user, breaks)
    if (refused.length > 0) {
      invalid(res, refused, breaks)
      return
    }

    // --- model validations ---
    const errors = validate(user, target, state, breaks)
    if (errors.length > 0) {
      invalid(res, errors, breaks)
      return
    }

    // --- save ---
    const before = clone(target)
    const after = clone(target)
    for (const k of ['first_name', 'last_name', 'email', 'locale', 'feature_flags', 'notifications'] as const) {
      if (!has(user, k)) continue
      const v = user[k]
      after.attrs[k] = Array.isArray(v) ? [...(v as unknown[])] : v
    }
    if (has(user, 'expo_push_token')) after.expoPushToken = user['expo_push_token']
    if (has(user, 'password')) after.passwordDigest = digest(String(user['password']))
    const emailChanged = has(user, 'email') && after.attrs['email'] !== before.attrs['email']
    // Doc: a changed email is marked unverified. assumed: the account `status` stays as it was.
    if (emailChanged) after.emailVerifiedAt = null
    after.updatedAt = stamp()
    if (!breaks.has('update.persists')) Object.assign(target, after)
    // Doc: a verification email is sent to the new address. assumed: the subject line is ours.
    if (emailChanged && !breaks.has('email.verification')) {
      state.outbox.push({ to: String(after.attrs['email']), subject: 'Please verify your new email address' })
    }

    const data = serialize(after)
    if (breaks.has('response.echo')) {
      const old = serialize(before)
      for (const k of Object.keys(user)) if (has(data, k) && has(old, k)) data[k] = old[k]
    }
    if (breaks.has('response.shape')) delete data['email']
    if (breaks.has('response.no-password')) data['password_digest'] = after.passwordDigest
    send(res, 200, { status: 'success', message: 'User updated successfully', data })
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) railsError(res, 500, 'Internal Server Error')
      else res.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const account = (id: number, who: string): StandinAccount => {
    const u = state.users.find((x) => x.id === id)
    if (u === undefined) throw new Error(`seed user ${id} missing`)
    return { userId: u.id, token: tokenFor(who), email: String(u.attrs['email']) }
  }
  return {
    url: `http://127.0.0.1:${port}`,
    accounts: { actor: account(1, 'actor'), peer: account(2, 'peer') },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()))
        server.closeAllConnections()
      }),
  }
}
