/*
 * Imported APIs (issue #18), run by `npm run bench` or alone: node --import tsx bench/imported.ts [--json]
 *   1. the GitHub REST description (13 MB, 1,223 operations): time until `serve --openapi` answers (read, parse,
 *      index, seed; nothing dereferenced) and its RSS, three starts, median;
 *   2. an imported API's update against the hand-written one: the OpenAPI document `apitwin openapi flextell`
 *      writes, imported beside flextell in one server, the same PUT on each. Over HTTP: autocannon loads paired and
 *      alternated (BENCH_ROUNDS, default 5), each load also as the server's CPU time per request (utime + stime from
 *      /proc: on a shared machine, where throughput follows the neighbours' load, this moves far less); in process:
 *      the resolver's CPU per update, alternating rounds.
 * Servers on core 0, autocannon on core 1 (taskset), as bench/put.ts.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { RequestLike } from '../handlers/twin-api.ts'
import { createTwin } from '../handlers/twin.ts'
import { openapi } from '../server/openapi.ts'
import { autocannonLoad, median, pin } from './load.ts'

const root = fileURLToPath(new URL('..', import.meta.url))
const seconds = process.env['BENCH_SECONDS'] ?? '5'
const rounds = Number(process.env['BENCH_ROUNDS'] ?? '5')

function memory(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN)
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 }
}

async function start(args: readonly string[]): Promise<{ origin: string; pid: number; readyMs: number; stop(): void }> {
  const started = performance.now()
  const [bin, ...rest] = pin(0, ['node', 'bin/apitwin.mjs', 'serve', '--port', '0', '--quiet', ...args])
  const child = spawn(bin as string, rest, { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
  let out = ''
  const origin = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const match = /serving .*at (http:\/\/[^\s/]+)/.exec(out)?.[1]
      if (match) resolve(match)
    })
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)))
  })
  await (await fetch(`${origin}/__twin/apis`)).arrayBuffer()
  return { origin, pid: child.pid ?? 0, readyMs: performance.now() - started, stop: () => child.kill('SIGTERM') }
}

/** The CPU time (user + system) a process has used so far, in µs (/proc/<pid>/stat counts clock ticks of 10 ms). */
function cpuUs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
  return (Number(fields[11]) + Number(fields[12])) * 10_000
}

function load(method: string, url: string, token: string, body: string, pid: number): { rps: number; cpuUs: number; bad: number } {
  const before = cpuUs(pid)
  const result = autocannonLoad({ method, url, token, body }, { connections: '50', seconds })
  return { rps: result.rps, cpuUs: (cpuUs(pid) - before) / Math.max(1, result.total), bad: result.non2xx + result.errors }
}

// 1. GitHub.
const githubFile = createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.json')
const github: Array<{ readyMs: number; rssMb: number; peakMb: number }> = []
for (let i = 0; i < 3; i++) {
  const server = await start(['--openapi', `github=${githubFile}`])
  github.push({ readyMs: server.readyMs, ...memory(server.pid) })
  server.stop()
}

// 2. The update, over HTTP.
const docDir = mkdtempSync(join(tmpdir(), 'apitwin-bench-doc-'))
const flextellDoc = join(docDir, 'flextell.openapi.json')
writeFileSync(flextellDoc, JSON.stringify(openapi('flextell')))
const server = await start(['--users', '100', '--openapi', `flextell-doc=${flextellDoc}`])
const { apis } = (await (await fetch(`${server.origin}/__twin/apis`)).json()) as {
  apis: Array<{ name: string; accounts: Array<{ token: string; credentials?: Record<string, { value: string }> }> }>
}
const handToken = apis.find((api) => api.name === 'flextell')?.accounts[0]?.token ?? ''
const importedToken =
  Object.values(apis.find((api) => api.name === 'flextell-doc')?.accounts[0]?.credentials ?? {})[0]?.value.replace(/^Bearer /, '') ?? ''
const body = '{"title":"bench [<id>]","is_active":true}'
const hand = () => load('PUT', `${server.origin}/flextell/api/v1/users/100`, handToken, body, server.pid)
const imported = () => load('PUT', `${server.origin}/flextell-doc/api/v1/users/100`, importedToken, body, server.pid)
hand()
imported()
const http: Array<{ hand: number; imported: number; ratio: number; handCpu: number; importedCpu: number; bad: number }> = []
for (let round = 0; round < rounds; round++) {
  let a: ReturnType<typeof hand>
  let b: ReturnType<typeof imported>
  // Alternate which side goes first, so a noisy moment of the machine hits both alike.
  if (round % 2 === 0) {
    a = hand()
    b = imported()
  } else {
    b = imported()
    a = hand()
  }
  http.push({ hand: a.rps, imported: b.rps, ratio: b.rps / a.rps, handCpu: a.cpuUs, importedCpu: b.cpuUs, bad: a.bad + b.bad })
}
server.stop()
rmSync(docDir, { recursive: true, force: true })

// 3. The update, in process (the resolvers' CPU, no HTTP), alternating rounds.
const twin = await createTwin({ users: 100, openapi: { 'flextell-doc': openapi('flextell') as unknown as Record<string, unknown> } })
const request = (auth: string, n: number): RequestLike => ({
  headers: { get: (name: string) => (name === 'authorization' ? auth : name === 'content-type' ? 'application/json' : null) },
  text: async () => `{"title":"b ${n}","is_active":true}`,
  url: '/api/v1/users/100',
})
const handAuth = `Bearer ${twin.accounts('flextell')[0]?.token ?? ''}`
const importedAuth = `Bearer ${importedTokenOf(twin.accounts('flextell-doc')[0]?.credentials)}`
function importedTokenOf(credentials: Readonly<Record<string, { value: string }>> | undefined): string {
  return Object.values(credentials ?? {})[0]?.value.replace(/^Bearer /, '') ?? ''
}
let n = 0
const time = async (run: () => Promise<unknown>, count: number) => {
  const started = performance.now()
  for (let i = 0; i < count; i++) await run()
  return ((performance.now() - started) * 1000) / count
}
const handRun = () => twin.state('flextell').resolve(request(handAuth, n++), { id: '100' })
const importedRun = () => twin.state('flextell-doc').resolve(request(importedAuth, n++), { id: '100' }, 'PUT /api/v1/users/{id}')
await time(handRun, 3000)
await time(importedRun, 3000)
const cpu: Array<{ hand: number; imported: number }> = []
for (let round = 0; round < 7; round++) cpu.push({ hand: await time(handRun, 5000), imported: await time(importedRun, 5000) })

const result = {
  github: {
    readyMs: median(github.map((g) => g.readyMs)),
    rssMb: median(github.map((g) => g.rssMb)),
    peakMb: median(github.map((g) => g.peakMb)),
  },
  http: {
    handRps: median(http.map((h) => h.hand)),
    importedRps: median(http.map((h) => h.imported)),
    ratio: median(http.map((h) => h.ratio)),
    ratios: http.map((h) => h.ratio),
    // Server CPU µs per request; cpuRatio is hand ÷ imported, so like `ratio` it is imported's speed relative to hand's.
    handCpuUs: median(http.map((h) => h.handCpu)),
    importedCpuUs: median(http.map((h) => h.importedCpu)),
    cpuRatio: median(http.map((h) => h.handCpu / h.importedCpu)),
    bad: http.reduce((t, h) => t + h.bad, 0),
  },
  cpu: { handUs: median(cpu.map((c) => c.hand)), importedUs: median(cpu.map((c) => c.imported)) },
}
if (process.argv.includes('--json')) console.log(JSON.stringify(result))
else console.log(JSON.stringify(result, null, 2))
