import type { Json, Learned, LearnedByRule } from '../contracts/learned.ts'
import { CAUSE_HEADER } from '../handlers/causes.ts'
import { isLaravelSummary, kindOf, leadingMessage, slotKey, slotsOf, type Slot } from '../handlers/learned-replies.ts'
import { bodyIdSwaps, paramPlaceholder, swapsOf, toPlaceholders, type Swaps } from '../handlers/placeholders.ts'
import { pathValues, type Exchange, type SendOptions, type Suite } from './check.ts'
import { diff, type Aspect, type Pair } from './diff.ts'
import { orderLearner } from './learn-order.ts'
import { rulesLearner } from './learn-rules.ts'
import { accountSwaps } from './placeholders.ts'
import type { Target } from './target.ts'

/** One thing a refusal showed: a piece (or, where the server answers as the mock does, agreement) for one key. */
interface Sighting {
  readonly table: 'statuses' | 'bodies' | 'messages'
  readonly key: string
  /** The cause the mock gave the refusal (handlers/causes.ts), '' where it names none. */
  readonly cause: string
  readonly value: Json
  /** The server answered as the mock does: kept only to tell a piece seen two ways. */
  readonly agreed: boolean
  readonly rule: string
  readonly request: string
}

/**
 * Learns the dialect pieces no reading gives (issue 21): sends the suite's requests to the live server and to the
 * mock (under the readings calibrate found), as `diff` does, and from every request both refused (so nothing
 * changed) keeps where the server's answer differs: its status, its error body's keys and fixed values, its texts
 * slot by slot. Each piece is filed under the rule `diff` charges the difference to, with the request that showed
 * it. Account values and the request's ids are placeholders by whole value: no secret or account is kept.
 *
 * A piece holds for every refusal of its status (or text) where the server answered all of them alike. Where it
 * answered them two ways, each way is kept for the cause the mock gave those refusals (`causes`: a missing token
 * and a bad one, a route's 404 and a record's), as the reference mock tells it (CAUSE_HEADER); a way seen for
 * refusals of no cause, or of one cause two ways, is left out, and diff keeps showing those refusals.
 * @example const learned = await learn(suites.gorules, live, await referenceTarget('gorules', readings))
 */
