import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { ReadingChoice } from '../contracts/provenance.ts'
import { apis, createTwin } from '../handlers/twin.ts'
import { main } from '../server/cli.ts'
import { startServer, type RunningServer } from '../server/serve.ts'
import { runCli, spawnCli } from './helpers/run-cli.ts'
import { accountArgs } from './helpers/accounts.ts'

/*
 * Issue 13: a mock under a combination of readings, served over HTTP, plays the live server; a default mock is the
 * mock. calibrate must recover every reading, diff must name each switched rule before and nothing after.
 * Each combination leaves out what no live probe can see (readings that mask one another, e.g. an unknown id
 * answered 422 hides how the 404 body reads; probes that need a disposable server). Case-sensitive or unchecked
 * e-mail uniqueness is left out too: the mock's storage keeps e-mails unique case-folded, so a write that those
 * readings let through cannot be stored (TODO: an index keyed per reading in fixtures/).
 */
const combinations: Readonly<Record<string, ReadingChoice>> = {
  medibulut: {
    'auth.required': '403',
    'auth.body': 'envelope',
    'tenant.not-found': '403',
    'tenant.forbidden': '404',
    'user.not-found': 'generic',
    'required-fields': 'create-rules',
    'role.reading': 'slug-only',
    'body.coercion': 'strict',
    'body.formats': 'lenient',
    'body.authorized-users': 'any-tenant',
    'validation.messages': 'laravel9',
  },
  flextell: {
    'auth.body': 'envelope',
    'user.not-found-body': 'generic',
    'tenant.not-found': '403',
    'tenant.membership': '404',
    'body.coercion': 'strict',
    'validation.status': '400',
    'validation.messages': 'laravel9',
    'validation.summary': 'given-data',
    'roles.exist': 'ignored',
    'body.read-only': 'prohibited',
    'update.timestamps': 'always',
  },
  'rails-users': {
    'order.find-before-authorize': 'authorize-first',
    'body.wrapped': 'fetch',
    'body.type-cast': 'strict',
    'body.names': 'none',
  },
  gorules: {
    'error.body': 'message',
    'user.not-found': '403',
    'path.uuid': '404',
    'authz.admin': '404',
    'body.whitelist': 'rejected',
    'validation.status': '422',
    'roles.exist': 'ignored',
    'owner.single': 'unchecked',
  },
}

const servers: RunningServer[] = []
const folders: string[] = []
afterAll(async () => {
  for (const server of servers.splice(0)) await server.close()
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A config file's path in a fresh folder (removed after the tests): what calibrate --write writes. */
function configPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'apitwin-calibrate-'))
  folders.push(dir)
  return join(dir, 'apitwin.config.json')
}

async function liveUnder(api: string, choice: ReadingChoice): Promise<string[]> {
  const twin = await createTwin({ apis: apis.filter((a) => a.name === api), readings: { [api]: choice } })
  const server = await startServer({ port: 0, twin, log: false, fastGlobals: false })
  servers.push(server)
  return accountArgs(`${server.url}/${api}`, twin.accounts(api))
}

interface DiffJson {
  rules: Array<{ rule: string; provenance: string; differences: unknown[] }>
  extras: unknown[]
}

