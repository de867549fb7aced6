import { afterEach, describe, expect, it } from 'vitest'
import type { ApiState, Params, RequestLike } from '../handlers/twin-api.ts'
import { apis, createTwin, type Twin } from '../handlers/twin.ts'
import { startServer } from '../server/serve.ts'
import { verify } from '../server/verify.ts'
import { suites } from '../suites/suites.ts'
import { send } from '../suites/check.ts'
import { servedTarget } from '../suites/targets.ts'
import { accountOptions } from './helpers/accounts.ts'

// Default verify (no --allow-writes) promises to change nothing. A server that breaks exactly the rule a request
// rests on (a short password padded, a malformed email let through, the confirmation not compared) must still
// end the run with the actor's password hash and email unchanged: every such request carries a second
// documented refusal, or is not sent at all.

type Resolve = ApiState['resolve']
type Fields = Record<string, unknown>

const running: Array<{ close(): Promise<void> }> = []
afterEach(async () => {
  for (const server of running.splice(0)) await server.close()
})

const fieldsOf = (body: Fields): Fields | undefined => {
  const user = body['user']
  if (user === undefined) return body
  return typeof user === 'object' && user !== null && !Array.isArray(user) ? (user as Fields) : undefined
}

/** A server that lets one kind of invalid value through as a valid one (it breaks exactly that rule). */
const rewrite =
  (change: (fields: Fields) => void) =>
  (resolve: Resolve): Resolve =>
  async (request: RequestLike, params: Params) => {
    const text = await request.text()
    let body: Fields = {}
    try {
      const parsed: unknown = text ? JSON.parse(text) : {}
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) body = parsed as Fields
    } catch {
      // not JSON: the resolver answers it as is
    }
    const fields = fieldsOf(body)
    if (fields) change(fields)
    return resolve({ headers: request.headers, text: async () => (text && fields ? JSON.stringify(body) : text) }, params)
  }

const malformed = (v: unknown) => typeof v === 'string' && !/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i.test(v)
const breaks = {
  pwshort: rewrite((f) => {
    if (typeof f['password'] === 'string' && f['password'].length < 8) f['password'] = f['password'].padEnd(8, '0')
  }),
  email: rewrite((f) => {
    if (malformed(f['email'])) f['email'] = `let-through-${Date.now()}@example.com`
  }),
  confirm: rewrite((f) => {
    if ('password' in f) f['password_confirmation'] = f['password']
  }),
}

async function served(api: string, breakage: (resolve: Resolve) => Resolve) {
  const twin = await createTwin({ apis: apis.filter((a) => a.name === api) })
  const broken: Twin = { ...twin, state: (name) => ({ ...twin.state(name), resolve: breakage(twin.state(name).resolve) }) }
  const server = await startServer({ port: 0, twin: broken, log: () => {}, fastGlobals: false })
  running.push(server)
  const accounts = twin.accounts(api)
  const actor = accounts.find((a) => a.label === 'actor')
  if (!actor) throw new Error(`${api} has no actor`)
  const options = {
    api,
    baseUrl: `${server.url}/${api}`,
    ...accountOptions(accounts),
    maxCases: 20,
  }
  /** The actor's record as changed since seeding (the mock's snapshot holds changed records only). */
  const stored = () =>
    JSON.stringify((twin.state(api).snapshot()['users'] ?? []).filter((r) => String((r as Fields)['id']) === String(actor.userId)))
  return { options, stored, url: server.url, actor }
}

describe('default verify writes nothing, even when the server breaks the rule a request rests on', () => {
  const cases = [
    ['rails-users', 'pwshort'],
    ['rails-users', 'email'],
    ['flextell', 'confirm'],
    ['flextell', 'email'],
    ['medibulut', 'confirm'],
    ['medibulut', 'email'],
  ] as const
  for (const [api, broken] of cases) {
    it(`${api} BREAK=${broken}: the actor's password hash and email are unchanged`, async () => {
      const { options, stored, url, actor } = await served(api, breaks[broken])
      expect(stored()).toBe('[]')
      const { report } = await verify(options)
      expect(stored()).toBe('[]')
      // Teeth: the server really breaks the rule: the request the old default verify sent is stored.
      const suite = suites[api]
      if (!suite) throw new Error(`no ${api} suite`)
      const target = { ...(await servedTarget(url, api)), allowWrites: true }
      const wrap = (f: Fields) => (api === 'rails-users' ? { user: f } : api === 'medibulut' ? { role_id: actor.role ?? 'admin', ...f } : f)
      const old =
        broken === 'pwshort'
          ? { password: '1234567' }
          : broken === 'email'
            ? { email: 'not-an-email' }
            : { password: 'correct-horse-1', password_confirmation: 'correct-horse-2' }
      expect((await send(suite, target, { body: wrap(old) })).status).toBe(200)
      expect(stored()).not.toBe('[]')
      // The guard's skips say why, naming the flag that would run them.
      for (const o of report.outcomes.filter((o) => o.skipReason?.startsWith('not run:'))) expect(o.skipReason).toMatch(/--allow-writes/)
    }, 60_000)
  }

  it('send itself refuses a valid password or a lone invalid email without --allow-writes', async () => {
    const { options, url } = await served('flextell', (r) => r)
    const target = { ...(await servedTarget(url, 'flextell')), allowWrites: false }
    const suite = suites['flextell']
    if (!suite) throw new Error('no flextell suite')
    await expect(
      send(suite, target, { body: { password: 'n3w-password', password_confirmation: 'n3w-password', name: 'n'.repeat(256) } }),
    ).rejects.toThrow(/docs accept/)
    await expect(send(suite, target, { body: { email: 'not-an-email' } })).rejects.toThrow(/fewer than two documented refusals/)
    await expect(send(suite, target, { rawBody: JSON.stringify({ email: 'x@example.com' }) })).rejects.toThrow(/--allow-writes/)
    // Two documented refusals: sent, and refused.
    expect((await send(suite, target, { body: { email: 'not-an-email', name: 'n'.repeat(256) } })).status).toBe(422)
    // With --allow-writes the guard steps aside.
    expect((await send(suite, { ...target, allowWrites: true }, { body: { email: 'not-an-email' } })).status).toBe(422)
    expect(options.api).toBe('flextell')
  })
})
