import { afterEach, describe, expect, it } from 'vitest'
import type { Account } from '../fixtures/account.ts'
import type { ApiState } from '../handlers/twin-api.ts'
import { apis, createTwin, type Twin } from '../handlers/twin.ts'
import { main } from '../server/cli.ts'
import { startServer } from '../server/serve.ts'
import { accountArgs } from './helpers/accounts.ts'

type Resolve = ApiState['resolve']
type Breakage = (resolve: Resolve, accounts: readonly Account[]) => Resolve

const running: Array<{ close(): Promise<void> }> = []
afterEach(async () => {
  for (const server of running.splice(0)) await server.close()
})

/** Serves `api` with its resolver wrapped by `breakage`: a server that deviates from the contract on purpose. */
async function serveVariant(api: string, breakage: Breakage): Promise<{ baseUrl: string; accounts: readonly Account[] }> {
  const twin = await createTwin({ apis: apis.filter((a) => a.name === api) })
  const broken: Twin = {
    ...twin,
    state: (name) => ({ ...twin.state(name), resolve: breakage(twin.state(name).resolve, twin.accounts(name)) }),
  }
  const server = await startServer({ port: 0, twin: broken, log: () => {}, fastGlobals: false })
  running.push(server)
  return { baseUrl: `${server.url}/${api}`, accounts: twin.accounts(api) }
}

function account(accounts: readonly Account[], label: Account['label']): Account {
  const found = accounts.find((a) => a.label === label)
  if (!found) throw new Error(`no ${label} account`)
  return found
}

async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = ''
  let stderr = ''
  const code = await main(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env })
  return { code, stdout, stderr }
}

interface JsonReport {
  summary: { passed: number; warned: number; failed: number; skipped: number }
  checks: Array<{
    title: string
    status: string
    failures: Array<{ rule: string }>
    warnings: Array<{ rule: string }>
    skipReason?: string
  }>
}

const failedRules = (report: JsonReport) => report.checks.flatMap((c) => c.failures.map((f) => f.rule))
const warnedRules = (report: JsonReport) => report.checks.flatMap((c) => c.warnings.map((f) => f.rule))

describe('apitwin verify has teeth', () => {
  // Breaking each documented rule, one by one: test/verify-teeth.test.ts.
  it('only warns when an inferred rule breaks (a non-Laravel 401 body), and fails it with --strict', async () => {
    const { baseUrl, accounts } = await serveVariant('flextell', (resolve) => async (request, params) => {
      const response = await resolve(request, params)
      return response.status === 401 ? { status: 401, body: { error: 'unauthorized' } } : response
    })
    const args = ['verify', 'flextell', ...accountArgs(baseUrl, accounts), '--reporter', 'json']
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

describe('medibulut: a server with the other reading of the doc is warned about, not failed', () => {
  it('requires the six fields of the 422 example: exit 0 with a required-fields warning, exit 1 with --strict', async () => {
    const required = ['first_name', 'last_name', 'email', 'password', 'status']
    const { baseUrl, accounts } = await serveVariant('medibulut', (resolve) => async (request, params) => {
      const text = await request.text()
      const response = await resolve({ headers: request.headers, text: async () => text }, params)
      if (response.status !== 422) return response
      const sent = JSON.parse(text) as Record<string, unknown>
      const body = response.body as { errors: Record<string, string[]> }
      const missing = Object.fromEntries(
        required.filter((f) => !(f in sent)).map((f) => [f, [`The ${f.replace('_', ' ')} field is required.`]]),
      )
      const errors = { ...missing, ...body.errors }
      const messages = Object.values(errors).flat()
      const more = messages.length - 1
      return {
        status: 422,
        body: { message: `${messages[0]}${more ? ` (and ${more} more ${more === 1 ? 'error' : 'errors'})` : ''}`, errors },
      }
    })
    const args = ['verify', 'medibulut', ...accountArgs(baseUrl, accounts), '--reporter', 'json']
    const lenient = await run(args)
    const report = JSON.parse(lenient.stdout) as JsonReport
    expect(report.summary.failed, JSON.stringify(report.checks.filter((c) => c.status === 'fail'))).toBe(0)
    expect(lenient.code).toBe(0)
    expect([...new Set(warnedRules(report))]).toEqual(['required-fields'])
    expect((await run([...args, '--strict'])).code).toBe(1)
  })
})

describe('apitwin verify against apitwin serve', () => {
  // The server in-process (the same code `apitwin serve` runs; the process itself is tested in server.test.ts).
  async function serveAll(): Promise<string> {
    const server = await startServer({ port: 0, log: false, fastGlobals: false })
    running.push(server)
    return server.url
  }

  async function discover(url: string, api = 'flextell'): Promise<readonly Account[]> {
    const discovery = (await (await fetch(`${url}/__twin/apis`)).json()) as { apis: Array<{ name: string; accounts: Account[] }> }
    return discovery.apis.find((a) => a.name === api)?.accounts ?? []
  }

  it('exits 0 for every API with every check passing, writes included, and never prints a token', async () => {
    const url = await serveAll()
    for (const { name } of apis) {
      const accounts = await discover(url, name)
      const result = await run(['verify', name, ...accountArgs(`${url}/${name}`, accounts), '--allow-writes'])
      expect(result.stderr).toBe('')
      expect(result.code, result.stdout).toBe(0)
      expect(result.stdout).toMatch(/: \d+ passed, 0 warned, 0 failed, \d+ skipped/)
      // What a live target must never get: a password change, a real verification email.
      expect(result.stdout).toMatch(/skipped: makes a change that cannot be undone/)
      for (const a of accounts) expect(result.stdout).not.toContain(a.token)
    }
  })

  it('is safe by default: without --allow-writes the success paths are skipped, with the reason', async () => {
    const url = await serveAll()
    const accounts = await discover(url)
    const result = await run(['verify', 'flextell', '--reporter', 'junit'], {
      APITWIN_BASE_URL: `${url}/flextell`,
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
    const result = await run([
      'verify',
      'flextell',
      '--base-url',
      baseUrl,
      '--token',
      'secret-token-value',
      '--user-id',
      '1',
      '--timeout',
      '2000',
    ])
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(`apitwin: cannot reach ${baseUrl}: connection refused\n`)
    expect(result.stderr + result.stdout).not.toContain('secret-token-value')
  })

  it('a missing token, an unknown API, an unknown flag, a bad reporter', async () => {
    for (const [args, message] of [
      [['verify', 'flextell', '--base-url', 'http://127.0.0.1:9'], /--token \(or APITWIN_TOKEN\) is required/],
      [['verify', 'nope'], /unknown API "nope"; choose one of: flextell, rails-users, medibulut, gorules/],
      [['verify', 'flextell', '--bogus'], /^apitwin: unknown flag --bogus; run with --help to see the flags\n$/],
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
