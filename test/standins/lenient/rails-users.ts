/**
 * Lenient stand-in for "rails-users" (Ruby on Rails): PUT /users/{id}.
 * Written from the API doc alone. Where the doc is silent the server does what a
 * stock Rails (API mode) app does at its most lenient defaults; every such choice
 * carries an "assumed:" comment. GET /__outbox lists the mails "sent" ({to, subject}).
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
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    ...headers,
  })
  res.end(text)
}

// Rails' production exception pages for API clients (ActionDispatch::PublicExceptions):
// {"status":<code>,"error":<reason phrase>}.
// assumed: always answered as JSON (Rails picks JSON only when the request's format is JSON).
const REASON: Record<number, string> = { 400: 'Bad Request', 404: 'Not Found', 413: 'Content Too Large', 500: 'Internal Server Error' }
const sendPublicError = (res: ServerResponse, status: number, headers: Record<string, string> = {}): void =>
  sendJson(res, status, { status, error: REASON[status] ?? 'Internal Server Error' }, headers)

// ---------------------------------------------------------------------------
// Params, as Rack / ActionDispatch build them

type Dict = Record<string, unknown>
const isHash = (v: unknown): v is Dict => v !== null && typeof v === 'object' && !Array.isArray(v)

// Rack::QueryParser nested params ("user[first_name]=x", "user[feature_flags][]=a").
function rackParse(qs: string): Dict {
  const out: Dict = {}
  for (const part of qs.split(/[&;]/)) {
    if (part === '') continue
    const eq = part.indexOf('=')
    let k: string
    let v: string
    try {
      k = decodeURIComponent((eq < 0 ? part : part.slice(0, eq)).replace(/\+/g, ' '))
      v = decodeURIComponent((eq < 0 ? '' : part.slice(eq + 1)).replace(/\+/g, ' '))
    } catch {
      continue
    }
    normalize(out, k, v)
  }
  return out
}
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype'])
function normalize(target: Dict, name: string, value: unknown): void {
  const m = /^\[?([^[\]]+)\]?(.*)$/.exec(name)
  if (!m || m[1] === undefined) return
  if ([...name.matchAll(/[^[\]]+/g)].some((x) => UNSAFE_KEYS.has(x[0]))) return // (no prototype pollution here)
  const head = m[1]
  const rest = m[2] ?? ''
  if (rest === '') {
    target[head] = value
    return
  }
  if (rest === '[]') {
    const cur = target[head]
    if (Array.isArray(cur)) cur.push(value)
    else target[head] = [value]
    return
  }
  const arrHash = /^\[\](.+)$/.exec(rest)
  if (arrHash && arrHash[1] !== undefined) {
    let cur = target[head]
    if (!Array.isArray(cur)) {
      cur = []
      target[head] = cur
    }
    const list = cur as unknown[]
    const last = list[list.length - 1]
    const childKey = /^\[?([^[\]]+)/.exec(arrHash[1])?.[1] ?? ''
    if (isHash(last) && !Object.hasOwn(last, childKey)) normalize(last, arrHash[1], value)
    else {
      const h: Dict = {}
      normalize(h, arrHash[1], value)
      list.push(h)
    }
    return
  }
  let child = target[head]
  if (!isHash(child)) {
    child = {}
    target[head] = child
  }
  normalize(child as Dict, rest, value)
}

// ActionDispatch deep munge: nils are removed from arrays.
function deepMunge(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((x) => x !== null).map(deepMunge)
  if (isHash(v)) {
    const o: Dict = {}
    for (const [k, x] of Object.entries(v)) if (!UNSAFE_KEYS.has(k)) o[k] = deepMunge(x)
    return o
  }
  return v
}

const JSON_TYPES = ['application/json', 'text/x-json', 'application/jsonrequest']

interface ParsedRequest {
  body: Dict
  isJson: boolean
  parseError: boolean
}
function parseRequestParams(req: IncomingMessage, buf: Buffer): ParsedRequest {
  const ct =
    String(req.headers['content-type'] ?? '')
      .split(';')[0]
      ?.trim()
      .toLowerCase() ?? ''
  if (JSON_TYPES.includes(ct)) {
    const text = buf.toString('utf8')
    if (text.trim() === '') return { body: {}, isJson: true, parseError: false }
    try {
      const data: unknown = JSON.parse(text)
      // Rails wraps non-object JSON as {_json: data}
      return { body: deepMunge(isHash(data) ? data : { _json: data }) as Dict, isJson: true, parseError: false }
    } catch {
      return { body: {}, isJson: true, parseError: true }
    }
  }
  if (ct === 'application/x-www-form-urlencoded') return { body: rackParse(buf.toString('utf8')), isJson: false, parseError: false }
  // assumed: multipart and other types carry no params here (no file fields are documented).
  return { body: {}, isJson: false, parseError: false }
}

// ---------------------------------------------------------------------------
// ActiveModel casting

// ActiveModel::Type::String: true -> "t", false -> "f", numbers -> to_s.
function castString(v: unknown): string | null {
  if (v === null || v === undefined) return null
  if (v === true) return 't'
  if (v === false) return 'f'
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' ? String(v) : JSON.stringify(v)
}
const isPermittedScalar = (v: unknown): boolean => v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'

// ---------------------------------------------------------------------------
// Data

interface User {
  id: number
  token: string | null
  email: string | null
  first_name: string | null
  last_name: string | null
  password_digest: string | null
  feature_flags: unknown
  notifications: unknown
  locale: string | null
  expo_push_token: string | null
  status: string
  roles: string[]
  email_verified: boolean
  created_at: string
  updated_at: string
}

function digest(pw: string, salt?: Buffer): string {
  const s = salt ?? randomBytes(16)
  const h = scryptSync(pw, s, 32, { N: 1024, r: 8, p: 1 })
  return `$scrypt$N=1024,r=8,p=1$${s.toString('base64')}$${h.toString('base64')}`
}
const seedSalt = (email: string): Buffer => createHash('sha256').update(`salt:${email}`).digest().subarray(0, 16)

function seed(): User[] {
  const u = (id: number, token: string | null, email: string, first: string, last: string, extra: Partial<User> = {}): User => ({
    id,
    token,
    email,
    first_name: first,
    last_name: last,
    password_digest: digest('oldsecurepassword', seedSalt(email)),
    feature_flags: [],
    notifications: ['email_new_transaction'],
    locale: 'en',
    expo_push_token: null,
    status: 'active',
    roles: [],
    email_verified: true,
    created_at: '2024-01-15T10:30:00Z',
    updated_at: '2024-01-15T10:30:00Z',
    ...extra,
  })
  return [
    u(1, 'rails-actor-token', 'john.doe@example.com', 'John', 'Doe', {
      feature_flags: ['affiliate'],
      notifications: ['email_new_transaction', 'push_new_transaction'],
    }),
    u(2, 'rails-peer-token', 'jane.roe@example.com', 'Jane', 'Roe', { locale: 'fr' }),
    u(3, 'rails-third-token', 'sam.third@example.com', 'Sam', 'Third'),
  ]
}

// ---------------------------------------------------------------------------
// Server

const RESPONSE_FIELDS = [
  'id',
  'email',
  'first_name',
  'last_name',
  'roles',
  'feature_flags',
  'notifications',
  'status',
  'locale',
  'created_at',
] as const
// ParamsWrapper wraps the model's attribute names (columns); `password` is not one of them.
const WRAPPED_ATTRIBUTES = [
  'id',
  'email',
  'first_name',
  'last_name',
  'password_digest',
  'feature_flags',
  'notifications',
  'locale',
  'expo_push_token',
  'status',
  'email_verified_at',
  'created_at',
  'updated_at',
]
const SCALAR_PERMITS = ['first_name', 'last_name', 'email', 'password', 'locale', 'expo_push_token']
const ARRAY_PERMITS = ['feature_flags', 'notifications']

// assumed: the model's format check is Devise's lenient e-mail regexp.
const EMAIL_RE = /^[^@\s]+@[^@\s]+$/
const EXPO_RE = /^(?:ExponentPushToken|ExpoPushToken)\[.+\]$/s

export function start(options?: { breaks?: readonly string[] }): Promise<Standin> {
  const breaks = new Set(options?.breaks ?? [])
  for (const b of breaks) if (!breakable.includes(b)) throw new Error(`rails-users stand-in cannot break "${b}"`)
  const users = seed()
  const outbox: { to: string; subject: string }[] = []

  const view = (u: User): Dict => {
    const d: Dict = {}
    for (const f of RESPONSE_FIELDS) d[f] = (u as unknown as Dict)[f]
    return d
  }

  // authenticate_with_http_token: "Bearer x", "Token x" and 'Token token="x"' are all understood.
  const tokenFrom = (header: string | undefined): string | null => {
    if (header === undefined) return null
    const m = /^(Token|Bearer)\s+/.exec(header)
    if (!m) return null
    const parts = header
      .slice(m[0].length)
      .split(/(?:,|;|\t)/)
      .map((x) => x.trim())
      .filter((x) => x !== '')
    const first = parts[0]
    if (first === undefined) return null
    const kv = first.startsWith('token=') ? first : `token=${first}`
    const val = kv.slice('token='.length).replace(/^"|"$/g, '')
    return val === '' ? null : val
  }

  const handleUpdate = (req: IncomingMessage, res: ServerResponse, idRaw: string, query: string, buf: Buffer): void => {
    // before_action :authenticate_user! ---------------------------------------------------------
    const token = tokenFrom(req.headers.authorization)
    const me = token === null ? undefined : users.find((u) => u.token === token)
    const unauthorized = (): void => sendJson(res, 401, { status: 'error', message: 'Not authenticated or insufficient permissions' })
    if (!me && !breaks.has('auth.required')) {
      unauthorized()
      return
    }

    // params are parsed lazily; a malformed body surfaces at the first params access (400)
    const parsed = parseRequestParams(req, buf)
    if (parsed.parseError) {
      sendPublicError(res, 400)
      return
    }

    // before_action :set_user -- User.find_by(id: params[:id]) --------------------------------
    // ActiveModel integer cast: leading digits ("1abc" -> 1, "abc" -> 0).
    const idMatch = /^\s*[+-]?\d+/.exec(idRaw)
    const id = idMatch ? Number(idMatch[0]) : 0
    const target = users.find((u) => u.id === id)
    if (!target) {
      if (breaks.has('user.not-found')) {
        sendPublicError(res, 500)
        return
      }
      sendJson(res, 404, { status: 'error', message: 'User not found' })
      return
    }

    // before_action :authorize_user -- only one's own profile --------------------------------
    // The doc's 401 body reads "Not authenticated or insufficient permissions", so updating
    // someone else is answered with that same 401.
    if (me && me.id !== target.id && !breaks.has('auth.own-profile')) {
      unauthorized()
      return
    }

    // params.require(:user).permit(...) ---------------------------------------------------------
    const q = rackParse(query)
    const params: Dict = { ...parsed.body, ...q } // request_parameters.merge(query_parameters)
    if (parsed.isJson && !Object.hasOwn(params, 'user')) {
      // wrap_parameters (on by default for JSON): the model's attributes are wrapped under "user".
      const wrapped: Dict = {}
      for (const k of WRAPPED_ATTRIBUTES) if (Object.hasOwn(parsed.body, k)) wrapped[k] = parsed.body[k]
      params['user'] = wrapped
    }
    const userParam = params['user']
    // ParameterMissing (blank value) -> 400. assumed: a non-hash `user` is answered 400 too
    // (Rails 7 would raise NoMethodError -> 500; Rails 8's params.expect answers 400).
    if (!isHash(userParam) || Object.keys(userParam).length === 0) {
      sendPublicError(res, 400)
      return
    }

    const permitted = new Map<string, unknown>()
    for (const k of SCALAR_PERMITS) {
      if (Object.hasOwn(userParam, k) && isPermittedScalar(userParam[k])) permitted.set(k, userParam[k])
    }
    for (const k of ARRAY_PERMITS) {
      if (!Object.hasOwn(userParam, k)) continue
      const v = userParam[k]
      // `key: []` permits only arrays of permitted scalars; anything else is silently dropped.
      if (breaks.has('body.arrays') || (Array.isArray(v) && v.every(isPermittedScalar))) permitted.set(k, v)
    }

    // assign attributes (with ActiveModel casting) ------------------------------------------
    const next: User = { ...target }
    let passwordSet: string | null | undefined // undefined: untouched
    for (const [k, v] of permitted) {
      switch (k) {
        case 'password': {
          // has_secure_password: nil clears the digest, "" is ignored.
          // assumed: a non-string scalar is taken as its to_s (Rails itself would raise a 500).
          if (v === null) {
            passwordSet = null
            next.password_digest = null
            break
          }
          const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v)
          if (s !== '') {
            passwordSet = s
            next.password_digest = digest(s)
          }
          break
        }
        case 'feature_flags':
        case 'notifications':
          // string[] column: elements are cast to strings (unless arrays are broken: stored raw)
          ;(next as unknown as Dict)[k] = breaks.has('body.arrays') ? v : (v as unknown[]).map((x) => castString(x))
          break
        default:
          ;(next as unknown as Dict)[k] = castString(v)
      }
    }

    // validations ------------------------------------------------------------------------------
    const errs: { path: string; message: string; short: string }[] = []
    const add = (path: string, human: string, short: string): void => {
      errs.push({ path, message: `${human} ${short}`, short })
    }
    // assumed: email presence + format + uniqueness (case-sensitive, as Rails' default comparison).
    if (next.email === null || next.email.trim() === '') add('email', 'Email', "can't be blank")
    if (!breaks.has('body.email') && (next.email === null || !EMAIL_RE.test(next.email))) add('email', 'Email', 'is invalid')
    if (!breaks.has('email.unique') && next.email !== null && users.some((u) => u.id !== target.id && u.email === next.email)) {
      add('email', 'Email', 'has already been taken')
    }
    if (!next.password_digest) add('password', 'Password', "can't be blank")
    if (typeof passwordSet === 'string') {
      if (!breaks.has('body.password') && [...passwordSet].length < 8) add('password', 'Password', 'is too short (minimum is 8 characters)')
      // has_secure_password (Rails 7.1+): bcrypt's 72-byte ceiling
      if (Buffer.byteLength(passwordSet) > 72) add('password', 'Password', 'is too long')
    }
    if (!breaks.has('body.locale') && !(next.locale === 'en' || next.locale === 'fr'))
      add('locale', 'Locale', 'is not included in the list')
    // assumed: the token may be cleared (allow_blank), e.g. when a device logs out.
    if (
      !breaks.has('body.expo-push-token') &&
      next.expo_push_token !== null &&
      next.expo_push_token.trim() !== '' &&
      !EXPO_RE.test(next.expo_push_token)
    ) {
      add('expo_push_token', 'Expo push token', 'is invalid')
    }
    if (errs.length > 0) {
      let errors: unknown
      if (breaks.has('validation.shape')) {
        const o: Record<string, string[]> = {}
        for (const e of errs) (o[e.path] ??= []).push(e.short)
        errors = o
      } else {
        errors = errs.map((e) => ({ path: e.path, message: e.message }))
      }
      sendJson(res, 422, { status: 'error', message: 'Failed to update user', errors })
      return
    }

    // save ---------------------------------------------------------------------------------------
    const emailChanged = next.email !== target.email
    if (emailChanged) next.email_verified = false // "marked as unverified"
    const changed = JSON.stringify({ ...next, updated_at: '' }) !== JSON.stringify({ ...target, updated_at: '' })
    if (changed) next.updated_at = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')
    if (!breaks.has('update.persists')) users[users.indexOf(target)] = next
    if (emailChanged && next.email !== null && !breaks.has('email.verification')) {
      // assumed: the subject line (the doc only says a verification e-mail is sent to the new address).
      outbox.push({ to: next.email, subject: 'Please verify your new email address' })
    }

    const before = view(target)
    const data = view(next)
    if (breaks.has('response.echo')) {
      for (const f of RESPONSE_FIELDS) {
        if (permitted.has(f) && JSON.stringify(before[f]) !== JSON.stringify(data[f])) {
          data[f] = before[f]
          break
        }
      }
    }
    if (breaks.has('response.no-password')) data['password_digest'] = next.password_digest
    if (breaks.has('response.shape')) delete data['email']
    sendJson(res, 200, { status: 'success', message: 'User updated successfully', data })
  }

  const server = createServer((req, res) => {
    void (async () => {
      const { buf, tooLarge } = await readBody(req)
      // assumed: the 1 MiB cap is enforced in front of the app and answered like Rails' public errors.
      if (tooLarge) {
        sendPublicError(res, 413, { Connection: 'close' })
        return
      }
      const rawUrl = req.url ?? '/'
      const qi = rawUrl.indexOf('?')
      const rawPath = qi < 0 ? rawUrl : rawUrl.slice(0, qi)
      const query = qi < 0 ? '' : rawUrl.slice(qi + 1)
      const method = (req.method ?? 'GET').toUpperCase()

      if (rawPath === '/__outbox' && (method === 'GET' || method === 'HEAD')) {
        sendJson(res, 200, outbox)
        return
      }

      // resources :users, only: :update  ->  PATCH|PUT /users/:id(.:format); trailing slash allowed.
      const m = /^\/users\/([^/.?]+)(?:\.[^/.?]+)?\/?$/.exec(rawPath)
      if (m && (method === 'PUT' || method === 'PATCH')) {
        let id = m[1] ?? ''
        try {
          id = decodeURIComponent(id)
        } catch {
          /* keep raw */
        }
        handleUpdate(req, res, id, query, buf)
        return
      }
      // Rails answers an unmatched verb or path with a routing error: 404.
      sendPublicError(res, 404)
    })().catch(() => {
      if (!res.headersSent) sendPublicError(res, 500)
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
          actor: { userId: 1, token: 'rails-actor-token', email: 'john.doe@example.com' },
          peer: { userId: 2, token: 'rails-peer-token', email: 'jane.roe@example.com' },
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
