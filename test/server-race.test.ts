import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { LazyCollection } from '../fixtures/lazy-collection.ts'
import { UniqueKeyError } from '../fixtures/unique-key-error.ts'
import { gorulesApi } from '../handlers/gorules.ts'
import { startServer, type RunningServer } from '../server/serve.ts'
import { account, discover, update, type Discovered } from './helpers/apis.ts'

const ROUNDS = 50
const PASSWORD = 'Race-condition-9!'

// The fields that make a request await (a password to hash) between its checks, if it had any.
function raceFields(api: string, email: string): Record<string, unknown> {
  return api === 'rails-users' ? { email, password: PASSWORD } : { email, password: PASSWORD, password_confirmation: PASSWORD }
}

function emailOf(api: string, body: unknown): string {
  const data =
    api === 'rails-users' || api === 'flextell' || api === 'medibulut'
      ? (body as { data: { email: string } }).data
      : (body as { email: string })
  return data.email
}

describe('two users racing for one e-mail, with a password change that makes the handler await', () => {
  let server: RunningServer
  let apis: Record<string, Discovered>
  beforeAll(async () => {
    server = await startServer({ port: 0, log: false })
    apis = await discover(server.url)
  })
  afterAll(() => server.close())

  for (const name of ['flextell', 'rails-users', 'medibulut']) {
    it(`${name}: exactly one of two concurrent updates wins, ${ROUNDS} rounds, and the index keeps agreeing with the data`, async () => {
      const api = apis[name]!
      const [actor, peer] = [account(api, 'actor'), account(api, 'peer')]
      for (let round = 0; round < ROUNDS; round++) {
        const email = `race-${round}@${name}.example.com`
        const answers = await Promise.all([actor, peer].map((who) => update(server.url, api, who, who, raceFields(name, email))))
        const statuses = answers.map((a) => a.status)
        expect(statuses.toSorted(), `round ${round}: ${statuses.join(', ')}`).toEqual([200, 422])
        const winner = statuses[0] === 200 ? actor : peer
        const loser = winner === actor ? peer : actor
        expect(emailOf(name, await answers[statuses.indexOf(200)]!.json())).toBe(email)
        // The address stays held by the winner…
        expect((await update(server.url, api, loser, loser, { email })).status).toBe(422)
        // …until the winner moves on: then it is free again, and the index has not kept a stale entry.
        expect((await update(server.url, api, winner, winner, { email: `moved-${round}@${name}.example.com` })).status).toBe(200)
        expect((await update(server.url, api, loser, loser, { email })).status).toBe(200)
      }
    }, 30_000)
  }
})

describe('gorules: a token revoked by a concurrent request', () => {
  let server: RunningServer
  beforeAll(async () => {
    server = await startServer({ port: 0, log: false, apis: [gorulesApi] })
  })
  afterAll(() => server.close())

  it(`is judged when its request is handled: ${ROUNDS} rounds of "admin disables a member" racing "member renames self"`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      await fetch(`${server.url}/__twin/reset`, { method: 'POST' })
      const api = (await discover(server.url))['gorules']!
      const [admin, member] = [account(api, 'actor'), account(api, 'peer')]
      const [disable, rename] = await Promise.all([
        update(server.url, api, admin, member, { status: 'disabled' }),
        update(server.url, api, member, member, { firstName: `Renamed${round}` }),
      ])
      expect(disable.status).toBe(200)
      expect([200, 401]).toContain(rename.status)
      // Serializable: the rename is in the final record exactly when it was answered 200.
      const final = (await disable.json()) as { firstName: string; status: string }
      if (rename.status === 200) {
        const renamed = (await rename.json()) as { firstName: string }
        expect(renamed.firstName).toBe(`Renamed${round}`)
      }
      expect(final.status).toBe('disabled')
      // The member's token no longer works, whatever the order was.
      expect((await update(server.url, api, member, member, { firstName: 'Again' })).status).toBe(401)
    }
  }, 30_000)
})

describe('LazyCollection unique indexes', () => {
  const schema = z.object({ id: z.int(), email: z.string() })

  it('refuses a key another record holds instead of taking it over, and changes nothing', async () => {
    const users = LazyCollection.of(schema, { id: (u) => u.id, email: (u) => u.email })
    const a = users.create({ id: 1, email: 'a@example.com' })
    const b = users.create({ id: 2, email: 'b@example.com' })
    expect(() => users.update(b, (draft) => void (draft.email = 'a@example.com'))).toThrow(UniqueKeyError)
    expect(b.email).toBe('b@example.com')
    expect(users.get('email', 'a@example.com')).toBe(a)
    expect(users.get('email', 'b@example.com')).toBe(b)
    expect(() => users.create({ id: 3, email: 'a@example.com' })).toThrow(UniqueKeyError)
    expect(users.all()).toHaveLength(2)
    // Moving a's key away frees it, and only then may b take it.
    users.update(a, (draft) => void (draft.email = 'c@example.com'))
    users.update(b, (draft) => void (draft.email = 'a@example.com'))
    expect(users.get('email', 'a@example.com')).toBe(b)
    expect(users.get('email', 'b@example.com')).toBeUndefined()
    expect(users.get('email', 'c@example.com')).toBe(a)
  })
})
