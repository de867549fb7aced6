// Soak benchmark: `npm run bench:soak` (not a test). Starts `apitwin serve` as its own process, sends 100,000
// mixed requests over 50 keep-alive connections (updates that change data, refusals, bad JSON, unknown routes,
// rails-users e-mail changes that fill the outbox, journal reads) and reports the server's resident memory
// before and after, so growth that a bound should stop (outbox, journal, indexes) shows up as a number.
import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { Agent, request } from 'node:http'
import { fileURLToPath } from 'node:url'

const TOTAL = Number(process.env['SOAK_REQUESTS'] ?? 100_000)
const CONNECTIONS = 50
const bin = fileURLToPath(new URL('../bin/apitwin.mjs', import.meta.url))

interface Account {
  label: string
  userId: number | string
  token: string
  tenant?: number
  role?: string
}
interface Api {
  name: string
  method: string
  path: string
  accounts: Account[]
}

const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--quiet'], { stdio: ['ignore', 'pipe', 'inherit'] })
const url = await new Promise<string>((resolve, reject) => {
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString()
    const match = /at (http:\/\/\S+)/.exec(out)
    if (match?.[1]) resolve(match[1])
  })
  child.once('exit', (code) => reject(new Error(`apitwin serve exited with ${code}: ${out}`)))
})
const target = new URL(url)
const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS })

async function rssMiB(): Promise<number> {
  const status = await readFile(`/proc/${child.pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024
}

function send(method: string, path: string, headers: Record<string, string>, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: target.hostname, port: target.port, method, path, agent, headers }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', reject)
    req.end(body)
  })
}

const { apis } = (await (await fetch(`${url}/__twin/apis`)).json()) as { apis: Api[] }
const byName = Object.fromEntries(apis.map((api) => [api.name, api]))
const pathOf = (api: Api, who: Account) =>
  `/${api.name}${api.path.replace('{id}', String(who.userId)).replace('{userId}', String(who.userId)).replace('{tenantId}', String(who.tenant))}`
const actorOf = (api: Api) => api.accounts.find((a) => a.label === 'actor')!

/** The i-th request of the mix. */
function nth(i: number): Promise<number> {
  const json = { 'content-type': 'application/json' }
  switch (i % 8) {
    case 0: {
      const api = byName['flextell']!
      const actor = actorOf(api)
      return send('PUT', pathOf(api, actor), { ...json, authorization: `Bearer ${actor.token}` }, JSON.stringify({ title: `Title ${i}` }))
    }
    case 1: {
      const api = byName['rails-users']!
      const actor = actorOf(api)
      return send(
        'PUT',
        pathOf(api, actor),
        { ...json, authorization: `Bearer ${actor.token}` },
        JSON.stringify({ user: { email: `soak-${i}@example.com` } }),
      )
    }
    case 2: {
      const api = byName['medibulut']!
      const actor = actorOf(api)
      return send(
        'PATCH',
        pathOf(api, actor),
        { ...json, authorization: `Bearer ${actor.token}` },
        JSON.stringify({ role_id: actor.role, email: 'not an email' }),
      )
    }
    case 3: {
      const api = byName['gorules']!
      const actor = actorOf(api)
      return send(
        'PUT',
        pathOf(api, actor),
        { ...json, authorization: `Bearer ${actor.token}` },
        JSON.stringify({ firstName: `First ${i}` }),
      )
    }
    case 4:
      return send('PUT', '/flextell/api/v1/users/1', { ...json, authorization: 'Bearer wrong' }, '{}')
    case 5:
      return send(
        'PUT',
        pathOf(byName['gorules']!, actorOf(byName['gorules']!)),
        { ...json, authorization: `Bearer ${actorOf(byName['gorules']!).token}` },
        '{"firstName":',
      )
    case 6:
      return send('GET', `/flextell/api/v1/users/${i}`, {})
    default:
      return send('GET', '/__twin/requests', {})
  }
}

async function run(count: number): Promise<{ statuses: Map<number, number>; ms: number }> {
  const statuses = new Map<number, number>()
  let next = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (next < count) {
        const status = await nth(next++)
        statuses.set(status, (statuses.get(status) ?? 0) + 1)
      }
    }),
  )
  return { statuses, ms: performance.now() - started }
}

try {
  await run(2_000) // warm up: JIT, pools, the first outbox and journal entries
  const before = await rssMiB()
  const { statuses, ms } = await run(TOTAL)
  const after = await rssMiB()
  const fivexx = [...statuses].filter(([status]) => status >= 500).reduce((sum, [, n]) => sum + n, 0)
  console.log(
    `soak: ${TOTAL} requests over ${CONNECTIONS} connections in ${(ms / 1000).toFixed(1)} s (${Math.round(TOTAL / (ms / 1000))} req/s)`,
  )
  console.log(
    `statuses: ${[...statuses]
      .sort(([a], [b]) => a - b)
      .map(([status, n]) => `${status}×${n}`)
      .join(' ')}; 5xx: ${fivexx}`,
  )
  console.log(
    `server RSS: ${before.toFixed(1)} MiB before, ${after.toFixed(1)} MiB after (${after - before >= 0 ? '+' : ''}${(after - before).toFixed(1)} MiB)`,
  )
  if (fivexx > 0) process.exitCode = 1
} finally {
  agent.destroy()
  child.kill('SIGTERM')
}
