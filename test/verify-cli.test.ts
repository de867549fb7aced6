import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Account } from '../fixtures/account.ts'
import { main } from '../server/cli.ts'
import { startServer } from '../server/serve.ts'
import { redact } from '../server/verify.ts'
import { spawnCli } from './helpers/run-cli.ts'

// Issue 9, item 6: the CLI as CI runs it — a spawned `node bin/apitwin.mjs verify …`, its exit code and streams.
let server: { url: string; close(): Promise<void> }
let folder: string
let accounts: readonly Account[]
beforeAll(async () => {
  server = await startServer({ port: 0, log: false, fastGlobals: false })
  folder = await mkdtemp(join(tmpdir(), 'apitwin-verify-cli-'))
  const discovery = (await (await fetch(`${server.url}/__twin/apis`)).json()) as { apis: Array<{ name: string; accounts: Account[] }> }
  accounts = discovery.apis.find((a) => a.name === 'flextell')?.accounts ?? []
})
afterAll(async () => {
  await server?.close()
  if (folder) await rm(folder, { recursive: true, force: true })
})

const cli = (args: readonly string[], env: NodeJS.ProcessEnv = {}) => spawnCli(args, { cwd: folder, env })

/** The same command in this process (`main` with the working directory of the spawned runs). */
async function inProcess(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const previous = process.cwd()
  process.chdir(folder)
  try {
    const code = await main([...args], { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env })
    return { code, stdout, stderr }
  } finally {
    process.chdir(previous)
  }
}

const actor = () => {
  const found = accounts.find((a) => a.label === 'actor')
  if (!found) throw new Error('the served flextell publishes no actor')
  return found
}

describe('apitwin verify, spawned as CI runs it', () => {
  it('exits 2 with one line for each usage problem, and never a stack trace', async () => {
    const base = `${server.url}/flextell`
    // Spawned where the process is the point (exit code, no stack trace); the rest of the messages in-process below.
    const cases: Array<[string[], RegExp]> = [
      [
        ['verify', 'flextell', '--base-url', base, '--token', 'not-a-token-of-this-server', '--user-id', '11'],
        /^apitwin: the token for --user-id 11 was refused: 401\n$/,
      ],
      [['verify', 'flextell', '--no-such-flag'], /^apitwin: unknown flag --no-such-flag; run with --help to see the flags\n$/],
      // The flag the no-DELETE lifecycle's skip reason names: known to verify, and only with --allow-writes.
      [
        ['verify', 'flextell', '--disposable'],
        /^apitwin: --disposable lets checks that cannot be undone write to throwaway accounts: give --allow-writes with it\n$/,
      ],
      [
        ['verify', 'flextell', '--output', 'missing/dir/report.xml'],
        /^apitwin: --output missing\/dir\/report.xml: the folder .*missing\/dir does not exist; create it first\n$/,
      ],
    ]
    const results = await Promise.all(cases.map(([args]) => cli(args)))
    results.forEach((result, i) => {
      const [args, message] = cases[i] ?? [[], /./]
      expect(result.code, args.join(' ')).toBe(2)
      expect(result.stderr, args.join(' ')).toMatch(message)
      expect(result.stdout).toBe('')
    })
  })

  it("takes a --base-url that already ends where the documented path begins, as a doc's base URL reads", async () => {
    const a = actor()
    // flextell's doc shows https://dev.flextell.ai/api/v1/users/{id}: a user may well give …/api/v1 as the base.
    const result = await cli([
      'verify',
      'flextell',
      '--base-url',
      `${server.url}/flextell/api/v1`,
      '--token',
      a.token,
      '--user-id',
      String(a.userId),
    ])
    expect(result.stderr).toBe('')
    expect(result.code, result.stdout).toBe(0)
    expect(result.stdout).not.toContain(a.token)
  })

  it('names the missing partner of a half-given account, refuses extra arguments and unredactable tokens (in-process)', async () => {
    const base = `${server.url}/flextell`
    const cases: Array<[string[], RegExp]> = [
      [
        ['verify', 'flextell', '--base-url', base, '--token', actor().token, '--user-id', '1', '--peer-user-id', '2'],
        /^apitwin: --peer-user-id needs --peer-email: give both or neither\n$/,
      ],
      [
        ['verify', 'flextell', '--base-url', base, '--token', actor().token, '--user-id', '1', '--foreign-token', 'abcdefghij'],
        /^apitwin: --foreign-token needs --foreign-user-id: give both or neither\n$/,
      ],
      [['verify', 'flextell', 'rails-users'], /^apitwin: unexpected argument "rails-users": apitwin verify takes one API\n$/],
      [
        ['verify', 'flextell', '--base-url', base, '--token', 'e', '--user-id', '1'],
        /^apitwin: --token is 1 characters; tokens shorter than 8 cannot be redacted from reports safely\n$/,
      ],
    ]
    const results = await Promise.all(cases.map(([args]) => inProcess(args)))
    results.forEach((result, i) => {
      const [args, message] = cases[i] ?? [[], /./]
      expect(result.code, args.join(' ')).toBe(2)
      expect(result.stderr, args.join(' ')).toMatch(message)
      expect(result.stdout).toBe('')
    })
  })

  it('takes target and accounts from a config file with ${ENV} secrets, and from --from-discovery (in-process)', async () => {
    const a = actor()
    await writeFile(
      join(folder, 'apitwin.config.json'),
      JSON.stringify({
        targets: {
          flextell: {
            baseUrl: `${server.url}/flextell`,
            accounts: { actor: { userId: a.userId, token: '${FLEXTELL_TOKEN}', email: a.email } },
          },
        },
      }),
    )
    const configured = await inProcess(['verify', 'flextell', '--reporter', 'json', '--max-cases', '5', '--seed', '7'], {
      FLEXTELL_TOKEN: a.token,
    })
    const missingEnv = await inProcess(['verify', 'flextell'])
    await rm(join(folder, 'apitwin.config.json'))
    const discovered = await inProcess(['verify', 'flextell', '--from-discovery', server.url, '--max-cases', '5', '--seed', '7'])
    expect(configured.stderr).toBe('')
    expect(configured.code, configured.stdout).toBe(0)
    const report = JSON.parse(configured.stdout) as { target: string; checks: Array<{ title: string }> }
    expect(report.target).toBe(`${server.url}/flextell`)
    expect(report.checks.map((c) => c.title)).toContain(
      'property: 5 random values the contract refuses are refused (replay with --seed 7 --max-cases 5)',
    )
    expect(configured.stdout).not.toContain(a.token)
    expect(discovered.stderr).toBe('')
    expect(discovered.code, discovered.stdout).toBe(0)
    // The discovered peer and foreign accounts let the isolation checks run instead of being skipped.
    expect(discovered.stdout).not.toMatch(/needs a foreign account/)
    expect(missingEnv.code).toBe(2)
    expect(missingEnv.stderr).toBe(
      'apitwin: apitwin.config.json (targets.flextell) uses ${FLEXTELL_TOKEN}, but the environment has no FLEXTELL_TOKEN; export it or edit the file\n',
    )
  })
})

