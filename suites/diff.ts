import type { Provenance } from '../contracts/provenance.ts'
import { runCheck, type Check, type CheckContext, type Exchange, type Rules, type SendOptions, type Suite } from './check.ts'
import { replaceWhole } from '../handlers/placeholders.ts'
import { accountPlaceholders, sameLines, valueNames } from './placeholders.ts'
import { observationKey, probesOf } from './probes.ts'
import type { Target } from './target.ts'

/**
 * `apitwin diff`: the same requests to the mock and to a live server, every difference in what comes back, each
 * charged to the contract rule it concerns. The requests are the suite's checks and one probe per inferred rule,
 * sent by the same engine that `verify` uses (so the same safety: only refusals unless writes are allowed); each
 * side acts with its own accounts under the same labels (actor, peer, foreign).
 */

/** `behaviour`: a probe's answer differs though each response looks alike (updated_at moved on one side only). */
export type Aspect = 'status' | 'content-type' | 'body shape' | 'error messages' | 'behaviour'

export interface Difference {
  /** The rule the request was about (the first one its assertions name). */
  readonly rule: string
  readonly text: string
  /** The weakest of the rules the request's assertions rest on: one inferred premise makes the difference inferred. */
  readonly provenance: Provenance['kind']
  /** Why the rule is inferred, when it is. */
  readonly why?: string
  readonly check: string
  readonly request: string
  readonly aspect: Aspect
  readonly mock: string
  readonly live: string
}

/** A field the live server returns that the mock (and so the contract) does not: informational. */
export interface Extra {
  readonly check: string
  readonly request: string
  readonly path: string
  readonly type: string
}

export interface DiffResult {
  readonly api: string
  readonly target: string
  readonly differences: readonly Difference[]
  readonly extras: readonly Extra[]
  /** Checks not sent (writes not allowed, an account missing), with the reason. */
  readonly skipped: ReadonlyArray<{ readonly check: string; readonly reason: string }>
  /** Request pairs compared. */
  readonly compared: number
  /** What a check left changed on the live server and could not undo (a restore it refused): put it back by hand. */
  readonly leftBehind: ReadonlyArray<{ readonly check: string; readonly what: string }>
}

interface Recorded {
  readonly options: SendOptions
  readonly exchange: Exchange
  readonly rules: Set<string>
}

/** Where a difference goes that no rule of the contract pins down (charged as inferred: never a failure). */
export const UNATTRIBUTED = '(unattributed)'

const list = <R extends string>(rules: Rules<R>): readonly R[] => (typeof rules === 'string' ? [rules] : rules)

/** The check, sending through a context that records each exchange and the rules asserted about it. */
function recording(check: Check, log: Recorded[]): Check {
  return {
    ...check,
    run: async (t) => {
      const note = (rules: Rules<string>) => {
        const last = log.at(-1)
        if (last) for (const rule of list(rules)) last.rules.add(rule)
      }
      const context: CheckContext<string> = {
        ...t,
        send: async (options = {}) => {
          const exchange = await t.send(options)
          log.push({ options, exchange, rules: new Set() })
          return exchange
        },
        expect: (rules, ok, detail) => (note(rules), t.expect(rules, ok, detail)),
        given: (rules, ok, detail) => (note(rules), t.given(rules, ok, detail)),
        matches: (rules, schema, value, label) => (note(rules), t.matches(rules, schema, value, label)),
      }
      await check.run(context)
    },
  }
}

/** A request as both sides send it: the account label, the body's keys, extra headers; never ids or tokens. */
function signature(options: SendOptions): string {
  const as = typeof options.as === 'object' ? 'a raw token' : (options.as ?? 'actor')
  const body = options.rawBody !== undefined ? `raw(${options.rawBody.length})` : JSON.stringify(shapeKeys(options.body))
  const headers = Object.keys(options.headers ?? {})
    .sort()
    .join(',')
  // An imported API's request names its operation (the four have one endpoint, named by the suite).
  const operation = options.path === undefined ? '' : `${options.method ?? ''} ${options.path} `
  return `${operation}as ${as}${options.userId !== undefined ? ' (another user id)' : ''} ${body}${headers ? ` headers:${headers}` : ''}`
}

