// Smoke test of the four "mixed" stand-in servers in test/standins/mixed/: each answers a good update,
// refuses a bad body in its documented shape, refuses a missing token, and each `breaks: [id]`
// turns the documented rule `id` from kept into broken.
import { afterAll, describe, expect, it } from 'vitest'
import * as flextell from './standins/mixed/flextell.ts'
import * as railsUsers from './standins/mixed/rails-users.ts'
import * as medibulut from './standins/mixed/medibulut.ts'
import * as gorules from './standins/mixed/gorules.ts'
import type { Standin } from './standins/mixed/flextell.ts'

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type JsonObject = { [key: string]: Json }

interface Reply {
  status: number
  body: JsonObject
}

interface Module {
  breakable: readonly string[]
  start(options?: { breaks?: readonly string[] }): Promise<Standin>
}

const open: Standin[] = []
afterAll(async () => {
  await Promise.all(open.map((s) => s.close()))
})

async function boot(mod: Module, breaks: readonly string[] = []): Promise<Standin> {
  const s = await mod.start({ breaks })
  open.push(s)
  return s
}

async function call(
  s: Standin,
  method: string,
  path: string,
  token: string | null,
  body?: Json,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const h: Record<string, string> = { accept: 'application/json', ...headers }
  if (token !== null) h.authorization = `Bearer ${token}`
  if (body !== undefined) h['content-type'] = 'application/json'
  const res = await fetch(s.url + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) })
  const text = await res.text()
  const parsed = text === '' ? {} : (JSON.parse(text) as Json)
  return { status: res.status, body: typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed : { value: parsed } }
}

const obj = (v: Json | undefined): JsonObject => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v : {})
const text = (v: Json | undefined): string => (typeof v === 'string' ? v : JSON.stringify(v ?? null))
const tok = (s: Standin): string => s.accounts.actor.token
const id = (s: Standin, who: 'actor' | 'peer' | 'foreign' = 'actor'): string => String(s.accounts[who]?.userId)

/** Each probe answers: did the server keep the rule? */
type Probe = (s: Standin) => Promise<boolean>

async function checkBreaks(mod: Module, probes: Record<string, Probe>): Promise<void> {
  expect(Object.keys(probes).sort()).toEqual([...mod.breakable].sort())
  for (const [rule, probe] of Object.entries(probes)) {
    expect(await probe(await boot(mod)), `${rule} kept normally`).toBe(true)
    expect(await probe(await boot(mod, [rule])), `${rule} broken with breaks`).toBe(false)
  }
}

describe('flextell (mixed)', () => {
  const path = (s: Standin, who: 'actor' | 'peer' | 'foreign' = 'actor'): string => `/api/v1/users/${id(s, who)}`
  const put = (s: Standin, body: Json, who: 'actor' | 'peer' | 'foreign' = 'actor', token: string | null = tok(s)): Promise<Reply> =>
    call(s, 'PUT', path(s, who), token, body)

  it('updates and reads back', async () => {
    const s = await boot(flextell)
    const r = await put(s, { title: 'Head nurse', language: ['Turkish'], phone: null })
    expect(r.status).toBe(200)
    expect(typeof r.body.success).toBe('string')
    expect(obj(r.body.data)).toMatchObject({ title: 'Head nurse', language: ['Turkish'], phone: null })
    const back = await put(s, {})
    expect(obj(back.body.data).title).toBe('Head nurse')
  })
  it('refuses an invalid body with 422 {message, errors}', async () => {
    const s = await boot(flextell)
    const r = await put(s, { blood_group: 'ABCDEFGHIJK', language: ['Klingon'] })
    expect(r.status).toBe(422)
    expect(r.body.message).toBe('The blood group field must not be greater than 10 characters. (and 1 more error)')
    expect(obj(r.body.errors)['language.0']).toEqual(['The selected language.0 is invalid.'])
  })
  it('refuses a missing token', async () => {
    const s = await boot(flextell)
    expect((await put(s, { title: 'x' }, 'actor', null)).status).toBe(401)
  })
  it('breaks each documented rule on demand', { timeout: 60_000 }, async () => {
    await checkBreaks(flextell, {
      'auth.required': async (s) => (await put(s, { title: 'x' }, 'actor', null)).status === 401,
      'tenant.isolation': async (s) => (await put(s, { title: 'x' }, 'foreign')).status >= 400,
      'body.limits': async (s) => (await put(s, { name: 'n'.repeat(256) })).status === 422,
      'body.nullable': async (s) => (await put(s, { phone: null, bio: null })).status === 200,
      'body.confirmed': async (s) => (await put(s, { password: 'abcdefgh1', password_confirmation: 'zyxwvuts9' })).status === 422,
      'response.shape': async (s) => typeof (await put(s, { title: 'x' })).body.success === 'string',
      'response.echo': async (s) => obj((await put(s, { bio: 'Loves triathlons' })).body.data).bio === 'Loves triathlons',
      'response.no-password': async (s) => {
        const r = await put(s, { password: 'n3w-secret', password_confirmation: 'n3w-secret' })
        return r.status === 200 && !JSON.stringify(r.body).includes('password') && !JSON.stringify(r.body).includes('scrypt')
      },
      'update.persists': async (s) => {
        await put(s, { title: 'Chief of staff' })
        return obj((await put(s, {})).body.data).title === 'Chief of staff'
      },
    })
  })
})

