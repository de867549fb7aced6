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

/** Starts `apitwin serve` and returns its flextell PUT URL and the wrk script for the actor. */
async function startServe(users: number) {
  const server = await start(['node', 'bin/apitwin.mjs', 'serve', '--port', '0', '--quiet', '--users', String(users)])
  const discovery = (await (await fetch(`${server.url}/__twin/apis`)).json()) as { apis: Array<{ name: string; accounts: Array<{ token: string; userId: number }> }> }
  const actor = discovery.apis.find((a) => a.name === 'flextell')?.accounts[0]
  if (!actor) throw new Error('no flextell actor')
  return { ...server, url: `${server.url}/flextell/api/v1/users/${actor.userId}`, lua: script(actor.token) }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN

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
    'whole resolver (Request in, reply out)': await time(async (i) => resolveFlextell(db, request(i), { id: '1' })),
    'new Request + body read': await time(async (i) => request(i).text()),
    'body schema (zod safeParse)': await time((i) => flextell.body.safeParse(body(i))),
    'store update (clone, schema, index)': await time((i) => db.users.update(db.users.get('id', 2)!, (d) => void (d.title = `t${i}`))),
    '200 schema on the way out (zod parse)': await time(() => flextell.responses[200].parse(resource)),
    'new Response + JSON.stringify + read': await time(async () => new Response(JSON.stringify(resource), { status: 200 }).text()),
  }
}

// All servers stay up; the load alternates between them, round after round, so a noisy moment of the shared
// machine hits both sides of a ratio alike. Each server is warmed up (JIT) before the first measured round.
const rounds = Number(process.env['BENCH_ROUNDS'] ?? '3')
const bare = await start(['node', 'bench/bare-server.mjs'])
const servers = [
  { label: 'apitwin serve, 25 users', ...(await startServe(25)) },
  { label: 'apitwin serve, 100,000 users', ...(await startServe(100_000)) },
]
const bareLua = script('x')
load(bare.url, bareLua)
for (const server of servers) load(server.url, server.lua)
const ratios = servers.map(() => [] as number[])
const rates = servers.map(() => [] as number[])
const bareRates: number[] = []
let non2xx = 0
for (let round = 0; round < rounds; round++) {
  for (const [i, server] of servers.entries()) {
    const baseline = load(bare.url, bareLua)
    const measured = load(server.url, server.lua)
    bareRates.push(baseline.rps)
    rates[i]?.push(measured.rps)
    ratios[i]?.push(measured.rps / baseline.rps)
    non2xx += measured.non2xx
  }
}
bare.stop()
for (const server of servers) server.stop()

console.log(`PUT throughput, wrk -c${connections} -d${duration}s, ${rounds} alternating rounds, ${pinned ? 'servers on core 0, wrk on core 1' : 'NOT pinned (no taskset or one core): expect noise'}`)
console.log(`  bare node:http                 median ${median(bareRates).toFixed(0).padStart(6)} req/s`)
for (const [i, server] of servers.entries()) {
  const each = (ratios[i] ?? []).map((r) => r.toFixed(2)).join(' ')
  console.log(`  ${server.label.padEnd(30)} median ${median(rates[i] ?? []).toFixed(0).padStart(6)} req/s   ratio ${median(ratios[i] ?? []).toFixed(2)}× (rounds: ${each})`)
}
if (non2xx > 0) console.log(`  WARNING: ${non2xx} responses were not 2xx; the numbers above are not of successful updates`)
console.log('\nCost per request by stage, in-process (µs, mean of 20,000):')
for (const [stage, us] of Object.entries(await stageCosts())) console.log(`  ${stage.padEnd(48)} ${us.toFixed(1).padStart(6)}`)
