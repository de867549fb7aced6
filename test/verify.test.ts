import { afterEach, describe, expect, it } from 'vitest'
import type { Account } from '../fixtures/account.ts'
import type { ApiState, Params, RequestLike } from '../handlers/twin-api.ts'
import { createTwin, type Twin } from '../handlers/twin.ts'
import { main } from '../server/cli.ts'
import { startServer, type RunningServer } from '../server/serve.ts'
import { spawnServe, type SpawnedServer } from './helpers/spawn-serve.ts'

type Resolve = ApiState['resolve']
type Breakage = (resolve: Resolve, accounts: readonly Account[]) => Resolve

const running: Array<{ close(): Promise<void> }> = []
afterEach(async () => {
  for (const server of running.splice(0)) await server.close()
})

/** Serves flextell with its resolver wrapped by `breakage`: a server that deviates from the contract on purpose. */
async function serveVariant(breakage: Breakage): Promise<{ server: RunningServer; accounts: readonly Account[] }> {
  const twin = await createTwin({ apis: (await import('../handlers/twin.ts')).apis.filter((a) => a.name === 'flextell') })
  const broken: Twin = { ...twin, state: (name) => ({ ...twin.state(name), resolve: breakage(twin.state(name).resolve, twin.accounts(name)) }) }
  const server = await startServer({ port: 0, twin: broken, log: () => {}, fastGlobals: false })
  running.push(server)
  return { server, accounts: twin.accounts('flextell') }
}

function account(accounts: readonly Account[], label: Account['label']): Account {
  const found = accounts.find((a) => a.label === label)
  if (!found) throw new Error(`no ${label} account`)
  return found
}

function liveArgs(baseUrl: string, accounts: readonly Account[]): string[] {
  const [actor, peer, foreign] = [account(accounts, 'actor'), account(accounts, 'peer'), account(accounts, 'foreign')]
  return [
    '--base-url', baseUrl, '--token', actor.token, '--user-id', String(actor.userId), '--email', actor.email, '--tenant', String(actor.tenant),
    '--peer-user-id', String(peer.userId), '--peer-email', peer.email,
    '--foreign-user-id', String(foreign.userId), '--foreign-tenant', String(foreign.tenant), '--foreign-token', foreign.token,
  ]
}

async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = ''
  let stderr = ''
  const code = await main(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env })
  return { code, stdout, stderr }
}

interface JsonReport {
  summary: { passed: number; warned: number; failed: number; skipped: number }
  checks: Array<{ title: string; status: string; failures: Array<{ rule: string }>; warnings: Array<{ rule: string }>; skipReason?: string }>
}

const failedRules = (report: JsonReport) => report.checks.flatMap((c) => c.failures.map((f) => f.rule))
const warnedRules = (report: JsonReport) => report.checks.flatMap((c) => c.warnings.map((f) => f.rule))

async function rebuild(request: RequestLike, change: (body: Record<string, unknown>, headers: Headers) => void): Promise<RequestLike> {
  const text = await request.text()
  const body = text ? (JSON.parse(text) as Record<string, unknown>) : {}
  const headers = new Headers()
  for (const name of ['authorization', 'content-type', 'x-tenant']) {
    const value = request.headers.get(name)
    if (value !== null) headers.set(name, value)
  }
  change(body, headers)
  return { headers, text: async () => JSON.stringify(body) }
}

const breakages: Record<string, { breakage: Breakage; rule: string }> = {
  'no auth check': {
    rule: 'auth.required',
    breakage: (resolve, accounts) => async (request, params) =>
      resolve(await rebuild(request, (_, headers) => headers.set('authorization', `Bearer ${account(accounts, 'actor').token}`)), params),
  },
  'wrong 200 shape (no envelope, id as a string)': {
    rule: 'response.shape',
    breakage: (resolve) => async (request, params) => {
      const response = await resolve(request, params)
      if (response.status !== 200) return response
      const { data } = (await response.json()) as { data: { id: number } }
      return Response.json({ user: { ...data, id: String(data.id) } })
    },
  },
  'name limit not enforced': {
    rule: 'body.limits',
    breakage: (resolve) => async (request: RequestLike, params: Params) =>
      resolve(await rebuild(request, (body) => { if (typeof body['name'] === 'string') body['name'] = body['name'].slice(0, 255) }), params),
  },
}

