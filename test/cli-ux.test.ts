import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Account } from '../fixtures/account.ts'
import { binPath, spawnServe, type SpawnedServer } from './helpers/spawn-serve.ts'

// What a new user met from a fresh clone, each through the spawned CLI: the exit code and exactly what it printed.
let folder: string
let served: SpawnedServer
let flextell: { baseUrl: string; accounts: Account[] }
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'apitwin-ux-'))
  served = await spawnServe(['--quiet'])
  const discovery = (await (await fetch(`${served.url}/__twin/apis`)).json()) as {
    apis: Array<{ name: string; baseUrl: string; accounts: Account[] }>
  }
  const found = discovery.apis.find((a) => a.name === 'flextell')
  if (!found) throw new Error('the server lists no flextell')
  flextell = found
})
afterAll(async () => {
  await served?.stop()
  if (folder) await rm(folder, { recursive: true, force: true })
})

function cli(
  args: readonly string[],
  { env = {}, cwd = folder, until }: { env?: Record<string, string>; cwd?: string; until?: RegExp } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binPath, ...args], {
      cwd,
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    // Once: a second SIGTERM (on output printed while shutting down) is serve's "exit now", not a clean stop.
    let stopping = false
    const stopWhen = () => {
      if (stopping || !until?.test(stdout) || child.exitCode !== null) return
      stopping = true
      child.kill('SIGTERM')
    }
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString()
      stopWhen()
    })
    child.stderr.on('data', (c: Buffer) => void (stderr += c.toString()))
    child.once('error', reject)
    child.once('exit', (code) => resolve({ code, stdout, stderr }))
  })
}

const actor = () => {
  const found = flextell.accounts.find((a) => a.label === 'actor')
  if (!found) throw new Error('no flextell actor')
  return found
}

/** Exit 2, one line on stderr matching `message`, nothing on stdout, no stack trace. */
function usage(result: { code: number | null; stdout: string; stderr: string }, message: RegExp | string, what: string) {
  expect(result.code, what).toBe(2)
  expect(result.stdout, what).toBe('')
  expect(result.stderr.split('\n').filter(Boolean), what).toHaveLength(1)
  if (typeof message === 'string') expect(result.stderr, what).toBe(`apitwin: ${message}\n`)
  else expect(result.stderr, what).toMatch(message)
}

describe('config ${ENV} is expanded where it is used', () => {
  it("a variable only flextell's target uses may be unset for serve, readings and verify gorules; verify flextell names it", async () => {
    const config = {
      readings: { gorules: { 'validation.status': '422' } },
      targets: { flextell: { baseUrl: 'http://127.0.0.1:9/flextell', accounts: { actor: { userId: 1, token: '${FLEXTELL_TOKEN}' } } } },
    }
    await writeFile(join(folder, 'apitwin.config.json'), JSON.stringify(config))
    try {
      const [readings, gorules, flextellRun, serve] = await Promise.all([
        cli(['readings', 'gorules']),
        cli(['verify', 'gorules', '--max-cases', '0']),
        cli(['verify', 'flextell']),
        cli(['serve', '--port', '0', '--quiet'], { until: /serving/ }),
      ])
      expect(readings.code, readings.stderr).toBe(0)
      expect(readings.stdout).toMatch(/422/)
      expect(gorules.stderr).toBe('')
      expect(gorules.code, gorules.stdout).toBe(0)
      expect(serve.stdout).toMatch(/apitwin serving/)
      expect(serve.stderr).toBe('')
      usage(
        flextellRun,
        'apitwin.config.json (targets.flextell) uses ${FLEXTELL_TOKEN}, but the environment has no FLEXTELL_TOKEN; export it or edit the file',
        'verify flextell',
      )
    } finally {
      await rm(join(folder, 'apitwin.config.json'))
    }
  }, 30_000)

  it('a target for an unknown API (a typo) is exit 2 naming the known APIs; a target without accounts names the file and target', async () => {
    const typo = join(folder, 'typo.json')
    const bare = join(folder, 'bare.json')
    await writeFile(typo, JSON.stringify({ targets: { flextel: { baseUrl: 'http://127.0.0.1:9/flextell' } } }))
    await writeFile(bare, JSON.stringify({ targets: { flextell: { baseUrl: 'http://127.0.0.1:9/flextell' } } }))
    const [typoRun, bareRun] = await Promise.all([
      cli(['verify', 'gorules', '--config', typo]),
      cli(['verify', 'flextell', '--config', bare]),
    ])
    usage(
      typoRun,
      `config file ${typo}: targets: unknown API "flextel"; choose from flextell, rails-users, medibulut, gorules (or declare your own API under "apis")`,
      'typo',
    )
    usage(
      bareRun,
      /^apitwin: .*bare\.json: targets\.flextell has a baseUrl but no accounts\.actor\.token; add accounts\.actor .* or pass --token and --user-id\n$/,
      'no accounts',
    )
  }, 30_000)
})

