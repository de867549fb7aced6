import { stat, writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { runCheck, send, type Outcome, type Suite } from '../suites/check.ts'
import { probeChecks } from '../suites/probe-checks.ts'
import { propertyCheck } from '../suites/property.ts'
import { suites } from '../suites/suites.ts'
import type { Target } from '../suites/target.ts'
import { mockTarget } from '../suites/targets.ts'
import type { Account } from '../fixtures/account.ts'
import { render, summaryLine, type CoverageRow, type Report, type ReporterName } from './reporters.ts'
import { UsageError } from './usage-error.ts'
import { validateReadings, type RuleBook } from '../contracts/provenance.ts'
import type { OpenApiContract } from '../contracts/openapi/contract.ts'
import { openApiSuite } from '../suites/openapi-suite.ts'
import { liveCredentials, needsCredentials } from '../suites/openapi-credentials.ts'
import { openApiMockTarget } from '../suites/targets.ts'

export interface VerifyOptions {
  readonly api: string
  readonly baseUrl?: string
  readonly token?: string
  readonly userId?: string
  readonly email?: string
  readonly role?: string
  readonly tenant?: string
  readonly peerUserId?: string
  readonly peerEmail?: string
  readonly peerToken?: string
  readonly foreignUserId?: string
  readonly foreignTenant?: string
  readonly foreignToken?: string
  readonly allowWrites?: boolean
  /** The accounts are throwaway: probes that cannot be undone may run (with allowWrites only). */
  readonly disposable?: boolean
  readonly strict?: boolean
  readonly reporter?: ReporterName
  readonly output?: string
  readonly timeout?: number
  /** Readings the target follows (`validation.status=400`), so inferred rules are judged by the user's reading. */
  readonly readings?: Readonly<Record<string, string>>
  /** Also print the rule → checks table. */
  readonly coverage?: boolean
  /** The property-based pass: its seed (random when absent; printed in the report) and how many values it sends. */
  readonly seed?: number
  readonly maxCases?: number
  /** Imported APIs (`--openapi`, the config file's "apis"): `api` may name one of them. */
  readonly openapi?: readonly OpenApiContract[]
  /** An imported API's credentials by security scheme name (`--credential api_key=…`); `token` fills the rest. */
  readonly credentials?: Readonly<Record<string, string>>
  /** Called before each check (progress on a TTY). */
  readonly onProgress?: (done: number, total: number, title: string) => void
}

export interface VerifyResult {
  readonly exitCode: 0 | 1
  readonly report: Report
  /** What to print on stdout (the report, or a summary line when it went to `--output`). */
  readonly stdout: string
}

/**
 * Runs an API's contract suite against a live server (`baseUrl`) or, without one, a fresh in-process mock.
 * Exit code 1 when a documented rule fails (any rule with `strict`). Tokens are scrubbed from every output.
 * @example await verify({ api: 'flextell', baseUrl: 'https://staging.example.com', token, userId: '12' })
 */
export async function verify(options: VerifyOptions): Promise<VerifyResult> {
  const contract = options.openapi?.find((c) => c.name === options.api)
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31)
  // An imported API's suite is derived here, with the run's seed and per-operation cap.
  const suite: Suite | undefined = contract ? openApiSuite(contract, { seed, maxCases: options.maxCases ?? 20 }) : suites[options.api]
  if (!suite)
    throw new UsageError(
      `unknown API "${options.api}"; choose one of: ${[...Object.keys(suites), ...(options.openapi ?? []).map((c) => c.name)].join(', ')} (your own: --openapi ${options.api}=FILE)`,
    )
  const timeoutMs = options.timeout ?? 10_000
  const readings = checkReadings(options.api, suite.rules, options.readings ?? {})
  if (options.output !== undefined) await checkOutput(options.output)
  // The in-process mock follows the readings it is judged by (--reading, the config file).
  const owned =
    options.baseUrl === undefined
      ? contract
        ? await openApiMockTarget(contract, readings)
        : await mockTarget(options.api, { readings: { [options.api]: readings } })
      : undefined
  const strict = options.strict ?? false
  const outcomes: Outcome[] = []
  let label: string
  try {
    const live = contract ? () => liveOpenApiTarget(options, contract, timeoutMs) : () => liveTarget(options, timeoutMs)
    const target = owned
      ? { ...owned.target, timeoutMs, readings: { ...owned.target.readings, ...readings } }
      : { ...(await live()), readings }
    label = target.label
    if (!owned && !contract) await probeTokens(suite, target)
    const property = suite.derived ? propertyCheck(suite.derived, { seed, maxCases: options.maxCases ?? 20 }) : undefined
    // Probe checks: every inferred rule answered as its reading says, so no reading goes unobserved.
    // The property pass before the probes: a probe's anchor a broken server keeps is then seen by no shape check.
    const checks = [...suite.checks, ...(property ? [property] : []), ...probeChecks(suite, readings)]
    // A fresh state per check. For an imported API, only after a check the target may have written for: a request
    // other than a read that was not refused (re-seeding an API as wide as GitHub's costs more than its checks).
    let wrote = true
    const watched: Target = contract
      ? {
          ...target,
          fetch: async (input, init) => {
            const response = await target.fetch(input, init)
            const method = (init?.method ?? 'GET').toUpperCase()
            if (method !== 'GET' && method !== 'HEAD' && (response.status < 400 || response.status >= 500)) wrote = true
            return response
          },
        }
      : target
    for (const [index, check] of checks.entries()) {
      options.onProgress?.(index, checks.length, check.title)
      if (wrote || !contract) await target.reset?.()
      wrote = false
      outcomes.push(await runCheck(suite, check, watched, { strict }))
    }
  } finally {
    await owned?.close()
  }
  const report: Report = {
    api: options.api,
    target: label,
    strict,
    outcomes,
    ...(options.coverage && { coverage: coverageOf(suite, outcomes) }),
  }
  const secrets = [...tokensOf(options), ...Object.values(options.credentials ?? {})].filter((t) => t.length > 0)
  const rendered = redact(render(report, options.reporter ?? 'default'), secrets)
  if (options.output) {
    try {
      await writeFile(options.output, rendered)
    } catch (error) {
      throw new UsageError(
        `cannot write the report to ${options.output}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      )
    }
  }
  return {
    exitCode: outcomes.some((o) => o.status === 'fail') ? 1 : 0,
    report,
    stdout: options.output ? `${redact(summaryLine(report), secrets)}\nreport written to ${options.output}\n` : rendered,
  }
}

/**
 * Which checks asserted each rule of the suite's contract, computed from what the checks asserted in this run
 * (every `expect` records its rules), never kept by hand.
 * @example coverageOf(flextellSuite, outcomes)['body.limits'] // ['name (derived): …', …]
 */
export function coverageOf(suite: Suite, outcomes: readonly Outcome[]): CoverageRow[] {
  return Object.entries(suite.rules).map(([rule, { provenance }]) => ({
    rule,
    provenance: provenance.kind,
    checks: outcomes.filter((o) => o.asserted.includes(rule)).map((o) => o.title),
  }))
}

/** Every token the run knows, from the flags (the mock's own are published, not secret). */
function tokensOf(o: VerifyOptions): string[] {
  return [o.token, o.peerToken, o.foreignToken].filter((t): t is string => t !== undefined && t.length > 0)
}

/** A report into a folder that does not exist is a usage error before anything runs, not a stack trace after. */
async function checkOutput(file: string): Promise<void> {
  const folder = dirname(resolve(file))
  const found = await stat(folder).catch(() => undefined)
  if (!found?.isDirectory()) throw new UsageError(`--output ${file}: the folder ${folder} does not exist; create it first`)
}

/**
 * Sends the suite's must-refuse probe with the actor's token: a refused token (401) would make every check
 * pass for the wrong reason (a 401 is a refusal too), so the run stops there with exit 2. Peer and foreign tokens
 * are judged by the checks that use them.
 */
async function probeTokens(suite: Suite, target: Target): Promise<void> {
  const actor = target.accounts.actor
  const res = await send(suite, target, { as: 'actor', body: suite.probeBody }).catch((error: unknown) => {
    throw new UsageError(`the probe request for --user-id ${actor.userId} failed: ${describe(error)}`)
  })
  if (res.status === 401) throw new UsageError(`the token for --user-id ${actor.userId} was refused: 401`)
  // The actor's own user not found: every check would then judge 404s. Either the base URL stops short of where the
  // documented path starts (http://127.0.0.1:4010 instead of …/flextell) or the id names no user.
  if (res.status === 404)
    throw new UsageError(
      `${target.label}: the actor's own user (--user-id ${actor.userId}) answered 404: --base-url must reach up to where the documented path starts (e.g. http://127.0.0.1:4010/flextell for apitwin serve), or --user-id names no user`,
    )
}

function describe(error: unknown): string {
  const { name, message } = error as Error
  return name === 'TimeoutError' ? 'no answer in time (--timeout)' : message
}

/** `--reading` values, checked against the API's rules: `gorules.validation.status=422` or `validation.status=422`. */
function checkReadings(api: string, rules: RuleBook, given: Readonly<Record<string, string>>): Record<string, string> {
  const choice = Object.fromEntries(
    Object.entries(given).map(([rule, value]) => [rule.startsWith(`${api}.`) ? rule.slice(api.length + 1) : rule, value]),
  )
  const problems = validateReadings(rules, choice)
  if (problems.length > 0) throw new UsageError(`--reading: ${problems.join('; ')}`)
  return choice
}

/** Shorter tokens could be ordinary words in a report; they are refused (exit 2) rather than redacted badly. */
export const MIN_TOKEN_LENGTH = 8

/**
 * Replaces every whole token value with a placeholder: a server that echoes a token must not leak it into CI
 * logs. Only whole values: a token is replaced where no token character touches it on either side.
 * @example redact('expected 1|abcdefgh', ['1|abcdefgh']) // 'expected [token]'
 */
export function redact(text: string, secrets: readonly string[]): string {
  return [...secrets]
    .sort((a, b) => b.length - a.length)
    .reduce((out, secret) => {
      const escaped = secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      return out.replace(new RegExp(`(?<![A-Za-z0-9_\\-.~+/=|])${escaped}(?![A-Za-z0-9_\\-.~+/=|])`, 'g'), '[token]')
    }, text)
}

/** Flags that only mean something together: each names the partner it is missing. */
const partners: ReadonlyArray<readonly [keyof VerifyOptions, string, keyof VerifyOptions, string]> = [
  ['peerUserId', '--peer-user-id', 'peerEmail', '--peer-email'],
  ['peerEmail', '--peer-email', 'peerUserId', '--peer-user-id'],
  ['peerToken', '--peer-token', 'peerUserId', '--peer-user-id'],
  ['foreignUserId', '--foreign-user-id', 'foreignTenant', '--foreign-tenant'],
  ['foreignTenant', '--foreign-tenant', 'foreignUserId', '--foreign-user-id'],
  ['foreignToken', '--foreign-token', 'foreignUserId', '--foreign-user-id'],
]

/**
 * Flags that only mean something together must come together: exit 2 naming the missing partner. `verify` checks
 * the flags on their own too, so a flag cannot pair with another account's value from --from-discovery or a config.
 * @example checkPartners({ api: 'flextell', peerUserId: '2' }) // throws: --peer-user-id needs --peer-email: give both or neither
 */
export function checkPartners(o: Partial<Record<keyof VerifyOptions, unknown>>): void {
  for (const [given, flag, partner, partnerFlag] of partners) {
    if (o[given] !== undefined && o[partner] === undefined) throw new UsageError(`${flag} needs ${partnerFlag}: give both or neither`)
  }
}

/**
 * A live server of an imported API as a Target: credentials per security scheme from `--credential` and `--token`
 * (an API with no security needs neither); no user id, the suite makes its own items.
 * @example await liveOpenApiTarget({ api: 'galaxy', baseUrl: 'https://staging…', token }, contract, 10_000)
 */
export async function liveOpenApiTarget(o: VerifyOptions, contract: OpenApiContract, timeoutMs: number): Promise<Target> {
  const baseUrl = parseBaseUrl(o.baseUrl ?? '')
  for (const [flag, value] of [
    ['--token', o.token],
    ...Object.entries(o.credentials ?? {}).map(([scheme, v]) => [`--credential ${scheme}`, v]),
  ] as const) {
    if (value !== undefined && value.length < MIN_TOKEN_LENGTH)
      throw new UsageError(
        `${flag} is ${value.length} characters; credentials shorter than ${MIN_TOKEN_LENGTH} cannot be redacted from reports safely`,
      )
  }
  const schemes = new Set(contract.operations.flatMap((op) => op.security.flat().map((scheme) => scheme.name)))
  const unknown = Object.keys(o.credentials ?? {}).find((name) => !schemes.has(name))
  if (unknown !== undefined)
    throw new UsageError(
      `--credential ${unknown}: ${contract.name} has no security scheme "${unknown}"; its schemes: ${[...schemes].join(', ') || 'none'}`,
    )
  const credentials = liveCredentials(contract.operations, o.token, o.credentials ?? {})
  if (contract.operations.some(needsCredentials) && Object.keys(credentials).length === 0) {
    throw new UsageError(
      `${contract.name} needs credentials: pass --token (bearer or API key) or --credential SCHEME=VALUE for one of ${[...schemes].join(', ')}`,
    )
  }
  const actor: Account = { label: 'actor', userId: o.userId ?? '', token: o.token ?? '', email: o.email ?? '', credentials }
  await probe(baseUrl, timeoutMs)
  return {
    label: baseUrl,
    baseUrl,
    fetch: (input, init) => globalThis.fetch(input, init),
    accounts: { actor },
    allowWrites: o.allowWrites ?? false,
    disposable: (o.allowWrites ?? false) && (o.disposable ?? false),
    timeoutMs,
  }
}

/** A live server as a Target, from the same options as `verify` (the vitest adapter uses it too). */
export async function liveTarget(o: VerifyOptions, timeoutMs: number): Promise<Target> {
  const documented = suites[o.api]?.path
  const given = parseBaseUrl(o.baseUrl ?? '')
  const baseUrl = documented === undefined ? given : withoutOverlap(given, documented)
  if (!o.token) throw new UsageError('--token (or APITWIN_TOKEN) is required with --base-url: the bearer token of the account to act as')
  if (!o.userId)
    throw new UsageError('--user-id (or APITWIN_USER_ID) is required with --base-url: the id of the account the token belongs to')
  checkPartners(o)
  for (const [flag, token] of [
    ['--token', o.token],
    ['--peer-token', o.peerToken],
    ['--foreign-token', o.foreignToken],
  ] as const) {
    if (token !== undefined && token.length < MIN_TOKEN_LENGTH)
      throw new UsageError(
        `${flag} is ${token.length} characters; tokens shorter than ${MIN_TOKEN_LENGTH} cannot be redacted from reports safely`,
      )
  }
  const actor: Account = {
    label: 'actor',
    userId: o.userId,
    token: o.token,
    email: o.email ?? '',
    ...(o.tenant !== undefined && { tenant: o.tenant }),
    ...(o.role !== undefined && { role: o.role }),
  }
  const peer: Account | undefined =
    o.peerUserId !== undefined || o.peerEmail !== undefined
      ? {
          label: 'peer',
          userId: o.peerUserId ?? '',
          token: o.peerToken ?? '',
          email: o.peerEmail ?? '',
          ...(o.tenant !== undefined && { tenant: o.tenant }),
        }
      : undefined
  const foreign: Account | undefined =
    o.foreignUserId !== undefined
      ? {
          label: 'foreign',
          userId: o.foreignUserId,
          token: o.foreignToken ?? '',
          email: '',
          ...(o.foreignTenant !== undefined && { tenant: o.foreignTenant }),
        }
      : undefined
  await probe(baseUrl, timeoutMs)
  return {
    label: baseUrl,
    baseUrl,
    fetch: (input, init) => globalThis.fetch(input, init),
    accounts: { actor, ...(peer && { peer }), ...(foreign && { foreign }) },
    allowWrites: o.allowWrites ?? false,
    disposable: (o.allowWrites ?? false) && (o.disposable ?? false),
    timeoutMs,
  }
}

/**
 * A base URL that already ends where the documented path begins (`https://dev.flextell.ai/api/v1` for
 * `/api/v1/users/{id}`, as a doc's "base URL" often reads) with that overlap said once; otherwise as given.
 * @example withoutOverlap('https://x.test/api/v1', '/api/v1/users/{id}') // 'https://x.test'
 */
export function withoutOverlap(baseUrl: string, documented: string): string {
  const url = new URL(baseUrl)
  const base = url.pathname.split('/').filter(Boolean)
  const path = documented.split('/').filter(Boolean)
  for (let k = Math.min(base.length, path.length); k > 0; k--) {
    const head = path.slice(0, k)
    if (head.some((segment) => segment.includes('{')) || base.slice(-k).join('/') !== head.join('/')) continue
    url.pathname = `/${base.slice(0, -k).join('/')}`
    return url.href.replace(/\/+$/, '')
  }
  return baseUrl
}

function parseBaseUrl(raw: string): string {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new UsageError(`--base-url "${raw}" is not a URL; give one like https://staging.example.com`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--base-url must be http or https, got ${url.protocol}`)
  return url.href.replace(/\/+$/, '')
}

/** Any HTTP answer means the target is up; no answer at all is a usage error (exit 2), not a failed contract. */
async function probe(baseUrl: string, timeoutMs: number): Promise<void> {
  try {
    await fetch(baseUrl, { method: 'HEAD', signal: AbortSignal.timeout(timeoutMs) })
  } catch (error) {
    const { name, message, cause } = error as Error & { cause?: { code?: string; message?: string } }
    const code = cause?.code ?? name
    const reason =
      code === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : code === 'ECONNREFUSED'
          ? 'connection refused'
          : code === 'ENOTFOUND'
            ? 'host not found'
            : (cause?.message ?? message)
    throw new UsageError(`cannot reach ${baseUrl}: ${reason}`)
  }
}