describe('calibrate and diff against a server with other readings', () => {
  for (const [api, choice] of Object.entries(combinations)) {
    const spawned = api === 'medibulut' // the real process once; the same code in-process for the others
    it(`${api}: diff names every switched rule, calibrate recovers every reading, diff --config --strict is then empty${spawned ? ' (spawned CLI)' : ''}`, async () => {
      const run = spawned ? spawnCli : runCli
      const target = await liveUnder(api, choice)
      const before = await run(['diff', api, ...target, '--allow-writes', '--reporter', 'json'])
      expect(before.stderr).toBe('')
      const report = JSON.parse(before.stdout) as DiffJson
      expect(
        report.rules.filter((r) => r.provenance === 'documented'),
        'no documented rule differs',
      ).toEqual([])
      expect(before.code).toBe(0)
      const named = new Set(report.rules.map((r) => r.rule))
      expect(
        Object.keys(choice).filter((rule) => !named.has(rule)),
        'switched rules diff does not name',
      ).toEqual([])
      expect(
        [...named].filter((rule) => !(rule in choice)),
        'rules diff names that the server keeps',
      ).toEqual([])
      expect((await run(['diff', api, ...target, '--allow-writes', '--strict'])).code).toBe(1)

      const file = configPath()
      const other = api === 'gorules' ? 'flextell' : 'gorules'
      writeFileSync(file, JSON.stringify({ $schema: 'kept', readings: { [other]: { 'validation.status': '422' } } }))
      const calibrated = await run(['calibrate', api, ...target, '--allow-writes', '--write', file])
      expect(calibrated.stderr).toBe('')
      expect(calibrated.code, calibrated.stdout).toBe(0)
      const written = JSON.parse(readFileSync(file, 'utf8')) as { $schema: string; readings: Record<string, Record<string, string>> }
      expect(written.$schema, 'other keys of the file are kept').toBe('kept')
      expect(written.readings[other], "another API's readings are kept").toEqual({ 'validation.status': '422' })
      expect(written.readings[api]).toMatchObject(choice)
      for (const token of target.filter((_, i) => target[i - 1]?.endsWith('-token') || target[i - 1] === '--token'))
        expect(calibrated.stdout).not.toContain(token)

      const after = await run(['diff', api, ...target, '--allow-writes', '--config', file, '--strict'])
      expect(after.code, after.stdout).toBe(0)
      expect(after.stdout).toContain('no differences')
    }, 90_000)
  }

  it('rails-users: a server that neither downcases e-mails nor compares them case-insensitively is found jointly (issue 17)', async () => {
    // email.normalized cannot be probed on a live server (it changes the e-mail for good); email.case-insensitive
    // depends on it, so the two are searched together and the irreversible one is inferred from the other.
    const choice = { 'email.normalized': 'as-sent', 'email.case-insensitive': 'sensitive' }
    const target = await liveUnder('rails-users', choice)
    const file = configPath()
    const calibrated = await runCli(['calibrate', 'rails-users', ...target, '--allow-writes', '--write', file])
    expect(calibrated.code, calibrated.stdout).toBe(0)
    expect(calibrated.stdout).toContain('email.case-insensitive = sensitive (default insensitive)')
    expect(calibrated.stdout).toMatch(
      /email\.normalized = as-sent \(default downcase\): not probed \(it cannot be undone\); the only reading under which email\.case-insensitive's answer is explained/,
    )
    expect((JSON.parse(readFileSync(file, 'utf8')) as { readings: Record<string, object> }).readings['rails-users']).toMatchObject(choice)
    const after = await runCli(['diff', 'rails-users', ...target, '--allow-writes', '--config', file, '--strict'])
    expect(after.code, after.stdout).toBe(0)
  }, 90_000)

  it('gorules: a server with two owners where admins may not touch an owner: calibrate finds both, no account is left changed', async () => {
    const choice = { 'owner.single': 'unchecked', 'authz.owner': 'owner-only' }
    const target = await liveUnder('gorules', choice)
    // A mock that keeps one owner cannot ask whether an admin may update one: diff names owner.single and says why
    // the authz.owner probe was not compared; calibrate reads owner.single first and then asks.
    const before = await runCli(['diff', 'gorules', ...target, '--allow-writes', '--reporter', 'json'])
    const report = JSON.parse(before.stdout) as DiffJson & { skipped: Array<{ check: string; reason: string }> }
    expect(report.rules.map((r) => r.rule)).toEqual(['owner.single'])
    expect(report.skipped.find((s) => s.check === 'probe: authz.owner')?.reason).toMatch(/^on the mock: .*one owner/)
    const file = configPath()
    const calibrated = await runCli(['calibrate', 'gorules', ...target, '--allow-writes', '--write', file])
    expect(calibrated.code, calibrated.stdout).toBe(0)
    expect(calibrated.stdout).toContain('authz.owner = owner-only (default admins)')
    expect(calibrated.stdout).not.toContain('left changed')
    expect((JSON.parse(readFileSync(file, 'utf8')) as { readings: Record<string, object> }).readings['gorules']).toMatchObject(choice)
    const after = await runCli(['diff', 'gorules', ...target, '--allow-writes', '--config', file, '--strict'])
    expect(after.code, after.stdout).toBe(0)
    // Without the peer's token the peer cannot step down again as an owner may: the probe is not run.
    const withoutPeerToken = target.filter((_, i) => target[i] !== '--peer-token' && target[i - 1] !== '--peer-token')
    const blind = await runCli(['calibrate', 'gorules', ...withoutPeerToken, '--allow-writes', '--json'])
    const result = JSON.parse(blind.stdout) as {
      rules: Array<{ rule: string; status: string; reason?: string }>
      remaining: unknown[]
      leftBehind: string[]
    }
    const owner = result.rules.find((r) => r.rule === 'authz.owner')
    expect(owner?.status).toBe('skipped')
    expect(owner?.reason).toContain('--peer-token')
    // Nothing that might not be undone is sent: the only-one-owner check needs the peer's token too.
    expect(result.leftBehind).toEqual([])
    expect(result.remaining).toEqual([])
    expect(blind.code).toBe(0)
  }, 90_000)

  it('rails-users: against the default server the irreversible rule is said plainly as unknown, with the command that would learn it', async () => {
    const target = await liveUnder('rails-users', {})
    const calibrated = await runCli(['calibrate', 'rails-users', ...target, '--allow-writes'])
    expect(calibrated.code, calibrated.stdout).toBe(0)
    expect(calibrated.stdout).toMatch(
      /email\.normalized: not probed \(.*cannot be undone.*\); unknown: still possible downcase or as-sent\n\s+to learn it, point calibrate at throwaway accounts: apitwin calibrate rails-users --allow-writes --disposable/,
    )
    const disposable = await runCli(['calibrate', 'rails-users', ...target, '--allow-writes', '--disposable'])
    expect(disposable.stdout).toContain('email.normalized = downcase (the default)')
    expect((await runCli(['calibrate', 'rails-users', ...target, '--disposable'])).code).toBe(2)
  }, 90_000)

  it('per-field readings (issue 21): calibrate fills them field by field, the mock follows them, diff --strict is then empty', async () => {
    const choice = { 'body.formats': 'lenient:mobile', 'body.coercion': 'strict:status', 'body.nullable': 'none:phone' }
    const target = await liveUnder('medibulut', choice)
    const file = configPath()
    const calibrated = await runCli(['calibrate', 'medibulut', ...target, '--allow-writes', '--write', file])
    expect(calibrated.code, calibrated.stdout).toBe(0)
    // none:phone is none: 'none' differs from the default in phone alone.
    expect((JSON.parse(readFileSync(file, 'utf8')) as { readings: Record<string, object> }).readings['medibulut']).toMatchObject({
      ...choice,
      'body.nullable': 'none',
    })
    const after = await runCli(['diff', 'medibulut', ...target, '--allow-writes', '--config', file, '--strict'])
    expect(after.code, after.stdout).toBe(0)
  }, 90_000)

  it('flextell: a server refusing every key it does not take (read-only and unknown alike) is calibrated to body.read-only=refused', async () => {
    const target = await liveUnder('flextell', { 'body.read-only': 'refused' })
    const file = configPath()
    const calibrated = await runCli(['calibrate', 'flextell', ...target, '--allow-writes', '--write', file])
    expect(calibrated.code, calibrated.stdout).toBe(0)
    expect((JSON.parse(readFileSync(file, 'utf8')) as { readings: Record<string, object> }).readings['flextell']).toMatchObject({
      'body.read-only': 'refused',
    })
    const after = await runCli(['diff', 'flextell', ...target, '--allow-writes', '--config', file, '--strict'])
    expect(after.code, after.stdout).toBe(0)
  }, 90_000)

  it('usage errors are exit 2 with one line', async () => {
    expect((await runCli(['diff', 'medibulut'])).stderr).toMatch(
      /^apitwin: apitwin diff compares the mock with a live server: give --base-url/,
    )
    expect((await runCli(['calibrate', 'nope', '--base-url', 'http://127.0.0.1:9'])).code).toBe(2)
    const unreachable = await runCli(['diff', 'gorules', '--base-url', 'http://127.0.0.1:9', '--token', 'abcdefghij', '--user-id', '1'])
    expect(unreachable.code).toBe(2)
    expect(unreachable.stderr).toMatch(/cannot reach http:\/\/127.0.0.1:9/)
  })
})

