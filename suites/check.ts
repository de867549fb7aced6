import type { z } from 'zod'
import type { LearnedByRule } from '../contracts/learned.ts'
import { readingOfField, type Provenance, type ReadingChoice, type RuleBook } from '../contracts/provenance.ts'
import type { DerivedApi } from './derived-checks.ts'
import type { Probe } from './probes.ts'
import { findSecrets } from './secrets.ts'
import type { AccountLabel, Target } from './target.ts'
import { UnsafeWrite, unsafeWrite, type WriteGuard } from './write-guard.ts'

/** One rule, or every rule an assertion rests on; its provenance is the weakest of them. */
export type Rules<R extends string> = R | readonly R[]

/** What a check needs beyond the actor account; without it the check is skipped with a reason. */
export type Need = 'peer' | 'peer-token' | 'foreign' | 'foreign-token' | 'actor-email' | 'actor-role' | 'writes' | 'disposable' | 'controls'

export interface Exchange {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  /** The body parsed as JSON; undefined when it is not JSON. */
  readonly body: unknown
}

export interface SendOptions {
  /** Whose token to send: an account, `anonymous` (no Authorization header), or a raw token. */
  readonly as?: AccountLabel | 'anonymous' | { readonly token: string }
  /** The user to update (default: the `as` account's own id). */
  readonly userId?: string | number
  readonly body?: unknown
  /** Sent as is instead of JSON-encoding `body`. */
  readonly rawBody?: string
  readonly headers?: Readonly<Record<string, string>>
  /** Path parameters beyond the defaults (`id`/`userId`: the user; `tenantId`: the caller's tenant). */
  readonly params?: Readonly<Record<string, string | number>>
  /**
   * Another operation of the same API than the suite's endpoint (an imported API has many): its method and path
   * template. Without a body or rawBody, GET, HEAD and DELETE are sent with none (fetch refuses a GET body).
   */
  readonly method?: string
  readonly path?: string
  /** Query parameters, appended in order (an API key the document puts in the query goes here). */
  readonly query?: ReadonlyArray<readonly [string, string]>
  /**
   * The rule this request's answer rests on where the check asserts nothing about it (a restore): `diff` charges a
   * difference in it there. Never sent.
   */
  readonly restsOn?: string
}

export interface Finding {
  /** The rule the finding is charged to: the last inferred rule it rests on for a warning, else the last rule. */
  readonly rule: string
  readonly text: string
  readonly provenance: Provenance
  readonly detail: string
  /** Every rule the assertion rested on, when more than the one it is charged to. */
  readonly restsOn?: readonly string[]
}

export interface CheckContext<R extends string> {
  readonly target: Target
  /** The account of that label (the check declared the need, so it is there). */
  account(label: AccountLabel): NonNullable<Target['accounts'][AccountLabel]>
  send(options?: SendOptions): Promise<Exchange>
  /**
   * Asserts something that rests on `rules` (the rule under test first, then its premises). Its provenance is the
   * weakest of them: when every rule is documented a miss ends the check as failed; when any is inferred the miss
   * is a warning charged to the last inferred rule of the list (a failure to the last rule) and the check goes on (returns false so dependents can be left out).
   * After a broken `given` premise, every later miss of the check is a warning charged to that premise.
   */
  expect(rules: Rules<R>, ok: boolean, detail: string): boolean
  /**
   * Asserts a premise the rest of the check stands on (which status a refusal uses, that the server validates
   * every field at once). When it does not hold, the premise is reported (a failure if documented, else a
   * warning) and nothing after it in this check can fail: it would judge a server by a reading it does not follow.
   */
  given(premise: Rules<R>, ok: boolean, detail: string): boolean
  /** Asserts that `value` fits `schema`, reporting each mismatching field. */
  matches(rules: Rules<R>, schema: z.ZodType, value: unknown, label: string): boolean
  /** The weakest provenance among `rules`: inferred when any of them is. */
  provenance(rules: Rules<R>): Provenance['kind']
  /** The reading of an inferred rule the target follows: the one the user declared, else the rule's default. */
  reading(rule: R): string
  /** The reading one field follows under a per-field rule (`strict:color` → color: strict, the others the default). */
  readingOf(rule: R, field: string): string
  /** A password or token this check sends: no 200 body may contain it (checked on every response). */
  secret(value: string): void
  /** Registers a write to undo after the check, pass or fail (live targets keep their data). */
  onCleanup(undo: () => Promise<unknown>): void
  /**
   * Says a request of this check changed the account in a way no cleanup undoes (a server took an invalid value it
   * should have refused): if the check fails, the checks after it are not judged on that account.
   */
  leftChanged(): void
  /**
   * Records something the check made and could not undo (an item of a collection the API cannot delete): the report
   * lists it so the user can remove it. Ids only, never a credential.
   */
  leftBehind(what: string): void
  /** Ends the check as skipped, saying why: what it needs the target does not have (no parent item to work under). */
  skip(reason: string): never
}