describe('rails-users (mixed)', () => {
  const put = (s: Standin, user: JsonObject, who: string = 'actor', token: string | null = tok(s)): Promise<Reply> =>
    call(s, 'PUT', `/users/${who === 'actor' || who === 'peer' ? id(s, who) : who}`, token, { user })
  const paths = (r: Reply): string[] => (Array.isArray(r.body.errors) ? r.body.errors.map((e) => text(obj(e).path)) : [])
  const messages = (r: Reply): string[] => (Array.isArray(r.body.errors) ? r.body.errors.map((e) => text(obj(e).message)) : [])

  it('updates and reads back', async () => {
    const s = await boot(railsUsers)
    const r = await put(s, { first_name: 'Claire-Anne', locale: 'en', notifications: ['push_new_transaction'] })
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ status: 'success', message: 'User updated successfully' })
    expect(obj(r.body.data)).toMatchObject({ first_name: 'Claire-Anne', locale: 'en', notifications: ['push_new_transaction'] })
    const back = await put(s, { last_name: 'Martin' })
    expect(obj(back.body.data).first_name).toBe('Claire-Anne')
  })
  it('refuses an invalid body with 422 and a list of {path, message}', async () => {
    const s = await boot(railsUsers)
    const r = await put(s, { email: s.accounts.peer?.email ?? '', password: 'short' })
    expect(r.status).toBe(422)
    expect(r.body).toEqual({
      status: 'error',
      message: 'Failed to update user',
      errors: [
        { path: 'email', message: 'Email has already been taken' },
        { path: 'password', message: 'Password is too short (minimum is 8 characters)' },
      ],
    })
  })
  it('refuses a missing token with the documented 401', async () => {
    const s = await boot(railsUsers)
    const r = await put(s, { first_name: 'x' }, 'actor', null)
    expect(r).toEqual({ status: 401, body: { status: 'error', message: 'Not authenticated or insufficient permissions' } })
  })
  it('breaks each documented rule on demand', { timeout: 60_000 }, async () => {
    await checkBreaks(railsUsers, {
      'auth.required': async (s) => (await put(s, { first_name: 'x' }, 'actor', null)).status === 401,
      'auth.own-profile': async (s) => (await put(s, { first_name: 'x' }, 'peer')).status === 401,
      'user.not-found': async (s) => {
        const r = await put(s, { first_name: 'x' }, '999999')
        return r.status === 404 && r.body.message === 'User not found'
      },
      'body.password': async (s) => (await put(s, { password: 'seven77' })).status === 422,
      'body.email': async (s) => messages(await put(s, { email: 'not-an-email' })).includes('Email is invalid'),
      'body.locale': async (s) => messages(await put(s, { locale: 'de' })).includes('Locale is not included in the list'),
      'body.expo-push-token': async (s) => {
        const a = await put(s, { expo_push_token: 'ExpoPushToken[abc123]' })
        const b = await put(s, { expo_push_token: 'ExponentPushToken[abc123]' })
        const c = await put(s, { expo_push_token: 'FcmToken[abc123]' })
        return a.status === 200 && b.status === 200 && messages(c).includes('Expo push token is invalid')
      },
      'body.arrays': async (s) => paths(await put(s, { feature_flags: 'affiliate' })).includes('feature_flags'),
      'email.unique': async (s) => messages(await put(s, { email: s.accounts.peer?.email ?? '' })).includes('Email has already been taken'),
      'validation.shape': async (s) => Array.isArray((await put(s, { locale: 'xx' })).body.errors),
      'response.shape': async (s) => {
        const data = obj((await put(s, { first_name: 'Claire' })).body.data)
        return [
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
        ].every((k) => k in data)
      },
      'response.echo': async (s) => obj((await put(s, { last_name: 'Dubois' })).body.data).last_name === 'Dubois',
      'response.no-password': async (s) => !JSON.stringify((await put(s, { password: 'longenough123' })).body).includes('password'),
      'update.persists': async (s) => {
        await put(s, { locale: 'en' })
        return obj((await put(s, { first_name: 'Claire' })).body.data).locale === 'en'
      },
    })
  })
})