describe('apitwin verify output', () => {
  it('redacts whole token values only', () => {
    expect(redact('expected e, got e', ['e'])).toBe('expected [token], got [token]')
    expect(redact('Bearer 1|abcdefgh sent; 1|abcdefghX is another', ['1|abcdefgh'])).toBe('Bearer [token] sent; 1|abcdefghX is another')
    expect(redact('{"token":"s3cr3t-value"}', ['s3cr3t-value'])).toBe('{"token":"[token]"}')
  })

  it('draws progress on a terminal only, and not with --quiet', async () => {
    const run = async (args: string[], stderrIsTTY: boolean) => {
      let stderr = ''
      const code = await main(['verify', 'gorules', '--max-cases', '0', ...args], {
        stdout: () => {},
        stderr: (t) => void (stderr += t),
        env: {},
        stderrIsTTY,
      })
      return { code, stderr }
    }
    const tty = await run([], true)
    expect(tty.stderr).toMatch(/\[1\/\d+\] .*\[\d+\/\d+\] /s)
    expect((await run(['--quiet'], true)).stderr).toBe('')
    expect((await run([], false)).stderr).toBe('')
  })

  it('--coverage prints the rule → checks table, and --output writes the report', async () => {
    let stdout = ''
    const file = join(folder, 'report.json')
    const code = await main(['verify', 'rails-users', '--coverage', '--max-cases', '0', '--reporter', 'json', '--output', file], {
      stdout: (t) => void (stdout += t),
      stderr: () => {},
      env: {},
    })
    expect(code).toBe(0)
    expect(stdout).toMatch(/^rails-users against in-process mock: \d+ passed/)
    const report = JSON.parse(await readFile(file, 'utf8')) as { coverage: Array<{ rule: string; checks: string[] }> }
    expect(report.coverage.find((r) => r.rule === 'body.locale')?.checks.some((c) => c.startsWith('locale (derived)'))).toBe(true)
  })
})