export interface Check<R extends string = string> {
  readonly title: string
  readonly needs?: readonly Need[]
  run(t: CheckContext<R>): Promise<void>
}

/** How every 200 of a suite is searched for credentials (issue 9: on every 200, live runs included). */
export interface SecretsPolicy<R extends string> {
  /** The rule a leak breaks (`response.no-password`, or the 200 shape where the doc lists every field). */
  readonly rule: R
  /** Keys that look like credentials but are documented fields (`expo_push_token`). */
  readonly allowKeys?: readonly string[]
}

export interface Suite<R extends string = string> {
  readonly api: string
  readonly method: string
  /** The endpoint path with `{param}` placeholders; `{id}` is the user to update. */
  readonly path: string
  readonly rules: RuleBook
  readonly checks: readonly Check<R>[]
  readonly secrets: SecretsPolicy<R>
  /** A body every conforming server refuses without writing: verify sends it first to see each token is accepted. */
  readonly probeBody: unknown
  /** How derived cases are sent and judged; the property-based pass draws from it. */
  readonly derived?: DerivedApi<R>
  /** Which bodies may carry a password or a new email without --allow-writes (none when absent). */
  readonly writeGuard?: WriteGuard
  /** One probe per inferred rule, for an API the `probes` registry does not know (one imported from OpenAPI). */
  readonly probes?: readonly Probe[]
  /** The mock under `readings`, off the network, for such an API (the four use `referenceTarget`). */
  reference?(readings: ReadingChoice, learned?: LearnedByRule): Promise<Target>
}

/** A suite for a contract: its endpoint and rule book come from the contract, the checks from the caller. */
export function suiteOf<R extends string>(
  contract: { readonly name: string; readonly method: string; readonly path: string; readonly rules: RuleBook },
  checks: readonly Check<R>[],
  extra: {
    readonly secrets: SecretsPolicy<R>
    readonly probeBody: unknown
    readonly derived?: DerivedApi<R>
    readonly writeGuard?: WriteGuard
  },
): Suite<R> {
  return { api: contract.name, method: contract.method, path: contract.path, rules: contract.rules, checks, ...extra }
}

export interface Outcome {
  readonly title: string
  readonly status: 'pass' | 'fail' | 'warn' | 'skip'
  readonly failures: readonly Finding[]
  readonly warnings: readonly Finding[]
  readonly skipReason?: string
  readonly ms: number
  /** Every rule an assertion of this check named, held or not: the coverage table is built from these. */
  readonly asserted: readonly string[]
  /** What the check made on the target and could not remove (`pets.store.order id=5: no DELETE`). */
  readonly leftBehind?: readonly string[]
}

class CheckFailed extends Error {}
/** Thrown by `skip`: the check could not run here, for the reason given. */
class CheckSkipped extends Error {}

/**
 * What a run learned across its checks: values a server took and kept in a request a check then reported on
 * (`field=value` → the rule reported). A later 200 showing such a value breaks the response's shape only because of
 * that earlier finding; it is charged there (a warning naming it), so one broken rule fails one rule.
 */
const keptByRun = new WeakMap<Target, Map<string, string>>()

/**
 * Runs whose account a failed check changed and could not put back (its restore was refused): the rule that check
 * failed on. Every later check rests on the account being as it was, so a later miss is charged there (a warning
 * naming it): a server that took an invalid role and then refuses the restore fails one rule, not every check after.
 */
const unrestoredByRun = new WeakMap<Target, string>()

/** What checks made on a target and could not undo, across runs (what `leftBehind` and refused restores said). */
const leftByTarget = new WeakMap<Target, string[]>()
const leftOn = (target: Target): string[] => {
  const known = leftByTarget.get(target)
  if (known) return known
  const fresh: string[] = []
  leftByTarget.set(target, fresh)
  return fresh
}

/**
 * Everything any check or probe left changed on `target` so far, once each: `calibrate` says it after all its runs.
 * @example leftBehindOn(live) // ['user 42 left changed: the server refused to put it back (answered 403); restore it by hand']
 */
