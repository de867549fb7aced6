import { afterEach, describe, expect, it } from 'vitest'
import type { Account } from '../fixtures/account.ts'
import type { ApiState, Params, RequestLike } from '../handlers/twin-api.ts'
import { apis, createTwin, type Twin } from '../handlers/twin.ts'
import { startServer } from '../server/serve.ts'
import { verify } from '../server/verify.ts'
import { runCheck } from '../suites/check.ts'
import { probes } from '../suites/probes.ts'
import { suites } from '../suites/suites.ts'
import { servedTarget } from '../suites/targets.ts'
import { accountOptions } from './helpers/accounts.ts'

// Issue 9, item 5: break each documented rule of each contract in the mock (a test-only resolver wrapper) and
// assert that verify fails on exactly that rule, and nothing else.

type Resolve = ApiState['resolve']
type Breakage = (resolve: Resolve, accounts: readonly Account[]) => Resolve
type Fields = Record<string, unknown>

const running: Array<{ close(): Promise<void> }> = []
afterEach(async () => {
  for (const server of running.splice(0)) await server.close()
})

function account(accounts: readonly Account[], label: Account['label']): Account {
  const found = accounts.find((a) => a.label === label)
  if (!found) throw new Error(`no ${label} account`)
  return found
}

/** `apitwin serve` for one API with its resolver wrapped, and the verify options a QA engineer would give it. */
async function variant(api: string, breakage: Breakage, controls?: Readonly<Record<string, () => unknown>>) {
  const twin = await createTwin({ apis: apis.filter((a) => a.name === api) })
  const accounts = twin.accounts(api)
  const broken: Twin = {
    ...twin,
    state: (name) => ({ ...twin.state(name), resolve: breakage(twin.state(name).resolve, accounts), ...(controls && { controls }) }),
  }
  const server = await startServer({ port: 0, twin: broken, log: () => {}, fastGlobals: false })
  running.push(server)
  return {
    api,
    origin: server.url,
    baseUrl: `${server.url}/${api}`,
    ...accountOptions(accounts),
    allowWrites: true,
    maxCases: 0,
  }
}

async function bodyOf(request: RequestLike): Promise<Fields> {
  const text = await request.text()
  try {
    const parsed: unknown = text ? JSON.parse(text) : {}
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Fields) : {}
  } catch {
    return {}
  }
}

const withBody = (request: RequestLike, body: unknown, headers = request.headers): RequestLike => ({
  headers,
  text: async () => JSON.stringify(body),
})

/** The fields of a body: rails-users wraps them in `user`. */
const fieldsOf = (body: Fields): Fields | undefined => {
  const user = body['user']
  if (user === undefined) return body
  return typeof user === 'object' && user !== null && !Array.isArray(user) ? (user as Fields) : undefined
}

/** Changes the request's fields before the mock sees them (a server that lets something through). */
const rewrite =
  (change: (fields: Fields, params: Params) => void): Breakage =>
  (resolve) =>
  async (request, params) => {
    const body = await bodyOf(request)
    const fields = fieldsOf(body)
    if (fields) change(fields, params)
    return resolve(withBody(request, body), params)
  }

/** Changes the mock's reply (a server that answers differently). */
const answer =
  (change: (reply: { status: number; body: unknown }, sent: Fields) => { status: number; body: unknown }): Breakage =>
  (resolve) =>
  async (request, params) => {
    const body = await bodyOf(request)
    return change(await resolve(withBody(request, body), params), fieldsOf(body) ?? {})
  }

/** The user inside a 200 body: `data` or the bare body. */
const userOf = (body: unknown): Fields => {
  const b = body as Fields
  return (typeof b['data'] === 'object' && b['data'] !== null ? b['data'] : b) as Fields
}
const withUser = (body: unknown, user: Fields): unknown => {
  const b = body as Fields
  return typeof b['data'] === 'object' && b['data'] !== null ? { ...b, data: user } : user
}

/** Every 200 body with `change` applied to its user. */
const onUser = (change: (user: Fields, sent: Fields) => Fields): Breakage =>
  answer((reply, sent) =>
    reply.status === 200 ? { ...reply, body: withUser(reply.body, change({ ...userOf(reply.body) }, sent)) } : reply,
  )

