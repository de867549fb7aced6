import { afterEach, describe, expect, it } from 'vitest'
import type { Account } from '../fixtures/account.ts'
import type { ApiState } from '../handlers/twin-api.ts'
import { apis, createTwin, type Twin } from '../handlers/twin.ts'
import { startServer } from '../server/serve.ts'
import { verify } from '../server/verify.ts'
import { suites } from '../suites/suites.ts'

type Resolve = ApiState['resolve']
type Breakage = (resolve: Resolve) => Resolve

const running: Array<{ close(): Promise<void> }> = []
afterEach(async () => {
  for (const server of running.splice(0)) await server.close()
})

/** `apitwin serve` for one API with its resolver wrapped: a server that breaks one rule on purpose. */
async function variant(api: string, breakage: Breakage) {
  const twin = await createTwin({ apis: apis.filter((a) => a.name === api) })
  const broken: Twin = { ...twin, state: (name) => ({ ...twin.state(name), resolve: breakage(twin.state(name).resolve) }) }
  const server = await startServer({ port: 0, twin: broken, log: () => {}, fastGlobals: false })
  running.push(server)
  const find = (label: Account['label']) => twin.accounts(api).find((a) => a.label === label)
  const [actor, peer, foreign] = [find('actor'), find('peer'), find('foreign')]
  if (!actor) throw new Error(`${api} has no actor`)
  const text = (v: string | number | undefined) => (v === undefined ? undefined : String(v))
  const defined = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined))
  return {
    api,
    baseUrl: `${server.url}/${api}`,
    token: actor.token,
    userId: String(actor.userId),
    ...defined({
      email: actor.email, role: actor.role, tenant: text(actor.tenant),
      peerUserId: text(peer?.userId), peerEmail: peer?.email, peerToken: peer?.token,
      foreignUserId: text(foreign?.userId), foreignTenant: text(foreign?.tenant), foreignToken: foreign?.token,
    }),
    allowWrites: true,
    maxCases: 0,
  }
}

const failed = (outcomes: ReadonlyArray<{ failures: ReadonlyArray<{ rule: string }> }>) => [...new Set(outcomes.flatMap((o) => o.failures.map((f) => f.rule)))]

/** A 200 body with a credential added where the user is (`data` or the bare body). */
const leak = (field: string, value: string): Breakage => (resolve) => async (request, params) => {
  const reply = await resolve(request, params)
  if (reply.status !== 200 || typeof reply.body !== 'object' || reply.body === null) return reply
  const body = reply.body as Record<string, unknown>
  const data = body['data']
  return { ...reply, body: typeof data === 'object' && data !== null ? { ...body, data: { ...data, [field]: value } } : { ...body, [field]: value } }
}

const BCRYPT = `$2y$12$${'a'.repeat(53)}`

const breakages: Array<{ name: string; api: string; rule: string; breakage: Breakage }> = [
  { name: 'flextell returning password_hash', api: 'flextell', rule: 'response.no-password', breakage: leak('password_hash', BCRYPT) },
  { name: 'rails-users returning the digest under a harmless name', api: 'rails-users', rule: 'response.no-password', breakage: leak('avatar_seed', BCRYPT) },
  { name: 'medibulut returning a remember_token', api: 'medibulut', rule: 'response.no-password', breakage: leak('remember_token', 'r3m3mb3r-me-please-0123456789') },
  { name: 'gorules returning passwordHash', api: 'gorules', rule: 'response.shape', breakage: leak('passwordHash', BCRYPT) },
  {
    name: 'gorules accepting status in any case ("Active")',
    api: 'gorules',
    rule: 'body.enums',
    breakage: (resolve) => async (request, params) => {
      const text = await request.text()
      const body = text ? (JSON.parse(text) as Record<string, unknown>) : {}
      if (typeof body['status'] === 'string') body['status'] = body['status'].toLowerCase()
      return resolve({ headers: request.headers, text: async () => JSON.stringify(body) }, params)
    },
  },
]

describe('verify fails on exactly the rule a server breaks', () => {
  for (const { name, api, rule, breakage } of breakages) {
    it(`${name} → ${rule}`, async () => {
      const result = await verify(await variant(api, breakage))
      expect(result.exitCode).toBe(1)
      expect(failed(result.report.outcomes)).toEqual([rule])
    })
  }
})

describe('coverage', () => {
  it('every documented rule of every contract is asserted by at least one check (computed from a run against the mock)', async () => {
    const uncovered: string[] = []
    for (const api of Object.keys(suites)) {
      const result = await verify({ api, coverage: true, maxCases: 0,  })
      for (const row of result.report.coverage ?? []) if (row.provenance === 'documented' && row.checks.length === 0) uncovered.push(`${api} ${row.rule}`)
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
    // A server that cuts every over-long name to 255 characters instead of refusing it.
    const truncating: Breakage = (resolve) => async (request, params) => {
      const text = await request.text()
      const body = text ? (JSON.parse(text) as Record<string, unknown>) : {}
      for (const [key, value] of Object.entries(body)) if (typeof value === 'string' && value.length > 255) body[key] = value.slice(0, 255)
      return resolve({ headers: request.headers, text: async () => JSON.stringify(body) }, params)
    }
    const runs = []
    for (let i = 0; i < 2; i++) {
      const options = await variant('flextell', truncating)
      const result = await verify({ ...options, seed: 99, maxCases: 30 })
      runs.push(result.report.outcomes.find((o) => o.title.startsWith('property:')))
    }
    expect(runs[0]?.title).toContain('--seed 99')
    expect(runs[0]?.status).toBe('fail')
    expect(runs[0]?.failures.map((f) => f.detail)).toEqual(runs[1]?.failures.map((f) => f.detail))
  })
})