export function leftBehindOn(target: Target): readonly string[] {
  return [...leftOn(target)]
}

/** `field=value` keys of every leaf of a request body (an array under its field, and each of its elements). */
function leafKeys(value: unknown, key = '', out: string[] = []): string[] {
  if (Array.isArray(value)) {
    if (key !== '') out.push(`${key}=${JSON.stringify(value)}`)
    for (const item of value) leafKeys(item, key, out)
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) leafKeys(v, k, out)
  } else if (key !== '') out.push(`${key}=${JSON.stringify(value)}`)
  return out
}

/** The value at a zod issue's path, and the last field name on the way (`data.roles[0]` → roles). */
function atPath(value: unknown, path: ReadonlyArray<PropertyKey>): { key: string; value: unknown } {
  let key = ''
  let at = value
  for (const step of path) {
    if (typeof step === 'string') key = step
    at = typeof at === 'object' && at !== null ? (at as Record<PropertyKey, unknown>)[step] : undefined
  }
  return { key, value: at }
}

const needReasons: Record<Need, (target: Target) => string | undefined> = {
  peer: (t) => (t.accounts.peer ? undefined : 'needs a peer account (--peer-user-id and --peer-email)'),
  foreign: (t) => (t.accounts.foreign ? undefined : 'needs a foreign account (--foreign-user-id and --foreign-tenant)'),
  'peer-token': (t) => (t.accounts.peer?.token ? undefined : "needs the peer account's token (--peer-token)"),
  'foreign-token': (t) => (t.accounts.foreign?.token ? undefined : "needs the foreign account's token (--foreign-token)"),
  'actor-email': (t) => (t.accounts.actor.email ? undefined : "needs the actor's email (--email)"),
  'actor-role': (t) => (t.accounts.actor.role ? undefined : "needs the actor's role (--role), which every update must restate"),
  writes: (t) => (t.allowWrites ? undefined : 'changes data; pass --allow-writes to run it'),
  disposable: (t) =>
    t.disposable
      ? undefined
      : 'makes a change that cannot be undone; runs against the mock, or a live server with --allow-writes --disposable (throwaway accounts)',
  controls: (t) => (t.controlBase ? undefined : "reads the mock's /__twin control routes; runs against the mock only"),
}

/**
 * Why `check` cannot run against `target` (the first need it lacks), or undefined when it can. Such a check sends
 * nothing.
 * @example unmetNeed({ title: 'x', needs: ['writes'], run }, liveTarget) // 'changes data; pass --allow-writes to run it'
 */
export function unmetNeed(check: Pick<Check, 'needs'>, target: Target): string | undefined {
  return (check.needs ?? []).map((need) => needReasons[need](target)).find((reason) => reason !== undefined)
}

/**
 * Runs one check against a target. With `strict`, a broken inferred rule fails the check too (the mock must
 * satisfy every rule it implements; `verify --strict` asks the same of a live server).
 */