/** A 200 that is not kept: the mock answers, then the previous values are written back. */
const forgetful =
  (restore: (before: Fields, sent: Fields) => Fields, read: Fields): Breakage =>
  (resolve) =>
  async (request, params) => {
    const body = await bodyOf(request)
    const sent = fieldsOf(body) ?? {}
    const before = await resolve(withBody(request, read), params)
    const reply = await resolve(withBody(request, body), params)
    if (reply.status === 200 && before.status === 200 && Object.keys(sent).length > 0)
      await resolve(withBody(request, restoreBody(body, restore(userOf(before.body), sent))), params)
    return reply
  }
const restoreBody = (body: Fields, fields: Fields): Fields => ('user' in body ? { user: fields } : { ...body, ...fields })
const keep = (keys: readonly string[]) => (before: Fields, sent: Fields) =>
  Object.fromEntries(keys.filter((k) => k in sent && k in before).map((k) => [k, before[k]]))

/** A copy of the headers a resolver reads, to change one. */
function headersOf(request: RequestLike): Headers {
  const headers = new Headers()
  for (const name of ['authorization', 'content-type', 'x-tenant', 'accept']) {
    const value = request.headers.get(name)
    if (value !== null) headers.set(name, value)
  }
  return headers
}

/** No token, or one the server does not know, is taken as the actor's. */
const asActor: Breakage = (resolve, accounts) => (request, params) => {
  const sent = request.headers.get('authorization')?.replace(/^Bearer /, '')
  if (accounts.some((a) => a.token === sent)) return resolve(request, params)
  const headers = headersOf(request)
  headers.set('authorization', `Bearer ${account(accounts, 'actor').token}`)
  return resolve({ headers, text: () => request.text() }, params)
}

const BCRYPT = `$2y$12$${'a'.repeat(53)}`
const leak = (field: string, value: string) => onUser((user) => ({ ...user, [field]: value }))
const shapeBroken = onUser((user) => ({ ...user, id: `id-${String(user['id'])}` }))
const echoBroken = (field: string) =>
  onUser((user, sent) => (field in sent ? { ...user, [field]: `${String(user[field])} (not what you sent)` } : user))

