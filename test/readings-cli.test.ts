import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { commandReadings, type ApiReadings } from '../server/config.ts'
import { startServer } from '../server/serve.ts'
import { binPath, spawnServe } from './helpers/spawn-serve.ts'
import { runCli } from './helpers/run-cli.ts'

const running: Array<{ stop(): Promise<unknown> }> = []
const folders: string[] = []
afterEach(async () => {
  for (const server of running.splice(0)) await server.stop()
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** The CLI in-process (the process itself is spawned where that is the point). */

async function serveInProcess(readings?: ApiReadings) {
  const server = await startServer({ port: 0, log: false, fastGlobals: false, ...(readings && { readings }) })
  running.push({ stop: () => server.close() })
  return server
}

/** Runs the real CLI as a process in `cwd`. */
function cli(args: readonly string[], cwd = process.cwd()) {
  const result = spawnSync(process.execPath, [binPath, ...args], { cwd, encoding: 'utf8', timeout: 30_000 })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

function folderWith(config: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'apitwin-readings-'))
  folders.push(dir)
  writeFileSync(join(dir, 'apitwin.config.json'), JSON.stringify(config))
  return dir
}

interface Discovered {
  apis: Array<{
    name: string
    baseUrl: string
    readings?: Record<string, string>
    roles?: unknown[]
    accounts: Array<{ label: string; token: string; userId: string | number; tenant?: number }>
  }>
}

async function medibulutCrossTenant(url: string): Promise<number> {
  const discovery = (await (await fetch(`${url}/__twin/apis`)).json()) as Discovered
  const api = discovery.apis.find((a) => a.name === 'medibulut')
  const actor = api?.accounts.find((a) => a.label === 'actor')
  const foreign = api?.accounts.find((a) => a.label === 'foreign')
  if (!api || !actor || !foreign) throw new Error('discovery lists no medibulut actor/foreign')
  const res = await fetch(`${api.baseUrl}/${foreign.tenant}/users/${foreign.userId}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${actor.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ role_id: 'admin' }),
  })
  return res.status
}

describe('apitwin serve --reading / config readings', () => {
  it('the spawned server follows --reading medibulut.tenant.forbidden=404 and shows it in /__twin/apis; the default is 403', async () => {
    const plain = await serveInProcess()
    expect(await medibulutCrossTenant(plain.url)).toBe(403)
    const switched = await spawnServe([
      '--quiet',
      '--reading',
      'medibulut.tenant.forbidden=404',
      '--reading',
      'gorules.validation.status=422',
    ])
    running.push(switched)
    expect(await medibulutCrossTenant(switched.url)).toBe(404)
    const discovery = (await (await fetch(`${switched.url}/__twin/apis`)).json()) as Discovered
    expect(discovery.apis.find((a) => a.name === 'medibulut')?.readings).toEqual({ 'tenant.forbidden': '404' })
    expect(discovery.apis.find((a) => a.name === 'gorules')?.roles?.length).toBe(5)
  })

  it('--config FILE readings reach the server; --reading wins over the file', async () => {
    const file = join(folderWith({ readings: { medibulut: { 'tenant.forbidden': '404', 'auth.required': '403' } } }), 'apitwin.config.json')
    const readings = await commandReadings({ config: file, reading: ['medibulut.auth.required=401'] }, {})
    expect(readings).toEqual({ medibulut: { 'tenant.forbidden': '404', 'auth.required': '401' } })
    const server = await serveInProcess(readings)
    expect(await medibulutCrossTenant(server.url)).toBe(404)
  })

  it('a wrong reading is exit 2 naming the allowed values, no stack trace', async () => {
    const bad = await runCli(['serve', '--port', '0', '--reading', 'medibulut.tenant.forbidden=418'])
    expect(bad.code).toBe(2)
    expect(bad.stderr.trim()).toBe(
      'apitwin: --reading: medibulut: tenant.forbidden: "418" is not a reading; choose one of 403, 404, binding-first',
    )
    const noApi = await runCli(['serve', '--port', '0', '--reading', 'tenant.forbidden=404'])
    expect(noApi.code).toBe(2)
    expect(noApi.stderr).toMatch(/unknown API "tenant"/)
    const shape = await runCli(['serve', '--port', '0', '--reading', 'medibulut'])
    expect(shape.code).toBe(2)
    expect(shape.stderr).toMatch(/--reading takes <api>.<rule>=<value>/)
    const inFile = await runCli([
      'serve',
      '--port',
      '0',
      '--config',
      join(folderWith({ readings: { gorules: { 'validation.status': '401' } } }), 'apitwin.config.json'),
    ])
    expect(inFile.code).toBe(2)
    expect(inFile.stderr).toMatch(/readings: gorules: validation.status: "401" is not a reading; choose one of 400, 422/)
    const missing = await runCli(['serve', '--port', '0', '--config', '/nonexistent/apitwin.config.json'])
    expect(missing.code).toBe(2)
    expect(`${bad.stderr}${noApi.stderr}${inFile.stderr}${missing.stderr}`).not.toMatch(/\n\s+at /)
  })
})

describe('apitwin readings', () => {
  it('lists every inferred rule of an API with why, readings, default and active', async () => {
    const out = await runCli(['readings', 'gorules', '--reading', 'gorules.validation.status=422'])
    expect(out.code).toBe(0)
    expect(out.stdout).toContain('  validation.status [inferred] — a refused body is answered with the validation status')
    expect(out.stdout).toContain('    why: no error response is documented;')
    expect(out.stdout).toContain("      gorules.validation.status=400 (default): ValidationPipe's default: 400 Bad Request")
    expect(out.stdout).toContain('    * gorules.validation.status=422 (active): ')
    expect(out.stdout).not.toContain('response.shape') // documented rules have no readings
  })

  it('the spawned CLI reads apitwin.config.json from its working directory; --json lists every API', () => {
    const dir = folderWith({ readings: { 'rails-users': { 'body.type-cast': 'strict' } } })
    const result = cli(['readings', '--json'], dir)
    expect(result.code, result.stderr).toBe(0)
    const json = JSON.parse(result.stdout) as Array<{ api: string; rule: string; active: string; default: string }>
    expect(new Set(json.map((r) => r.api))).toEqual(new Set(['flextell', 'rails-users', 'medibulut', 'gorules']))
    expect(json.find((r) => r.api === 'rails-users' && r.rule === 'body.type-cast')).toMatchObject({ default: 'cast', active: 'strict' })
  })

  it('an unknown API or extra argument is exit 2', async () => {
    expect((await runCli(['readings', 'nope'])).code).toBe(2)
    expect((await runCli(['readings', 'gorules', 'flextell'])).code).toBe(2)
  })
})

describe('verify against the in-process mock honours readings', () => {
  it('--reading switches the mock and judges by it: exit 0, no warning; the same reading in a config file', async () => {
    const flag = await runCli(['verify', 'gorules', '--reading', 'validation.status=422', '--max-cases', '0', '--reporter', 'json'])
    expect(flag.code, flag.stdout).toBe(0)
    const report = JSON.parse(flag.stdout) as { summary: { warned: number; failed: number } }
    expect(report.summary).toMatchObject({ warned: 0, failed: 0 })
    const file = join(folderWith({ readings: { gorules: { 'validation.status': '422' } } }), 'apitwin.config.json')
    const fromFile = await runCli(['verify', 'gorules', '--config', file, '--max-cases', '0', '--reporter', 'json'])
    expect(fromFile.code, fromFile.stdout).toBe(0)
    expect((JSON.parse(fromFile.stdout) as { summary: { warned: number } }).summary.warned).toBe(0)
  })
})