export async function runCheck<R extends string>(
  suite: Suite<R>,
  check: Check<R>,
  target: Target,
  { strict = false } = {},
): Promise<Outcome> {
  const started = performance.now()
  const asserted = new Set<string>()
  const left: string[] = []
  const done = (rest: Omit<Outcome, 'title' | 'ms' | 'asserted'>): Outcome => ({
    title: check.title,
    ms: performance.now() - started,
    asserted: [...asserted],
    ...(left.length > 0 && { leftBehind: [...left] }),
    ...rest,
  })
  const skipReason = unmetNeed(check, target)
  if (skipReason) return done({ status: 'skip', failures: [], warnings: [], skipReason })

  const failures: Finding[] = []
  const warnings: Finding[] = []
  const cleanups: Array<() => Promise<unknown>> = []
  /** Whether every restore was taken, and whether a request changed the account with nothing registered to undo it. */
  let restored = true
  /** The request sent last: during the cleanups, the restore that was refused. */
  let lastSent: SendOptions = {}
  let changed = false
  const kept = keptByRun.get(target) ?? new Map<string, string>()
  keptByRun.set(target, kept)
  /** The body of the check's latest request the server answered 2xx: what a documented failure says it kept. */
  let lastAccepted: unknown
  const secrets = new Set(
    Object.values(target.accounts)
      .map((a) => a.token)
      .filter((token) => token.length > 0),
  )
  /** Inferred premises (`given`) that did not hold: later misses are charged to them, never failed. */
  const broken: Array<{ rule: string; detail: string }> = []
  const ruleOf = (rule: string) => {
    const known = suite.rules[rule]
    if (!known) throw new Error(`apitwin bug: check "${check.title}" names rule "${rule}", which ${suite.api}'s contract does not define`)
    return known
  }
  const miss = (rules: Rules<R>, detail: string): Finding => {
    const list: readonly string[] = typeof rules === 'string' ? [rules] : rules
    if (list.length === 0) throw new Error(`apitwin bug: check "${check.title}" asserts something that rests on no rule`)
    // The premises come after the rule under test, the deepest last: a miss is charged to the last inferred one,
    // or, when all are documented, to the last (a refusal in the wrong envelope breaks the envelope's rule).
    const weakest = [...list].reverse().find((rule) => ruleOf(rule).provenance.kind === 'inferred') ?? list[list.length - 1] ?? ''
    const known = ruleOf(weakest)
    return { rule: weakest, text: known.text, provenance: known.provenance, detail, ...(list.length > 1 && { restsOn: list }) }
  }
  const record = (rules: Rules<R>) => {
    for (const rule of typeof rules === 'string' ? [rules] : rules) asserted.add(rule)
  }
  // One warning per rule and check, the first one's detail with a count of the rest: a derived check whose premise
  // fails would otherwise repeat it for every case.
  const repeats = new Map<string, number>()
  const warn = (found: Finding) => {
    const seen = repeats.get(found.rule)
    if (seen === undefined) {
      repeats.set(found.rule, 0)
      warnings.push(found)
    } else repeats.set(found.rule, seen + 1)
  }
  const report = (found: Finding): boolean => {
    // Whatever this finding says, the server took and kept the latest request it answered 2xx: its values are this
    // finding's, not the response shape's, wherever they show up later.
    for (const key of leafKeys(lastAccepted)) if (!kept.has(key)) kept.set(key, found.rule)
    const premise = broken[0]
    if (premise) {
      const known = ruleOf(premise.rule)
      warn({
        rule: premise.rule,
        text: known.text,
        provenance: known.provenance,
        detail: `not judged (${found.rule}: ${found.detail}): it rests on ${premise.rule}, which did not hold`,
        restsOn: [found.rule],
      })
      return false
    }
    const unrestored = unrestoredByRun.get(target)
    if (unrestored !== undefined && unrestored !== found.rule) {
      const known = ruleOf(unrestored)
      warn({
        rule: unrestored,
        text: known.text,
        provenance: known.provenance,
        detail: `not judged (${found.rule}: ${found.detail}): an earlier check failed on ${unrestored} and the account could not be restored`,
        restsOn: [found.rule],
      })
      return false
    }
    if (found.provenance.kind === 'documented' || strict) {
      failures.push(found)
      throw new CheckFailed(found.detail)
    }
    warn(found)
    return false
  }
  const expect = (rules: Rules<R>, ok: boolean, detail: string): boolean => {
    record(rules)
    return ok || report(miss(rules, detail))
  }
  const context: CheckContext<R> = {
    target,
    account: (label) => {
      const account = target.accounts[label]
      if (!account) throw new Error(`check "${check.title}" uses the ${label} account without declaring the need`)
      return account
    },
    send: async (options) => {
      lastSent = options ?? {}
      const exchange = await send(suite, target, options)
      if (exchange.status >= 200 && exchange.status < 300)
        lastAccepted = options?.rawBody === undefined ? options?.body : parseOrRaw(options.rawBody)
      if (exchange.status === 200) {
        const leaks = findSecrets(exchange.body, { allowKeys: suite.secrets.allowKeys ?? [], knownSecrets: [...secrets] })
        expect(
          suite.secrets.rule,
          leaks.length === 0,
          `a 200 body carries a credential: ${leaks.map((l) => `${l.path} (${l.why})`).join(', ')}`,
        )
      }
      return exchange
    },
    expect,
    given: (premise, ok, detail) => {
      if (ok) return (record(premise), true)
      const held = expect(premise, false, detail)
      const found = miss(premise, detail)
      broken.push({ rule: found.rule, detail })
      return held
    },
    matches: (rules, schema, value, label) => {
      const parsed = schema.safeParse(value)
      if (parsed.success) return (record(rules), true)
      const fields = parsed.error.issues.map((i) => `${[label, ...i.path].join('.')}: ${i.message}`).join('; ')
      // Every mismatch a value the server kept though an earlier check failed for taking it: charged there.
      const keptBy = parsed.error.issues.map((i) => {
        const at = atPath(value, i.path)
        return { ...at, rule: kept.get(`${at.key}=${JSON.stringify(at.value)}`) }
      })
      const [first] = keptBy
      if (first?.rule !== undefined && keptBy.every((k) => k.rule !== undefined)) {
        record(rules)
        const known = ruleOf(first.rule)
        const detail = `not judged (${fields}): the server kept ${keptBy.map((k) => `${k.key} ${JSON.stringify(k.value)}`).join(', ')}, which an earlier check reported under ${[...new Set(keptBy.map((k) => k.rule))].join(', ')}`
        warn({
          rule: first.rule,
          text: known.text,
          provenance: known.provenance,
          detail,
          restsOn: typeof rules === 'string' ? [rules] : rules,
        })
        // What the check does with this body rests on that rule too: the rest of it cannot fail.
        broken.push({ rule: first.rule, detail })
        return false
      }
      return expect(rules, false, fields)
    },
    secret: (value) => void secrets.add(value),
    provenance: (rules) =>
      (typeof rules === 'string' ? [rules] : rules).some((rule) => ruleOf(rule).provenance.kind === 'inferred') ? 'inferred' : 'documented',
    reading: (rule) => {
      const known = ruleOf(rule)
      if (known.provenance.kind !== 'inferred') throw new Error(`apitwin bug: "${rule}" is documented, it has no readings`)
      return target.readings?.[rule] ?? known.provenance.readings.default
    },
    readingOf: (rule, field) => {
      const known = ruleOf(rule)
      if (known.provenance.kind !== 'inferred') throw new Error(`apitwin bug: "${rule}" is documented, it has no readings`)
      return readingOfField(target.readings?.[rule] ?? known.provenance.readings.default, field, known.provenance.readings.default)
    },
    onCleanup: (undo) => void cleanups.push(undo),
    leftChanged: () => void (changed = true),
    leftBehind: (what) => void left.push(what),
    skip: (reason) => {
      throw new CheckSkipped(reason)
    },
  }
  let unsafe: string | undefined
  let skipped: string | undefined
  try {
    await check.run(context)
  } catch (error) {
    const premise = broken[0]
    if (error instanceof CheckSkipped) {
      skipped = error.message
    } else if (error instanceof UnsafeWrite) {
      unsafe = error.message
    } else if (!(error instanceof CheckFailed) && failures.length === 0 && unrestoredByRun.has(target)) {
      const unrestored = unrestoredByRun.get(target) ?? ''
      warnings.push({
        ...miss(
          unrestored as R,
          `the check stopped: ${describeError(error)}; an earlier check failed on ${unrestored} and the account could not be restored`,
        ),
      })
    } else if (!(error instanceof CheckFailed) && premise) {
      // What broke is the server's reading, not the contract: the premise is already reported.
      warnings.push({ ...miss(premise.rule as R, `the check stopped: ${describeError(error)}`) })
    } else if (!(error instanceof CheckFailed) && failures.length === 0) {
      failures.push({
        rule: 'check.error',
        text: 'the check could not run',
        provenance: { kind: 'documented', source: 'apitwin' },
        detail: describeError(error),
      })
    }
  } finally {
    for (const undo of cleanups.reverse()) {
      const result = await undo().then(
        (value) => value,
        () => refused,
      )
      // A restore the server refused; 404 and 410 are a delete of what is already gone, which is as it was.
      if (result === refused || (isExchange(result) && result.status >= 400 && result.status !== 404 && result.status !== 410)) {
        restored = false
        // Said plainly where it stays so (a live server): the user must put it back, and later answers may differ.
        if (target.reset === undefined) {
          const account = typeof lastSent.as === 'string' && lastSent.as !== 'anonymous' ? target.accounts[lastSent.as] : undefined
          const id = lastSent.userId ?? account?.userId ?? target.accounts.actor.userId
          left.push(
            `user ${id} left changed: the server refused to put it back (${isExchange(result) ? `answered ${result.status}` : 'no answer'}); restore it by hand`,
          )
        }
      }
    }
    const onTarget = leftOn(target)
    for (const what of left) if (!onTarget.includes(what)) onTarget.push(what)
    const [failed] = failures
    // A target that resets (the mock) is put back by its runner between checks: nothing is left changed there.
    const asFound = target.reset !== undefined || (restored && !(changed && cleanups.length === 0))
    if (!asFound && failed !== undefined && !unrestoredByRun.has(target)) unrestoredByRun.set(target, failed.rule)
  }
  // A request the write guard held back: what ran before it may have held, but the check did not run whole.
  if (unsafe !== undefined && failures.length === 0)
    return done({ status: 'skip', failures: [], warnings: [], skipReason: `not run: ${unsafe}` })
  // Skipped part-way: what was judged before stays reported (a failure stays a failure).
  if (skipped !== undefined && failures.length === 0 && warnings.length === 0)
    return done({ status: 'skip', failures: [], warnings: [], skipReason: skipped })
  const status = failures.length > 0 ? 'fail' : warnings.length > 0 ? 'warn' : 'pass'
  const counted = warnings.map((w) => {
    const more = repeats.get(w.rule) ?? 0
    return more > 0 ? { ...w, detail: `${w.detail} (and ${more} more like it in this check)` } : w
  })
  return done({ status, failures, warnings: counted })
}

