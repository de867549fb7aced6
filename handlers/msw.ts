import { delay, http, HttpResponse, type HttpHandler } from 'msw'
import { injectedFailure, readFaults } from './faults.ts'
import { peekControls, withApiFault, type LiveControls } from './live-controls.ts'
import { toResponse, type Reply } from './reply.ts'
import type { Twin } from './start-twin.ts'
import type { RouteTable } from './route-table.ts'
import { routePath, type Params, type TwinApi } from './twin-api.ts'

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

/**
 * MSW request handlers for the APIs of a twin, for `setupServer` (Node) or `setupWorker` (browser).
 * Per request, `X-Twin-Delay: <ms>` holds the answer (MSW's `delay`) and `X-Twin-Fail: 500|503|network` replaces it,
 * as `apitwin serve` does, so a page can show its spinner and its error state.
 * @example
 * const twin = await createTwin()
 * const server = setupServer(...twinHandlers(twin))
 * server.listen({ onUnhandledRequest: 'error' })
 */
export function twinHandlers(twin: Twin, options: MswOptions = {}): HttpHandler[] {
  return lazyTwinHandlers(twin.apis, async () => twin, options)
}

/**
 * The same over a twin created on the first request (`getTwin`), for the ready-made `handlers` of an entry point.
 * @example export const handlers = lazyTwinHandlers([flextellApi], () => defaultTwin())
 */
export function lazyTwinHandlers(
  apis: readonly TwinApi[],
  getTwin: () => Promise<Twin>,
  { baseUrls = {}, controlBase = '*', only }: MswOptions = {},
): HttpHandler[] {
  const served = apis.filter((api) => !only || only.includes(api.name))
  const endpoints = served.map((api) => {
    if (api.routes) return operationsHandler(api, api.routes, baseUrls[api.name], getTwin)
    const route = api.method === 'PUT' ? http.put : http.patch
    return route(`${baseUrls[api.name] ?? `*/${api.name}`}${routePath(api.path)}`, async ({ request, params }) => {
      const twin = await getTwin()
      const args = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]))
      // A mounted control panel (apitwin/panel) adds standing faults and the journal; without one, the path is as before.
      const live = peekControls(twin)
      if (live) return controlled(live, api.name, twin, request, args)
      const faults = readFaults(request.headers)
      if ('error' in faults) return toResponse({ status: 400, body: { message: faults.error } })
      if (faults.delayMs > 0) await delay(faults.delayMs)
      if (faults.fail === 'network') return HttpResponse.error()
      if (faults.fail) return toResponse(injectedFailure(faults.fail))
      // The state is looked up per request so a reset, or a reading switched live, is seen by handlers made before.
      return toResponse(await twin.state(api.name).resolve(request, args))
    })
  })
  const controls = http.get(`${controlBase}/__twin/:api/:control`, async ({ params }) => {
    const twin = await getTwin()
    const api = served.find((a) => a.name === params['api'])
    const control = api && twin.state(api.name).controls?.[String(params['control'])]
    return control
      ? Response.json(control())
      : Response.json({ message: `No apitwin control ${String(params['api'])}/${String(params['control'])}` }, { status: 404 })
  })
  return [...endpoints, controls]
}

/** One request under a mounted control panel: the API's standing fault over the request's own, then the journal. */
async function controlled(
  live: LiveControls,
  api: string,
  twin: Twin,
  request: Request,
  params: Params,
  operation?: string,
): Promise<Response> {
  const started = performance.now()
  let body: string | undefined
  const answer = async (): Promise<Reply | undefined> => {
    const faults = withApiFault(readFaults(request.headers), live.faultOf(api))
    if ('error' in faults) return { status: 400, body: { message: faults.error } }
    if (faults.delayMs > 0) await delay(faults.delayMs)
    if (faults.fail === 'network') return undefined
    if (faults.fail) return injectedFailure(faults.fail)
    // Read through a view that keeps the body's text for the journal (the resolver reads it once).
    return twin
      .state(api)
      .resolve(live.journal ? { headers: request.headers, text: async () => (body = await request.text()) } : request, params, operation)
  }
  const reply = await answer()
  live.journal?.add(
    request.method,
    new URL(request.url).pathname,
    reply?.status ?? 'dropped',
    performance.now() - started,
    body,
    twin.apis.find((candidate) => candidate.name === api)?.secretKeys,
  )
  return reply ? toResponse(reply) : HttpResponse.error()
}

/**
 * One MSW handler for an API of many operations (imported from OpenAPI): everything under its mount, routed by
 * the same route table as `apitwin serve` (literals before templates; 404 and 405 in the API's error shape).
 */
function operationsHandler(api: TwinApi, table: RouteTable, baseUrl: string | undefined, getTwin: () => Promise<Twin>): HttpHandler {
  const base = baseUrl ?? `*/${api.name}`
  // The path under the mount: after the base URL's own path, or after `/<name>` for the default `*\/<name>`.
  const mount = baseUrl === undefined ? `/${api.name}` : new URL(baseUrl).pathname.replace(/\/+$/, '')
  return http.all(`${base}/*`, async ({ request }) => {
    const twin = await getTwin()
    const live = peekControls(twin)
    // Under a mounted control panel, `controlled` applies the request's faults with the API's standing one.
    if (!live) {
      const faults = readFaults(request.headers)
      if ('error' in faults) return toResponse(api.dialect.badRequest(faults.error))
      if (faults.delayMs > 0) await delay(faults.delayMs)
      if (faults.fail === 'network') return HttpResponse.error()
      if (faults.fail) return toResponse(injectedFailure(faults.fail))
    }
    const pathname = new URL(request.url).pathname
    const at = pathname.indexOf(`${mount}/`)
    const path = at === -1 ? '/' : pathname.slice(at + mount.length)
    const found = table.match(request.method, path)
    if (found === undefined) return toResponse(api.dialect.routeNotFound(request.method, path))
    if ('allowed' in found) return toResponse(api.dialect.methodNotAllowed(request.method, path, found.allowed))
    if (live) return controlled(live, api.name, twin, request, found.params, found.operation)
    return toResponse(await twin.state(api.name).resolve(request, found.params, found.operation))
  })
}