const breakages: Array<{
  api: string
  rule: string
  name: string
  breakage: Breakage
  controls?: Readonly<Record<string, () => unknown>>
}> = [
  // flextell
  { api: 'flextell', rule: 'auth.required', name: 'any request acts as the actor', breakage: asActor },
  {
    api: 'flextell',
    rule: 'tenant.isolation',
    name: 'a user of another tenant is reachable',
    breakage: (resolve, accounts) => (request, params) => {
      const foreign = account(accounts, 'foreign')
      if (params['id'] !== String(foreign.userId)) return resolve(request, params)
      const headers = headersOf(request)
      headers.set('authorization', `Bearer ${foreign.token}`)
      headers.delete('x-tenant')
      return resolve({ headers, text: () => request.text() }, params)
    },
  },
  {
    api: 'flextell',
    rule: 'body.limits',
    name: 'names past 255 characters are cut, not refused',
    breakage: rewrite((f) => {
      if (typeof f['name'] === 'string') f['name'] = f['name'].slice(0, 255)
    }),
  },
  {
    api: 'flextell',
    rule: 'body.nullable',
    name: 'null refused on a nullable field',
    breakage: answer((reply, sent) => {
      if (sent['bio'] !== null || (reply.status !== 200 && reply.status !== 422)) return reply
      const errors = {
        ...(reply.status === 422 ? (reply.body as { errors: object }).errors : {}),
        bio: ['The bio field must be a string.'],
      }
      return { status: 422, body: { message: 'The bio field must be a string.', errors } }
    }),
  },
  {
    api: 'flextell',
    rule: 'body.confirmed',
    name: 'the confirmation is not compared',
    breakage: rewrite((f) => {
      if ('password' in f) f['password_confirmation'] = f['password']
    }),
  },
  { api: 'flextell', rule: 'response.shape', name: 'id as a string in the 200', breakage: shapeBroken },
  { api: 'flextell', rule: 'response.echo', name: 'the 200 shows another bio than sent', breakage: echoBroken('bio') },
  { api: 'flextell', rule: 'response.no-password', name: 'password_hash in the 200', breakage: leak('password_hash', BCRYPT) },
  { api: 'flextell', rule: 'update.persists', name: 'updates are forgotten', breakage: forgetful(keep(['title', 'bio']), {}) },
  // rails-users
  { api: 'rails-users', rule: 'auth.required', name: 'any request acts as the actor', breakage: asActor },
  {
    api: 'rails-users',
    rule: 'auth.own-profile',
    name: 'the peer can be updated',
    breakage: (resolve, accounts) => (request, params) =>
      resolve(
        request,
        params['id'] === String(account(accounts, 'peer').userId) ? { ...params, id: String(account(accounts, 'actor').userId) } : params,
      ),
  },
  {
    api: 'rails-users',
    rule: 'user.not-found',
    name: 'a 404 without the documented body',
    breakage: answer((reply) => (reply.status === 404 ? { status: 404, body: { error: 'not found' } } : reply)),
  },
  {
    api: 'rails-users',
    rule: 'body.password',
    name: 'short passwords padded instead of refused',
    breakage: rewrite((f) => {
      if (typeof f['password'] === 'string' && f['password'].length < 8) f['password'] = f['password'].padEnd(8, '0')
    }),
  },
  {
    api: 'rails-users',
    rule: 'body.email',
    name: 'malformed emails let through',
    breakage: rewrite((f) => {
      if (typeof f['email'] === 'string' && !/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i.test(f['email']))
        f['email'] = `let-through-${Date.now()}@example.com`
    }),
  },
  {
    api: 'rails-users',
    rule: 'body.locale',
    name: 'any locale taken',
    breakage: rewrite((f) => {
      if (f['locale'] !== undefined && f['locale'] !== 'en' && f['locale'] !== 'fr') f['locale'] = 'en'
    }),
  },
  {
    api: 'rails-users',
    rule: 'body.expo-push-token',
    name: 'any push token taken',
    breakage: rewrite((f) => {
      if (
        f['expo_push_token'] !== undefined &&
        (typeof f['expo_push_token'] !== 'string' || !/^(?:ExponentPushToken|ExpoPushToken)\[[^\]]+\]$/.test(f['expo_push_token']))
      )
        f['expo_push_token'] = 'ExpoPushToken[let-through]'
    }),
  },
  {
    api: 'rails-users',
    rule: 'body.arrays',
    name: 'an empty list refused',
    breakage: answer((reply, sent) => {
      if (!Array.isArray(sent['feature_flags']) || sent['feature_flags'].length > 0) return reply
      const errors = [
        ...(reply.status === 422 ? (reply.body as { errors: unknown[] }).errors : []),
        { path: 'feature_flags', message: 'Feature flags is invalid' },
      ]
      return { status: 422, body: { status: 'error', message: 'Failed to update user', errors } }
    }),
  },
  {
    api: 'rails-users',
    rule: 'email.unique',
    name: "another user's email taken over",
    breakage: (resolve, accounts) =>
      rewrite((f) => {
        if (f['email'] === account(accounts, 'peer').email) f['email'] = `taken-over-${Date.now()}@example.com`
      })(resolve, accounts),
  },
  {
    api: 'rails-users',
    rule: 'validation.shape',
    name: '422 errors as an object map',
    breakage: answer((reply) => {
      if (reply.status !== 422) return reply
      const body = reply.body as { errors: Array<{ path: string; message: string }> }
      const errors: Record<string, string[]> = {}
      for (const e of body.errors) (errors[e.path] ??= []).push(e.message)
      return { status: 422, body: { ...body, errors } }
    }),
  },
  { api: 'rails-users', rule: 'response.shape', name: 'id as a string in the 200', breakage: shapeBroken },
  { api: 'rails-users', rule: 'response.echo', name: 'the 200 shows another last name than sent', breakage: echoBroken('last_name') },
  {
    api: 'rails-users',
    rule: 'response.no-password',
    name: 'the digest in the 200 under a harmless name',
    breakage: leak('avatar_seed', BCRYPT),
  },
  // The mock's outbox stands in for the mailbox: a server that sends nothing leaves it empty.
  {
    api: 'rails-users',
    rule: 'email.verification',
    name: 'no verification email sent',
    breakage: (resolve) => resolve,
    controls: { outbox: () => ({ emails: [] }) },
  },
  {
    api: 'rails-users',
    rule: 'update.persists',
    name: 'updates are forgotten',
    breakage: forgetful(keep(['last_name', 'first_name']), { user: { apitwin_probe: true } }),
  },
  // medibulut
  {
    api: 'medibulut',
    rule: 'tenant.isolation',
    name: "a token acts under another tenant's path",
    breakage: (resolve, accounts) => async (request, params) => {
      const foreign = account(accounts, 'foreign')
      if (params['tenantId'] !== String(foreign.tenant)) return resolve(request, params)
      const headers = headersOf(request)
      headers.set('authorization', `Bearer ${foreign.token}`)
      return resolve({ headers, text: () => request.text() }, params)
    },
  },
  {
    api: 'medibulut',
    rule: 'body.role-required',
    name: 'a missing role_id defaulted',
    breakage: rewrite((f) => {
      if (!('role_id' in f)) f['role_id'] = 'admin'
    }),
  },
  {
    api: 'medibulut',
    rule: 'body.role',
    name: 'unknown roles read as personnel',
    breakage: rewrite((f) => {
      if (
        f['role_id'] !== undefined &&
        !['admin', 'specialist', 'personnel', 2, 3, 4, '2', '3', '4', null].includes(f['role_id'] as string)
      )
        f['role_id'] = 'personnel'
    }),
  },
  {
    api: 'medibulut',
    rule: 'body.limits',
    name: 'any status taken',
    breakage: rewrite((f) => {
      if ('status' in f && f['status'] !== 0 && f['status'] !== 1) f['status'] = 1
    }),
  },
  {
    api: 'medibulut',
    rule: 'body.confirmed',
    name: 'the confirmation is not compared',
    breakage: rewrite((f) => {
      if ('password' in f) f['password_confirmation'] = f['password']
    }),
  },
  {
    api: 'medibulut',
    rule: 'validation.status',
    name: 'validation answered 400',
    breakage: answer((reply) => (reply.status === 422 ? { ...reply, status: 400 } : reply)),
  },
  {
    api: 'medibulut',
    rule: 'validation.summary',
    name: '"(and 1 more errors)"',
    breakage: answer((reply) =>
      reply.status === 422
        ? {
            status: 422,
            body: {
              ...(reply.body as object),
              message: (reply.body as { message: string }).message.replace('(and 1 more error)', '(and 1 more errors)'),
            },
          }
        : reply,
    ),
  },
  { api: 'medibulut', rule: 'response.shape', name: 'id as a string in the 200', breakage: shapeBroken },
  { api: 'medibulut', rule: 'response.echo', name: 'the 200 shows another last name than sent', breakage: echoBroken('last_name') },
  {
    api: 'medibulut',
    rule: 'response.no-password',
    name: 'a remember_token in the 200',
    breakage: leak('remember_token', 'r3m3mb3r-me-please-0123456789'),
  },
  {
    api: 'medibulut',
    rule: 'update.persists',
    name: 'updates are forgotten',
    breakage: forgetful(keep(['last_name', 'color']), { role_id: 'admin' }),
  },
  // gorules
  { api: 'gorules', rule: 'auth.required', name: 'any request acts as the actor', breakage: asActor },
  {
    api: 'gorules',
    rule: 'body.enums',
    name: 'status taken in any case ("Active")',
    breakage: rewrite((f) => {
      if (typeof f['status'] === 'string') f['status'] = f['status'].trim().toLowerCase()
    }),
  },
  // Numbers taken as names are Fastify's ajv (the body.coercion reading), not a break. A malformed role id taken is,
  // whatever wording the server's refusals use (issue 17: a 200 where the doc asks for a refusal rests on no wording).
  {
    api: 'gorules',
    rule: 'body.types',
    name: 'a malformed role id taken (dropped), refusals in its own wording',
    breakage: (resolve, accounts) => {
      const dropped = rewrite((f) => {
        if (Array.isArray(f['roles'])) f['roles'] = f['roles'].filter((id) => typeof id !== 'string' || /^[0-9a-f-]{36}$/i.test(id))
      })(resolve, accounts)
      return answer((reply) => {
        const body = reply.body as Fields
        return reply.status >= 400 && Array.isArray(body['message'])
          ? { ...reply, body: { ...body, message: body['message'].map((m) => `Validation failed: ${String(m)}`) } }
          : reply
      })(dropped, accounts)
    },
  },
  {
    api: 'gorules',
    rule: 'response.shape',
    name: 'the user wrapped in {data}',
    breakage: answer((reply) => (reply.status === 200 ? { status: 200, body: { data: reply.body } } : reply)),
  },
  { api: 'gorules', rule: 'response.shape', name: 'passwordHash in the 200', breakage: leak('passwordHash', BCRYPT) },
  { api: 'gorules', rule: 'response.echo', name: 'the 200 shows another first name than sent', breakage: echoBroken('firstName') },
  {
    api: 'gorules',
    rule: 'update.timestamps',
    name: 'createdAt moves on every update',
    breakage: (() => {
      let n = 0
      return onUser((user) => ({ ...user, createdAt: new Date(Date.parse(String(user['createdAt'])) + ++n * 1000).toISOString() }))
    })(),
  },
  { api: 'gorules', rule: 'update.persists', name: 'updates are forgotten', breakage: forgetful(keep(['lastName', 'firstName']), {}) },
]

