import type { LearnedByRule } from '../contracts/learned.ts'
import type { ReadingChoice } from '../contracts/provenance.ts'
import { CAUSE_HEADER } from '../handlers/causes.ts'
import { toResponse } from '../handlers/reply.ts'
import { apis, createTwin } from '../handlers/twin.ts'
import type { Suite } from './check.ts'
import type { Target } from './target.ts'
import { byLabel } from './targets.ts'

/**
 * The mock as a `Target` that never touches the network or the global `fetch`: requests go straight to the API's
 * resolver. `diff`, `calibrate` and the probe checks ask it what a server following `readings` answers, while the
 * live target (or an MSW-patched `fetch`) keeps working beside it.
 * `learned`: the dialect pieces calibrate learned for this API, applied to its refusals.
 * @example const reference = await referenceTarget('medibulut', { 'tenant.forbidden': '404' })
 */
export async function referenceTarget(api: string, readings: ReadingChoice = {}, learned?: LearnedByRule): Promise<Target> {
  const found = apis.find((a) => a.name === api)
  if (!found) throw new Error(`Unknown API "${api}"; known: ${apis.map((a) => a.name).join(', ')}`)
  const twin = await createTwin({ apis: [found], readings: { [api]: readings }, ...(learned && { learned: { [api]: learned } }) })
  const origin = `http://apitwin.reference/${api}`
  const names: string[] = []
  const route = new RegExp(
    `^${found.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_, name: string) => (names.push(name), '([^/]+)'))}$`,
  )
  const fetchReference = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input))
    const match = url.pathname.startsWith(`/${api}/`) || url.pathname === `/${api}` ? route.exec(url.pathname.slice(api.length + 1)) : null
    const method = (init.method ?? 'GET').toUpperCase()
    if (!match || method !== found.method)
      return Response.json({ message: `The reference mock has no route for ${method} ${url.pathname}` }, { status: 404 })
    const params = Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1] ?? '')]))
    const body = typeof init.body === 'string' ? init.body : ''
    const reply = await twin.state(api).resolve({ headers: new Headers(init.headers), text: async () => body }, params)
    // The cause of a refusal, for calibrate to learn a server's answers per cause (handlers/causes.ts); only here.
    return toResponse(reply.cause === undefined ? reply : { ...reply, headers: { ...reply.headers, [CAUSE_HEADER]: reply.cause } })
  }
  return {
    label: 'reference mock',
    baseUrl: origin,
    fetch: fetchReference,
    accounts: byLabel(twin.accounts(api), 'the reference mock'),
    allowWrites: true,
    disposable: true,
    timeoutMs: 5_000,
    reset: () => twin.reset(),
  }
}

/**
 * The reference mock of a suite's API under `readings`: the suite's own (an imported API's), else the four's.
 * @example const mock = await referenceOf(suite, { 'delete.then': '410' })
 */
export function referenceOf(suite: Suite, readings: ReadingChoice = {}, learned?: LearnedByRule): Promise<Target> {
  return suite.reference ? suite.reference(readings, learned) : referenceTarget(suite.api, readings, learned)
}
