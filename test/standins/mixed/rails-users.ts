// Stand-in for rails-users' `PUT /users/{id}`, written from its doc alone, shaped like the Rails app
// behind it: `params.require(:user).permit(...)` (with wrap_parameters), ActiveRecord validations and
// their full messages, has_secure_password, and a JSON envelope {status, message, data|errors}.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { pbkdf2Sync, randomBytes } from 'node:crypto'

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

/** The documented rule ids this server can break (no e-mail outbox is shown, so not `email.verification`). */
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

interface User {
  id: number
  email: string
  first_name: string | null
  last_name: string | null
  password_digest: string
  roles: string[]
  feature_flags: string[]
  notifications: string[]
  status: string
  locale: string
  expo_push_token: string | null
  email_verified_at: string | null
  created_at: string
  updated_at: string
}

function digest(password: string): string {
  const salt = randomBytes(16).toString('hex')
  return `pbkdf2_sha256$20000$${salt}$${pbkdf2Sync(password, salt, 20000, 32, 'sha256').toString('hex')}`
}

// created_at as Rails renders a UTC timestamp with `iso8601`.
const iso = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z')

// URI::MailTo::EMAIL_REGEXP, the format Rails apps usually validate e-mails with.
const EMAIL =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/
const EXPO = /^(?:ExponentPushToken|ExpoPushToken)\[[^\]\s]+\]$/
const EXPO_BROKEN = /^ExponentPushToken\[[^\]\s]+\]$/
const LOCALES = ['en', 'fr']
const PERMITTED = ['first_name', 'last_name', 'email', 'password', 'feature_flags', 'notifications', 'locale', 'expo_push_token']

function send(res: ServerResponse, status: number, body: Json): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
  res.end(JSON.stringify(body))
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

const isObject = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v)
const isScalar = (v: Json | undefined): boolean => v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'

const NOT_AUTHENTICATED = { status: 'error', message: 'Not authenticated or insufficient permissions' }