/**
 * The path parameters a request carried, replaced by `<name>` in a text: the ids of items each side created
 * itself differ between the mock and the server ("planets 26 was deleted" is "planets 55 was deleted").
 */
function withoutParams(text: string, params: SendOptions['params']): string {
  return Object.entries(params ?? {}).reduce((out, [name, value]) => replaceWhole(out, String(value), `<${name}>`), text)
}

/** Date-times in a text as `<time>`: a body stamped with the moment of each reply (Spring's `timestamp`) says nothing. */
function withoutTimes(text: string): string {
  return text.replace(/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?/g, '<time>')
}

function shapeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? [] : [shapeKeys(value[0])]
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, shapeKeys((value as Record<string, unknown>)[k])]),
    )
  return typeof value
}

/** The paths a path lies under, nearest last: `a.b[].c` → `a`, `a.b`, `a.b[]`. */
function ancestors(path: string): string[] {
  const out: string[] = []
  for (const match of path.matchAll(/\.|\[\]/g)) {
    out.push(path.slice(0, match.index))
    if (match[0] === '[]') out.push(path.slice(0, match.index + 2))
  }
  return out.filter((above) => above !== '' && above !== path)
}

const typeOf = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value)

/** Every path of a JSON value with its type (`data.roles[].id: number`); array elements merged under `[]`. */
function paths(value: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  const type = typeOf(value)
  if (prefix !== '') out.set(prefix, out.has(prefix) && out.get(prefix) !== type ? `${out.get(prefix)}|${type}` : type)
  if (type === 'array') for (const item of value as unknown[]) paths(item, `${prefix}[]`, out)
  if (type === 'object')
    for (const [key, item] of Object.entries(value as object)) paths(item, prefix === '' ? key : `${prefix}.${key}`, out)
  return out
}

/** The texts of an error body (every string leaf but the status echo), with each side's own values replaced. */
function messagesOf(body: unknown, normalize: (text: string) => string): string[] {
  const out: string[] = []
  const walk = (value: unknown, key: string) => {
    if (typeof value === 'string') {
      if (key !== 'error' && key !== 'status') out.push(`${key}: ${normalize(value)}`)
    } else if (Array.isArray(value)) value.forEach((item) => walk(item, key))
    else if (typeof value === 'object' && value !== null)
      for (const [k, v] of Object.entries(value)) walk(v, /^\d+$/.test(k) ? key : k === 'message' ? key || 'message' : k)
  }
  walk(body, '')
  return out.sort()
}

const mediaType = (exchange: Exchange) => (exchange.headers.get('content-type') ?? '(none)').split(';')[0]?.trim().toLowerCase() ?? '(none)'

/** One request both sides were sent, as `diff` paired it: what `calibrate` learns from. */
export interface Pair {
  readonly check: string
  readonly request: string
  readonly mock: { readonly options: SendOptions; readonly exchange: Exchange }
  readonly live: { readonly options: SendOptions; readonly exchange: Exchange }
  /** The rule a difference of this aspect is charged to, as the report charges it. */
  charge(aspect: Aspect): string
}

/**
 * Sends the suite's checks and the inferred rules' probes to `mock` and `live`, pairs the exchanges of each check
 * in order (as long as both sides sent the same request), and reports every difference.
 * @example const result = await diff(suites.medibulut, live, await referenceTarget('medibulut'))
 */
