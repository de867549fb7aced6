/*
 * The in-process path: one handled update through MSW's `setupServer` (msw/node), apitwin's handlers against a
 * bare MSW handler that answers a fixed JSON, in the same process and run, alternating rounds. The ratio is
 * what a frontend's test suite pays per mocked request for apitwin's pipeline over MSW's own cost.
 * Run alone: node --import tsx bench/in-process.ts  (prints JSON with --json)
 */
import { http, HttpResponse } from 'msw'
import { setupServer } from 'msw/node'
import { twinHandlers } from '../handlers/msw.ts'
import { createTwin } from '../handlers/twin.ts'

export interface InProcessResult {
  /** Mean µs per request through apitwin's handlers, and through the bare handler. */
  readonly apitwinUs: number
  readonly bareUs: number
  readonly ratio: number
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN

export async function inProcess({ requests = 2_000, rounds = 5 } = {}): Promise<InProcessResult> {
  const twin = await createTwin()
  const actor = twin.accounts('flextell')[0]
  if (!actor) throw new Error('no flextell actor')
  const server = setupServer(
    ...twinHandlers(twin, { baseUrls: { flextell: 'http://twin.bench/flextell' } }),
    http.put('http://bare.bench/flextell/api/v1/users/:id', async ({ request }) => HttpResponse.json({ success: 'ok', data: { id: 1, ...((await request.json()) as object) } })),
  )
  server.listen({ onUnhandledRequest: 'error' })
  let n = 0
  const send = async (origin: string) => {
    const res = await fetch(`${origin}/flextell/api/v1/users/${actor.userId}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${actor.token}`, 'content-type': 'application/json' },
      // A new title each time, so every apitwin request really writes.
      body: JSON.stringify({ title: `bench ${n++}`, is_active: true }),
    })
    if (res.status !== 200) throw new Error(`${origin} answered ${res.status}: ${await res.text()}`)
    await res.json()
  }
  const time = async (origin: string) => {
    const started = performance.now()
    for (let i = 0; i < requests; i++) await send(origin)
    return ((performance.now() - started) * 1000) / requests
  }
  try {
    await time('http://twin.bench')
    await time('http://bare.bench')
    const apitwin: number[] = []
    const bare: number[] = []
    for (let round = 0; round < rounds; round++) {
      apitwin.push(await time('http://twin.bench'))
      bare.push(await time('http://bare.bench'))
    }
    const apitwinUs = median(apitwin)
    const bareUs = median(bare)
    return { apitwinUs, bareUs, ratio: apitwinUs / bareUs }
  } finally {
    server.close()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await inProcess()
  console.log(process.argv.includes('--json') ? JSON.stringify(result) : `setupServer, one update: apitwin ${result.apitwinUs.toFixed(0)} µs, bare MSW handler ${result.bareUs.toFixed(0)} µs, ratio ${result.ratio.toFixed(2)}×`)
}
