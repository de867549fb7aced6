/*
 * Whether a change made an API's update slower: the handler's CPU per valid update (bench/handler-cost.ts) in this
 * tree and in another checkout of the project, both imported into one process and measured in alternating rounds
 * (this tree first, then the other, then the other way round), so the noise of a shared machine hits both sides of
 * the ratio alike. Run as separate processes the same medians swing by a third from run to run here.
 *   git worktree add /tmp/apitwin-base <rev> && ln -s "$PWD/node_modules" /tmp/apitwin-base/node_modules
 *   node --import tsx bench/handler-ab.ts /tmp/apitwin-base   (BENCH_ROUNDS, default 8)
 * Prints, per API, the median µs per update of each tree and this ÷ other: above 1, this tree is slower.
 */
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { handlerCost, type HandlerCost } from './handler-cost.ts'
import { median } from './load.ts'

type Cost = (options?: { requests?: number; rounds?: number }) => Promise<HandlerCost[]>

/**
 * Median µs per update of `mine` and `theirs`, per API, over `rounds` alternating rounds.
 * @example await compare(handlerCost, otherHandlerCost, 8) // [{ api: 'flextell', mine: 13.3, theirs: 13.0 }, …]
 */
export async function compare(mine: Cost, theirs: Cost, rounds: number): Promise<Array<{ api: string; mine: number; theirs: number }>> {
  const seen = new Map<string, { mine: number[]; theirs: number[] }>()
  for (let round = 0; round < rounds; round++) {
    const sides = round % 2 === 0 ? (['mine', 'theirs'] as const) : (['theirs', 'mine'] as const)
    for (const side of sides) {
      for (const cost of await (side === 'mine' ? mine : theirs)({ requests: 4_000, rounds: 3 })) {
        const entry = seen.get(cost.api) ?? { mine: [], theirs: [] }
        seen.set(cost.api, entry)
        entry[side].push(cost.smallUs, cost.bigUs)
      }
    }
  }
  return [...seen].map(([api, { mine: a, theirs: b }]) => ({ api, mine: median(a), theirs: median(b) }))
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const other = process.argv[2]
  if (other === undefined || other === '--help') {
    console.log('usage: node --import tsx bench/handler-ab.ts <another checkout of apitwin, with node_modules>')
    process.exit(other === undefined ? 2 : 0)
  }
  const theirs = (await import(pathToFileURL(resolve(other, 'bench/handler-cost.ts')).href)) as { handlerCost: Cost }
  const rows = await compare(handlerCost, theirs.handlerCost, Number(process.env['BENCH_ROUNDS'] ?? '8'))
  for (const row of rows)
    console.log(
      `${row.api.padEnd(12)} this ${row.mine.toFixed(2)} µs  other ${row.theirs.toFixed(2)} µs  this ÷ other ${(row.mine / row.theirs).toFixed(2)}`,
    )
}
