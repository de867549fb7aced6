/*
 * npm run bench — PUT throughput of `apitwin serve` as a ratio to a bare node:http server, measured in the
 * same run with wrk. Servers run pinned to core 0 and wrk to core 1 (taskset), so the ratio holds steady on a
 * shared 2-core machine; absolute numbers are not comparable across runs, ratios are.
 * Then the cost of each stage of one request, in-process, to show where the time goes.
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { flextell } from '../contracts/flextell.ts'
import { seedFlextell } from '../fixtures/flextell.ts'
import { resolveFlextell } from '../handlers/flextell.ts'

const duration = process.env['BENCH_SECONDS'] ?? '5'
const connections = '32'
const root = fileURLToPath(new URL('..', import.meta.url))
const has = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0

if (!has('wrk')) {
  console.error('npm run bench needs wrk, the HTTP load generator: sudo apt-get install wrk (Debian/Ubuntu) or brew install wrk')
  process.exit(2)
}
const pinned = has('taskset') && Number(spawnSync('nproc').stdout.toString()) >= 2
const pin = (core: number, command: string[]) => (pinned ? ['taskset', '-c', String(core), ...command] : command)

async function start(command: string[]): Promise<{ url: string; stop(): void }> {
  const [bin, ...args] = pin(0, command)
  const child = spawn(bin as string, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const match = /serving .*at (http:\/\/\S+)/.exec(out)
      if (match?.[1]) resolve(match[1])
    })
    child.once('exit', (code) => reject(new Error(`${command.join(' ')} exited with ${code}: ${out}`)))
  })
  return { url, stop: () => child.kill('SIGTERM') }
}

/** Every request sends a different title, so each one really writes. */
function script(token: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'apitwin-bench-')), 'put.lua')
  writeFileSync(file, [
    'wrk.method = "PUT"',
    'wrk.headers["Content-Type"] = "application/json"',
    `wrk.headers["Authorization"] = "Bearer ${token}"`,
    'local n = 0',
    'request = function() n = n + 1; return wrk.format(nil, nil, nil, \'{"title":"bench \' .. n .. \'","is_active":true}\') end',
  ].join('\n'))
  return file
}

function load(url: string, lua: string): { rps: number; non2xx: number } {
  const [bin, ...args] = pin(1, ['wrk', '-t1', `-c${connections}`, `-d${duration}s`, '-s', lua, url])
  const out = spawnSync(bin as string, args).stdout.toString()
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN)
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0)
  return { rps, non2xx }
}

async function measureServe(users: number, lua: (token: string) => string) {
  const server = await start(['node', 'bin/apitwin.mjs', 'serve', '--port', '0', '--quiet', '--users', String(users)])
  try {
    const discovery = (await (await fetch(`${server.url}/__twin/apis`)).json()) as { apis: Array<{ name: string; accounts: Array<{ token: string; userId: number }> }> }
    const flextellApi = discovery.apis.find((a) => a.name === 'flextell')
    const actor = flextellApi?.accounts[0]
    if (!actor) throw new Error('no flextell actor')
    // Warm up (JIT) before the measured run.
    load(`${server.url}/flextell/api/v1/users/${actor.userId}`, lua(actor.token))
    return load(`${server.url}/flextell/api/v1/users/${actor.userId}`, lua(actor.token))
  } finally {
    server.stop()
  }
}

async function stageCosts() {
  const db = await seedFlextell()
  const token = db.accounts[0]?.token ?? ''
  const n = 20_000
  const time = async (fn: (i: number) => unknown) => {
    for (let i = 0; i < 2_000; i++) await fn(i)
    const started = performance.now()
    for (let i = 0; i < n; i++) await fn(i)
    return ((performance.now() - started) * 1000) / n
  }
  const body = (i: number) => ({ title: `bench ${i}`, is_active: true })
  const request = (i: number) => new Request('http://apitwin.test/flextell/api/v1/users/1', { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body(i)) })
  const user = db.users.get('id', 1)
  const resource = { success: 'ok', data: { ...user, roles: [{ id: 1, name: 'Admin' }] } }
  return {
    'whole resolver (Request in, Response out, read)': await time(async (i) => (await resolveFlextell(db, request(i), { id: '1' })).text()),
    'new Request + body read': await time(async (i) => request(i).text()),
    'body schema (zod safeParse)': await time((i) => flextell.body.safeParse(body(i))),
    'store update (clone, schema, index)': await time((i) => db.users.update(db.users.get('id', 2)!, (d) => void (d.title = `t${i}`))),
    '200 schema on the way out (zod parse)': await time(() => flextell.responses[200].parse(resource)),
    'new Response + JSON.stringify + read': await time(async () => new Response(JSON.stringify(resource), { status: 200 }).text()),
  }
}

const bare = await start(['node', 'bench/bare-server.mjs'])
load(bare.url, script('x'))
const baseline = load(bare.url, script('x'))
bare.stop()
const small = await measureServe(25, script)
const large = await measureServe(100_000, script)

console.log(`PUT throughput, wrk -c${connections} -d${duration}s, ${pinned ? 'servers on core 0, wrk on core 1' : 'NOT pinned (no taskset or one core): expect noise'}`)
console.log(`  bare node:http                 ${baseline.rps.toFixed(0).padStart(7)} req/s   1.00×`)
console.log(`  apitwin serve, 25 users        ${small.rps.toFixed(0).padStart(7)} req/s   ${(small.rps / baseline.rps).toFixed(2)}×${small.non2xx ? `  (${small.non2xx} non-2xx!)` : ''}`)
console.log(`  apitwin serve, 100,000 users   ${large.rps.toFixed(0).padStart(7)} req/s   ${(large.rps / baseline.rps).toFixed(2)}×${large.non2xx ? `  (${large.non2xx} non-2xx!)` : ''}`)
console.log('\nCost per request by stage, in-process (µs, mean of 20,000):')
for (const [stage, us] of Object.entries(await stageCosts())) console.log(`  ${stage.padEnd(48)} ${us.toFixed(1).padStart(6)}`)
