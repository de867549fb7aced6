import { describe, expect, it } from 'vitest'
import { seedFlextell } from '../fixtures/flextell.ts'
import { seedGorules } from '../fixtures/gorules.ts'
import { apis, createTwin } from '../handlers/twin.ts'
import { FIXTURE_PASSWORD, verifyPassword } from '../fixtures/password.ts'

const visible = (db: Awaited<ReturnType<typeof seedFlextell>>) => db.users.all().map(({ password_hash: _hash, ...user }) => user)

describe('flextell fixtures', () => {
  it('are the same for the same seed and differ for another', async () => {
    const [a, b, c] = await Promise.all([seedFlextell({ seed: 1 }), seedFlextell({ seed: 1 }), seedFlextell({ seed: 2 })])
    expect(visible(a)).toEqual(visible(b))
    expect(a.accounts).toEqual(b.accounts)
    expect(visible(a)).not.toEqual(visible(c))
    expect(a.accounts[0]?.token).not.toBe(c.accounts[0]?.token)
  })

  it('hold the asked number of users (at least the three named accounts) over two tenants', async () => {
    expect((await seedFlextell({ users: 60 })).users.all()).toHaveLength(60)
    const small = await seedFlextell({ users: 1 })
    expect(small.users.all()).toHaveLength(3)
    expect(small.accounts.map((a) => [a.label, a.userId, a.tenant])).toEqual([
      ['actor', 1, 1],
      ['peer', 2, 1],
      ['foreign', 3, 2],
    ])
    expect(new Set(small.users.all().map((u) => u.tenant_id))).toEqual(new Set([1, 2]))
  })

  it('give every user a unique email and a hashed password', async () => {
    const db = await seedFlextell({ users: 200 })
    const emails = db.users.all().map((u) => u.email)
    expect(new Set(emails).size).toBe(200)
    const hash = db.users.get('id', 5)?.password_hash ?? ''
    expect(hash).not.toContain(FIXTURE_PASSWORD)
    expect(await verifyPassword(FIXTURE_PASSWORD, hash)).toBe(true)
  })
})

describe("every API's fixtures", () => {
  it('publish the same accounts for the same seed and others for another seed', async () => {
    const [a, b, c] = await Promise.all([createTwin({ seed: 5 }), createTwin({ seed: 5 }), createTwin({ seed: 6 })])
    for (const { name } of apis) {
      expect(a.accounts(name)).toEqual(b.accounts(name))
      expect(a.accounts(name).map((x) => x.token)).not.toEqual(c.accounts(name).map((x) => x.token))
      expect(
        a
          .accounts(name)
          .map((x) => x.label)
          .slice(0, 2),
      ).toEqual(['actor', 'peer'])
    }
  })

  it('give gorules stable UUIDs, one owner and a service account', async () => {
    const [a, b] = await Promise.all([seedGorules({ seed: 9 }), seedGorules({ seed: 9 })])
    expect(a.users.all().map((u) => u.id)).toEqual(b.users.all().map((u) => u.id))
    expect(a.users.all().filter((u) => u.type === 'owner')).toHaveLength(1)
    expect(a.users.all().some((u) => u.isService)).toBe(true)
    expect(a.roles.all().every((r) => r.name !== '' && r.description !== '')).toBe(true)
  })
})
