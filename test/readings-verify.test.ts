import { afterAll, describe, expect, it } from 'vitest'
import type { ReadingChoice } from '../contracts/provenance.ts'
import { contracts } from '../contracts/registry.ts'
import type { Account } from '../fixtures/account.ts'
import { apis, createTwin } from '../handlers/twin.ts'
import { startServer, type RunningServer } from '../server/serve.ts'
import { verify } from '../server/verify.ts'

/*
 * The proof against false alarms (issue 9): a mock under another reading of an inferred rule is a conforming
 * server that apitwin has never been told about. Default `verify` must pass it (exit 0) with warnings that name
 * the switched rule — never a failure of a documented rule — and `--strict` must notice it (exit 1).
 */

/** One reading switched at a time, plus every alternative at once, per API. */
function cases(): Array<{ api: string; name: string; choice: ReadingChoice }> {
  return Object.entries(contracts).flatMap(([api, contract]) => {
    const inferred = Object.entries(contract.rules).flatMap(([rule, { provenance }]) => (provenance.kind === 'inferred' ? [{ rule, readings: provenance.readings }] : []))
    const single = inferred.flatMap(({ rule, readings }) =>
      Object.keys(readings.options).filter((v) => v !== readings.default).map((value) => ({ api, name: `${rule}=${value}`, choice: { [rule]: value } })))
    const all = Object.fromEntries(inferred.map(({ rule, readings }) => [rule, Object.keys(readings.options).find((v) => v !== readings.default) ?? readings.default]))
    return [...single, { api, name: 'every alternative at once', choice: all }]
  })
}

/**
 * Known gaps, each with what is missing. TODO(lead): the suites do not yet observe these readings, so --strict
 * cannot notice them (blind spots of the suites, not false alarms).
 */
const strictBlindSpots: Readonly<Record<string, string>> = {}

const servers: RunningServer[] = []
afterAll(async () => {
  for (const server of servers.splice(0)) await server.close()
})

async function serveUnder(api: string, choice: ReadingChoice): Promise<{ baseUrl: string; accounts: readonly Account[] }> {
  const twin = await createTwin({ apis: apis.filter((a) => a.name === api), readings: { [api]: choice } })
  const server = await startServer({ port: 0, twin, log: false, fastGlobals: false })
  servers.push(server)
  return { baseUrl: `${server.url}/${api}`, accounts: twin.accounts(api) }
}

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

describe('verify under every alternative reading: exit 0 with warnings naming the rule, --strict exit 1', () => {
  for (const { api, name, choice } of cases()) {
    it(`${api} ${name}`, async () => {
      const { baseUrl, accounts } = await serveUnder(api, choice)
      const options = { api, baseUrl, ...accountOptions(accounts), allowWrites: true, reporter: 'json' as const }
      const lenient = await verify(options)
      const failures = lenient.report.outcomes.flatMap((o) => o.failures.map((f) => `${o.title}: ${f.rule}: ${f.detail}`))
      expect(failures, `false alarms under ${api} ${name}`).toEqual([])
      expect(lenient.exitCode).toBe(0)
      const warned = new Set(lenient.report.outcomes.flatMap((o) => o.warnings.map((w) => w.rule)))
      const switched = Object.keys(choice)
      const blind = strictBlindSpots[`${api} ${name}`]
      if (blind) return
      expect(switched.some((rule) => warned.has(rule)), `no warning names ${switched.join(', ')}; warned: ${[...warned].join(', ')}`).toBe(true)
      expect((await verify({ ...options, strict: true })).exitCode).toBe(1)
    })
  }
})
