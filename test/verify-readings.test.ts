import { afterEach, describe, expect, it } from 'vitest'
import type { ApiState, RequestLike } from '../handlers/twin-api.ts'
import { apis, createTwin, type Twin } from '../handlers/twin.ts'
import { startServer } from '../server/serve.ts'
import { verify } from '../server/verify.ts'
import { accountOptions } from './helpers/accounts.ts'

type Resolve = ApiState['resolve']
type Breakage = (resolve: Resolve) => Resolve
const running: Array<{ close(): Promise<void> }> = []
afterEach(async () => {
  for (const s of running.splice(0)) await s.close()
})

async function variant(api: string, breakage: Breakage) {
  const twin = await createTwin({ apis: apis.filter((a) => a.name === api) })
  const broken: Twin = { ...twin, state: (name) => ({ ...twin.state(name), resolve: breakage(twin.state(name).resolve) }) }
  const server = await startServer({ port: 0, twin: broken, log: () => {}, fastGlobals: false })
  running.push(server)
  return { api, baseUrl: `${server.url}/${api}`, ...accountOptions(twin.accounts(api)), allowWrites: true, maxCases: 5, seed: 5 }
}
const bodyOf = async (r: RequestLike) => {
  const t = await r.text()
  return t ? (JSON.parse(t) as Record<string, unknown>) : {}
}
const req = (r: RequestLike, body: unknown): RequestLike => ({ headers: r.headers, text: async () => JSON.stringify(body) })
const mapReply =
  (f: (reply: { status: number; body: unknown }) => { status: number; body: unknown }): Breakage =>
  (resolve) =>
  async (r, p) =>
    f(await resolve(r, p))

/**
 * Servers that follow another reading of one inferred rule, simulated by wrapping the mock's resolver (the
 * readings branch makes the mock switch readings for real; these stay as cheap, independent witnesses).
 */
const sims: Array<[string, string, Breakage]> = [
  ['flextell', 'validation.status', mapReply((x) => (x.status === 422 ? { ...x, status: 400 } : x))],
  [
    'flextell',
    'validation.messages',
    mapReply((x) => (x.status === 422 ? { ...x, body: JSON.parse(JSON.stringify(x.body).replaceAll(' field must', ' must')) } : x)),
  ],
  [
    'flextell',
    'body.read-only',
    (resolve) => async (r, p) => {
      const b = await bodyOf(r)
      return 'id' in b
        ? { status: 422, body: { message: 'The id field is prohibited.', errors: { id: ['The id field is prohibited.'] } } }
        : resolve(req(r, b), p)
    },
  ],
  [
    'rails-users',
    'body.names',
    (resolve) => async (r, p) => {
      const b = await bodyOf(r)
      const u = b['user'] as Record<string, unknown> | undefined
      if (u) for (const k of ['first_name', 'last_name']) if (typeof u[k] === 'string' && u[k].trim() === '') u[k] = 'X'
      return resolve(req(r, b), p)
    },
  ],
  [
    'medibulut',
    'body.formats',
    (resolve) => async (r, p) => {
      const b = await bodyOf(r)
      if ('mobile' in b) b['mobile'] = '+905555555554'
      if ('color' in b) b['color'] = '#c00'
      if ('phone' in b && b['phone'] !== null) b['phone'] = ''
      return resolve(req(r, b), p)
    },
  ],
  [
    'medibulut',
    'required-fields',
    (resolve) => async (r, p) => {
      const b = await bodyOf(r)
      const x = await resolve(req(r, b), p)
      const missing = ['first_name', 'last_name', 'email', 'password', 'status'].filter((f) => !(f in b))
      if (missing.length === 0 || (x.status !== 200 && x.status !== 422)) return x
      const errors = {
        ...Object.fromEntries(missing.map((f) => [f, [`The ${f.replace('_', ' ')} field is required.`]])),
        ...(x.status === 422 ? (x.body as { errors: object }).errors : {}),
      }
      const msgs = Object.values(errors).flat()
      const more = msgs.length - 1
      return { status: 422, body: { message: `${msgs[0]}${more ? ` (and ${more} more ${more === 1 ? 'error' : 'errors'})` : ''}`, errors } }
    },
  ],
  [
    'gorules',
    'error.body',
    mapReply((x) => (x.status >= 400 ? { ...x, body: { message: JSON.stringify((x.body as { message: unknown }).message) } } : x)),
  ],
  [
    'flextell',
    'user.not-found',
    mapReply((x) =>
      x.status === 404
        ? { status: 422, body: { message: 'The selected id is invalid.', errors: { id: ['The selected id is invalid.'] } } }
        : x,
    ),
  ],
  ['medibulut', 'tenant.forbidden', mapReply((x) => (x.status === 403 ? { status: 404, body: { message: 'Not Found' } } : x))],
  ['medibulut', 'auth.required', mapReply((x) => (x.status === 401 ? { status: 403, body: { message: 'Unauthenticated.' } } : x))],
  [
    'gorules',
    'authz.admin',
    mapReply((x) => (x.status === 403 ? { status: 404, body: { statusCode: 404, message: 'User not found', error: 'Not Found' } } : x)),
  ],
  [
    'rails-users',
    'email.case-insensitive',
    (resolve) => async (r, p) => {
      const b = await bodyOf(r)
      const u = b['user'] as Record<string, unknown> | undefined
      if (u && typeof u['email'] === 'string' && /[A-Z]/.test(u['email']) && !u['email'].includes('Moved'))
        u['email'] = `fresh${Date.now()}@example.com`
      return resolve(req(r, b), p)
    },
  ],
  [
    'flextell',
    'email.unique',
    (resolve) => async (r, p) => {
      const b = await bodyOf(r)
      if (
        typeof b['email'] === 'string' &&
        b['email'].toLowerCase().includes('@') &&
        !b['email'].startsWith('a') &&
        !b['email'].startsWith('rt')
      )
        b['email'] = `fresh${Date.now()}@example.com`
      return resolve(req(r, b), p)
    },
  ],
]

describe('a server following another reading of an inferred rule is warned about, never failed', () => {
  for (const [api, rule, sim] of sims) {
    it(`${api} ${rule}`, async () => {
      const options = await variant(api, sim)
      const result = await verify(options)
      const failures = result.report.outcomes.flatMap((o) => o.failures.map((f) => `${o.title}: ${f.rule}: ${f.detail}`))
      expect(failures).toEqual([])
      expect(result.exitCode).toBe(0)
      expect(result.report.outcomes.flatMap((o) => o.warnings.map((f) => f.rule))).toContain(rule)
    })
  }

  it('and fails with --strict', async () => {
    const [api, , sim] = sims[0] ?? ['', '', (r: Resolve) => r]
    const result = await verify({ ...(await variant(api, sim)), strict: true })
    expect(result.exitCode).toBe(1)
    expect(result.report.outcomes.flatMap((o) => o.failures.map((f) => f.rule))).toContain('validation.status')
  })
})