describe('medibulut (mixed)', () => {
  const path = (s: Standin, who: 'actor' | 'peer' | 'foreign' = 'actor', tenant = s.accounts.actor.tenant): string =>
    `/${String(tenant)}/users/${id(s, who)}`
  const patch = (s: Standin, body: Json, p: string = path(s), token: string | null = tok(s)): Promise<Reply> =>
    call(s, 'PATCH', p, token, body)

  it('updates and reads back', async () => {
    const s = await boot(medibulut)
    const r = await patch(s, { role_id: 'admin', first_name: 'Selin', color: '#c00', bonus_rate: '15.00', status: 0 })
    expect(r.status).toBe(200)
    expect(obj(r.body.data)).toMatchObject({ first_name: 'Selin', color: '#c00', bonus_rate: '15.00', status: 0, role_id: 'admin' })
    const back = await patch(s, { role_id: 'admin' })
    expect(obj(back.body.data)).toMatchObject({ color: '#c00', status: 0 })
  })
  it('refuses an invalid body with 422 {message, errors}', async () => {
    const s = await boot(medibulut)
    const r = await patch(s, { first_name: '', color: 'red' })
    expect(r.status).toBe(422)
    expect(r.body).toEqual({
      message: 'The first name field is required. (and 2 more errors)',
      errors: {
        first_name: ['The first name field is required.'],
        role_id: ['The role id field is required.'],
        color: ['Color is not a valid hex code.'],
      },
    })
  })
  it('refuses a missing token', async () => {
    const s = await boot(medibulut)
    expect((await patch(s, { role_id: 'admin' }, path(s), null)).status).toBe(401)
  })
  it('breaks each documented rule on demand', { timeout: 60_000 }, async () => {
    await checkBreaks(medibulut, {
      'tenant.isolation': async (s) => {
        const foreignUser = await patch(s, { role_id: 'admin', first_name: 'X' }, path(s, 'foreign', s.accounts.actor.tenant))
        const foreignPath = await patch(s, { role_id: 'admin', first_name: 'X' }, path(s, 'foreign', s.accounts.foreign?.tenant))
        return foreignUser.status >= 400 && foreignPath.status >= 400
      },
      'body.role-required': async (s) => {
        const r = await patch(s, { first_name: 'Selin' })
        return r.status === 422 && JSON.stringify(r.body).includes('The role id field is required.')
      },
      'body.role': async (s) => (await patch(s, { role_id: '9' })).status === 422,
      'body.limits': async (s) => (await patch(s, { role_id: 'admin', status: 5 })).status === 422,
      'body.confirmed': async (s) =>
        (await patch(s, { role_id: 'admin', password: 'Secret123', password_confirmation: 'Secret124' })).status === 422,
      'validation.status': async (s) => (await patch(s, { role_id: 'nope' })).status === 422,
      'validation.summary': async (s) => {
        const one = await patch(s, { role_id: 'nope' })
        const two = await patch(s, { role_id: 'nope', status: 3 })
        return (
          one.body.message === 'The selected role id is invalid.' &&
          two.body.message === 'The selected role id is invalid. (and 1 more error)'
        )
      },
      'response.shape': async (s) => obj((await patch(s, { role_id: 'admin', bonus_rate: 12.5 })).body.data).bonus_rate === '12.50',
      'response.echo': async (s) => obj((await patch(s, { role_id: 'admin', color: '#00ff7f' })).body.data).color === '#00ff7f',
      'response.no-password': async (s) => {
        const r = await patch(s, { role_id: 'admin', password: 'Secret123', password_confirmation: 'Secret123' })
        return r.status === 200 && !JSON.stringify(r.body).includes('password')
      },
      'update.persists': async (s) => {
        await patch(s, { role_id: 'admin', last_name: 'Yıldız' })
        return obj((await patch(s, { role_id: 'admin' })).body.data).last_name === 'Yıldız'
      },
    })
  })
})