export async function diff(
  suite: Suite,
  live: Target,
  mock: Target,
  { onPair }: { readonly onPair?: (pair: Pair) => void } = {},
): Promise<DiffResult> {
  const differences: Difference[] = []
  const extras: Extra[] = []
  const skipped: Array<{ check: string; reason: string }> = []
  const leftBehind: Array<{ check: string; what: string }> = []
  let compared = 0
  // What each side's probe concluded, by check title: compared when the exchanges alone show no difference.
  const answers = new Map<string, string>()
  const probeChecks = probesOf(suite).map((probe): Check & { forced: string } => ({
    title: `probe: ${probe.rule}`,
    forced: probe.rule,
    ...(probe.needs && { needs: probe.needs }),
    run: async (t) => void answers.set(`${t.target.label} ${probe.rule}`, observationKey(await probe.observe(t))),
  }))
  // Probes first: a rule whose probe answers differently explains the suite's differences at the same status.
  const all: Array<Check & { forced?: string }> = [...probeChecks, ...suite.checks]
  const differing: Array<{ readonly rule: string; readonly statuses: ReadonlySet<number> }> = []
  // The inferred rule an error text rests on, where the API has one (Laravel's wording, Nest's error body).
  const messagesRule = ['validation.messages', 'error.body', 'validation.summary'].find(
    (id) => suite.rules[id]?.provenance.kind === 'inferred',
  )
  const [normalizeMock, normalizeLive] = [accountPlaceholders(mock), accountPlaceholders(live)]
  for (const check of all) {
    const [mockLog, liveLog]: [Recorded[], Recorded[]] = [[], []]
    await mock.reset?.()
    const fromMock = await runCheck(suite, recording(check, mockLog), mock)
    await live.reset?.()
    const fromLive = await runCheck(suite, recording(check, liveLog), live)
    for (const what of fromLive.leftBehind ?? []) leftBehind.push({ check: check.title, what })
    if (fromLive.status === 'skip' || fromMock.status === 'skip') {
      // Skipped on the mock alone: a reading the mock follows (one owner) leaves it nothing to ask.
      skipped.push({ check: check.title, reason: fromLive.skipReason ?? `on the mock: ${fromMock.skipReason ?? 'skipped'}` })
      continue
    }
    const failed = new Set(fromLive.failures.map((f) => f.rule))
    const warned = fromLive.warnings.map((f) => f.rule)
    // A probe's differences are its rule's only when its answer differs; otherwise they come from another rule
    // (a Laravel 9 wording seen through the formats probe is validation.messages', not body.formats').
    const answered = (rule: string) => answers.get(`${mock.label} ${rule}`) !== answers.get(`${live.label} ${rule}`)
    // A probe that tells its readings apart only under another rule's reading (its `given`): where that rule's own
    // probe answered differently too, the difference is that rule's.
    const dependency = probesOf(suite).find((p) => p.rule === check.forced)?.given
    const upstream = Object.keys(dependency ?? {}).find((rule) => answered(rule))
    // Where the probe's own answer agrees, what differs in its requests is still that rule's (404 for 403 where both
    // mean "the guard refused").
    const forced = check.forced === undefined ? undefined : answered(check.forced) ? (upstream ?? check.forced) : upstream
    if (forced !== undefined) differing.push({ rule: forced, statuses: new Set(liveLog.map((r) => r.exchange.status)) })
    const before = differences.length
    for (let i = 0; i < Math.min(mockLog.length, liveLog.length); i++) {
      const [m, l] = [mockLog[i], liveLog[i]]
      if (!m || !l || signature(m.options) !== signature(l.options)) break
      compared++
      const request = `${suite.method} ${signature(m.options)}`
      const asserted = [...new Set([...m.rules, ...l.rules])].filter((id) => suite.rules[id] !== undefined)
      // Charged as verify would judge the live server: to a documented rule only when the live check failed on it,
      // else to the inferred rule the check warned about, else to the inferred rule the aspect rests on.
      const charge = (aspect: Aspect): string =>
        forced ??
        l.options.restsOn ??
        asserted.find((id) => failed.has(id)) ??
        asserted.find((id) => warned.includes(id)) ??
        warned[0] ??
        (aspect === 'error messages' ? messagesRule : undefined) ??
        asserted.find((id) => suite.rules[id]?.provenance.kind === 'inferred') ??
        differing.find((d) => d.statuses.has(l.exchange.status))?.rule ??
        UNATTRIBUTED
      onPair?.({ check: check.title, request, mock: m, live: l, charge })
      const add = (aspect: Aspect, mockSide: string, liveSide: string) => {
        const charged = charge(aspect)
        const rule = suite.rules[charged]
        differences.push({
          rule: charged,
          text: rule?.text ?? 'a difference no rule of the contract pins down',
          provenance: rule?.provenance.kind ?? 'inferred',
          ...(rule?.provenance.kind === 'inferred' && { why: rule.provenance.why }),
          check: check.title,
          request,
          aspect,
          mock: mockSide,
          live: liveSide,
        })
      }
      const [me, le] = [m.exchange, l.exchange]
      if (me.status !== le.status) {
        add('status', String(me.status), String(le.status))
        continue
      }
      if (mediaType(me) !== mediaType(le)) add('content-type', mediaType(me), mediaType(le))
      const [mp, lp] = [paths(me.body), paths(le.body)]
      const shape: string[] = []
      // An empty list on one side says nothing about its elements' shape, nor a null about what it would hold (a
      // peer whose `language` is null next to one whose list has strings): data, not contract.
      const unshaped = (map: Map<string, string>, path: string) => {
        const at = path.indexOf('[]')
        if (at !== -1 && map.get(path.slice(0, at)) === 'array' && !map.has(path.slice(0, at + 2))) return true
        return ancestors(path).some((above) => map.get(above) === 'null')
      }
      for (const [path, type] of mp) {
        if (unshaped(lp, path)) continue
        const other = lp.get(path)
        // null stands in for any type: a nullable field the two sides happen to fill differently.
        if (other === undefined) shape.push(`${path}: missing (mock: ${type})`)
        else if (other !== type && !type.split('|').includes('null') && !other.split('|').includes('null'))
          shape.push(`${path}: ${other} (mock: ${type})`)
      }
      // Extra fields are those of a success body (docs show a minimum); in an error body an extra key is a
      // difference of the error's shape ({success:false, message} is not {message}).
      for (const [path, type] of lp) {
        const parent = /[.[]/.test(path) ? path.replace(/(?:\.[^.[\]]+|\[\])$/, '') : ''
        if (mp.has(path) || (parent !== '' && !mp.has(parent)) || unshaped(mp, path)) continue
        if (le.status < 300) extras.push({ check: check.title, request, path, type })
        else if (parent === '') shape.push(`${path}: ${type} (not in the mock's)`)
      }
      if (shape.length > 0)
        add(
          'body shape',
          [...mp]
            .map(([p, t]) => `${p}: ${t}`)
            .join(', ')
            .slice(0, 300),
          shape.join('; '),
        )
      if (me.status >= 400) {
        const [mm, lm] = [
          messagesOf(me.body, (t) => withoutTimes(withoutParams(normalizeMock(t), m.options.params))),
          messagesOf(le.body, (t) => withoutTimes(withoutParams(normalizeLive(t), l.options.params))),
        ]
        // Texts differ only where a value of one side stands for no name the other side's value stands for: a count
        // equal to an id ("(and 1 more error)") or an id equal to a tenant is no difference (shown normalized).
        const same = sameLines(
          messagesOf(me.body, withoutTimes),
          messagesOf(le.body, withoutTimes),
          valueNames(mock, m.options.params),
          valueNames(live, l.options.params),
        )
        if (!same && JSON.stringify(mm) !== JSON.stringify(lm)) add('error messages', mm.join(' | '), lm.join(' | '))
      }
    }
    if (check.forced !== undefined && differences.length === before) {
      const [mockAnswer, liveAnswer] = [answers.get(`${mock.label} ${check.forced}`), answers.get(`${live.label} ${check.forced}`)]
      const rule = suite.rules[check.forced]
      if (mockAnswer !== undefined && liveAnswer !== undefined && mockAnswer !== liveAnswer) {
        differences.push({
          rule: check.forced,
          text: rule?.text ?? '',
          provenance: rule?.provenance.kind ?? 'inferred',
          ...(rule?.provenance.kind === 'inferred' && { why: rule.provenance.why }),
          check: check.title,
          request: `${suite.method} (${liveLog.length} requests)`,
          aspect: 'behaviour',
          mock: mockAnswer,
          live: liveAnswer,
        })
      }
    }
  }
  return { api: suite.api, target: live.label, differences, extras, skipped, compared, leftBehind }
}
