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
  /** Called as each API finishes seeding (at start and on every reset), e.g. to print progress. */
  readonly onProgress?: (progress: SeedProgress) => void
}

/** How far seeding has come: `done` of `total` APIs are seeded, the latest being `api`. */
export interface SeedProgress {
  readonly api: string
  readonly done: number
  readonly total: number
}

/** A running set of mocked APIs over seeded data; `reset()` puts every API back to its seeded state. */
export interface Twin {
  readonly seed: number
  readonly users: number
  readonly apis: readonly TwinApi[]
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
export async function createTwin({ seed = DEFAULT_SEED, users = DEFAULT_USERS, apis: selected = apis, onProgress }: TwinOptions = {}): Promise<Twin> {
  const states = new Map<string, ApiState>()
  const reset = async () => {
    let done = 0
    const started = await Promise.all(selected.map(async (api) => {
      const state = await api.start({ seed, users })
      onProgress?.({ api: api.name, done: ++done, total: selected.length })
      return [api.name, state] as const
    }))
    for (const [name, state] of started) states.set(name, state)
  }
  await reset()
  const state = (name: string): ApiState => {
    const found = states.get(name)
    if (!found) throw new Error(`Unknown API "${name}"; known: ${selected.map((a) => a.name).join(', ')}`)
    return found
  }
  return { seed, users, apis: selected, state, accounts: (name) => state(name).accounts, reset }
}
