import { validateLearned } from '../contracts/learned.ts'
import type { OpenApiContract } from '../contracts/openapi/contract.ts'
import type { OpenApiInput } from '../contracts/openapi/document.ts'
import { flextellApi } from './flextell.ts'
import { gorulesApi } from './gorules.ts'
import { medibulutApi } from './medibulut.ts'
import { railsUsersApi } from './rails-users.ts'
import { startTwin, type Twin, type TwinOptions } from './start-twin.ts'
import type { TwinApi } from './twin-api.ts'

export type { Twin, TwinOptions } from './start-twin.ts'

/** Every API apitwin mocks, in the order the CLI and discovery list them. */
export const apis: readonly TwinApi[] = [flextellApi, railsUsersApi, medibulutApi, gorulesApi]

/** `createTwin`'s options: the twin's, plus your own APIs from OpenAPI documents. */
export interface CreateTwinOptions extends TwinOptions {
  /**
   * Your own APIs, by name: an OpenAPI 3.0/3.1 document (a parsed object, or JSON/YAML text) or a contract
   * `importOpenApi` made. Each is mounted under `/<name>` beside the four (or alone with `apis: []`).
   */
  readonly openapi?: Readonly<Record<string, OpenApiInput | OpenApiContract>>
}

/**
 * Seeds every API (or `options.apis`) and keeps their state; the MSW handlers and the HTTP server both route into it.
 * The OpenAPI importer is loaded only when `openapi` is given, so an app that mocks the four bundles none of it.
 * @example
 * const twin = await createTwin({ seed: 7, readings: { medibulut: { 'tenant.forbidden': '404' } } })
 * twin.accounts('flextell') // actor, peer, foreign with their tokens
 * const mine = await createTwin({ apis: [], openapi: { billing: billingDocument } }) // in a browser too
 */
export async function createTwin({ apis: selected = apis, openapi, ...options }: CreateTwinOptions = {}): Promise<Twin> {
  const imported: TwinApi[] = []
  if (openapi !== undefined && Object.keys(openapi).length > 0) {
    const [{ importOpenApi }, { openApiTwinApi }] = await Promise.all([
      import('../contracts/openapi/contract.ts'),
      import('./openapi-api.ts'),
    ])
    for (const [name, input] of Object.entries(openapi)) {
      const contract = isContract(input) ? input : await importOpenApi(input, { name })
      imported.push(openApiTwinApi(contract))
    }
  }
  const all = [...selected, ...imported]
  // A typo in an API name must not silently leave that API on its defaults.
  const known = [...apis, ...imported]
  const unknown = Object.keys(options.readings ?? {}).filter((name) => !known.some((api) => api.name === name))
  if (unknown.length > 0)
    throw new Error(`readings name unknown APIs: ${unknown.join(', ')}; known: ${known.map((a) => a.name).join(', ')}`)
  const names = all.map((api) => api.name)
  const twice = names.find((name, index) => names.indexOf(name) !== index)
  if (twice !== undefined)
    throw new Error(
      apis.some((api) => api.name === twice)
        ? `"${twice}" is already taken by apitwin's own ${twice}; give the imported API another name, or mount it alone (createTwin({ apis: [] }))`
        : `two APIs are named "${twice}"; give each imported document its own name`,
    )
  const problems = Object.entries(options.learned ?? {}).flatMap(([name, byRule]) => {
    const api = known.find((a) => a.name === name)
    return api ? validateLearned(api.rules, byRule).map((p) => `${name}: ${p}`) : [`unknown API "${name}"`]
  })
  if (problems.length > 0) throw new Error(`learned: ${problems.join('; ')}`)
  return startTwin(all, options)
}

function isContract(input: OpenApiInput | OpenApiContract): input is OpenApiContract {
  return typeof input === 'object' && (input as { kind?: unknown }).kind === 'openapi' && 'operations' in input
}
