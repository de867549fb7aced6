/*
 * The in-process path: one handled update through MSW's `setupServer` (msw/node) on each API, apitwin's handlers
 * against a bare MSW handler that answers a fixed JSON on the same method and path, in the same process and run,
 * alternating rounds. The ratio is what a frontend's test suite pays per mocked request for apitwin's pipeline
 * over MSW's own cost.
 * Run alone: node --import tsx bench/in-process.ts  (prints JSON with --json)
 */
import { http, HttpResponse } from 'msw'
import { setupServer } from 'msw/node'
import { twinHandlers } from '../handlers/msw.ts'
import { createTwin } from '../handlers/twin.ts'

export interface InProcessResult {
  readonly api: string
  /** Mean µs per request through apitwin's handlers, and through the bare handler. */
  readonly apitwinUs: number
  readonly bareUs: number
  readonly ratio: number
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN

/** A valid update of itself by each API's actor (a fresh value each time, so every apitwin request writes). */
const updates = {
  flextell: {
    method: 'PUT',
    path: (id: string | number) => `/api/v1/users/${id}`,
    body: (n: number) => ({ title: `bench ${n}`, is_active: true }),
  },
  'rails-users': {
    method: 'PUT',
    path: (id: string | number) => `/users/${id}`,
    body: (n: number) => ({ user: { first_name: `Bench ${n}` } }),
  },
  medibulut: {
    method: 'PATCH',
    path: (id: string | number) => `/101/users/${id}`,
    body: (n: number) => ({ role_id: 'admin', first_name: `Bench ${n}` }),
  },
  gorules: { method: 'PUT', path: (id: string | number) => `/api/users/${id}`, body: (n: number) => ({ firstName: `Bench ${n}` }) },
} as const
type Api = keyof typeof updates

export async function inProcess({ requests = 2_000, rounds = 5 } = {}): Promise<InProcessResult[]> {
  const twin = await createTwin()
  const apis = Object.keys(updates) as Api[]
  const baseUrls = Object.fromEntries(apis.map((api) => [api, `http://twin.bench/${api}`]))
  const bare = apis.map((api) => {
    const path = `http://bare.bench/${api}${updates[api].path(':id')}`
    const answer = async ({ request }: { request: Request }) =>
      HttpResponse.json({ success: 'ok', data: { id: 1, ...((await request.json()) as object) } })
    return updates[api].method === 'PATCH' ? http.patch(path, answer) : http.put(path, answer)
  })
  const server = setupServer(...twinHandlers(twin, { baseUrls }), ...bare)
  server.listen({ onUnhandledRequest: 'error' })
  let n = 0
  const results: InProcessResult[] = []
  try {
    for (const api of apis) {
      const actor = twin.accounts(api)[0]
      if (!actor) throw new Error(`no ${api} actor`)
      const { method, path, body } = updates[api]
      const send = async (origin: string) => {
        const res = await fetch(`${origin}/${api}${path(actor.userId)}`, {
          method,
          headers: { authorization: `Bearer ${actor.token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body(n++)),
        })
        if (res.status !== 200) throw new Error(`${origin} answered ${res.status}: ${await res.text()}`)
        await res.json()
      }
      const time = async (origin: string) => {
        const started = performance.now()
        for (let i = 0; i < requests; i++) await send(origin)
        return ((performance.now() - started) * 1000) / requests
      }
      await time('http://twin.bench')
      await time('http://bare.bench')
      const apitwin: number[] = []
      const plain: number[] = []
      for (let round = 0; round < rounds; round++) {
        apitwin.push(await time('http://twin.bench'))
        plain.push(await time('http://bare.bench'))
      }
      const apitwinUs = median(apitwin)
      const bareUs = median(plain)
      results.push({ api, apitwinUs, bareUs, ratio: apitwinUs / bareUs })
    }
    return results
  } finally {
    server.close()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = await inProcess()
  if (process.argv.includes('--json')) console.log(JSON.stringify(results))
  else
    for (const r of results)
      console.log(
        `setupServer, one ${r.api} update: apitwin ${r.apitwinUs.toFixed(0)} µs, bare MSW handler ${r.bareUs.toFixed(0)} µs, ratio ${r.ratio.toFixed(2)}×`,
      )
}
