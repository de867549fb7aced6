import { REQUEST_ORDER } from '../handlers/learned-order.ts'
import type { Exchange } from './check.ts'
import type { Pair } from './diff.ts'

/**
 * Learns the order a Laravel server lists its `errors` in (issue 21). Laravel validates a Form Request's fields in
 * the order of its `rules()` array, so `errors` keys and the summary's first message follow it; the doc shows
 * one order (its 422 example) and the mock follows the field table's. Where a server lists fields in another order,
 * its refusals show it: every refusal naming two fields says which comes first. The learned order is every field
 * seen, each after the fields the server put before it; fields the server never showed together keep the mock's
 * order. Nothing is learned where the server agrees with the mock, or contradicts itself (no single order).
 */

/** A key's field: `service_ids.0` is `service_ids`' (Laravel validates `service_ids.*` right after `service_ids`). */
const fieldOf = (key: string): string => key.split('.')[0] ?? key

/** A Laravel refusal's fields in the order its `errors` lists them; undefined for any other body. */
function fieldsListed(exchange: Exchange): string[] | undefined {
  const body = exchange.body
  if (exchange.status < 400 || typeof body !== 'object' || body === null || Array.isArray(body)) return undefined
  const errors = (body as Record<string, unknown>)['errors']
  if (typeof errors !== 'object' || errors === null || Array.isArray(errors)) return undefined
  return [...new Set(Object.keys(errors).map(fieldOf))]
}

/** The fields a request's body sent, in its order. */
function sentFields(pair: Pair): string[] {
  const { body, rawBody } = pair.live.options
  let value: unknown = body
  if (rawBody !== undefined)
    try {
      value = JSON.parse(rawBody) as unknown
    } catch {
      return []
    }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.keys(value) : []
}

/** Field pairs `a b` where `a` was listed before `b`. */
function precedences(fields: readonly string[]): string[] {
  return fields.flatMap((a, i) => fields.slice(i + 1).map((b) => `${a} ${b}`))
}

/** What one learner concluded: the order, the rule a difference in it is charged to, the requests that showed it. */
export interface LearnedOrder {
  readonly order: readonly string[]
  readonly rule: string
  readonly seen: readonly string[]
}

/**
 * Collects the pairs `diff` sends both sides; `result` is the server's order where it differs from the mock's.
 * @example const order = orderLearner(); await diff(suite, live, mock, { onPair: order.add }); order.result()
 */
export function orderLearner(): { add(pair: Pair): void; result(): LearnedOrder | undefined } {
  const [live, mock] = [new Set<string>(), new Set<string>()]
  // Whether every refusal listed its fields in the order the request sent them (an app validating field by field
  // as the body goes): no single rules() order then, but one that holds all the same.
  let byRequest = { held: true, seen: 0 }
  // The mock's fields in first-seen order: how fields the server never showed together stay.
  const known: string[] = []
  let disagreement: { rule: string; seen: string[] } | undefined
  return {
    add(pair) {
      const [theirs, mine] = [fieldsListed(pair.live.exchange), fieldsListed(pair.mock.exchange)]
      if (theirs === undefined || mine === undefined) return
      for (const field of [...mine, ...theirs]) if (!known.includes(field)) known.push(field)
      for (const p of precedences(mine)) mock.add(p)
      const shared = theirs.filter((f) => mine.includes(f))
      const differs = shared.join(',') !== mine.filter((f) => theirs.includes(f)).join(',')
      for (const p of precedences(theirs)) live.add(p)
      const sent = sentFields(pair)
      const listed = theirs.filter((f) => sent.includes(f))
      if (listed.length >= 2) {
        const held = listed.join(',') === sent.filter((f) => listed.includes(f)).join(',')
        byRequest = { held: byRequest.held && held, seen: byRequest.seen + 1 }
      }
      if (differs) {
        disagreement ??= { rule: pair.charge('error messages'), seen: [] }
        if (disagreement.seen.length < 5 && !disagreement.seen.includes(pair.request)) disagreement.seen.push(pair.request)
      }
    },
    result() {
      if (disagreement === undefined) return undefined
      // The mock's own order first, so fields the server never showed together keep it.
      const order = totalOrder(totalOrder(known, mock) ?? known, live)
      if (order !== undefined) return { order, ...disagreement }
      return byRequest.held && byRequest.seen > 0 ? { order: [REQUEST_ORDER], ...disagreement } : undefined
    },
  }
}

/**
 * Every field of `known`, each after those `before` puts first (Kahn's algorithm); among fields free to go next,
 * the first of `known`. Undefined where `before` has a cycle (no single order explains what was seen).
 * @example totalOrder(['a', 'b', 'c'], new Set(['c a'])) // ['b', 'c', 'a']
 */
export function totalOrder(known: readonly string[], before: ReadonlySet<string>): string[] | undefined {
  const edges = [...before].map((p) => p.split(' ') as [string, string])
  const out: string[] = []
  const left = [...known]
  while (left.length > 0) {
    const next = left.find((f) => !edges.some(([a, b]) => b === f && left.includes(a)))
    if (next === undefined) return undefined
    out.push(next)
    left.splice(left.indexOf(next), 1)
  }
  return out
}
