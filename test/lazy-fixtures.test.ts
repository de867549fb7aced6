import { z } from 'zod'
import { describe, expect, it } from 'vitest'
import { seedFlextell } from '../fixtures/flextell.ts'
import { seedGorules } from '../fixtures/gorules.ts'
import { LazyCollection } from '../fixtures/lazy-collection.ts'
import { UniqueKeyError } from '../fixtures/unique-key-error.ts'
import { seedMedibulut } from '../fixtures/medibulut.ts'
import { seedRailsUsers } from '../fixtures/rails-users.ts'
import { uuidPosition, uuidTail } from '../fixtures/seeded-keys.ts'
import { resolveFlextell } from '../handlers/flextell.ts'
import { resolveGorules } from '../handlers/gorules.ts'
import { resolveMedibulut } from '../handlers/medibulut.ts'

// 100,000 users per API exist only once touched: these tests hold the lazy layer to what an eager one did —
// same data for the same seed, O(1) lookups by id and email, unique emails across touched and untouched users.

const BIG = 100_000
const put = (token: string, body: unknown, method = 'PUT') =>
  new Request('http://apitwin.test/', {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })

describe('lazily seeded users', () => {
  it('make a user from (seed, id) alone: the same record whatever the size, another for another seed', async () => {
    const [small, big, again, other] = await Promise.all([
      seedFlextell({ users: 10 }),
      seedFlextell({ users: BIG }),
      seedFlextell({ users: BIG }),
      seedFlextell({ seed: 2, users: BIG }),
    ])
    expect(big.users.get('id', 7)).toEqual(small.users.get('id', 7))
    expect(big.users.get('id', 99_999)).toEqual(again.users.get('id', 99_999))
    expect(big.users.get('id', 99_999)?.email).not.toBe(other.users.get('id', 99_999)?.email)
    expect(big.users.get('id', BIG + 1)).toBeUndefined()
    expect(big.users.size).toBe(BIG)
  })

  it('materialise only what is touched: seeding 100,000 users per API makes the named accounts, nothing more', async () => {
    const dbs = await Promise.all([
      seedFlextell({ users: BIG }),
      seedRailsUsers({ users: BIG }),
      seedMedibulut({ users: BIG }),
      seedGorules({ users: BIG }),
    ])
    for (const db of dbs) expect(db.users.materialised).toBeLessThanOrEqual(3)
    const [flextell] = dbs
    flextell.users.get('id', 50_000)
    expect(flextell.users.materialised).toBe(4)
  })

  it('find an untouched user by its seeded email, and nobody by an address that only looks seeded', async () => {
    const db = await seedFlextell({ users: BIG })
    const email = (await seedFlextell({ users: BIG })).users.get('id', BIG)?.email ?? ''
    expect(email).toMatch(/@u100000\.example\.com$/)
    expect(db.users.get('email', email)?.id).toBe(BIG)
    expect(db.users.get('email', 'someone.else@u100000.example.com')).toBeUndefined()
    expect(db.users.get('email', 'x@u100001.example.com')).toBeUndefined()
  })

  it('refuse an update to the email of an untouched user (422 unique), and free an address once its holder moves', async () => {
    const db = await seedFlextell({ users: BIG })
    const token = db.accounts[0]?.token ?? ''
    const taken = (await seedFlextell({ users: BIG })).users.get('id', 99_998)?.email
    const refused = await resolveFlextell(db, put(token, { email: taken }), { id: '1' })
    expect(refused.status).toBe(422)
    expect(JSON.stringify(refused.body)).toContain('already been taken')
    // User 2 (same tenant) gives its seeded address up; then user 1 may take it.
    const peerEmail = db.accounts[1]?.email ?? ''
    expect((await resolveFlextell(db, put(token, { email: 'moved@example.com' }), { id: '2' })).status).toBe(200)
    expect((await resolveFlextell(db, put(token, { email: peerEmail }), { id: '1' })).status).toBe(200)
    expect(db.users.get('email', peerEmail)?.id).toBe(1)
    expect(db.users.get('email', 'moved@example.com')?.id).toBe(2)
  })

  it('list only what changed since the seed, and restore it over a fresh seed', async () => {
    const db = await seedFlextell({ users: BIG })
    const token = db.accounts[0]?.token ?? ''
    expect(db.users.changed()).toEqual([])
    expect((await resolveFlextell(db, put(token, { title: 'CTO' }), { id: '99998' })).status).toBe(200)
    const changed = db.users.changed()
    expect(changed.map((u) => [u.id, u.title])).toEqual([[99_998, 'CTO']])
    const fresh = await seedFlextell({ users: BIG })
    fresh.users.restore(JSON.parse(JSON.stringify(changed)) as unknown[])
    expect(fresh.users.get('id', 99_998)).toEqual(db.users.get('id', 99_998))
    expect(fresh.users.materialised).toBeLessThanOrEqual(4)
  })

  it("keep medibulut's named accounts 485–487 at any size, the others skipping their ids", async () => {
    const db = await seedMedibulut({ users: BIG })
    expect(db.accounts.map((a) => [a.userId, a.tenant])).toEqual([
      [485, 101],
      [486, 101],
      [487, 202],
    ])
    expect([483, 484, 488, 489].map((id) => db.users.get('id', id)?.tenant_id)).toEqual([101, 202, 101, 202])
    expect(db.users.get('id', BIG)).toBeDefined()
    expect(db.users.get('id', BIG + 1)).toBeUndefined()
    const ids = new Set((await seedMedibulut({ users: 1000 })).users.all().map((u) => u.id))
    expect(ids.size).toBe(1000)
    expect([484, 485, 487, 488, 1000].every((id) => ids.has(id)) && !ids.has(1001)).toBe(true)
    const actor = db.accounts[0]
    const res = await resolveMedibulut(db, put(actor?.token ?? '', { role_id: 'admin', first_name: 'Far' }, 'PATCH'), {
      tenantId: '101',
      id: String(BIG),
    })
    expect([res.status, (res.body as { data?: { first_name?: string } }).data?.first_name]).toEqual([200, 'Far'])
  })

  it('give gorules users UUIDs that name their position, found in O(1), and unknown ones nobody', async () => {
    const db = await seedGorules({ users: BIG })
    const last = (await seedGorules({ users: BIG })).users.at(BIG - 1)
    expect(last?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(db.users.get('id', last?.id ?? '')).toEqual(last)
    expect(db.users.get('id', `00000000-0000-4000-8000-${uuidTail(1107, 5)}`)).toBeUndefined()
    const actor = db.accounts[0]
    const res = await resolveGorules(db, put(actor?.token ?? '', { firstName: 'Far' }), { userId: last?.id ?? '' })
    expect(res.status).toBe(200)
    for (const position of [0, 1, 4095, 99_999])
      expect(uuidPosition(42, BIG)(`3c90c3cc-0d44-4b50-8888-${uuidTail(42, position)}`)).toBe(position)
  })
})

describe('LazyCollection', () => {
  const schema = z.object({ id: z.int(), email: z.email() })
  const source = (count: number) => ({
    count,
    make: (p: number) => ({ id: p + 1, email: `user${p + 1}@example.com` }),
    locate: {
      id: (k: string | number) => Number(k) - 1,
      email: (k: string | number) => Number(/^user(\d+)@/.exec(String(k))?.[1] ?? 0) - 1,
    },
  })

  it('refuses a write that breaks the schema or takes a held key, and changes nothing', () => {
    const users = new LazyCollection(schema, { id: (u) => u.id, email: (u) => u.email }, source(10))
    const first = users.get('id', 1)!
    expect(() => users.update(first, (d) => void (d.email = 'not an email'))).toThrow(/does not fit the schema/)
    expect(() => users.update(first, (d) => void (d.email = 'user9@example.com'))).toThrow(UniqueKeyError)
    expect(() => users.create({ id: 11, email: 'user3@example.com' })).toThrow(UniqueKeyError)
    expect(users.get('id', 1)).toEqual({ id: 1, email: 'user1@example.com' })
    expect(users.changed()).toEqual([])
  })

  it('validates the fields an update changes, and falls back to the whole schema where fields alone cannot tell', () => {
    // A plain object schema: the changed field is checked by its own schema, unknown keys are stripped as zod would.
    const users = new LazyCollection(schema, { id: (u) => u.id, email: (u) => u.email }, source(10))
    const first = users.get('id', 1)!
    users.update(first, (d) => Object.assign(d, { email: 'renamed@example.com', stray: 'dropped' }))
    expect(users.get('id', 1)).toEqual({ id: 1, email: 'renamed@example.com' })
    expect(() => users.update(first, (d) => void (d.id = 1.5))).toThrow(/does not fit the schema.*"id"/)
    // A refinement across fields is only seen by the whole schema: the fallback must run it.
    const refined = z
      .object({ id: z.int(), email: z.email() })
      .refine((u) => !u.email.startsWith(`user${u.id + 1}@`), { message: 'off by one' })
    const strict = new LazyCollection(refined, { id: (u) => u.id, email: (u) => u.email }, source(10))
    const one = strict.get('id', 1)!
    expect(() => strict.update(one, (d) => void (d.email = 'user2@x.example'))).toThrow(/off by one/)
    expect(strict.get('id', 1)).toEqual({ id: 1, email: 'user1@example.com' })
  })

  it('deletes seeded records, lists the deletion, and restores it', () => {
    const users = new LazyCollection(schema, { id: (u) => u.id, email: (u) => u.email }, source(5))
    users.delete(users.get('id', 3)!)
    expect(users.get('id', 3)).toBeUndefined()
    expect(users.size).toBe(4)
    expect(users.deletedKeys()).toEqual([3])
    const fresh = new LazyCollection(schema, { id: (u) => u.id, email: (u) => u.email }, source(5))
    fresh.restore(users.changed(), users.deletedKeys())
    expect(fresh.all().map((u) => u.id)).toEqual([1, 2, 4, 5])
  })
})
