import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { verify, type VerifyOptions } from '../server/verify.ts'
import { runCli } from './helpers/run-cli.ts'

/*
 * Issue 17, item 2: servers written from the seed docs alone, by writers who never saw apitwin's code (one reading
 * each vendor's stack at its most lenient, one at its strictest; test/standins/<writer>/<api>.ts). Default verify
 * must pass every conforming one (no false alarm), --strict may name inferred rules only, each server broken on
 * one documented rule must fail on exactly that rule (no blind spot), and calibrate followed by diff --strict
 * must leave nothing uncovered or different (issue 21), changing nothing it cannot put back.
 */

interface StandinAccount {
  userId: number | string
  token: string
  email: string
  tenant?: number | string
  role?: string
}
interface Standin {
  url: string
  accounts: { actor: StandinAccount; peer?: StandinAccount; foreign?: StandinAccount }
  close(): Promise<void>
}
interface StandinModule {
  start(options?: { breaks?: readonly string[] }): Promise<Standin>
  breakable: readonly string[]
}

const writers = readdirSync(new URL('./standins/', import.meta.url), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort()
const apis = ['flextell', 'rails-users', 'medibulut', 'gorules'] as const
/** The APIs a writer wrote servers for (the varied writer wrote two). */
const apisOf = (writer: string) => apis.filter((api) => existsSync(new URL(`./standins/${writer}/${api}.ts`, import.meta.url)))

/**
 * Documented rules a live server's answers cannot show: rails-users' verification e-mail leaves the server by
 * SMTP, so verify checks it only against the mock (its outbox control route); the break is a known blind spot.
 */
const invisible: Readonly<Record<string, readonly string[]>> = { 'rails-users': ['email.verification'] }

/**
 * Breaks a writer made that are another reading of an inferred rule, not a break: verify must warn on that rule
 * (so it is seen) and pass. The strict writer's rails-users answers an unknown id with the documented 401 under
 * its user.not-found break: that is order.find-before-authorize=authorize-first.
 */
const readingsInDisguise: Readonly<Record<string, string>> = {
  'strict rails-users user.not-found': 'order.find-before-authorize',
  'mixed rails-users user.not-found': 'order.find-before-authorize',
  'fifth rails-users user.not-found': 'order.find-before-authorize',
  'sixth rails-users user.not-found': 'order.find-before-authorize',
}

/**
 * Breaks that break another documented rule first, which verify rightly names. The fifth and sixth writers' gorules
 * echo roles as their ids: the 200's roles are no longer `[{id, name, description}]`, the documented shape.
 */
const breaksAnother: Readonly<Record<string, string>> = {
  'fifth gorules response.echo': 'response.shape',
  'sixth gorules response.echo': 'response.shape',
}

/**
 * What calibrate still leaves different on a stand-in, per writer and API, with why: behaviour beyond every reading
 * and every learned piece. The list may only shrink; everywhere else calibrate must leave nothing and diff --strict
 * must exit 0.
 */
const knownRemaining: Readonly<Record<string, readonly string[]>> = {}

/**
 * Breaks a writer made that keep the documented rule as the doc words it, so verify rightly passes. The mixed
 * writer's rails-users wraps a lone string into a list and casts list items to strings: what is stored is still
 * "array [string]", and what a string sent for a list does is body.type-cast's reading, not the doc's.
 */
const notBreaks: Readonly<Record<string, string>> = { 'mixed rails-users body.arrays': 'body.type-cast' }

const running: Standin[] = []
const folders: string[] = []
afterAll(async () => {
  for (const server of running.splice(0)) await server.close()
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true })
})

async function load(writer: string, api: string): Promise<StandinModule> {
  return (await import(`./standins/${writer}/${api}.ts`)) as StandinModule
}

async function serve(writer: string, api: string, breaks: readonly string[] = []): Promise<Standin> {
  const server = await (await load(writer, api)).start({ breaks })
  running.push(server)
  return server
}

/** The accounts as a QA engineer gives them to verify (the flags' names). */
function options(api: string, server: Standin): VerifyOptions {
  const { actor, peer, foreign } = server.accounts
  const s = (v: number | string | undefined) => (v === undefined ? undefined : String(v))
  return JSON.parse(
    JSON.stringify({
      api,
      baseUrl: server.url,
      token: actor.token,
      userId: s(actor.userId),
      email: actor.email,
      tenant: s(actor.tenant),
      role: actor.role,
      peerUserId: s(peer?.userId),
      peerEmail: peer?.email,
      peerToken: peer?.token,
      // A foreign account is one of another tenant: a writer's "foreign" user of an API without tenants is none.
      ...(foreign?.tenant !== undefined && {
        foreignUserId: s(foreign.userId),
        foreignTenant: s(foreign.tenant),
        foreignToken: foreign.token,
      }),
      reporter: 'json',
      seed: 1107,
      maxCases: 10,
    }),
  ) as VerifyOptions
}

/** The same accounts as CLI flags, for calibrate and diff. */
function flags(o: VerifyOptions): string[] {
  const pairs: Array<[string, string | undefined]> = [
    ['base-url', o.baseUrl],
    ['token', o.token],
    ['user-id', o.userId],
    ['email', o.email],
    ['tenant', o.tenant],
    ['role', o.role],
    ['peer-user-id', o.peerUserId],
    ['peer-email', o.peerEmail],
    ['peer-token', o.peerToken],
    ['foreign-user-id', o.foreignUserId],
    ['foreign-tenant', o.foreignTenant],
    ['foreign-token', o.foreignToken],
  ]
  return pairs.flatMap(([flag, value]) => (value === undefined ? [] : [`--${flag}`, value]))
}

