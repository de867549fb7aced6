import type { z } from 'zod'
import type { Provenance, RuleBook } from '../contracts/provenance.ts'
import type { AccountLabel, Target } from './target.ts'

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
}

export interface Finding {
  readonly rule: string
  readonly text: string
  readonly provenance: Provenance
  readonly detail: string
}

export interface CheckContext<R extends string> {
  readonly target: Target
  /** The account of that label (the check declared the need, so it is there). */
  account(label: AccountLabel): NonNullable<Target['accounts'][AccountLabel]>
  send(options?: SendOptions): Promise<Exchange>
  /**
   * Asserts one rule of the contract. A broken documented rule ends the check as failed; a broken inferred
   * rule is recorded and the check goes on (returns false so dependent assertions can be left out).
   */
  expect(rule: R, ok: boolean, detail: string): boolean
  /** Asserts that `value` fits `schema`, reporting each mismatching field. */
  matches(rule: R, schema: z.ZodType, value: unknown, label: string): boolean
  /** Registers a write to undo after the check, pass or fail (live targets keep their data). */
  onCleanup(undo: () => Promise<unknown>): void
}

export interface Check<R extends string = string> {
  readonly title: string
  readonly needs?: readonly Need[]
  run(t: CheckContext<R>): Promise<void>
}

export interface Suite<R extends string = string> {
  readonly api: string
  readonly method: string
  /** The endpoint path with `{param}` placeholders; `{id}` is the user to update. */
  readonly path: string
  readonly rules: RuleBook
  readonly checks: readonly Check<R>[]
}

/** A suite for a contract: its endpoint and rule book come from the contract, the checks from the caller. */
export function suiteOf<R extends string>(contract: { readonly name: string; readonly method: string; readonly path: string; readonly rules: RuleBook }, checks: readonly Check<R>[]): Suite<R> {
  return { api: contract.name, method: contract.method, path: contract.path, rules: contract.rules, checks }
}

export interface Outcome {
  readonly title: string
  readonly status: 'pass' | 'fail' | 'warn' | 'skip'
  readonly failures: readonly Finding[]
  readonly warnings: readonly Finding[]
  readonly skipReason?: string
  readonly ms: number
}

class CheckFailed extends Error {}

const needReasons: Record<Need, (target: Target) => string | undefined> = {
  peer: (t) => (t.accounts.peer ? undefined : 'needs a peer account (--peer-user-id and --peer-email)'),
  foreign: (t) => (t.accounts.foreign ? undefined : 'needs a foreign account (--foreign-user-id and --foreign-tenant)'),
  'peer-token': (t) => (t.accounts.peer?.token ? undefined : "needs the peer account's token (--peer-token)"),
  'foreign-token': (t) => (t.accounts.foreign?.token ? undefined : "needs the foreign account's token (--foreign-token)"),
  'actor-email': (t) => (t.accounts.actor.email ? undefined : "needs the actor's email (--email)"),
  'actor-role': (t) => (t.accounts.actor.role ? undefined : "needs the actor's role (--role), which every update must restate"),
  writes: (t) => (t.allowWrites ? undefined : 'changes data; pass --allow-writes to run it'),
  disposable: (t) => (t.disposable ? undefined : 'makes a change that cannot be undone; runs against the mock only'),
  controls: (t) => (t.controlBase ? undefined : "reads the mock's /__twin control routes; runs against the mock only"),
}

/**
 * Runs one check against a target. With `strict`, a broken inferred rule fails the check too (the mock must
 * satisfy every rule it implements; `verify --strict` asks the same of a live server).
 */
export async function runCheck<R extends string>(suite: Suite<R>, check: Check<R>, target: Target, { strict = false } = {}): Promise<Outcome> {
  const started = performance.now()
  const done = (rest: Omit<Outcome, 'title' | 'ms'>): Outcome => ({ title: check.title, ms: performance.now() - started, ...rest })
  const skipReason = (check.needs ?? []).map((need) => needReasons[need](target)).find((reason) => reason !== undefined)
  if (skipReason) return done({ status: 'skip', failures: [], warnings: [], skipReason })

  const failures: Finding[] = []
  const warnings: Finding[] = []
  const cleanups: Array<() => Promise<unknown>> = []
  const finding = (rule: R, detail: string): Finding => {
    const known = suite.rules[rule]
    if (!known) throw new Error(`apitwin bug: check "${check.title}" names rule "${rule}", which ${suite.api}'s contract does not define`)
    return { rule, text: known.text, provenance: known.provenance, detail }
  }
  const expect = (rule: R, ok: boolean, detail: string): boolean => {
    if (ok) return true
    const found = finding(rule, detail)
    if (found.provenance.kind === 'documented' || strict) {
      failures.push(found)
      throw new CheckFailed(detail)
    }
    warnings.push(found)
    return false
  }
  const context: CheckContext<R> = {
    target,
    account: (label) => {
      const account = target.accounts[label]
      if (!account) throw new Error(`check "${check.title}" uses the ${label} account without declaring the need`)
      return account
    },
    send: (options) => send(suite, target, options),
    expect,
    matches: (rule, schema, value, label) => {
      const parsed = schema.safeParse(value)
      if (parsed.success) return true
      const fields = parsed.error.issues.map((i) => `${[label, ...i.path].join('.')}: ${i.message}`).join('; ')
      return expect(rule, false, fields)
    },
    onCleanup: (undo) => void cleanups.push(undo),
  }
  try {
    await check.run(context)
  } catch (error) {
    if (!(error instanceof CheckFailed)) {
      failures.push({ rule: 'check.error', text: 'the check could not run', provenance: { kind: 'documented', source: 'apitwin' }, detail: describeError(error) })
    }
  } finally {
    for (const undo of cleanups.reverse()) await undo().catch(() => undefined)
  }
  const status = failures.length > 0 ? 'fail' : warnings.length > 0 ? 'warn' : 'pass'
  return done({ status, failures, warnings })
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.name === 'TimeoutError' ? 'the target did not answer in time (--timeout)' : error.message
  return String(error)
}

async function send<R extends string>(suite: Suite<R>, target: Target, options: SendOptions = {}): Promise<Exchange> {
  const as = options.as ?? 'actor'
  const account = typeof as === 'string' && as !== 'anonymous' ? target.accounts[as] : undefined
  const token = typeof as === 'object' ? as.token : account?.token
  const userId = options.userId ?? account?.userId ?? target.accounts.actor.userId
  const values: Record<string, string | number | undefined> = {
    id: userId,
    userId,
    tenantId: account?.tenant ?? target.accounts.actor.tenant,
    ...options.params,
  }
  const url = target.baseUrl + suite.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(values[name] ?? '')))
  const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/json', ...options.headers }
  if (token !== undefined) headers['authorization'] = `Bearer ${token}`
  const response = await target.fetch(url, {
    method: suite.method,
    headers,
    body: options.rawBody ?? JSON.stringify(options.body ?? {}),
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
