import { http, type HttpHandler } from 'msw'
import type { SeedOptions } from '../fixtures/account.ts'
import { toResponse } from './reply.ts'
import { routePath, type TwinApi } from './twin-api.ts'
import { apis, createTwin, type Twin } from './twin.ts'

export interface MswOptions {
  /**
   * Where each API lives, by slug: the prefix before the endpoint path. Default `*\/<slug>`, the apitwin mount
   * under any origin, so the same handlers serve a browser page and a Node test. Give the vendor's host to mock
   * its real URLs, e.g. `{ flextell: 'https://dev.flextell.ai' }`.
   */
  readonly baseUrls?: Readonly<Record<string, string>>
  /** The origin of the `/__twin/<api>/<control>` routes (default `*`: any origin). */
  readonly controlBase?: string
  /** Only these APIs (default: all the twin runs). */
  readonly only?: readonly string[]
}

type TwinSource = Twin | (() => Promise<Twin>)

/**
 * MSW request handlers for the APIs of a twin, for `setupServer` (Node) or `setupWorker` (browser). Give a
 * function instead of a twin to create it on the first request (see `handlers`).
 * @example
 * const twin = await createTwin()
 * const server = setupServer(...twinHandlers(twin))
 * server.listen({ onUnhandledRequest: 'error' })
 */
export function twinHandlers(source: TwinSource, { baseUrls = {}, controlBase = '*', only }: MswOptions = {}): HttpHandler[] {
  const twinOf = typeof source === 'function' ? source : async () => source
  const served: readonly TwinApi[] = (typeof source === 'function' ? apis : source.apis).filter((api) => !only || only.includes(api.name))
  const endpoints = served.map((api) => {
    const route = api.method === 'PUT' ? http.put : http.patch
    // The state is looked up per request so a reset is seen by handlers created before it.
    return route(`${baseUrls[api.name] ?? `*/${api.name}`}${routePath(api.path)}`, async ({ request, params }) =>
      toResponse(await (await twinOf()).state(api.name).resolve(request, Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v])))),
    )
  })
  const controls = http.get(`${controlBase}/__twin/:api/:control`, async ({ params }) => {
    const twin = await twinOf()
    const api = served.find((a) => a.name === params['api'])
    const control = api && twin.state(api.name).controls?.[String(params['control'])]
    return control ? Response.json(control()) : Response.json({ message: `No apitwin control ${String(params['api'])}/${String(params['control'])}` }, { status: 404 })
  })
  return [...endpoints, controls]
}

let shared: Promise<Twin> | undefined

/**
 * The twin behind `handlers`: created with the default seed on first use. Reset it between tests:
 * `afterEach(async () => (await defaultTwin()).reset())`.
 */
export function defaultTwin(options?: SeedOptions): Promise<Twin> {
  shared ??= createTwin(options)
  return shared
}

/**
 * Ready-made MSW handlers for every API over `defaultTwin()`, mounted at `*\/<slug>`.
 * @example setupWorker(...handlers).start()
 */
export const handlers: readonly HttpHandler[] = twinHandlers(() => defaultTwin())

/** The same, per API: `handlersByApi.flextell`. */
export const handlersByApi: Readonly<Record<string, readonly HttpHandler[]>> = Object.fromEntries(
  apis.map((api) => [api.name, twinHandlers(() => defaultTwin(), { only: [api.name] })]),
)