export async function learn(suite: Suite, live: Target, mock: Target): Promise<LearnedByRule> {
  const sightings: Sighting[] = []
  const secrets = [live, mock].flatMap((target) => Object.values(target.accounts).flatMap((a) => (a?.token ? [a.token] : [])))
  const onPair = (pair: Pair) => {
    const [me, le] = [pair.mock.exchange, pair.live.exchange]
    // Only refusals (4xx on both sides): a request both refused changed nothing, on either server.
    if (me.status < 400 || le.status < 400 || me.status >= 500 || le.status >= 500) return
    if (!isObject(me.body) || !isObject(le.body)) return
    const [mockSwaps, liveSwaps] = [swapsFor(suite, mock, pair.mock.options), swapsFor(suite, live, pair.live.options)]
    const saw = (table: Sighting['table'], key: string, value: Json, agreed: boolean, aspect: Aspect) => {
      const rule = pair.charge(aspect)
      // What breaks a documented rule is the server's bug, not its dialect: the mock keeps to the doc.
      if (suite.rules[rule]?.provenance.kind === 'documented') return
      sightings.push({ table, key, cause: me.headers.get(CAUSE_HEADER) ?? '', value, agreed, rule, request: pair.request })
    }
    // Agreement is a sighting too: a status the server gives one cause's refusal and not another's (404 for an
    // unknown user, 422 where it judged the body first) is learned for that cause alone, or not at all.
    saw('statuses', `${me.status} ${toPlaceholders(leadingMessage(me.body), mockSwaps)}`, le.status, me.status === le.status, 'status')
    const body = template(me, le, distinctive(liveSwaps, ''), requestPath(suite, live, pair.live.options))
    saw('bodies', String(le.status), body, isIdentity(body, me.body, le.status), 'body shape')
    // Where the server's body takes the mock's message under its own key (`message` ← `detail`), the two texts pair.
    const renamed = Object.entries(body).flatMap(([key, value]) =>
      typeof value === 'string' && /^<mock\.[^>[]+>$/.test(value) && value !== `<mock.${key}>` ? [[value.slice(6, -1), key] as const] : [],
    )
    const sent = sentBody(pair.mock.options)
    for (const [mine, theirs] of pairSlots(me, le, renamed)) {
      const key = slotKey(mine.texts, mockSwaps)
      // A number in the server's text is an id only where the mock's text holds its own id in that place ("1" in
      // "must be 1 (active)" is no account); e-mails and tokens are always replaced, never learned.
      const value = theirs.texts.map((t) => toPlaceholders(t, distinctive(liveSwaps, key)))
      if (secrets.some((s) => value.some((t) => t.includes(s)))) continue
      // Texts that already agree are kept too, as agreement: a text the server words as the mock does for one value
      // and otherwise for another of the same kind is a conflict, not a template.
      saw('messages', key + kindOf(mine.id, sent), value, JSON.stringify(value) === key, 'error messages')
    }
  }
  const [order, limits] = [orderLearner(), rulesLearner()]
  await diff(suite, live, mock, { onPair: (pair) => (onPair(pair), order.add(pair), limits.add(pair)) })
  const out: Record<string, Learned> = { ...filed(sightings) }
  // Where the server lists its errors and where it states its limits: kept beside the rule's other pieces.
  const also = (rule: string, extra: Partial<Learned>, seen: readonly string[]) =>
    (out[rule] = { ...out[rule], ...extra, seen: [...new Set([...(out[rule]?.seen ?? []), ...seen])].slice(0, 10) })
  const fields = order.result()
  if (fields) also(fields.rule, { order: fields.order }, fields.seen)
  for (const [rule, { rules, seen }] of limits.result().byRule) also(rule, { rules }, seen)
  return out
}

/** The pieces the sightings agree on, by rule: for every cause where all agree, else for each cause that does. */
function filed(sightings: readonly Sighting[]): LearnedByRule {
  interface Pieces {
    statuses: Record<string, number>
    bodies: Record<string, Record<string, Json>>
    messages: Record<string, string[]>
    seen: Set<string>
  }
  const empty = (): Pieces => ({ statuses: {}, bodies: {}, messages: {}, seen: new Set() })
  const byRule = new Map<string, { general: Pieces; causes: Map<string, Pieces> }>()
  const put = (pieces: Pieces, { table, key, value, request }: Sighting) => {
    ;(pieces[table] as Record<string, Json>)[key] = value
    pieces.seen.add(request)
  }
  const ruleOf = (rule: string) => {
    const found = byRule.get(rule) ?? { general: empty(), causes: new Map<string, Pieces>() }
    byRule.set(rule, found)
    return found
  }
  const groups = new Map<string, Sighting[]>()
  for (const s of sightings) groups.set(`${s.table} ${s.key}`, [...(groups.get(`${s.table} ${s.key}`) ?? []), s])
  const oneWay = (group: readonly Sighting[]) => new Set(group.map((s) => JSON.stringify(s.value))).size === 1
  for (const group of groups.values()) {
    if (oneWay(group)) {
      for (const s of group) if (!s.agreed) put(ruleOf(s.rule).general, s)
      continue
    }
    const byCause = new Map<string, Sighting[]>()
    for (const s of group) if (s.cause !== '') byCause.set(s.cause, [...(byCause.get(s.cause) ?? []), s])
    for (const [cause, seen] of byCause) {
      if (!oneWay(seen)) continue
      for (const s of seen) {
        if (s.agreed) continue
        const { causes } = ruleOf(s.rule)
        const pieces = causes.get(cause) ?? empty()
        causes.set(cause, pieces)
        put(pieces, s)
      }
    }
  }
  const out: Record<string, Learned> = {}
  const present = (pieces: Pieces) => ({
    ...(Object.keys(pieces.statuses).length > 0 && { statuses: pieces.statuses }),
    ...(Object.keys(pieces.bodies).length > 0 && { bodies: pieces.bodies }),
    ...(Object.keys(pieces.messages).length > 0 && { messages: pieces.messages }),
  })
  for (const [rule, { general, causes }] of byRule) {
    const scoped = Object.fromEntries(
      [...causes].map(([cause, pieces]) => [cause, { ...present(pieces), seen: [...pieces.seen].slice(0, 5) }]),
    )
    const seen = new Set([...general.seen, ...[...causes.values()].flatMap((p) => [...p.seen])])
    if (Object.keys(present(general)).length === 0 && causes.size === 0) continue
    out[rule] = { ...present(general), ...(causes.size > 0 && { causes: scoped }), seen: [...seen].slice(0, 5) }
  }
  return out
}

/**
 * Whether a body template gives back the mock's body as it is: the same keys, each the mock's own value (or the
 * status where the mock's value is that status). Such a body is agreement, not a piece.
 */
function isIdentity(template: Readonly<Record<string, Json>>, mock: Record<string, unknown>, status: number): boolean {
  const keys = Object.keys(template)
  return (
    keys.length === Object.keys(mock).length &&
    keys.every((key) => key in mock && (template[key] === `<mock.${key}>` || (template[key] === '<status>' && mock[key] === status)))
  )
}

/** The body a request sent, parsed; undefined when it sent none or no JSON. */
function sentBody(options: SendOptions): unknown {
  if (options.rawBody === undefined) return options.body
  try {
    return JSON.parse(options.rawBody) as unknown
  } catch {
    return undefined
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)
const isTexts = (value: unknown): boolean => Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')

/** A request's path ids and the target's accounts, each with its placeholder, the path ids first. */
function swapsFor(suite: Suite, target: Target, options: SendOptions): Swaps {
  const path = Object.entries(pathValues(suite, target, options)).map(([name, value]) => [value, paramPlaceholder(name, value)] as const)
  return [...swapsOf(path), ...bodyIdSwaps(sentBody(options)), ...swapsOf(accountSwaps(target))]
}

/**
 * The swaps safe to apply to a server's text: e-mails and tokens, the placeholders the mock's own text holds, the
 * request's path ids long enough to be no count or code, and the ids its body sent ("User 3f2a…e9 not found" is
 * about this request's id, so the mock says it of the next request's; a "2" may be "2 more errors").
 */
function distinctive(swaps: Swaps, mockText: string): Swaps {
  return swaps.filter(
    ([value, placeholder]) =>
      /\.(?:email|token)>$/.test(placeholder) ||
      mockText.includes(placeholder) ||
      placeholder.startsWith('<body.') ||
      (placeholder.startsWith('<param.') && value.length >= 4),
  )
}

/** The path the request went to within the API (`/planets/7`), for an imported API's operation; else undefined. */
function requestPath(suite: Suite, target: Target, options: SendOptions): string {
  const values = pathValues(suite, target, options)
  return (options.path ?? suite.path).replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? ''))
}

