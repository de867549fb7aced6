import type { LearnedByRule } from '../contracts/learned.ts'
import type { OpenApiContract } from '../contracts/openapi/contract.ts'
import type { ReadingChoice } from '../contracts/provenance.ts'
import { toResponse } from '../handlers/reply.ts'
import { createTwin } from '../handlers/twin.ts'
import type { Target } from './target.ts'
import { byLabel } from './targets.ts'

/**
 * The twin of an imported API as a `Target` that never touches the network or the global `fetch`: requests are
 * routed by the API's own route table straight to its resolver. What `referenceTarget` is for the four: `diff`,
 * `calibrate` and the probe checks ask it what a server following `readings` answers.
 * @example const reference = await openApiReferenceTarget(contract, { 'delete.then': '410' })
 */
export async function openApiReferenceTarget(
  contract: OpenApiContract,
  readings: ReadingChoice = {},
  learned?: LearnedByRule,
): Promise<Target> {
  const api = contract.name
  const twin = await createTwin({
    apis: [],
    openapi: { [api]: contract },
    readings: { [api]: readings },
    ...(learned && { learned: { [api]: learned } }),
  })
  const routes = twin.apis.find((a) => a.name === api)?.routes
  if (!routes) throw new Error(`apitwin bug: the twin of ${api} has no route table`)
  const origin = `http://apitwin.reference/${api}`
  const fetchReference = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input))
    const method = (init.method ?? 'GET').toUpperCase()
    const path = url.pathname.startsWith(`/${api}/`) ? url.pathname.slice(api.length + 1) : undefined
    const match = path === undefined ? undefined : routes.match(method, path)
    if (!match || !('operation' in match))
      return Response.json({ message: `The reference mock has no route for ${method} ${url.pathname}` }, { status: 404 })
    const body = typeof init.body === 'string' ? init.body : ''
    return toResponse(
      await twin
        .state(api)
        .resolve({ headers: new Headers(init.headers), text: async () => body, url: url.href }, match.params, match.operation),
    )
  }
  return {
    label: 'reference mock',
    baseUrl: origin,
    fetch: fetchReference,
    accounts: byLabel(twin.accounts(api), 'the reference mock'),
    allowWrites: true,
    disposable: true,
    timeoutMs: 5_000,
    readings,
    reset: () => twin.reset(),
  }
}