const refused = Symbol('restore refused')
const isExchange = (value: unknown): value is Exchange =>
  typeof value === 'object' && value !== null && typeof (value as { status?: unknown }).status === 'number' && 'headers' in value

/** A raw body as a server would parse it; a body that is not JSON carries no fields. */
function parseOrRaw(raw: string): unknown {
  try {
    return JSON.parse(raw)
  } catch {
    return undefined
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.name === 'TimeoutError' ? 'the target did not answer in time (--timeout)' : error.message
  return String(error)
}

/**
 * The path parameters a request of `suite`'s endpoint carries (`id`/`userId`: the user, `tenantId`: the caller's
 * tenant, unless `options` name others), by name.
 * @example pathValues(medibulutSuite, target, { userId: 987654321 }) // { tenantId: '101', id: '987654321' }
 */
export function pathValues(suite: Pick<Suite, 'path'>, target: Target, options: SendOptions = {}): Record<string, string> {
  const path = options.path ?? suite.path
  const as = options.as ?? 'actor'
  const account = typeof as === 'string' && as !== 'anonymous' ? target.accounts[as] : undefined
  const userId = options.userId ?? account?.userId ?? target.accounts.actor.userId
  const values: Record<string, string | number | undefined> = {
    id: userId,
    userId,
    tenantId: account?.tenant ?? target.accounts.actor.tenant,
    ...options.params,
  }
  const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '')
  return Object.fromEntries(names.flatMap((name) => (values[name] === undefined ? [] : [[name, String(values[name])]])))
}