describe('usage problems: exit 2, one line', () => {
  it('serve: --state in a missing folder, --body-limit 1gb (no stray seeding line), negative numbers, a reading without its API', async () => {
    const runs = await Promise.all([
      cli(['serve', '--port', '0', '--state', '/nonexistent/dir/s.json']),
      cli(['serve', '--port', '0', '--body-limit', '1gb']),
      cli(['serve', '--port', '0', '--seed', '-1']),
      cli(['serve', '--port', '0', '--reading', 'validation.status=422']),
      cli(['verify', 'flextell', '--max-cases', '-1']),
    ])
    usage(
      runs[0],
      '--state /nonexistent/dir/s.json: the folder /nonexistent/dir does not exist; create it first or pass another path',
      'state',
    )
    usage(runs[1], '--body-limit must be a size from 1 byte to 512mb (e.g. 1048576, 64kb, 1mb), got "1gb"', 'body-limit')
    usage(runs[2], /^apitwin: --seed must be a whole number from 0 to \d+, got "-1"\n$/, 'seed')
    usage(
      runs[3],
      /^apitwin: --reading: unknown API "validation": a reading is API\.RULE=VALUE \(e\.g\. \w+\.validation\.status=422\); the APIs are flextell, rails-users, medibulut, gorules\n$/,
      'reading',
    )
    usage(runs[4], '--max-cases must be a whole number from 0 to 10000, got "-1"', 'max-cases')
  }, 30_000)

  it('verify: a base URL short of /flextell, --token without a target, --peer-user-id without --peer-email with --from-discovery', async () => {
    const origin = served.url
    const [short, lone, peer] = await Promise.all([
      cli(['verify', 'flextell', '--base-url', origin, '--token', actor().token, '--user-id', String(actor().userId)]),
      cli(['verify', 'flextell', '--token', actor().token]),
      cli(['verify', 'flextell', '--from-discovery', origin, '--peer-user-id', '2']),
    ])
    usage(
      short,
      /^apitwin: http:\/\/127\.0\.0\.1:\d+: the actor's own user \(--user-id 1\) answered 404: --base-url must reach up to where the documented path starts \(e\.g\. .*\/flextell .*\), or --user-id names no user\n$/,
      'short base URL',
    )
    expect(short.stderr).not.toContain(actor().token)
    usage(lone, /^apitwin: --token needs --base-url \(or a config target/, 'lone token')
    usage(peer, '--peer-user-id needs --peer-email: give both or neither', 'peer')
  }, 30_000)
})

describe('serve --state: a save that fails later', () => {
  it('prints one line without a stack trace and keeps serving', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'apitwin-ux-state-'))
    const server = await spawnServe(['--quiet', '--state', join(dir, 's.json')])
    try {
      await rm(dir, { recursive: true, force: true })
      const discovery = (await (await fetch(`${server.url}/__twin/apis`)).json()) as {
        apis: Array<{ name: string; baseUrl: string; accounts: Account[] }>
      }
      const api = discovery.apis.find((a) => a.name === 'flextell')
      const me = api?.accounts.find((a) => a.label === 'actor')
      if (!api || !me) throw new Error('no flextell actor')
      const put = await fetch(`${api.baseUrl}/api/v1/users/${me.userId}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${me.token}`, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ first_name: 'Ada' }),
      })
      expect(put.status).toBe(200)
      const deadline = Date.now() + 5000
      while (!/could not save/.test(server.output()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
      const lines = server
        .output()
        .split('\n')
        .filter((l) => /could not save/.test(l))
      expect(lines[0]).toMatch(/^apitwin: could not save the state file .*s\.json: ENOENT; the data stays in memory/)
      expect(server.output()).not.toMatch(/^\s+at /m)
      expect((await fetch(`${server.url}/__twin/apis`)).status).toBe(200)
    } finally {
      await server.stop()
      await rm(dir, { recursive: true, force: true })
    }
    expect(server.output()).not.toMatch(/^\s+at /m)
  }, 30_000)
})