describe('gorules (mixed)', () => {
  const put = (s: Standin, body: Json, who: 'actor' | 'peer' = 'actor', token: string | null = tok(s)): Promise<Reply> =>
    call(s, 'PUT', `/api/users/${id(s, who)}`, token, body)

  it('updates and reads back', async () => {
    const s = await boot(gorules)
    const roleId = '3c90c3cc-0d44-4b50-8888-8dd25736052a'
    const r = await put(s, { firstName: 'Ada', status: 'locked', type: 'author', roles: [roleId] }, 'peer')
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ id: id(s, 'peer'), firstName: 'Ada', status: 'locked', type: 'author' })
    expect(r.body.roles).toEqual([expect.objectContaining({ id: roleId })])
    const back = await put(s, {}, 'peer')
    expect(back.body).toMatchObject({ firstName: 'Ada', status: 'locked', type: 'author' })
  })
  it('refuses an invalid body with Nest 400', async () => {
    const s = await boot(gorules)
    const r = await put(s, { status: 'archived' })
    expect(r).toEqual({
      status: 400,
      body: { message: ['status must be one of the following values: active, disabled, locked'], error: 'Bad Request', statusCode: 400 },
    })
  })
  it('refuses a missing token', async () => {
    const s = await boot(gorules)
    expect((await put(s, { firstName: 'x' }, 'actor', null)).status).toBe(401)
  })
  it('breaks each documented rule on demand', { timeout: 60_000 }, async () => {
    await checkBreaks(gorules, {
      'auth.required': async (s) => (await put(s, { firstName: 'x' }, 'actor', null)).status === 401,
      'body.enums': async (s) => (await put(s, { type: 'superuser' })).status === 400,
      'body.types': async (s) => (await put(s, { firstName: 42 })).status === 400,
      'response.shape': async (s) => (await put(s, { firstName: 'Nora' })).body.id === id(s),
      'response.echo': async (s) => (await put(s, { lastName: 'Lindqvist' })).body.lastName === 'Lindqvist',
      'update.timestamps': async (s) => {
        const a = await put(s, { firstName: 'A' })
        const b = await put(s, { firstName: 'B' })
        return b.body.createdAt === a.body.createdAt && text(b.body.updatedAt) > text(a.body.updatedAt)
      },
      'update.persists': async (s) => {
        await put(s, { status: 'disabled' }, 'actor')
        return (await put(s, {})).body.status === 'disabled'
      },
    })
  })
})