/**
 * One request of `suite`'s endpoint to `target`, outside any check (verify's token probe uses it).
 * @example const res = await send(flextellSuite, target, { body: { email: 'not-an-email' } })
 */
export async function send<R extends string>(suite: Suite<R>, target: Target, options: SendOptions = {}): Promise<Exchange> {
  // The guard sits here, under every check and probe, so no request can skip it.
  const parsedRaw = options.rawBody === undefined ? options.body : parseOrRaw(options.rawBody)
  const unsafe = unsafeWrite(parsedRaw, target, suite.writeGuard)
  if (unsafe !== undefined) throw new UnsafeWrite(unsafe)
  const as = options.as ?? 'actor'
  const account = typeof as === 'string' && as !== 'anonymous' ? target.accounts[as] : undefined
  const token = typeof as === 'object' ? as.token : account?.token
  const values = pathValues(suite, target, options)
  const method = options.method ?? suite.method
  const search =
    options.query && options.query.length > 0 ? `?${new URLSearchParams(options.query.map(([k, v]) => [k, v])).toString()}` : ''
  const url =
    target.baseUrl +
    (options.path ?? suite.path).replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? '')) +
    search
  // The four's endpoints always take a body; a read or delete of an imported API sends none unless asked to.
  const bodyless = options.body === undefined && options.rawBody === undefined && ['GET', 'HEAD', 'DELETE'].includes(method)
  const headers: Record<string, string> = {
    accept: 'application/json',
    ...(!bodyless && { 'content-type': 'application/json' }),
    ...options.headers,
  }
  if (token !== undefined) headers['authorization'] = `Bearer ${token}`
  const response = await target.fetch(url, {
    method,
    headers,
    ...(!bodyless && { body: options.rawBody ?? JSON.stringify(options.body ?? {}) }),
    signal: AbortSignal.timeout(target.timeoutMs),
  })
  const text = await response.text()
  let body: unknown
  try {
    body = text === '' ? undefined : JSON.parse(text)
  } catch {
    body = undefined
  }
  return { status: response.status, headers: response.headers, text, body }
}