/** A medibulut server that deviates on purpose: `change` rewrites each reply. */
async function variant(
  change: (reply: { status: number; body: unknown }, params: Record<string, string | undefined>) => { status: number; body: unknown },
): Promise<string[]> {
  const api = 'medibulut'
  const twin = await createTwin({ apis: apis.filter((a) => a.name === api) })
  const state = twin.state(api)
  const wrapped = {
    ...twin,
    state: (name: string) => ({
      ...twin.state(name),
      resolve: async (request: Parameters<typeof state.resolve>[0], params: Parameters<typeof state.resolve>[1]) => ({
        headers: {},
        ...change(await state.resolve(request, params), params),
      }),
    }),
  }
  const server = await startServer({ port: 0, twin: wrapped, log: false, fastGlobals: false })
  servers.push(server)
  return accountArgs(`${server.url}/${api}`, twin.accounts(api))
}

describe('diff and calibrate against servers no reading covers', () => {
  it('calibrate --no-learn reports a behaviour no reading gives with what it saw, writes nothing for it, exits 1', async () => {
    // Cross-tenant requests answered 410: neither the 403 nor the 404 reading.
    const target = await variant((reply, params) =>
      params['tenantId'] === '202' && reply.status === 403 ? { status: 410, body: { message: 'Gone' } } : reply,
    )
    const file = configPath()
    const result = await runCli(['calibrate', 'medibulut', ...target, '--write', file, '--no-learn'])
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(
      /tenant\.forbidden: NO READING answers as this server does — observed \{"caller":410,"ofThatTenant":410\}; the readings answer 403 → \{"caller":403,"ofThatTenant":403\}; 404 → \{"caller":404,"ofThatTenant":404\}; binding-first → \{"caller":404,"ofThatTenant":403\}/,
    )
    const written = JSON.parse(readFileSync(file, 'utf8')) as { readings: Record<string, Record<string, string>>; learned?: unknown }
    expect(written.readings['medibulut']).not.toHaveProperty('tenant.forbidden')
    expect(written.readings['medibulut']).toMatchObject({ 'tenant.not-found': '404', 'auth.required': '401' })
    expect(written.learned).toBeUndefined()
  })

  it('calibrate learns a status no reading lists (issue 21): written as "learned", kept by serve after a restart, diff --strict then clean', async () => {
    // Every refusal of tenancy answered 410 Gone: a status neither reading lists.
    const target = await variant((reply) => (reply.status === 403 ? { status: 410, body: { message: 'Gone' } } : reply))
    const file = configPath()
    const result = await runCli(['calibrate', 'medibulut', ...target, '--write', file])
    expect(result.code, result.stdout).toBe(0)
    expect(result.stdout).toMatch(/tenant\.forbidden: learned \(no reading answers \{"caller":410,"ofThatTenant":410\}/)
    const written = JSON.parse(readFileSync(file, 'utf8')) as {
      learned: Record<string, Record<string, { statuses?: Record<string, number>; messages?: Record<string, string[]>; seen: string[] }>>
    }
    const piece = written.learned['medibulut']?.['tenant.forbidden']
    expect(piece?.statuses).toEqual({ '403 This action is unauthorized.': 410 })
    expect(piece?.messages).toEqual({ '["This action is unauthorized."]': ['Gone'] })
    expect(piece?.seen[0]).toMatch(/^PATCH as actor/)
    // No account value is kept: the file holds no token, e-mail or id of either side.
    for (const value of target.filter((_, i) => /^--(token|email|peer-email|peer-token|foreign-token)$/.test(target[i - 1] ?? '')))
      expect(JSON.stringify(written.learned)).not.toContain(value)
    const after = await runCli(['diff', 'medibulut', ...target, '--config', file, '--strict'])
    expect(after.code, after.stdout).toBe(0)
    // A served mock started from the file answers with what was learned: the default mock is unchanged without it.
    const served = await startServer({
      port: 0,
      log: false,
      ...(await import('../server/config.ts').then(async (c) => ({
        readings: await c.commandReadings({ config: file }, {}),
        learned: await c.commandLearned(file, {}),
      }))),
    })
    servers.push(served)
    const plain = await startServer({ port: 0, log: false })
    servers.push(plain)
    const twin = await createTwin({ apis: apis.filter((a) => a.name === 'medibulut') })
    const actor = twin.accounts('medibulut')[0]
    const cross = (url: string) =>
      fetch(`${url}/medibulut/202/users/487`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${actor?.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ role_id: 'admin' }),
      })
    const learnedReply = await cross(served.url)
    expect(learnedReply.status).toBe(410)
    expect(await learnedReply.json()).toEqual({ message: 'Gone' })
    expect((await cross(plain.url)).status).toBe(403)
  }, 90_000)

  it("diff lists fields beyond the mock's as extra (exit 0), a documented difference as exit 1, and writes junit", async () => {
    const extra = await variant((reply) =>
      reply.status === 200 ? { ...reply, body: { data: { ...(reply.body as { data: object }).data, nickname: 'x' } } } : reply,
    )
    const informational = await runCli(['diff', 'medibulut', ...extra, '--allow-writes', '--strict'])
    expect(informational.code, informational.stdout).toBe(0)
    expect(informational.stdout).not.toContain('\x1b[') // no colour unless stdout is a terminal
    expect(informational.stdout).toContain("extra fields the server returns beyond the mock's (informational): data.nickname (string)")
    // A server without authentication: the documented tenant isolation differs.
    const open = await variant((reply, params) =>
      params['tenantId'] === '202' && reply.status === 403 ? { status: 200, body: { data: {} } } : reply,
    )
    let coloured = ''
    expect(
      await main(['diff', 'medibulut', ...open], { stdout: (t) => void (coloured += t), stderr: () => {}, env: {}, stdoutIsTTY: true }),
    ).toBe(1)
    expect(coloured).toContain('\x1b[31m[documented]\x1b[0m \x1b[1mtenant.isolation\x1b[0m')
    const junit = await runCli(['diff', 'medibulut', ...open, '--reporter', 'junit'])
    expect(junit.code).toBe(1)
    expect(junit.stdout).toMatch(/<testcase classname="apitwin.diff.medibulut" name="tenant.isolation \[documented\]">\n\s+<failure/)
  })
})
