import { request as httpRequest } from 'node:http'
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type RunningServer } from '../server/serve.ts'
import { account, discover, update } from './helpers/apis.ts'
import { main } from '../server/cli.ts'
import { spawnServe, type SpawnedServer } from './helpers/spawn-serve.ts'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'apitwin-state-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

const children: SpawnedServer[] = []
const open: RunningServer[] = []
afterEach(async () => {
  for (const child of children.splice(0)) await child.stop('SIGKILL')
  for (const server of open.splice(0)) await server.close()
})

/** Starts a PUT held by X-Twin-Delay; resolves once it is sent, with the promise of its status. */
async function delayedPut(url: string, delay: number): Promise<{ status: Promise<number> }> {
  const api = (await discover(url))['flextell']!
  const actor = account(api, 'actor')
  const status = update(url, api, actor, actor, { title: 'Delayed' }, { 'x-twin-delay': String(delay) }).then((res) => res.status)
  await new Promise((resolve) => setTimeout(resolve, 300))
  return { status }
}

describe('graceful shutdown', () => {
  it('close() answers in-flight requests, cutting a pending X-Twin-Delay short', async () => {
    const server = await startServer({ port: 0, log: false })
    const { status: pending } = await delayedPut(server.url, 30_000)
    const started = performance.now()
    await server.close()
    expect(await pending).toBe(200)
    expect(performance.now() - started).toBeLessThan(2000)
  })

  it('SIGTERM lets the delayed request finish and exits 0 within 5 s (and --quiet logs no request)', async () => {
    const child = await spawnServe(['--quiet'])
    children.push(child)
    const { status: pending } = await delayedPut(child.url, 30_000)
    const started = performance.now()
    expect(await child.stop('SIGTERM')).toBe(0)
    expect(performance.now() - started).toBeLessThan(5000)
    expect(await pending).toBe(200)
    expect(child.output()).not.toMatch(/PUT \/flextell/)
  }, 20_000)

  it('a second signal exits at once, even with a request still in flight (and APITWIN_QUIET=1 logs no request)', async () => {
    const child = await spawnServe([], { APITWIN_QUIET: '1' })
    await (await fetch(`${child.url}/__twin/apis`)).text()
    children.push(child)
    // A body that never ends holds a request in flight.
    const target = new URL(child.url)
    const hanging = httpRequest({
      host: target.hostname,
      port: target.port,
      method: 'PUT',
      path: '/flextell/api/v1/users/1',
      agent: false,
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
    })
    hanging.on('error', () => {})
    hanging.write('{"name":')
    await new Promise((resolve) => setTimeout(resolve, 200))
    const exited = new Promise<number | null>((resolve) => child.child.once('exit', (code) => resolve(code)))
    child.child.kill('SIGTERM')
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(child.child.exitCode).toBeNull() // still finishing the in-flight request
    const started = performance.now()
    child.child.kill('SIGTERM')
    expect(await exited).toBe(143)
    expect(performance.now() - started).toBeLessThan(1000)
    hanging.destroy()
    expect(child.output()).not.toContain('GET /__twin/apis')
  }, 20_000)
})

describe('--state FILE', () => {
  it('keeps edits across a restart, saves at shutdown, and POST /__twin/reset still restores the seed', async () => {
    const file = join(dir, 'kept.json')
    const first = await startServer({ port: 0, log: false, stateFile: file })
    const api = (await discover(first.url))['flextell']!
    const actor = account(api, 'actor')
    const seeded = ((await (await update(first.url, api, actor, actor, {})).json()) as { data: { name: string } }).data.name
    expect((await update(first.url, api, actor, actor, { name: 'Survives Restart' })).status).toBe(200)
    await first.close()
    const saved = JSON.parse(await readFile(file, 'utf8')) as { apis: Record<string, { users: Array<{ id: number; name: string }> }> }
    expect(saved.apis['flextell']?.users.find((u) => u.id === actor.userId)?.name).toBe('Survives Restart')

    const second = await startServer({ port: 0, log: false, stateFile: file })
    open.push(second)
    const again = (await discover(second.url))['flextell']!
    expect(((await (await update(second.url, again, actor, actor, {})).json()) as { data: { name: string } }).data.name).toBe(
      'Survives Restart',
    )
    expect((await fetch(`${second.url}/__twin/reset`, { method: 'POST' })).status).toBe(200)
    expect(((await (await update(second.url, again, actor, actor, {})).json()) as { data: { name: string } }).data.name).toBe(seeded)
  })

  it('saves after changes without waiting for shutdown (debounced)', async () => {
    const file = join(dir, 'debounced.json')
    const server = await startServer({ port: 0, log: false, stateFile: file })
    open.push(server)
    const api = (await discover(server.url))['gorules']!
    const actor = account(api, 'actor')
    expect((await update(server.url, api, actor, actor, { firstName: 'Saved Soon' })).status).toBe(200)
    await new Promise((resolve) => setTimeout(resolve, 600))
    expect(await readFile(file, 'utf8')).toContain('Saved Soon')
  })

  it('never leaves a corrupt file when the process is killed mid-save', async () => {
    const file = join(dir, 'crash.json')
    // Enough users that a save takes a while, so the kill is likely to land mid-save.
    const child = await spawnServe(['--quiet', '--users', '1500', '--state', file])
    children.push(child)
    const api = (await discover(child.url))['flextell']!
    const actor = account(api, 'actor')
    const started = performance.now()
    let i = 0
    while (performance.now() - started < 700) await update(child.url, api, actor, actor, { title: `T${i++}` })
    await child.stop('SIGKILL')
    const saved = JSON.parse(await readFile(file, 'utf8')) as { apis: Record<string, { users: Array<{ id: number; title: string }> }> }
    // Whole, and recent: a save ran while the updates came in.
    expect(saved.apis['flextell']?.users.find((u) => u.id === actor.userId)?.title).toMatch(/^T\d+$/)
    // Leftover temp files are the only trace a kill leaves; the state itself is whole.
    expect((await readdir(dir)).filter((name) => name.startsWith('crash.json') && !name.endsWith('.tmp'))).toEqual(['crash.json'])
  }, 60_000)

  it('refuses a state file that is not JSON with a one-line error and exit code 2', async () => {
    const file = join(dir, 'broken.json')
    await writeFile(file, '{"apitwin":1,"seed":')
    let stderr = ''
    const code = await main(['serve', '--port', '0', '--state', file], { stdout: () => {}, stderr: (text) => (stderr += text), env: {} })
    expect(code).toBe(2)
    expect(stderr.trim()).toBe(
      `apitwin: the state file ${file} is not JSON; move it away (apitwin saves a new one) or pass another --state`,
    )
  })
})