/** The whole suite against a served mock (disposable, with its control routes), as the project's own tests run it. */
async function runServed(origin: string, api: string) {
  const suite = suites[api]
  if (!suite) throw new Error(`no suite for ${api}`)
  const target = await servedTarget(origin, api)
  const outcomes = []
  for (const check of suite.checks) {
    await target.reset?.()
    outcomes.push(await runCheck(suite, check, target))
  }
  return outcomes
}

describe('verify fails on exactly the documented rule a server breaks', () => {
  for (const { api, rule, name, breakage, controls } of breakages) {
    it(`${api}: ${name} → ${rule}`, async () => {
      const { origin, ...options } = await variant(api, breakage, controls)
      // Checks that read the mock's control routes (the outbox) run against a served mock only, not a live URL.
      const outcomes = controls ? await runServed(origin, api) : (await verify(options)).report.outcomes
      const failed = outcomes.flatMap((o) => o.failures.map((f) => `${f.rule} — ${o.title}: ${f.detail.slice(0, 160)}`))
      expect(outcomes.some((o) => o.status === 'fail')).toBe(true)
      expect([...new Set(failed.map((f) => f.split(' — ')[0]))], failed.join('\n')).toEqual([rule])
    })
  }

  it('breaks every documented rule of every contract', () => {
    const broken = new Set(breakages.map((b) => `${b.api} ${b.rule}`))
    const documented = Object.values(suites).flatMap((s) =>
      Object.entries(s.rules)
        .filter(([, r]) => r.provenance.kind === 'documented')
        .map(([id]) => `${s.api} ${id}`),
    )
    expect(documented.filter((id) => !broken.has(id))).toEqual([])
  })
})

