import { setupServer } from 'msw/node'
import type { Account } from '../fixtures/account.ts'
import { twinHandlers } from '../handlers/msw.ts'
import type { OpenApiContract } from '../contracts/openapi/contract.ts'
import { apis, createTwin, type TwinOptions } from '../handlers/twin.ts'
import type { Target } from './target.ts'

/** Accounts keyed by label; a target needs at least the actor. */
export function byLabel(accounts: readonly Account[], where: string): Target['accounts'] {
  const found = Object.fromEntries(accounts.map((a) => [a.label, a]))
  const actor = found['actor']
  if (!actor) throw new Error(`${where} lists no actor account; a contract suite needs one to act with`)
  return { ...found, actor }
}

/** A mock the target may freely write to and reset between checks. */
export interface OwnedTarget {
  readonly target: Target
  readonly close: () => Promise<void> | void
}

/**
 * The in-process target: the MSW handlers under `setupServer`, on a made-up origin, with every request MSW
 * does not handle turned into an error. Fresh seeded state before each check.
 * @example const { target, close } = await mockTarget('flextell')
 */
export async function mockTarget(
  api: string,
  options: TwinOptions = {},
  readings?: Readonly<Record<string, string>>,
): Promise<OwnedTarget> {
  const selected = apis.filter((a) => a.name === api)
  if (selected.length === 0) throw new Error(`Unknown API "${api}"; known: ${apis.map((a) => a.name).join(', ')}`)
  const twin = await createTwin({ ...options, apis: selected })
  const origin = 'http://apitwin.test'
  const server = setupServer(...twinHandlers(twin, { baseUrls: { [api]: `${origin}/${api}` }, controlBase: origin }))
  server.listen({ onUnhandledRequest: 'error' })
  const target: Target = {
    label: 'in-process mock',
    baseUrl: `${origin}/${api}`,
    // Looked up per call: setupServer patches the global fetch while it listens.
    fetch: (input, init) => globalThis.fetch(input, init),
    accounts: byLabel(twin.accounts(api), 'the mock'),
    allowWrites: true,
    disposable: true,
    timeoutMs: 5_000,
    controlBase: origin,
    ...(readings && { readings }),
    reset: () => twin.reset(),
  }
  return { target, close: () => server.close() }
}

/**
 * The in-process target of an imported API: its twin alone under `setupServer`, following `readings`, fresh
 * seeded state before each check.
 * @example const { target, close } = await openApiMockTarget(await importOpenApi(doc, { name: 'galaxy' }))
 */
export async function openApiMockTarget(contract: OpenApiContract, readings: Readonly<Record<string, string>> = {}): Promise<OwnedTarget> {
  const twin = await createTwin({ apis: [], openapi: { [contract.name]: contract }, readings: { [contract.name]: readings } })
  const origin = 'http://apitwin.test'
  const server = setupServer(...twinHandlers(twin, { baseUrls: { [contract.name]: `${origin}/${contract.name}` }, controlBase: origin }))
  server.listen({ onUnhandledRequest: 'error' })
  const target: Target = {
    label: 'in-process mock',
    baseUrl: `${origin}/${contract.name}`,
    fetch: (input, init) => globalThis.fetch(input, init),
    accounts: byLabel(twin.accounts(contract.name), 'the mock'),
    allowWrites: true,
    disposable: true,
    timeoutMs: 5_000,
    controlBase: origin,
    readings,
    reset: () => twin.reset(),
  }
  return { target, close: () => server.close() }
}

interface Discovery {
  readonly apis: ReadonlyArray<{ readonly name: string; readonly baseUrl: string; readonly accounts: readonly Account[] }>
}

/**
 * A target for an `apitwin serve` at `origin`, read from its discovery route; resets through `/__twin/reset`.
 * @example const target = await servedTarget('http://127.0.0.1:4010', 'flextell')
 */
export async function servedTarget(origin: string, api: string, readings?: Readonly<Record<string, string>>): Promise<Target> {
  const response = await fetch(`${origin}/__twin/apis`)
  if (!response.ok) throw new Error(`GET ${origin}/__twin/apis answered ${response.status}; is this an apitwin server?`)
  const discovery = (await response.json()) as Discovery
  const entry = discovery.apis.find((a) => a.name === api)
  if (!entry) throw new Error(`${origin} does not serve "${api}"`)
  return {
    label: origin,
    baseUrl: entry.baseUrl,
    fetch: (input, init) => globalThis.fetch(input, init),
    accounts: byLabel(entry.accounts, `${origin}/__twin/apis`),
    allowWrites: true,
    disposable: true,
    timeoutMs: 5_000,
    controlBase: origin,
    ...(readings && { readings }),
    reset: async () => {
      const reset = await fetch(`${origin}/__twin/reset`, { method: 'POST' })
      if (!reset.ok) throw new Error(`POST ${origin}/__twin/reset answered ${reset.status}`)
    },
  }
}
