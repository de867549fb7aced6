// Stand-in for medibulut's `PATCH /:tenantId/users/:id`, written from its doc alone, shaped like the
// Laravel app behind it: an UpdateUserRequest (FormRequest) with `sometimes|…` rules, the clinic
// (tenant) taken from the path, a UserResource under {data}, 422 {message, errors} on refusal.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { randomBytes, scryptSync } from 'node:crypto'

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

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type JsonObject = { [key: string]: Json }

interface User {
  id: number
  tenantId: number
  email: string
  password: string
  first_name: string
  last_name: string | null
  name: string | null
  identity_number: string | null
  mobile: string | null
  phone: string | null
  role_id: string
  status: number
  color: string | null
  bonus_rate: number
  photo: string | null
  authorized_users: number[]
  permissions: string[]
  service_ids: number[]
}

const PERMISSIONS = [
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
// "2: Admin, 3: Specialist, 4: Personnel"; the example sends the role by name ("admin"), so both spellings are taken.
const ROLES = ['2', '3', '4', 'admin', 'specialist', 'personnel']
// assumed: e-mail format as PHP's filter_var would have it (needs a dotted domain).
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$/
const HEX = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/
const MOBILE = /^\+[1-9][0-9]{7,14}$/

function hash(password: string): string {
  const salt = randomBytes(16)
  return `$scrypt$${salt.toString('base64')}$${scryptSync(password, salt, 32, { N: 4096 }).toString('base64')}`
}

function send(res: ServerResponse, status: number, body: Json): void {
  res.writeHead(status, { 'content-type': 'application/json' })
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
const chars = (s: string): number => [...s].length
const label = (field: string): string => field.replace(/_/g, ' ')

function resource(user: User, breaks: ReadonlySet<string>): JsonObject {
  const data: JsonObject = {
    id: user.id,
    email: user.email,
    first_name: user.first_name,
    last_name: user.last_name,
    name: user.name,
    identity_number: user.identity_number,
    mobile: user.mobile,
    phone: user.phone,
    role_id: user.role_id,
    status: user.status,
    color: user.color,
    // `decimal:2` cast; the bug for response.shape forgets it.
    bonus_rate: breaks.has('response.shape') ? user.bonus_rate : user.bonus_rate.toFixed(2),
    photo: user.photo,
    authorized_users: [...user.authorized_users],
    permissions: [...user.permissions],
    service_ids: [...user.service_ids],
  }
  if (breaks.has('response.no-password')) data.password = user.password
  return data
}

export async function start(options?: { breaks?: readonly string[] }): Promise<Standin> {
  const breaks = new Set(options?.breaks ?? [])
  const seed = (id: number, tenantId: number, email: string, first: string, last: string, role: string, perms: string[]): User => ({
    id,
    tenantId,
    email,
    password: hash(`Klinik-${id}-2024`),
    first_name: first,
    last_name: last,
    name: null,
    identity_number: null,
    mobile: '+90532' + String(1000000 + id),
    phone: '',
    role_id: role,
    status: 1,
    color: '#1e88e5',
    bonus_rate: 10,
    photo: null,
    authorized_users: [],
    permissions: perms,
    service_ids: [],
  })
  const users: User[] = [
    seed(214, 1021, 'selin.yilmaz@dentakent.test', 'Selin', 'Yılmaz', 'admin', [...PERMISSIONS]),
    seed(215, 1021, 'burak.celik@dentakent.test', 'Burak', 'Çelik', '3', ['appointments.manage', 'patients.manage']),
    seed(216, 1021, 'elif.sahin@dentakent.test', 'Elif', 'Şahin', '4', ['appointments.manage']),
    seed(390, 1187, 'murat.oz@gulusklinik.test', 'Murat', 'Öz', 'admin', [...PERMISSIONS]),
    seed(391, 1187, 'deniz.ak@gulusklinik.test', 'Deniz', 'Ak', '3', ['patients.manage']),
  ]
  const tokens = new Map<string, number>([
    ['mb_live_7KqW2nX9pL4sT8vR3yB6', 214],
    ['mb_live_3HcJ8mF1dG5kN9qZ2wE7', 215],
    ['mb_live_9TzV4bY7uA2oP6rS1xC5', 390],
  ])

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => send(res, 500, { message: 'Server Error' }))
  })

  function validate(body: JsonObject, target: User): Map<string, string[]> {
    const errors = new Map<string, string[]>()
    const add = (field: string, message: string): void => {
      const list = errors.get(field)
      if (list) list.push(message)
      else errors.set(field, [message])
    }
    const has = (field: string): boolean => field in body
    // Optional strings: returns the string to keep checking, or undefined when done.
    const str = (field: string, nullable: boolean, max?: number): string | undefined => {
      if (!has(field)) return undefined
      const v = body[field]
      if (v === null) {
        if (!nullable) add(field, `The ${label(field)} field must be a string.`)
        return undefined
      }
      if (typeof v !== 'string') {
        add(field, `The ${label(field)} field must be a string.`)
        return undefined
      }
      if (max !== undefined && chars(v) > max) add(field, `The ${label(field)} field must not be greater than ${max} characters.`)
      return v
    }
    const requiredIfPresent = (field: string): boolean => {
      const v = body[field]
      if (has(field) && (v === null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0))) {
        add(field, `The ${label(field)} field is required.`)
        return false
      }
      return true
    }

    // assumed: first_name is `sometimes|required` (present means non-empty), max 100; last_name is nullable.
    if (requiredIfPresent('first_name')) str('first_name', false, 100)
    str('last_name', true, 100)
    str('name', true, 255)
    if (requiredIfPresent('email')) {
      const email = str('email', false, 255)
      if (email !== undefined) {
        if (!EMAIL.test(email)) add('email', 'The email field must be a valid email address.')
        // assumed: uniqueness compared case-sensitively (binary collation), e-mail stored as sent.
        else if (users.some((u) => u.id !== target.id && u.email === email)) add('email', 'The email has already been taken.')
      }
    }
    if (requiredIfPresent('password')) {
      const password = str('password', false)
      if (password !== undefined) {
        if (!breaks.has('body.confirmed') && body.password_confirmation !== password)
          add('password', 'The password field confirmation does not match.')
        // assumed: "security criteria" = Password::min(8)->letters()->numbers().
        if (chars(password) < 8) add('password', 'The password field must be at least 8 characters.')
        if (!/\p{L}/u.test(password)) add('password', 'The password field must contain at least one letter.')
        if (!/\p{N}/u.test(password)) add('password', 'The password field must contain at least one number.')
      }
    }
    const role = body.role_id
    if (!has('role_id') || role === null || (typeof role === 'string' && role.trim() === '')) {
      if (!breaks.has('body.role-required')) add('role_id', 'The role id field is required.')
    } else if (typeof role !== 'string') add('role_id', 'The role id field must be a string.')
    else if (!ROLES.includes(role) && !breaks.has('body.role')) add('role_id', 'The selected role id is invalid.')

    if (has('status')) {
      const v = body.status
      // assumed: status must be a JSON integer; "1" as a string is refused.
      if (typeof v !== 'number' || !Number.isInteger(v)) add('status', 'The status field must be an integer.')
      else if (v !== 0 && v !== 1 && !breaks.has('body.limits')) add('status', 'The selected status is invalid.')
    }
    const mobile = str('mobile', true)
    // assumed: mobile must be E.164 with its country code (own message); phone is not checked at all.
    if (mobile !== undefined && mobile !== '' && !MOBILE.test(mobile))
      add('mobile', 'The mobile must be a valid phone number with country code.')
    str('phone', true)
    const identity = str('identity_number', true)
    // assumed: a Turkish identity number, exactly 11 digits.
    if (identity !== undefined && !/^\d{11}$/.test(identity)) add('identity_number', 'The identity number field must be 11 digits.')
    const color = str('color', true)
    if (color !== undefined && !HEX.test(color)) add('color', 'Color is not a valid hex code.')
    if (has('bonus_rate')) {
      const v = body.bonus_rate
      // The doc's own example sends "15.00": numeric strings are numbers here. assumed: null is refused.
      const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?(\d+\.?\d*|\.\d+)\s*$/.test(v) ? Number(v) : NaN
      if (Number.isNaN(n)) add('bonus_rate', 'The bonus rate field must be a number.')
      // assumed: a percentage, so 0..100.
      else if (n < 0 || n > 100) add('bonus_rate', 'The bonus rate field must be between 0 and 100.')
    }
    // assumed: photo (URL or base64) is taken as any string, no size or format check.
    str('photo', true)

    if (has('permissions')) {
      const v = body.permissions
      if (!Array.isArray(v)) add('permissions', 'The permissions field must be an array.')
      else
        v.forEach((p, i) => {
          if (typeof p !== 'string') add(`permissions.${i}`, `The permissions.${i} field must be a string.`)
          // assumed: only the permission keys of the doc's example.
          else if (!PERMISSIONS.includes(p)) add(`permissions.${i}`, `The selected permissions.${i} is invalid.`)
        })
    }
    if (has('authorized_users')) {
      const v = body.authorized_users
      // assumed: null refused; ids must be JSON integers of users of the same clinic.
      if (!Array.isArray(v)) add('authorized_users', 'The authorized users field must be an array.')
      else
        v.forEach((id, i) => {
          if (typeof id !== 'number' || !Number.isInteger(id))
            add(`authorized_users.${i}`, `The authorized_users.${i} field must be an integer.`)
          else if (!users.some((u) => u.id === id && u.tenantId === target.tenantId))
            add(`authorized_users.${i}`, `The selected authorized_users.${i} is invalid.`)
        })
    }
    if (has('service_ids')) {
      const v = body.service_ids
      if (!Array.isArray(v)) add('service_ids', 'The service ids field must be an array.')
      else
        v.forEach((id, i) => {
          // assumed: Laravel's plain `integer` rule here, so "12" passes (and is stored as 12); no exists check.
          const ok = (typeof id === 'number' && Number.isInteger(id)) || (typeof id === 'string' && /^-?\d+$/.test(id))
          if (!ok) add(`service_ids.${i}`, `The service_ids.${i} field must be an integer.`)
          // assumed: `distinct` on service ids.
          else if (v.findIndex((x) => Number(x) === Number(id)) !== i)
            add(`service_ids.${i}`, `The service_ids.${i} field has a duplicate value.`)
        })
    }
    return errors
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req)
    const url = new URL(req.url ?? '/', 'http://localhost')
    const match = /^\/([^/]+)\/users\/([^/]+)\/?$/.exec(url.pathname)
    if (!match) return send(res, 404, { message: 'Not Found' })
    // assumed: Route::apiResource, so PUT reaches update as PATCH does.
    if (req.method !== 'PATCH' && req.method !== 'PUT')
      return send(res, 405, {
        message: `The ${req.method ?? 'GET'} method is not supported for this route. Supported methods: PUT, PATCH.`,
      })

    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1]
    const me = users.find((u) => u.id === (bearer ? tokens.get(bearer) : undefined))
    // Undocumented: Sanctum's framework default.
    if (!me) return send(res, 401, { message: 'Unauthenticated.' })

    const tenantText = match[1] ?? ''
    const idText = match[2] ?? ''
    if (!/^\d+$/.test(tenantText) || !/^\d+$/.test(idText)) return send(res, 404, { message: 'Not Found' })
    const tenantId = Number(tenantText)
    const isolate = !breaks.has('tenant.isolation')
    // assumed: a token under another clinic's path is a 403 with our own wording.
    if (isolate && tenantId !== me.tenantId) return send(res, 403, { message: 'You are not a member of this clinic.' })
    // assumed: another clinic's user under your own clinic is a 404 with our own wording (not the framework's model text).
    const target = users.find((u) => u.id === Number(idText) && (!isolate || u.tenantId === tenantId))
    if (!target) return send(res, 404, { message: 'User not found.' })
    // assumed: only users holding users.manage may update someone else (framework 403 text).
    if (target.id !== me.id && !me.permissions.includes('users.manage')) return send(res, 403, { message: 'This action is unauthorized.' })

    let body: JsonObject = {}
    if (raw.trim() !== '') {
      try {
        const parsed = JSON.parse(raw) as Json
        if (isObject(parsed)) body = parsed
      } catch {
        // assumed: like Laravel, an unparsable body reads as no input (and so fails on role_id).
        body = {}
      }
    }

    const errors = validate(body, target)
    if (errors.size > 0) {
      const all = [...errors.values()].flat()
      const more = all.length - 1
      let message = all[0] ?? 'The given data was invalid.'
      if (more > 0) message += ` (and ${more} more error${more === 1 ? '' : 's'})`
      if (breaks.has('validation.summary')) message = 'The given data was invalid.' // bug: the pre-Laravel-9 wording
      return send(res, breaks.has('validation.status') ? 400 : 422, { message, errors: Object.fromEntries(errors) })
    }

    const next: User = {
      ...target,
      authorized_users: [...target.authorized_users],
      permissions: [...target.permissions],
      service_ids: [...target.service_ids],
    }
    const text = (v: Json | undefined): string | null => (typeof v === 'string' ? v : null)
    if ('first_name' in body) next.first_name = text(body.first_name) ?? next.first_name
    if ('last_name' in body) next.last_name = text(body.last_name)
    if ('name' in body) next.name = text(body.name)
    if ('email' in body) next.email = text(body.email) ?? next.email
    if ('password' in body && typeof body.password === 'string') next.password = hash(body.password)
    if (typeof body.role_id === 'string') next.role_id = body.role_id
    if (typeof body.status === 'number') next.status = body.status
    if ('mobile' in body) next.mobile = text(body.mobile)
    if ('phone' in body) next.phone = text(body.phone)
    if ('identity_number' in body) next.identity_number = text(body.identity_number)
    // bug for response.echo: `color` missing from $fillable, silently dropped.
    if ('color' in body && !breaks.has('response.echo')) next.color = text(body.color)
    if ('bonus_rate' in body) next.bonus_rate = Math.round(Number(body.bonus_rate) * 100) / 100
    if ('photo' in body) next.photo = text(body.photo)
    if (Array.isArray(body.permissions)) next.permissions = body.permissions.filter((p): p is string => typeof p === 'string')
    if (Array.isArray(body.authorized_users))
      next.authorized_users = body.authorized_users.filter((n): n is number => typeof n === 'number')
    if (Array.isArray(body.service_ids)) next.service_ids = body.service_ids.map((n) => Number(n))

    if (!breaks.has('update.persists')) users[users.indexOf(target)] = next
    send(res, 200, { data: resource(next, breaks) })
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    accounts: {
      actor: { userId: 214, token: 'mb_live_7KqW2nX9pL4sT8vR3yB6', email: 'selin.yilmaz@dentakent.test', tenant: 1021, role: 'admin' },
      peer: { userId: 215, token: 'mb_live_3HcJ8mF1dG5kN9qZ2wE7', email: 'burak.celik@dentakent.test', tenant: 1021, role: 'specialist' },
      foreign: { userId: 390, token: 'mb_live_9TzV4bY7uA2oP6rS1xC5', email: 'murat.oz@gulusklinik.test', tenant: 1187, role: 'admin' },
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((err) => (err ? reject(err) : resolve()))
      }),
  }
}