describe('coverage', () => {
  it('every rule of every contract, documented or inferred, is asserted by at least one check (computed from a run against the mock)', async () => {
    // Inferred rules too: a server following another reading must be noticed (a warning, a failure with --strict).
    // A rule whose probe tells its readings apart only under another rule's reading (its `given`: an admin and the
    // owner meet only where a second owner can be made) is covered by a run under that reading.
    const uncovered: string[] = []
    for (const api of Object.keys(suites)) {
      const result = await verify({ api, coverage: true, maxCases: 0 })
      expect(result.report.coverage?.length).toBe(Object.keys(suites[api]?.rules ?? {}).length)
      for (const row of result.report.coverage ?? []) {
        if (row.checks.length > 0) continue
        const given = probes[api]?.find((p) => p.rule === row.rule)?.given
        const under = given && (await verify({ api, coverage: true, maxCases: 0, readings: given }))
        if (!under?.report.coverage?.some((r) => r.rule === row.rule && r.checks.length > 0))
          uncovered.push(`${api} ${row.rule} (${row.provenance})`)
      }
    }
    expect(uncovered).toEqual([])
  })
})

describe('the property-based pass', () => {
  it('passes on the mock for several seeds, and replays a failure with its seed', async () => {
    for (const seed of [1, 2, 3]) {
      const result = await verify({ api: 'flextell', seed, maxCases: 15 })
      const property = result.report.outcomes.find((o) => o.title.startsWith('property:'))
      expect(property?.status, JSON.stringify(property)).toBe('pass')
    }
    const truncating = rewrite((f) => {
      for (const [key, value] of Object.entries(f)) if (typeof value === 'string' && value.length > 255) f[key] = value.slice(0, 255)
    })
    const runs = []
    for (let i = 0; i < 2; i++) {
      const { origin: _origin, ...options } = await variant('flextell', truncating)
      const result = await verify({ ...options, seed: 99, maxCases: 30 })
      runs.push(result.report.outcomes.find((o) => o.title.startsWith('property:')))
    }
    expect(runs[0]?.title).toContain('--seed 99')
    expect(runs[0]?.status).toBe('fail')
    expect(runs[0]?.failures.map((f) => f.detail)).toEqual(runs[1]?.failures.map((f) => f.detail))
  })
})
