/*
 * The CPU cost of one valid update inside the handler (no HTTP, no MSW), at 100 and at 100,000 users, alternating
 * rounds in one process: whether an update costs the same whatever the size, free of the network's noise.
 * Run alone: node --import tsx bench/handler-cost.ts  (prints JSON with --json)
 */
import type { RequestLike } from '../handlers/twin-api.ts'
import { createTwin } from '../handlers/twin.ts'

export interface HandlerCost {
  readonly api: string
  /** Median µs per update at 100 and at 100,000 users. */
  readonly smallUs: number
  readonly bigUs: number
  readonly ratio: number
}

const updates = {
  flextell: { param: 'id', body: (n: number) => ({ title: `b ${n}`, is_active: true }) },
  'rails-users': { param: 'id', body: (n: number) => ({ user: { first_name: `B ${n}` } }) },
  medibulut: { param: 'id', body: (n: number) => ({ role_id: 'admin', first_name: `B ${n}` }) },
  gorules: { param: 'userId', body: (n: number) => ({ firstName: `B ${n}` }) },
} as const
type Api = keyof typeof updates
type Twin = Awaited<ReturnType<typeof createTwin>>

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN
let n = 0

/** µs per update by the API's actor of itself. */
async function time(twin: Twin, api: Api, count: number): Promise<number> {
  const actor = twin.accounts(api)[0]
  if (!actor) throw new Error(`no ${api} actor`)
  const headers = {
    get: (name: string) => (name === 'authorization' ? `Bearer ${actor.token}` : name === 'content-type' ? 'application/json' : null),
  }
  const params = { tenantId: '101', [updates[api].param]: String(actor.userId) }
  const state = twin.state(api)
  const started = performance.now()
  for (let i = 0; i < count; i++) {
    const text = JSON.stringify(updates[api].body(n++))
    const request: RequestLike = { headers, text: () => Promise.resolve(text) } // the two members a resolver reads
    const reply = await state.resolve(request, params)
    if (reply.status !== 200) throw new Error(`${api} answered ${reply.status}: ${JSON.stringify(reply.body)}`)
  }
  return ((performance.now() - started) * 1000) / count
}

export async function handlerCost({ requests = 5_000, rounds = 7 } = {}): Promise<HandlerCost[]> {
  const small = await createTwin({ users: 100 })
  const big = await createTwin({ users: 100_000 })
  const results: HandlerCost[] = []
  for (const api of Object.keys(updates) as Api[]) {
    await time(small, api, requests)
    await time(big, api, requests)
    const s: number[] = []
    const b: number[] = []
    for (let round = 0; round < rounds; round++) {
      // Alternating which size goes first, so neither always meets the warmer (or the noisier) moment.
      if (round % 2 === 0) {
        s.push(await time(small, api, requests))
        b.push(await time(big, api, requests))
      } else {
        b.push(await time(big, api, requests))
        s.push(await time(small, api, requests))
      }
    }
    results.push({ api, smallUs: median(s), bigUs: median(b), ratio: median(b) / median(s) })
  }
  return results
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = await handlerCost()
  if (process.argv.includes('--json')) console.log(JSON.stringify(results))
  else
    for (const r of results)
      console.log(`${r.api}: 100 users ${r.smallUs.toFixed(2)} µs, 100,000 users ${r.bigUs.toFixed(2)} µs, ratio ${r.ratio.toFixed(2)}`)
}
