import { afterAll, describe, expect, it } from 'vitest'
import type { ReadingChoice } from '../contracts/provenance.ts'
import { contracts } from '../contracts/registry.ts'
import type { Account } from '../fixtures/account.ts'
import { apis, createTwin } from '../handlers/twin.ts'
import { probes } from '../suites/probes.ts'
import { startServer, type RunningServer } from '../server/serve.ts'
import { verify } from '../server/verify.ts'

/*
 * A warning is charged to the premise that did not hold. A mock switched to one other reading of one rule differs
 * from the default mock in that rule alone, so every warning verify gives against it must name that rule (or a
 * reading it was switched together with): a warning charged to another rule means a check leans on the wrong
 * premise, and a server that differs in that rule only would be judged on a rule it follows.
 */

function cases(): Array<{ api: string; name: string; choice: ReadingChoice }> {
  return Object.entries(contracts).flatMap(([api, contract]) =>
    Object.entries(contract.rules).flatMap(([rule, { provenance }]) => {
      if (provenance.kind !== 'inferred') return []
      const given = probes[api]?.find((p) => p.rule === rule)?.given ?? {}
      return Object.keys(provenance.readings.options)
        .filter((value) => value !== provenance.readings.default)
        .map((value) => ({ api, name: `${rule}=${value}`, choice: { ...given, [rule]: value } }))
    }))
}

const servers: RunningServer[] = []
afterAll(async () => {
  for (const server of servers.splice(0)) await server.close()
})

function accountOptions(accounts: readonly Account[]) {
  const find = (label: Account['label']) => accounts.find((a) => a.label === label)
  const [actor, peer, foreign] = [find('actor'), find('peer'), find('foreign')]
  if (!actor) throw new Error('no actor')
  return {
    token: actor.token, userId: String(actor.userId), email: actor.email,
    ...(actor.tenant !== undefined && { tenant: String(actor.tenant) }),
    ...(actor.role !== undefined && { role: actor.role }),
    ...(peer && { peerUserId: String(peer.userId), peerEmail: peer.email, peerToken: peer.token }),
    ...(foreign && { foreignUserId: String(foreign.userId), foreignTenant: String(foreign.tenant), foreignToken: foreign.token }),
  }
}

describe.concurrent('under one switched reading, every warning names the switched rule', () => {
  for (const { api, name, choice } of cases()) {
    it(`${api} ${name}`, { timeout: 60_000 }, async () => {
      const twin = await createTwin({ apis: apis.filter((a) => a.name === api), readings: { [api]: choice } })
      const server = await startServer({ port: 0, twin, log: false, fastGlobals: false })
      servers.push(server)
      const { report } = await verify({ api, baseUrl: `${server.url}/${api}`, ...accountOptions(twin.accounts(api)), allowWrites: true, reporter: 'json', seed: 1107 })
      const switched = new Set(Object.keys(choice))
      // A probe that can only tell its rule's readings apart under a reading of another rule (its `given`) answers
      // differently once that rule is switched: the probe says so, and the warning is expected.
      const blind = new Set((probes[api] ?? []).filter((p) => Object.keys(p.given ?? {}).some((r) => switched.has(r))).map((p) => `${p.rule}: answers as its reading says (probe)`))
      const stray = report.outcomes
        .filter((o) => !blind.has(o.title))
        .flatMap((o) => o.warnings.filter((w) => !switched.has(w.rule) && !(w.detail.startsWith('not judged') && (w.restsOn ?? []).some((r) => switched.has(r)))).map((w) => `${o.title}: ${w.rule}: ${w.detail}`))
      expect(stray.join('\n'), `warnings charged to a rule that was not switched (${name})`).toBe('')
    })
  }
})