export async function start(options?: { breaks?: readonly string[] }): Promise<Standin> {
  const breaks = new Set(options?.breaks ?? [])
  const created = '2024-01-15T10:30:00Z'
  const seed = (id: number, email: string, first: string, last: string, extra: Partial<User> = {}): User => ({
    id,
    email,
    first_name: first,
    last_name: last,
    password_digest: digest(`pw-${id}-longenough`),
    roles: [],
    feature_flags: [],
    notifications: ['email_new_transaction'],
    status: 'active',
    locale: 'en',
    expo_push_token: null,
    email_verified_at: created,
    created_at: created,
    updated_at: created,
    ...extra,
  })
  const users: User[] = [
    seed(12, 'claire.martin@ledgerly.test', 'Claire', 'Martin', { locale: 'fr', feature_flags: ['affiliate'] }),
    seed(19, 'tom.baker@ledgerly.test', 'Tom', 'Baker'),
    seed(23, 'support@ledgerly.test', 'Support', 'Team', { roles: ['admin'] }),
  ]
  const tokens = new Map<string, number>([
    ['rlu_9f2c4e7a1b8d3f60a5e2c7b4d1f8a3e6', 12],
    ['rlu_4b7e1a9c3f6d2e8b5a1c7f4e9d3b6a2c', 19],
  ])

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => send(res, 500, { status: 'error', message: 'Internal server error' }))
  })

  function json(user: User): JsonObject {
    const out: JsonObject = {
      id: user.id,
      email: user.email,
      first_name: user.first_name,
      last_name: user.last_name,
      roles: [...user.roles],
      feature_flags: [...user.feature_flags],
      notifications: [...user.notifications],
      status: user.status,
      locale: user.locale,
      created_at: user.created_at,
    }
    if (breaks.has('response.no-password')) out.password_digest = user.password_digest // bug: `render json: user` without the serializer
    return out
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req)
    const url = new URL(req.url ?? '/', 'http://localhost')
    // assumed: the route is `resources :users, only: :update`, so PATCH and PUT both reach #update.
    const match = /^\/users\/([^/.]+)(?:\.json)?$/.exec(url.pathname)
    if (!match || (req.method !== 'PUT' && req.method !== 'PATCH')) return send(res, 404, { status: 'error', message: 'Not found' })

    // before_action :authenticate_user!
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1]
    const tokenUserId = bearer ? tokens.get(bearer) : undefined
    let current = users.find((u) => u.id === tokenUserId)
    const idText = match[1] ?? ''
    // bug for auth.required: `current_user` falls back to the record from the URL when no token matches.
    if (!current && breaks.has('auth.required')) current = users.find((u) => String(u.id) === idText)
    if (!current) return send(res, 401, NOT_AUTHENTICATED)

    // before_action :set_user: `User.find_by(id: params[:id])`; a non-numeric id finds nothing.
    const user = /^\d+$/.test(idText) ? users.find((u) => u.id === Number(idText)) : undefined
    if (breaks.has('user.not-found')) {
      // bug: authorization runs before the lookup, so an unknown id is a 401 instead of a 404.
      if (!user || user.id !== current.id) return send(res, 401, NOT_AUTHENTICATED)
    }
    if (!user) return send(res, 404, { status: 'error', message: 'User not found' })
    // before_action :authorize_user!  (own profile only)
    if (user.id !== current.id && !breaks.has('auth.own-profile')) return send(res, 401, NOT_AUTHENTICATED)

    let body: Json
    try {
      body = raw.trim() === '' ? {} : (JSON.parse(raw) as Json)
    } catch {
      // assumed: ActionDispatch's parse error, reported in the app's envelope.
      return send(res, 400, { status: 'error', message: 'Invalid JSON in request body' })
    }
    if (!isObject(body)) body = {}
    // wrap_parameters: top-level attributes are also wrapped into `user`.
    let wrapped: JsonObject | undefined
    if (isObject(body.user)) wrapped = body.user
    else {
      const top = Object.fromEntries(Object.entries(body).filter(([k]) => PERMITTED.includes(k)))
      if (Object.keys(top).length > 0) wrapped = top
    }
    // assumed: ActionController::ParameterMissing is a 400 in the app's envelope.
    if (!wrapped || Object.keys(wrapped).length === 0)
      return send(res, 400, { status: 'error', message: 'param is missing or the value is empty: user' })

    // user_params: permit(:first_name, :last_name, :email, :password, :locale, :expo_push_token, feature_flags: [], notifications: [])
    // assumed: unpermitted keys (roles, status, id, password_confirmation, …) are dropped silently.
    const params: JsonObject = {}
    for (const key of PERMITTED) {
      if (!(key in wrapped)) continue
      // bug for response.echo: last_name forgotten in permit(...)
      if (key === 'last_name' && breaks.has('response.echo')) continue
      const value = wrapped[key]
      const arrayKey = key === 'feature_flags' || key === 'notifications'
      // Strong params drop a non-scalar given for a scalar key; array keys are checked by the model.
      if (!arrayKey && !isScalar(value)) continue
      if (value !== undefined) params[key] = value
    }

    const errors: { path: string; message: string }[] = []
    const fail = (path: string, message: string): void => {
      errors.push({ path, message })
    }
    const next: User = { ...user, roles: [...user.roles], feature_flags: [...user.feature_flags], notifications: [...user.notifications] }
    // ActiveRecord casts scalars to the string columns ("123" from 123, "t" from true).
    const cast = (v: Json | undefined): string | null =>
      v === null || v === undefined
        ? null
        : typeof v === 'string'
          ? v
          : typeof v === 'boolean'
            ? v
              ? 't'
              : 'f'
            : typeof v === 'number'
              ? String(v)
              : JSON.stringify(v)

    if ('first_name' in params) {
      next.first_name = cast(params.first_name)
      // assumed: first_name must be present and at most 50 characters; last_name has neither check.
      if (next.first_name === null || next.first_name.trim() === '') fail('first_name', "First name can't be blank")
      else if ([...next.first_name].length > 50) fail('first_name', 'First name is too long (maximum is 50 characters)')
    }
    // assumed: last_name may be null or blank.
    if ('last_name' in params) next.last_name = cast(params.last_name)

    let emailChanged = false
    if ('email' in params) {
      const email = cast(params.email)
      // assumed: e-mail stored as sent (no downcasing), uniqueness compared case-insensitively.
      if (email === null || email.trim() === '') fail('email', "Email can't be blank")
      else {
        if (!breaks.has('body.email') && !EMAIL.test(email)) fail('email', 'Email is invalid')
        if (!breaks.has('email.unique') && users.some((u) => u.id !== user.id && u.email.toLowerCase() === email.toLowerCase()))
          fail('email', 'Email has already been taken')
        emailChanged = email !== user.email
        next.email = email
      }
    }

    if ('password' in params) {
      const password = cast(params.password)
      // assumed: a null or blank password means "keep the current one" (deleted from params in the controller).
      if (password !== null && password !== '') {
        if (password.length < 8 && !breaks.has('body.password')) fail('password', 'Password is too short (minimum is 8 characters)')
        // has_secure_password's own 72-byte ceiling.
        else if (Buffer.byteLength(password) > 72) fail('password', 'Password is too long (maximum is 72 characters)')
        next.password_digest = digest(password)
      }
    }

    for (const key of ['feature_flags', 'notifications'] as const) {
      if (!(key in params)) continue
      const value = params[key]
      const label = key === 'feature_flags' ? 'Feature flags' : 'Notifications'
      if (breaks.has('body.arrays')) {
        // bug: the jsonb column takes whatever it is given; a lone string is wrapped, nothing is refused.
        next[key] = (Array.isArray(value) ? value : [value]).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)))
        continue
      }
      // assumed: null is refused for both lists, with our own wording.
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) fail(key, `${label} must be an array of strings`)
      else {
        // assumed: notifications are de-duplicated; feature_flags are kept as sent.
        next[key] = key === 'notifications' ? [...new Set(value as string[])] : [...(value as string[])]
      }
    }

    if ('locale' in params) {
      const locale = cast(params.locale)
      // assumed: inclusion without allow_nil, so null is refused too; case-sensitive.
      if (!breaks.has('body.locale') && (locale === null || !LOCALES.includes(locale))) fail('locale', 'Locale is not included in the list')
      else if (locale !== null) next.locale = locale
    }

    if ('expo_push_token' in params) {
      const token = cast(params.expo_push_token)
      // assumed: null clears the token (allow_nil); a blank string is invalid.
      if (token !== null && !(breaks.has('body.expo-push-token') ? EXPO_BROKEN : EXPO).test(token))
        fail('expo_push_token', 'Expo push token is invalid')
      next.expo_push_token = token
    }

    if (errors.length > 0) {
      if (breaks.has('validation.shape')) {
        // bug: `errors: user.errors` renders the ActiveModel hash instead of the documented list.
        const byPath: JsonObject = {}
        for (const e of errors) {
          const list = byPath[e.path]
          if (Array.isArray(list)) list.push(e.message)
          else byPath[e.path] = [e.message]
        }
        return send(res, 422, { status: 'error', message: 'Failed to update user', errors: byPath })
      }
      return send(res, 422, { status: 'error', message: 'Failed to update user', errors })
    }

    if (emailChanged) {
      // Email verification: marked unverified; a verification mail would be queued to the new address.
      next.email_verified_at = null
    }
    next.updated_at = iso(new Date())
    if (!breaks.has('update.persists')) users[users.indexOf(user)] = next
    if (breaks.has('response.shape')) return send(res, 200, { status: 'success', message: 'User updated successfully', user: json(next) })
    send(res, 200, { status: 'success', message: 'User updated successfully', data: json(next) })
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    accounts: {
      actor: { userId: 12, token: 'rlu_9f2c4e7a1b8d3f60a5e2c7b4d1f8a3e6', email: 'claire.martin@ledgerly.test' },
      peer: { userId: 19, token: 'rlu_4b7e1a9c3f6d2e8b5a1c7f4e9d3b6a2c', email: 'tom.baker@ledgerly.test' },
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((err) => (err ? reject(err) : resolve()))
      }),
  }
}
