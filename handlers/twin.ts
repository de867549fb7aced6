import type { ReadingChoice } from '../contracts/provenance.ts'
import type { Account, SeedOptions } from '../fixtures/account.ts'
import { DEFAULT_SEED, DEFAULT_USERS } from '../fixtures/faker.ts'
import { flextellApi } from './flextell.ts'
import { gorulesApi } from './gorules.ts'
import { medibulutApi } from './medibulut.ts'
import { railsUsersApi } from './rails-users.ts'
import type { ApiState, TwinApi } from './twin-api.ts'

/** Every API apitwin mocks, in the order the CLI and discovery list them. */
export const apis: readonly TwinApi[] = [flextellApi, railsUsersApi, medibulutApi, gorulesApi]

export interface TwinOptions extends SeedOptions {
  /** Which APIs to run (default: all). */
  readonly apis?: readonly TwinApi[]
  /**
   * The reading each API's mock follows, per inferred rule: `{ medibulut: { 'tenant.forbidden': '404' } }`.
   * Unnamed rules follow their default; an unknown API, rule or value throws naming the allowed ones.
   */
  readonly readings?: Readonly<Record<string, ReadingChoice>>
}

/** A running set of mocked APIs over seeded data; `reset()` puts every API back to its seeded state. */
export interface Twin {
  readonly seed: number
  readonly users: number
  readonly apis: readonly TwinApi[]
  /** The readings the twin was created with, per API (only what was chosen; defaults are implied). */
  readonly readings: Readonly<Record<string, ReadingChoice>>
  state(name: string): ApiState
  accounts(name: string): readonly Account[]
  reset(): Promise<void>
}

/**
 * Seeds every API and keeps their state; the MSW handlers and the HTTP server both route into it.
 * @example
 * const twin = await createTwin({ seed: 7 })
 * twin.accounts('flextell') // actor, peer, foreign with their tokens
 */
export async function createTwin({ seed = DEFAULT_SEED, users = DEFAULT_USERS, apis: selected = apis, readings = {} }: TwinOptions = {}): Promise<Twin> {
  const unknown = Object.keys(readings).filter((name) => !apis.some((api) => api.name === name))
  if (unknown.length > 0) throw new Error(`readings name unknown APIs: ${unknown.join(', ')}; known: ${apis.map((a) => a.name).join(', ')}`)
  const states = new Map<string, ApiState>()
  const reset = async () => {
    const started = await Promise.all(selected.map(async (api) => [api.name, await api.start({ seed, users }, readings[api.name])] as const))
    for (const [name, state] of started) states.set(name, state)
  }
  await reset()
  const state = (name: string): ApiState => {
    const found = states.get(name)
    if (!found) throw new Error(`Unknown API "${name}"; known: ${selected.map((a) => a.name).join(', ')}`)
    return found
  }
  return { seed, users, apis: selected, readings, state, accounts: (name) => state(name).accounts, reset }
}
