// Stand-in for the Flextell staging API (Laravel stack), written from the
// "PUT /v1/users/{id} — Update a user" documentation page only.
// Base URL in the doc: https://dev.flextell.ai/api/v1  → base path "/api/v1".
import http from 'node:http'
import crypto from 'node:crypto'

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

const BASE = '/api/v1'
const MAX_BODY = 1024 * 1024
const LANGUAGES = ['Turkish', 'English', 'Other']

interface Role {
  id: number
  name: string
  tenant: number
}
interface User {
  id: number
  tenant: number
  // assumed: the doc is silent on who may update whom; we model a per-user
  // permission level: 'admin' may update any user of its tenant, 'staff' only themself.
  level: 'admin' | 'staff'
  token: string
  name: string
  email: string
  password: string // scrypt hash, never serialised (unless the response.no-password break is on)
  email_verified_at: string | null
  title: string | null
  phone: string | null
  emergency_contact_name: string | null
  emergency_contact_surname: string | null
  emergency_contact_phone_number: string | null
  blood_group: string | null
  language: string[] | null
  avatar_url: string | null
  is_active: boolean | null
  bio: string | null
  last_login_at: string | null
  last_login_ip: string | null
  created_at: string
  updated_at: string
  deleted_at: string | null
  role_ids: number[]
}

type Errors = Map<string, string[]>

function ts(d: Date = new Date()): string {
  // The doc shows timestamps as "2023-11-07T05:31:56Z" (no fraction), so we emit that form.
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

function hashPassword(pw: string): Promise<string> {
  const salt = crypto.randomBytes(16)
  return new Promise((resolve, reject) => {
    crypto.scrypt(pw, salt, 32, { N: 16384, r: 8, p: 1 }, (err, key) => {
      if (err) reject(err)
      else resolve(`$scrypt$N=16384,r=8,p=1$${salt.toString('base64')}$${key.toString('base64')}`)
    })
  })
}

function strlen(s: string): number {
  return [...s].length // Laravel's max/min on strings use mb_strlen (code points)
}

/** Laravel's TrimStrings + ConvertEmptyStringsToNull global middleware. */
// assumed: the doc is silent on input normalisation; we keep Laravel's default
// middleware (trim every string except password/password_confirmation, then turn
// "" into null), applied recursively into arrays.
function normalise(value: unknown, key: string | null): unknown {
  if (typeof value === 'string') {
    const v = key === 'password' || key === 'password_confirmation' ? value : value.trim()
    return v === '' ? null : v
  }
  if (Array.isArray(value)) return value.map((v) => normalise(v, null))
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = normalise(v, k)
    return out
  }
  return value
}

function display(attr: string): string {
  return attr.replace(/_/g, ' ')
}