describe('apitwin verify has teeth', () => {
  for (const [name, { breakage, rule }] of Object.entries(breakages)) {
    it(`exits 1 against a server with ${name}, naming rule ${rule}`, async () => {
      const { server, accounts } = await serveVariant(breakage)
      const result = await run(['verify', 'flextell', ...liveArgs(`${server.url}/flextell`, accounts), '--allow-writes', '--reporter', 'json'])
      expect(result.code).toBe(1)
      const report = JSON.parse(result.stdout) as JsonReport
      expect(failedRules(report)).toContain(rule)
      for (const a of accounts) expect(result.stdout).not.toContain(a.token)
    })
  }

  it('only warns when an inferred rule breaks (a non-Laravel 401 body), and fails it with --strict', async () => {
    const { server, accounts } = await serveVariant((resolve) => async (request, params) => {
      const response = await resolve(request, params)
      return response.status === 401 ? Response.json({ error: 'unauthorized' }, { status: 401 }) : response
    })
    const args = ['verify', 'flextell', ...liveArgs(`${server.url}/flextell`, accounts), '--reporter', 'json']
    const lenient = await run(args)
    expect(lenient.code).toBe(0)
    const report = JSON.parse(lenient.stdout) as JsonReport
    expect(warnedRules(report)).toContain('auth.body')
    expect(report.summary.failed).toBe(0)
    const strict = await run([...args, '--strict'])
    expect(strict.code).toBe(1)
    expect(failedRules(JSON.parse(strict.stdout) as JsonReport)).toContain('auth.body')
  })
})

describe('apitwin verify against apitwin serve', () => {
  let served: SpawnedServer | undefined
  afterEach(async () => {
    await served?.stop()
    served = undefined
  })

  async function discover(url: string): Promise<readonly Account[]> {
    const discovery = (await (await fetch(`${url}/__twin/apis`)).json()) as { apis: Array<{ name: string; accounts: Account[] }> }
    return discovery.apis.find((a) => a.name === 'flextell')?.accounts ?? []
  }

  it('exits 0 with every check passing, writes included, and never prints a token', async () => {
    served = await spawnServe(['--quiet'])
    const accounts = await discover(served.url)
    const result = await run(['verify', 'flextell', ...liveArgs(`${served.url}/flextell`, accounts), '--allow-writes'])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/: \d+ passed, 0 warned, 0 failed, 1 skipped/)
    expect(result.stdout).toContain('cannot be undone') // the password change is kept off live targets
    for (const a of accounts) expect(result.stdout).not.toContain(a.token)
  })

  it('is safe by default: without --allow-writes the success paths are skipped, with the reason', async () => {
    served = await spawnServe(['--quiet'])
    const accounts = await discover(served.url)
    const result = await run(['verify', 'flextell', '--reporter', 'junit'], {
      APITWIN_BASE_URL: `${served.url}/flextell`,
      APITWIN_TOKEN: account(accounts, 'actor').token,
      APITWIN_USER_ID: '1',
    })
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^<\?xml/)
    expect(result.stdout).toMatch(/<skipped message="changes data; pass --allow-writes to run it"\/>/)
    expect(result.stdout).toMatch(/<skipped message="needs a foreign account/)
    expect(result.stdout).not.toContain(account(accounts, 'actor').token)
  })
})

describe('apitwin verify usage errors exit 2 with one line', () => {
  it('an unreachable target', async () => {
    const closed = await startServer({ port: 0, log: () => {}, fastGlobals: false })
    await closed.close() // a port that was just free and now has no listener
    const baseUrl = `${closed.url}/flextell`
    const result = await run(['verify', 'flextell', '--base-url', baseUrl, '--token', 'secret-token-value', '--user-id', '1', '--timeout', '2000'])
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(`apitwin: cannot reach ${baseUrl}: connection refused\n`)
    expect(result.stderr + result.stdout).not.toContain('secret-token-value')
  })

  it('a missing token, an unknown API, an unknown flag, a bad reporter', async () => {
    for (const [args, message] of [
      [['verify', 'flextell', '--base-url', 'http://127.0.0.1:9'], /--token \(or APITWIN_TOKEN\) is required/],
      [['verify', 'nope'], /unknown API "nope"; choose one of: flextell/],
      [['verify', 'flextell', '--bogus'], /Unknown option '--bogus'.*--help/],
      [['verify', 'flextell', '--reporter', 'xml'], /--reporter must be one of default, junit, json/],
      [['verify'], /which API\?/],
    ] as const) {
      const result = await run([...args])
      expect(result.code).toBe(2)
      expect(result.stderr).toMatch(message)
      expect(result.stderr.trim().split('\n')).toHaveLength(1)
    }
  })
})
