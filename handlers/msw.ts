import { http, type HttpHandler } from 'msw'
import { routePath } from './twin-api.ts'
import type { Twin } from './twin.ts'

export interface MswOptions {
  /**
   * Where each API lives, by slug: the prefix before the endpoint path. Default `*\/<slug>`, the apitwin mount
   * under any origin, so the same handlers serve a browser page and a Node test. Give the vendor's host to mock
   * its real URLs, e.g. `{ flextell: 'https://dev.flextell.ai' }`.
   */
  readonly baseUrls?: Readonly<Record<string, string>>
  /** The origin of the `/__twin/<api>/<control>` routes (default `*`: any origin). */
  readonly controlBase?: string
}

/**
 * MSW request handlers for every API of a twin, for `setupServer` (Node) or `setupWorker` (browser).
 * @example
 * const twin = await createTwin()
 * const server = setupServer(...twinHandlers(twin))
 * server.listen({ onUnhandledRequest: 'error' })
 */
export function twinHandlers(twin: Twin, { baseUrls = {}, controlBase = '*' }: MswOptions = {}): HttpHandler[] {
  return twin.apis.flatMap((api) => {
    const base = baseUrls[api.name] ?? `*/${api.name}`
    const route = api.method === 'PUT' ? http.put : http.patch
    // The state is looked up per request so a reset is seen by handlers created before it.
    const endpoint = route(`${base}${routePath(api.path)}`, ({ request, params }) =>
      twin.state(api.name).resolve(request, Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]))),
    )
    const controls = Object.keys(twin.state(api.name).controls ?? {}).map((name) =>
      http.get(`${controlBase}/__twin/${api.name}/${name}`, () => Response.json(twin.state(api.name).controls?.[name]?.())),
    )
    return [endpoint, ...controls]
  })
}
