import { validateLearned } from '../contracts/learned.ts'
import { flextellApi } from './flextell.ts'
import { gorulesApi } from './gorules.ts'
import { medibulutApi } from './medibulut.ts'
import { railsUsersApi } from './rails-users.ts'
import { startTwin, type Twin, type TwinOptions } from './start-twin.ts'
import type { TwinApi } from './twin-api.ts'

export type { Twin, TwinOptions } from './start-twin.ts'

/** Every API apitwin mocks, in the order the CLI and discovery list them. */
export const apis: readonly TwinApi[] = [flextellApi, railsUsersApi, medibulutApi, gorulesApi]

/**
 * Seeds every API (or `options.apis`) and keeps their state; the MSW handlers and the HTTP server both route into it.
 * @example
 * const twin = await createTwin({ seed: 7, readings: { medibulut: { 'tenant.forbidden': '404' } } })
 * twin.accounts('flextell') // actor, peer, foreign with their tokens
 */
export function createTwin({ apis: selected = apis, ...options }: TwinOptions = {}): Promise<Twin> {
  // A typo in an API name must not silently leave that API on its defaults.
  const unknown = Object.keys(options.readings ?? {}).filter((name) => !apis.some((api) => api.name === name))
  if (unknown.length > 0) return Promise.reject(new Error(`readings name unknown APIs: ${unknown.join(', ')}; known: ${apis.map((a) => a.name).join(', ')}`))
  const problems = Object.entries(options.learned ?? {}).flatMap(([name, byRule]) => {
    const api = apis.find((a) => a.name === name)
    return api ? validateLearned(api.rules, byRule).map((p) => `${name}: ${p}`) : [`unknown API "${name}"`]
  })
  if (problems.length > 0) return Promise.reject(new Error(`learned: ${problems.join('; ')}`))
  return startTwin(selected, options)
}
