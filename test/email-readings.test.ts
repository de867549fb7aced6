import { afterAll, describe, expect, it } from 'vitest'
import { apis, createTwin } from '../handlers/twin.ts'
import type { ReadingChoice } from '../contracts/provenance.ts'
import { startServer, type RunningServer } from '../server/serve.ts'
import { account, discover, update } from './helpers/apis.ts'

// The e-mail readings change what the store holds, not only what the handler answers: a case-sensitive database
// keeps john@ and JOHN@ apart, and one without a unique rule hits the table's unique index. Both used to end in an
// unexpected 500 (the store's index was always case-folded); over real HTTP, the server must answer as the
// reading says and keep serving.

const servers: RunningServer[] = []
afterAll(async () => {
  for (const server of servers.splice(0)) await server.close()
})

async function serveUnder(api: string, choice: ReadingChoice) {
  const twin = await createTwin({ apis: apis.filter((a) => a.name === api), readings: { [api]: choice } })
  const server = await startServer({ port: 0, twin, log: false })
  servers.push(server)
  const found = (await discover(server.url))[api]
  if (!found) throw new Error(`${api} not served`)
  return { url: server.url, api: found, actor: account(found, 'actor'), peer: account(found, 'peer') }
}

async function emailOf(s: Awaited<ReturnType<typeof serveUnder>>, who: typeof s.actor): Promise<string> {
  // rails-users refuses an empty `user` (params.require); an unpermitted key reads the user without changing it.
  const res = await update(s.url, s.api, who, who, s.api.name === 'rails-users' ? { apitwin_probe: true } : {})
  const body = (await res.json()) as { data?: { email: string } }
  return body.data?.email ?? ''
}

describe('e-mail readings over HTTP', () => {
  for (const name of ['flextell', 'medibulut', 'rails-users'] as const) {
    it(`${name}: email.case-insensitive=sensitive saves JOHN@ beside john@, and the exact address stays taken`, async () => {
      const s = await serveUnder(name, {
        'email.case-insensitive': 'sensitive',
        ...(name === 'rails-users' && { 'email.normalized': 'as-sent' }),
      })
      const upper = s.peer.email.toUpperCase()
      const res = await update(s.url, s.api, s.actor, s.actor, { email: upper })
      expect(res.status, await res.clone().text()).toBe(200)
      expect(await emailOf(s, s.actor)).toBe(upper)
      expect(await emailOf(s, s.peer)).toBe(s.peer.email)
      expect((await update(s.url, s.api, s.actor, s.actor, { email: s.peer.email })).status).toBe(422)
    })

    it(`${name}: the default reading refuses an address taken in another case`, async () => {
      const s = await serveUnder(name, {})
      expect((await update(s.url, s.api, s.actor, s.actor, { email: s.peer.email.toUpperCase() })).status).toBe(422)
    })
  }

  for (const name of ['flextell', 'medibulut'] as const) {
    it(`${name}: email.unique=unchecked meets the table's unique index: a 500 in Laravel's shape, nothing changed, the server goes on`, async () => {
      const s = await serveUnder(name, { 'email.unique': 'unchecked' })
      const before = await emailOf(s, s.actor)
      const res = await update(s.url, s.api, s.actor, s.actor, { email: s.peer.email })
      expect(res.status).toBe(500)
      expect(await res.json()).toEqual({ message: 'Server Error' })
      expect(await emailOf(s, s.actor)).toBe(before)
      // A free address still saves: the refusal came from the index, not from a broken store.
      expect((await update(s.url, s.api, s.actor, s.actor, { email: `free-${name}@example.com` })).status).toBe(200)
    })
  }
})