// Keys under which bodies carry their human message (RFC 9457's detail, Spring's and Nest's message, OAuth's
// error_description): where the server's key is one and the mock's is another, the mock's text goes there.
const MESSAGE_KEY = /^(message|detail|details|error_?description|error_?message|msg|reason)$/i
// A date-time a body stamps on each reply (Spring's `timestamp`): never a fixed value of the server's dialect.
const STAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/

/**
 * The server's body for a status: `<status>` where the status goes, `<now>` where a time is stamped, `<path>` where
 * the request's path is echoed (after any base path of the server), the mock's value where the key is shared (or
 * both keys hold the message), the server's fixed values elsewhere, with account values as placeholders.
 */
function template(mock: Exchange, live: Exchange, swaps: Swaps, path: string | undefined): Record<string, Json> {
  const mine = isObject(mock.body) ? mock.body : {}
  const theirs = isObject(live.body) ? live.body : {}
  const message = Object.keys(mine).find((key) => MESSAGE_KEY.test(key) && typeof mine[key] === 'string' && !(key in theirs))
  const out: Record<string, Json> = {}
  for (const [key, value] of Object.entries(theirs)) {
    const shared = key in mine && typeof mine[key] === typeof value && Array.isArray(mine[key]) === Array.isArray(value)
    if (value === live.status) out[key] = '<status>'
    // A fixed text beside another status is that status's (NestJS's `error: "Not Found"` where the mock said 400).
    else if (shared && live.status !== mock.status && !MESSAGE_KEY.test(key) && typeof value === 'string' && value !== mine[key])
      out[key] = toPlaceholders(value, swaps)
    else if (shared) out[key] = `<mock.${key}>`
    // One text where the mock lists them (a service's BadRequestException beside the ValidationPipe's list).
    else if (typeof value === 'string' && MESSAGE_KEY.test(key) && isTexts(mine[key])) out[key] = `<mock.${key}[0]>`
    else if (typeof value === 'string' && STAMP.test(value)) out[key] = '<now>'
    else if (typeof value === 'string' && path !== undefined && /^(\/|https?:\/\/)/.test(value) && value.endsWith(path))
      out[key] = `${toPlaceholders(value.slice(0, -path.length), swaps)}<path>`
    else if (typeof value === 'string' && message !== undefined && MESSAGE_KEY.test(key)) out[key] = `<mock.${message}>`
    else out[key] = typeof value === 'string' ? toPlaceholders(value, swaps) : (value as Json)
  }
  return out
}

/**
 * The mock's and the server's text slots of one refusal, paired by place; where a place has one slot on each side
 * under other names (a list grouped by another first word), those two. A Laravel summary is left out: the mock
 * recomputes it from the errors.
 */
function pairSlots(mock: Exchange, live: Exchange, renamed: ReadonlyArray<readonly [string, string]> = []): Array<readonly [Slot, Slot]> {
  const summary = isLaravelSummary(mock.body) && isLaravelSummary(live.body)
  const [mine, theirs] = [slotsOf(mock.body), slotsOf(live.body)].map((slots) => slots.filter((s) => !(summary && s.id === 'message')))
  const pairs: Array<readonly [Slot, Slot]> = []
  const left: Slot[] = []
  for (const slot of mine ?? []) {
    const as = renamed.find(([from]) => from === slot.id)?.[1] ?? slot.id
    const other = theirs?.find((s) => s.id === as)
    if (other) pairs.push([slot, other])
    else left.push(slot)
  }
  const prefix = (id: string) => id.replace(/\[.*$/, '')
  for (const slot of left) {
    const candidates = (theirs ?? []).filter((s) => prefix(s.id) === prefix(slot.id) && !(mine ?? []).some((m) => m.id === s.id))
    const single = candidates.length === 1 && left.filter((l) => prefix(l.id) === prefix(slot.id)).length === 1 ? candidates[0] : undefined
    if (single) pairs.push([slot, single])
  }
  return pairs
}