export async function start(options?: { breaks?: readonly string[] }): Promise<Standin> {
  const breaks = new Set(options?.breaks ?? [])
  for (const b of breaks) {
    if (!breakable.includes(b)) throw new Error(`flextell standin: unknown break "${b}"`)
  }
  const brk = (id: string) => breaks.has(id)

  const newToken = (id: number) => `${id}|${crypto.randomBytes(20).toString('hex')}`

  const roles: Role[] = [
    { id: 1, name: 'Admin', tenant: 1 },
    { id: 2, name: 'Manager', tenant: 1 },
    { id: 3, name: 'Agent', tenant: 1 },
    { id: 4, name: 'Admin', tenant: 2 },
    { id: 5, name: 'Agent', tenant: 2 },
  ]

  const created = ts(new Date(Date.now() - 86400_000 * 30))
  const mkUser = async (p: Partial<User> & Pick<User, 'id' | 'tenant' | 'level' | 'name' | 'email' | 'role_ids'>): Promise<User> => ({
    token: newToken(p.id),
    password: await hashPassword(crypto.randomBytes(12).toString('base64url')),
    email_verified_at: created,
    title: null,
    phone: null,
    emergency_contact_name: null,
    emergency_contact_surname: null,
    emergency_contact_phone_number: null,
    blood_group: null,
    language: null,
    avatar_url: null,
    is_active: true,
    bio: null,
    last_login_at: ts(new Date(Date.now() - 3600_000)),
    last_login_ip: '10.0.0.12',
    created_at: created,
    updated_at: created,
    deleted_at: null,
    ...p,
  })

  const users = new Map<number, User>()
  for (const u of await Promise.all([
    mkUser({
      id: 7,
      tenant: 1,
      level: 'admin',
      name: 'Ayşe Demir',
      email: 'ayse.demir@acme-clinic.test',
      title: 'Operations Lead',
      phone: '+905551112233',
      language: ['Turkish', 'English'],
      role_ids: [1],
    }),
    mkUser({
      id: 8,
      tenant: 1,
      level: 'staff',
      name: 'John Carter',
      email: 'john.carter@acme-clinic.test',
      title: 'Agent',
      role_ids: [3],
      language: ['English'],
    }),
    mkUser({
      id: 9,
      tenant: 1,
      level: 'staff',
      name: 'Mehmet Kaya',
      email: 'mehmet.kaya@acme-clinic.test',
      role_ids: [3],
      is_active: false,
    }),
    mkUser({
      id: 12,
      tenant: 2,
      level: 'admin',
      name: 'Elif Şahin',
      email: 'elif.sahin@other-co.test',
      role_ids: [4],
      language: ['Turkish'],
    }),
  ]))
    users.set(u.id, u)

  const actor = users.get(7)!
  const peer = users.get(8)!
  const foreign = users.get(12)!

  function resource(u: User): Record<string, unknown> {
    const data: Record<string, unknown> = {
      id: u.id,
      name: u.name,
      email: u.email,
      title: u.title,
      phone: u.phone,
      emergency_contact_name: u.emergency_contact_name,
      emergency_contact_surname: u.emergency_contact_surname,
      emergency_contact_phone_number: u.emergency_contact_phone_number,
      blood_group: u.blood_group,
      language: u.language,
      avatar_url: u.avatar_url,
      is_active: u.is_active,
      bio: u.bio,
      last_login_at: u.last_login_at,
      last_login_ip: u.last_login_ip,
      created_at: u.created_at,
      updated_at: u.updated_at,
      deleted_at: u.deleted_at,
      // assumed: roles are listed in the order of role_ids as assigned; the doc is silent.
      roles: u.role_ids.map((id) => {
        const r = roles.find((x) => x.id === id)
        return { id, name: r ? r.name : null }
      }),
    }
    if (brk('response.no-password')) {
      // Break: the model's $hidden lost 'password', so the hash leaks.
      const { id, name, email, ...rest } = data
      return { id, name, email, password: u.password, ...rest }
    }
    return data
  }

  /** What `response()->json($user)` would give (raw model, no resource/wrapper). */
  function rawModel(u: User): Record<string, unknown> {
    return {
      id: u.id,
      tenant_id: u.tenant,
      name: u.name,
      email: u.email,
      email_verified_at: u.email_verified_at,
      title: u.title,
      phone: u.phone,
      emergency_contact_name: u.emergency_contact_name,
      emergency_contact_surname: u.emergency_contact_surname,
      emergency_contact_phone_number: u.emergency_contact_phone_number,
      blood_group: u.blood_group,
      language: u.language,
      avatar_url: u.avatar_url,
      is_active: u.is_active ? 1 : 0,
      bio: u.bio,
      last_login_at: u.last_login_at,
      last_login_ip: u.last_login_ip,
      created_at: u.created_at,
      updated_at: u.updated_at,
      deleted_at: u.deleted_at,
    }
  }

  function send(res: http.ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}) {
    if (res.headersSent) return
    const text = JSON.stringify(body)
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(text),
      'Cache-Control': 'no-cache, private',
      ...extraHeaders,
    })
    res.end(text)
  }

  function routeNotFound(res: http.ServerResponse, path: string) {
    send(res, 404, { message: `The route ${path.replace(/^\//, '')} could not be found.` })
  }

  function authenticate(req: http.IncomingMessage): User | null {
    const h = req.headers['authorization']
    if (typeof h === 'string') {
      const m = /^Bearer\s+(.+)$/i.exec(h.trim())
      if (m) {
        const tok = (m[1] ?? '').trim()
        for (const u of users.values()) {
          const a = Buffer.from(u.token)
          const b = Buffer.from(tok)
          if (a.length === b.length && crypto.timingSafeEqual(a, b)) return u
        }
      }
    }
    // Break: the route lost its auth:sanctum middleware; requests run as the first admin.
    if (brk('auth.required')) return actor
    return null
  }

  function validate(body: Record<string, unknown>, target: User, tenant: number): Errors {
    const errors: Errors = new Map()
    const add = (key: string, msg: string) => {
      const list = errors.get(key) ?? []
      list.push(msg)
      errors.set(key, list)
    }
    const has = (k: string) => Object.prototype.hasOwnProperty.call(body, k)
    const limits = !brk('body.limits')

    // Each attribute "bails" at its first failing rule.
    // assumed: one message per attribute (as if every rule set had `bail`); the doc is silent.
    const stringField = (key: string, opts: { nullable: boolean; max?: number; min?: number; maxMsg?: string }): boolean => {
      if (!has(key)) return false
      const v = body[key]
      if (v === null) {
        const nullable = opts.nullable && !brk('body.nullable')
        if (nullable) return false
        add(key, `The ${display(key)} field must be a string.`)
        return false
      }
      if (typeof v !== 'string') {
        add(key, `The ${display(key)} field must be a string.`)
        return false
      }
      if (limits && opts.min !== undefined && strlen(v) < opts.min) {
        add(key, `The ${display(key)} field must be at least ${opts.min} characters.`)
        return false
      }
      if (limits && opts.max !== undefined && strlen(v) > opts.max) {
        add(key, opts.maxMsg ?? `The ${display(key)} field must not be greater than ${opts.max} characters.`)
        return false
      }
      return true
    }

    // assumed: custom wording for the name max-length message (doc gives only the limit).
    stringField('name', { nullable: false, max: 255, maxMsg: 'The name may not be longer than 255 characters.' })

    if (stringField('email', { nullable: false, max: 255 })) {
      const v = body.email as string
      // assumed: stricter than Laravel's plain `email` rule — we require a dot in the domain
      // part and no whitespace (doc only says string<email>).
      if (!/^[^\s@]+@[^\s@]+\.[^\s@.]{2,}$/.test(v)) add('email', 'The email field must be a valid email address.')
      else {
        // assumed: e-mail must be unique across all users (unique:users,email,{id}); the doc is silent.
        const lower = v.toLowerCase()
        for (const u of users.values()) {
          if (u.id !== target.id && u.email.toLowerCase() === lower) {
            add('email', 'The email has already been taken.')
            break
          }
        }
      }
    }

    // assumed: password also has a max of 128 characters (doc gives only min 8).
    if (stringField('password', { nullable: false, min: 8, max: 128 })) {
      if (!brk('body.confirmed')) {
        if (!has('password_confirmation') || body.password_confirmation !== body.password) {
          add('password', 'The password field confirmation does not match.')
        }
      }
    }
    // assumed: a password_confirmation sent without a password is only checked for
    // type/min length, and otherwise ignored; the doc is silent.
    stringField('password_confirmation', { nullable: false, min: 8 })

    if (stringField('phone', { nullable: true, max: 20 })) {
      // assumed: phone gets a format check the doc does not state (digits, spaces, + - ( ) . only);
      // emergency_contact_phone_number deliberately does not.
      if (!/^\+?[0-9 ()\-.]+$/.test(body.phone as string)) add('phone', 'The phone field format is invalid.')
    }
    stringField('title', { nullable: true, max: 255 })
    stringField('emergency_contact_name', { nullable: true, max: 255 })
    stringField('emergency_contact_surname', { nullable: true, max: 255 })
    stringField('emergency_contact_phone_number', { nullable: true, max: 20 })
    // assumed: custom wording for the blood_group max-length message.
    stringField('blood_group', { nullable: true, max: 10, maxMsg: 'The blood group must not exceed 10 characters.' })

    if (stringField('avatar_url', { nullable: true, max: 1000 })) {
      // assumed: avatar_url must be an absolute http(s) URL (doc only says string, max 1000).
      let ok: boolean
      try {
        const u = new URL(body.avatar_url as string)
        ok = (u.protocol === 'http:' || u.protocol === 'https:') && !!u.hostname
      } catch {
        ok = false
      }
      if (!ok) add('avatar_url', 'The avatar url field must be a valid URL.')
    }

    if (has('is_active')) {
      const v = body.is_active
      if (v === null) {
        if (brk('body.nullable')) add('is_active', 'The is active field must be true or false.')
      } else if (!(v === true || v === false || v === 0 || v === 1 || v === '0' || v === '1')) {
        // assumed: is_active accepts Laravel's boolean forms (true/false/0/1/"0"/"1") and is
        // stored as a real boolean; the doc only says boolean | null.
        add('is_active', 'The is active field must be true or false.')
      }
    }

    stringField('bio', { nullable: true, max: 1000 })

    if (has('language')) {
      const v = body.language
      if (v === null) {
        if (brk('body.nullable')) add('language', 'The language field must be an array.')
      } else if (!Array.isArray(v)) {
        // assumed: a JSON object is not accepted as an "array" here (Laravel would accept it).
        add('language', 'The language field must be an array.')
      } else {
        v.forEach((item, i) => {
          if (typeof item !== 'string' || !LANGUAGES.includes(item)) add(`language.${i}`, `The selected language.${i} is invalid.`)
        })
      }
    }

    if (has('role_ids')) {
      const v = body.role_ids
      if (v === null) {
        if (brk('body.nullable')) add('role_ids', 'The role ids field must be an array.')
      } else if (!Array.isArray(v)) {
        add('role_ids', 'The role ids field must be an array.')
      } else {
        v.forEach((item, i) => {
          // assumed: role ids must be real JSON integers — numeric strings like "3" are refused
          // (Laravel's `integer` rule would accept them); the doc says integer[].
          if (typeof item !== 'number' || !Number.isInteger(item)) {
            add(`role_ids.${i}`, `The role ids.${i} field must be an integer.`)
          } else if (!roles.some((r) => r.id === item && r.tenant === tenant)) {
            // assumed: a role must exist in the caller's tenant; the doc is silent.
            add(`role_ids.${i}`, `The selected role ids.${i} is invalid.`)
          }
        })
      }
    }

    // assumed: errors are listed in the order the fields appear in the request body
    // (Laravel lists them in rule order); the doc is silent.
    const order = Object.keys(body)
    const idx = (k: string) => {
      const i = order.indexOf(k.split('.')[0] ?? '')
      return i < 0 ? order.length : i
    }
    return new Map([...errors.entries()].sort((a, b) => idx(a[0]) - idx(b[0])))
  }

  async function handleUpdate(req: http.IncomingMessage, res: http.ServerResponse, rawId: string, raw: Buffer, routePath: string) {
    const me = authenticate(req)
    if (!me) return send(res, 401, { message: 'Unauthenticated.' })

    // X-Tenant header: scope requests to a tenant.
    // assumed: without X-Tenant the caller's own tenant is used; an X-Tenant the caller does not
    // belong to (or a non-numeric one) is refused with 403 and our own message. Doc is silent.
    let tenant = me.tenant
    const xt = req.headers['x-tenant']
    if (xt !== undefined) {
      const s = (Array.isArray(xt) ? xt[0] : xt) ?? ''
      if (!/^\d+$/.test(s.trim()) || Number(s.trim()) !== me.tenant) {
        return send(res, 403, { message: 'You do not have access to this tenant.' })
      }
      tenant = Number(s.trim())
    }

    if (!/^\d+$/.test(rawId)) return routeNotFound(res, routePath) // route constraint whereNumber('id')
    const target = users.get(Number(rawId))
    // assumed: custom 404 wording instead of Laravel's "No query results for model [...]".
    if (!target || target.deleted_at) return send(res, 404, { message: 'User not found.' })

    if (target.tenant !== tenant && !brk('tenant.isolation')) {
      // assumed: a user of another tenant is refused with 403 (not 404); the doc is silent.
      return send(res, 403, { message: 'This action is unauthorized.' })
    }
    // assumed: only tenant admins may update other users; anyone may update themself.
    if (me.id !== target.id && me.level !== 'admin') {
      return send(res, 403, { message: 'This action is unauthorized.' })
    }

    let body: Record<string, unknown> = {}
    const text = raw.toString('utf8')
    // assumed: the body is parsed as JSON whatever the Content-Type; an empty body is {}.
    if (text.trim() !== '') {
      let parsed: unknown
      try {
        parsed = JSON.parse(text)
      } catch {
        // assumed: our own message for malformed JSON (the brief asks for 400).
        return send(res, 400, { message: 'Malformed JSON payload.' })
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        // assumed: a JSON value that is not an object is refused with 400; the doc is silent.
        return send(res, 400, { message: 'The request body must be a JSON object.' })
      }
      body = normalise(parsed, null) as Record<string, unknown>
    }

    const errors = validate(body, target, tenant)
    if (errors.size > 0) {
      const all = [...errors.values()].flat()
      const more = all.length - 1
      const message = all[0] + (more > 0 ? ` (and ${more} more error${more === 1 ? '' : 's'})` : '')
      return send(res, 422, { message, errors: Object.fromEntries(errors) })
    }

    // assumed: a non-admin may not change their own roles (403); the doc is silent.
    if (Object.prototype.hasOwnProperty.call(body, 'role_ids') && me.level !== 'admin') {
      return send(res, 403, { message: 'This action is unauthorized.' })
    }

    const before: User = { ...target, language: target.language ? [...target.language] : null, role_ids: [...target.role_ids] }
    const next: User = { ...before, language: before.language ? [...before.language] : null, role_ids: [...before.role_ids] }
    const has = (k: string) => Object.prototype.hasOwnProperty.call(body, k)
    let dirty = false
    const setField = <K extends keyof User>(k: K, v: User[K]) => {
      if (JSON.stringify(next[k]) !== JSON.stringify(v)) dirty = true
      next[k] = v
    }
    for (const k of [
      'name',
      'email',
      'title',
      'phone',
      'emergency_contact_name',
      'emergency_contact_surname',
      'emergency_contact_phone_number',
      'blood_group',
      'avatar_url',
      'bio',
    ] as const) {
      if (has(k)) setField(k, body[k] as never)
    }
    if (has('email') && (body.email as string) !== before.email) next.email_verified_at = null
    if (has('is_active')) {
      const v = body.is_active
      setField('is_active', v === null ? null : v === true || v === 1 || v === '1')
    }
    if (has('language')) setField('language', body.language === null ? null : [...(body.language as string[])])
    if (has('role_ids')) {
      // assumed: role_ids null detaches all roles; duplicates are collapsed. Doc is silent.
      const ids = body.role_ids === null ? [] : [...new Set(body.role_ids as number[])]
      setField('role_ids', ids)
    }
    if (has('password') && typeof body.password === 'string') {
      next.password = await hashPassword(body.password)
      dirty = true
    }
    // assumed: like Eloquent, updated_at only moves when some attribute actually changed.
    if (dirty) next.updated_at = ts()

    if (!brk('update.persists')) {
      Object.assign(target, next) // keep identity (token lookups share the object)
    }

    let shown: User = next
    if (brk('response.echo')) {
      // Break: the resource is built from the model as loaded before the update.
      shown = { ...before, updated_at: next.updated_at }
    }
    if (brk('response.shape')) {
      // Break: controller returns the bare model instead of { success, data: UserResource }.
      return send(res, 200, rawModel(shown))
    }
    // assumed: wording of the "success" string; the doc only says it is a string.
    send(res, 200, { success: 'User updated successfully.', data: resource(shown) })
  }

  function handleShow(req: http.IncomingMessage, res: http.ServerResponse, rawId: string, routePath: string) {
    // assumed: GET /users/{id} exists (doc documents only the update) and follows the same
    // auth/tenant rules, returning { success, data: UserResource }.
    const me = authenticate(req)
    if (!me) return send(res, 401, { message: 'Unauthenticated.' })
    let tenant = me.tenant
    const xt = req.headers['x-tenant']
    if (xt !== undefined) {
      const s = (Array.isArray(xt) ? xt[0] : xt) ?? ''
      if (!/^\d+$/.test(s.trim()) || Number(s.trim()) !== me.tenant) {
        return send(res, 403, { message: 'You do not have access to this tenant.' })
      }
      tenant = Number(s.trim())
    }
    if (!/^\d+$/.test(rawId)) return routeNotFound(res, routePath)
    const target = users.get(Number(rawId))
    if (!target || target.deleted_at) return send(res, 404, { message: 'User not found.' })
    if (target.tenant !== tenant && !brk('tenant.isolation')) return send(res, 403, { message: 'This action is unauthorized.' })
    send(res, 200, { success: 'User retrieved successfully.', data: resource(target) })
  }

  const server = http.createServer((req, res) => {
    const fail = () => {
      try {
        send(res, 500, { message: 'Server Error' })
      } catch {
        /* ignore */
      }
    }
    try {
      let routePath: string
      try {
        routePath = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
      } catch {
        routePath = (req.url ?? '/').split('?')[0] ?? '/'
      }
      if (routePath.length > 1) routePath = routePath.replace(/\/+$/, '')

      // Body size guard first (Laravel's ValidatePostSize is a global middleware).
      const cl = Number(req.headers['content-length'])
      if (Number.isFinite(cl) && cl > MAX_BODY) {
        // assumed: wording of the 413 body; the doc is silent on size limits.
        send(res, 413, { message: 'The POST data is too large.' }, { Connection: 'close' })
        req.resume()
        return
      }
      const chunks: Buffer[] = []
      let size = 0
      let aborted = false
      req.on('data', (c: Buffer) => {
        if (aborted) return
        size += c.length
        if (size > MAX_BODY) {
          aborted = true
          send(res, 413, { message: 'The POST data is too large.' }, { Connection: 'close' })
          return
        }
        chunks.push(c)
      })
      req.on('error', () => {
        aborted = true
      })
      req.on('end', () => {
        if (aborted) return
        const raw = Buffer.concat(chunks)
        const method = (req.method ?? 'GET').toUpperCase()
        const m = routePath.startsWith(BASE + '/') ? /^\/users\/([^/]+)$/.exec(routePath.slice(BASE.length)) : null
        if (!m) return routeNotFound(res, routePath)
        const id = m[1] ?? ''
        if (method === 'PUT' || method === 'PATCH') {
          // assumed: PATCH is accepted as an alias of PUT (Laravel apiResource); doc shows PUT.
          handleUpdate(req, res, id, raw, routePath).catch(fail)
        } else if (method === 'GET' || method === 'HEAD') {
          handleShow(req, res, id, routePath)
        } else {
          send(
            res,
            405,
            {
              message: `The ${method} method is not supported for route ${routePath.replace(/^\//, '')}. Supported methods: GET, HEAD, PUT, PATCH.`,
            },
            { Allow: 'GET, HEAD, PUT, PATCH' },
          )
        }
      })
    } catch {
      fail()
    }
  })
  server.on('clientError', (_err, socket) => {
    try {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
    } catch {
      /* ignore */
    }
  })

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const addr = server.address() as import('node:net').AddressInfo

  const acct = (u: User): StandinAccount => ({ userId: u.id, token: u.token, email: u.email, tenant: u.tenant, role: u.level })
  return {
    url: `http://127.0.0.1:${addr.port}${BASE}`,
    accounts: { actor: acct(actor), peer: acct(peer), foreign: acct(foreign) },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.()
        server.close(() => resolve())
      }),
  }
}
