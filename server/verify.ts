import { writeFile } from 'node:fs/promises'
import { runCheck, type Outcome } from '../suites/check.ts'
import { probeChecks } from '../suites/probe-checks.ts'
import { suites } from '../suites/suites.ts'
import type { Target } from '../suites/target.ts'
import { mockTarget } from '../suites/targets.ts'
import type { Account } from '../fixtures/account.ts'
import { render, summaryLine, type Report, type ReporterName } from './reporters.ts'
import { UsageError } from './usage-error.ts'

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
  readonly strict?: boolean
  readonly reporter?: ReporterName
  readonly output?: string
  readonly timeout?: number
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
  const suite = suites[options.api]
  if (!suite) throw new UsageError(`unknown API "${options.api}"; choose one of: ${Object.keys(suites).join(', ')}`)
  const timeoutMs = options.timeout ?? 10_000
  const owned = options.baseUrl === undefined ? await mockTarget(options.api) : undefined
  const target = owned ? { ...owned.target, timeoutMs } : await liveTarget(options, timeoutMs)
  const strict = options.strict ?? false
  const outcomes: Outcome[] = []
  try {
    // Probe checks: every inferred rule answered as its reading says, so no reading goes unobserved.
    for (const check of [...suite.checks, ...probeChecks(suite)]) {
      await target.reset?.()
      outcomes.push(await runCheck(suite, check, target, { strict }))
    }
  } finally {
    await owned?.close()
  }
  const report: Report = { api: options.api, target: target.label, strict, outcomes }
  const secrets = Object.values(target.accounts).map((a) => a.token).filter((t) => t.length > 0)
  const rendered = redact(render(report, options.reporter ?? 'default'), secrets)
  if (options.output) await writeFile(options.output, rendered)
  return {
    exitCode: outcomes.some((o) => o.status === 'fail') ? 1 : 0,
    report,
    stdout: options.output ? `${redact(summaryLine(report), secrets)}\nreport written to ${options.output}\n` : rendered,
  }
}

/** Replaces every token with a placeholder; a server that echoes a token must not leak it into CI logs. */
export function redact(text: string, secrets: readonly string[]): string {
  return secrets.reduce((out, secret) => out.split(secret).join('[token]'), text)
}

/** A live server as a Target, from the same options as `verify` (the vitest adapter uses it too). */
export async function liveTarget(o: VerifyOptions, timeoutMs: number): Promise<Target> {
  const baseUrl = parseBaseUrl(o.baseUrl ?? '')
  if (!o.token) throw new UsageError('--token (or APITWIN_TOKEN) is required with --base-url: the bearer token of the account to act as')
  if (!o.userId) throw new UsageError('--user-id (or APITWIN_USER_ID) is required with --base-url: the id of the account the token belongs to')
  const actor: Account = { label: 'actor', userId: o.userId, token: o.token, email: o.email ?? '', ...(o.tenant !== undefined && { tenant: o.tenant }), ...(o.role !== undefined && { role: o.role }) }
  const peer: Account | undefined = o.peerUserId !== undefined || o.peerEmail !== undefined
    ? { label: 'peer', userId: o.peerUserId ?? '', token: o.peerToken ?? '', email: o.peerEmail ?? '', ...(o.tenant !== undefined && { tenant: o.tenant }) }
    : undefined
  const foreign: Account | undefined = o.foreignUserId !== undefined
    ? { label: 'foreign', userId: o.foreignUserId, token: o.foreignToken ?? '', email: '', ...(o.foreignTenant !== undefined && { tenant: o.foreignTenant }) }
    : undefined
  await probe(baseUrl, timeoutMs)
  return {
    label: baseUrl,
    baseUrl,
    fetch: (input, init) => globalThis.fetch(input, init),
    accounts: { actor, ...(peer && { peer }), ...(foreign && { foreign }) },
    allowWrites: o.allowWrites ?? false,
    disposable: false,
    timeoutMs,
  }
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
    const reason = code === 'TimeoutError' ? `no answer within ${timeoutMs} ms`
      : code === 'ECONNREFUSED' ? 'connection refused'
      : code === 'ENOTFOUND' ? 'host not found'
      : (cause?.message ?? message)
    throw new UsageError(`cannot reach ${baseUrl}: ${reason}`)
  }
}