const failuresOf = (result: Awaited<ReturnType<typeof verify>>) =>
  result.report.outcomes.flatMap((o) =>
    o.failures.map((f) => ({ rule: f.rule, line: `${f.rule} — ${o.title}: ${f.detail.slice(0, 200)}` })),
  )

for (const writer of writers) {
  describe.concurrent(`stand-ins by the ${writer} writer`, () => {
    for (const api of apisOf(writer)) {
      it(
        `${api}: conforming — verify exit 0 (safe and --allow-writes), --strict names inferred rules only`,
        { timeout: 120_000 },
        async () => {
          const safe = await verify(options(api, await serve(writer, api)))
          expect(
            failuresOf(safe)
              .map((f) => f.line)
              .join('\n'),
            'false alarms, default verify',
          ).toBe('')
          const writes = await verify({ ...options(api, await serve(writer, api)), allowWrites: true })
          expect(
            failuresOf(writes)
              .map((f) => f.line)
              .join('\n'),
            'false alarms, --allow-writes',
          ).toBe('')
          expect(writes.exitCode).toBe(0)
          const strict = await verify({ ...options(api, await serve(writer, api)), allowWrites: true, strict: true })
          const documented = strict.report.outcomes.flatMap((o) =>
            o.failures.filter((f) => f.provenance.kind === 'documented').map((f) => `${f.rule} — ${o.title}: ${f.detail.slice(0, 200)}`),
          )
          expect(documented.join('\n'), '--strict failures on documented rules').toBe('')
        },
      )

      it(`${api}: calibrate leaves nothing uncovered or different, and diff --strict then exits 0`, { timeout: 120_000 }, async () => {
        const dir = mkdtempSync(join(tmpdir(), 'apitwin-standin-'))
        folders.push(dir)
        const file = join(dir, 'apitwin.config.json')
        const target = flags(options(api, await serve(writer, api)))
        const calibrated = await runCli(['calibrate', api, ...target, '--allow-writes', '--write', file, '--json'])
        expect(calibrated.stderr).toBe('')
        const result = JSON.parse(calibrated.stdout) as {
          rules: Array<{ rule: string; status: string }>
          remaining: Array<{ rule: string }>
          leftBehind: string[]
        }
        expect(
          result.rules.filter((r) => r.status === 'uncovered').map((r) => r.rule),
          `${writer} ${api}: behaviour no reading covers`,
        ).toEqual([])
        const known = knownRemaining[`${writer} ${api}`]
        expect(
          [...new Set(result.remaining.map((d) => d.rule))].filter((rule) => !(known ?? []).includes(rule)),
          `${writer} ${api}: still different after calibration`,
        ).toEqual([])
        // The list only shrinks: an entry that no longer differs is removed.
        expect((known ?? []).filter((rule) => !result.remaining.some((d) => d.rule === rule))).toEqual([])
        expect(result.leftBehind, `${writer} ${api}: left changed by calibrate`).toEqual([])
        expect(calibrated.code).toBe(result.remaining.length > 0 ? 1 : 0)
        const after = await runCli([
          'diff',
          api,
          ...flags(options(api, await serve(writer, api))),
          '--allow-writes',
          '--config',
          file,
          '--strict',
          '--reporter',
          'json',
        ])
        // Issue 21's proof: on a fresh server, nothing differs from the calibrated mock.
        // Issue 21's proof: on a fresh server nothing differs from the calibrated mock but what is known to remain.
        const report = JSON.parse(after.stdout) as { rules: Array<{ rule: string }> }
        expect(report.rules.map((r) => r.rule).filter((rule) => !(known ?? []).includes(rule))).toEqual([])
        if (known === undefined) expect(after.code, after.stdout.slice(0, 2000)).toBe(0)
      })

      it(`${api}: each documented rule broken alone fails on exactly that rule`, { timeout: 300_000 }, async () => {
        const { breakable } = await load(writer, api)
        const wrong: string[] = []
        for (const rule of breakable.filter((r) => !(invisible[api] ?? []).includes(r))) {
          const result = await verify({ ...options(api, await serve(writer, api, [rule])), allowWrites: true })
          const failed = [...new Set(failuresOf(result).map((f) => f.rule))]
          if (notBreaks[`${writer} ${api} ${rule}`] !== undefined) {
            if (failed.length > 0) wrong.push(`${rule} (keeps the documented rule): failed on [${failed.join(', ')}]`)
            continue
          }
          const another = breaksAnother[`${writer} ${api} ${rule}`]
          if (another !== undefined) {
            if (failed.length !== 1 || failed[0] !== another)
              wrong.push(`${rule} (breaks ${another} first): failed on [${failed.join(', ')}]`)
            continue
          }
          const reading = readingsInDisguise[`${writer} ${api} ${rule}`]
          if (reading !== undefined) {
            const warned = result.report.outcomes.some((o) => o.warnings.some((w) => w.rule === reading))
            if (failed.length > 0 || !warned)
              wrong.push(
                `${rule} (the ${reading} reading): expected a warning on ${reading} and no failure, failed on [${failed.join(', ')}]`,
              )
            continue
          }
          if (failed.length !== 1 || failed[0] !== rule)
            wrong.push(
              `${rule}: failed on [${failed.join(', ')}]\n  ${failuresOf(result)
                .map((f) => f.line)
                .join('\n  ')}`,
            )
        }
        expect(wrong.join('\n'), 'breaks not caught on exactly their rule').toBe('')
      })
    }
  })
}
