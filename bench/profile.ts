/*
 * Where a request's time goes: `apitwin serve` under `node --cpu-prof`, loaded by autocannon with one API's valid
 * update, then the profile's self time summed by category (HTTP, body, zod, response check, store, logging, GC…).
 * Not part of `npm run bench`: run it when the numbers there move.
 *   node --import tsx bench/profile.ts [flextell|rails-users|medibulut|gorules|flextell-doc] [--log]   (PROFILE_SECONDS, default 6)
 * flextell-doc is the imported API of bench/imported.ts: the document `apitwin openapi flextell` writes, served with
 * `--openapi` beside the four, loaded with the same PUT as flextell.
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openapi } from '../server/openapi.ts'
import { targets, type Target } from './targets.ts'

const api = process.argv[2] ?? 'flextell'
const logging = process.argv.includes('--log')
const seconds = process.env['PROFILE_SECONDS'] ?? '6'
const root = fileURLToPath(new URL('..', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'apitwin-prof-'))
const autocannon = fileURLToPath(import.meta.resolve('autocannon/autocannon.js'))
const imported = api === 'flextell-doc'
const docFile = join(dir, 'flextell.openapi.json')
if (imported) writeFileSync(docFile, JSON.stringify(openapi('flextell')))

const child = spawn(
  'taskset',
  [
    '-c',
    '0',
    'node',
    '--cpu-prof',
    `--cpu-prof-dir=${dir}`,
    'bin/apitwin.mjs',
    'serve',
    '--port',
    '0',
    '--users',
    '100',
    ...(imported ? ['--openapi', `flextell-doc=${docFile}`] : []),
    ...(logging ? [] : ['--quiet']),
  ],
  { cwd: root, stdio: ['ignore', logging ? 'pipe' : 'pipe', 'inherit'] },
)
const origin = await new Promise<string>((resolve) => {
  let out = ''
  const onData = (chunk: Buffer) => {
    out += chunk.toString()
    const match = /serving .*at (http:\/\/[^\s/]+)/.exec(out)
    if (match?.[1]) {
      resolve(match[1])
      // The log goes to a file-like sink that is drained but not kept, as with stdout redirected to a file.
      out = ''
      child.stdout.off('data', onData)
      child.stdout.resume()
    }
  }
  child.stdout.on('data', onData)
})
const target = imported ? await importedTarget(origin) : (await targets(origin, 100)).find((t) => t.label === api)
if (!target) throw new Error(`no target ${api}`)
const run = spawnSync(
  'taskset',
  [
    '-c',
    '1',
    'node',
    autocannon,
    '--json',
    '-c',
    '50',
    '-d',
    seconds,
    '-m',
    target.method,
    '-I',
    '-b',
    target.body,
    '-H',
    'content-type=application/json',
    '-H',
    `authorization=Bearer ${target.token}`,
    target.url,
  ],
  { encoding: 'utf8', maxBuffer: 64 << 20 },
)
const result = JSON.parse(run.stdout) as { requests: { average: number; total: number }; non2xx: number }
child.kill('SIGTERM')
await new Promise((resolve) => child.once('exit', resolve))

/** flextell's update on the imported copy: same user, same body, the document's bearer credential. */
async function importedTarget(at: string): Promise<Target> {
  const { apis } = (await (await fetch(`${at}/__twin/apis`)).json()) as {
    apis: Array<{ name: string; accounts: Array<{ credentials?: Record<string, { value: string }> }> }>
  }
  const credentials = apis.find((a) => a.name === 'flextell-doc')?.accounts[0]?.credentials ?? {}
  return {
    label: 'flextell-doc',
    method: 'PUT',
    url: `${at}/flextell-doc/api/v1/users/100`,
    token: Object.values(credentials)[0]?.value.replace(/^Bearer /, '') ?? '',
    body: '{"title":"bench [<id>]","is_active":true}',
  }
}

interface Node {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}
const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'))
if (!file) throw new Error('no profile written')
const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] }
const byId = new Map(profile.nodes.map((node) => [node.id, node]))
const parent = new Map<number, number>()
for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id)
const self = new Map<number, number>()
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)))

/** A sample's category: the first matching frame walking up its stack (innermost first). */
function category(id: number): string {
  const stack: Node[] = []
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) stack.push(byId.get(at) as Node)
  const leaf = stack[0]?.callFrame
  if (leaf?.functionName === '(garbage collector)') return 'GC'
  if (leaf?.functionName === '(idle)' || leaf?.functionName === '(program)') return leaf.functionName
  // zod (and the functions it compiles, which have no url) counts for whoever called it: the request body's check,
  // the response check or the store's entity check.
  let zod = false
  for (const {
    callFrame: { functionName: fn, url },
  } of stack) {
    if (url.includes('/zod/') || (url === '' && fn === '')) {
      zod = true
      continue
    }
    if (/writev|_writeGeneric|writeGeneric|handleWriteReq/.test(fn)) return 'socket write'
    if (url.includes('server/log') || fn === 'escapeControl') return 'logging'
    if (url.includes('server/journal') || url.includes('handlers/journal')) return 'journal'
    if (url.includes('route-table')) return 'route table'
    if (fn === 'respond' || url.includes('handlers/serialize')) return 'response check / serialize'
    if (url.includes('lazy-collection') || url.includes('handlers/save') || fn === 'isoSeconds') return 'store (incl. its entity check)'
    if (url.includes('password')) return 'hashing'
    if (fn === 'parse' && url === '') return 'JSON.parse'
    if (zod) return 'zod (request body)'
    if ((fn === 'text' && url.includes('server/app')) || fn === 'readBody') return 'body read'
    // An imported API's own steps: its JSON Schema checks, its writeOnly projection, the rest of its resolver.
    if (url.includes('@cfworker') || url.includes('openapi/fast-check') || url.includes('openapi/validator')) return 'JSON Schema check'
    if (url.includes('openapi-project')) return 'writeOnly projection'
    if (url.includes('handlers/openapi-')) return 'imported resolver (own code)'
    if (url.includes('handlers/') || url.includes('contracts/') || url.includes('fixtures/')) return 'handler (own code)'
    if (url.includes('server/')) return 'server (router, headers, host, send)'
  }
  if (stack.some((n) => n.callFrame.url.startsWith('node:'))) return 'node:http / net (rest)'
  return 'other'
}
const totals = new Map<string, number>()
for (const [id, us] of self) {
  const c = category(id)
  totals.set(c, (totals.get(c) ?? 0) + us)
}
const busy = [...totals].filter(([c]) => c !== '(idle)').reduce((sum, [, us]) => sum + us, 0)
console.log(
  `${api}${logging ? ' (logging to a drained pipe)' : ' --quiet'}: ${Math.round(result.requests.average)} req/s, ${result.non2xx} non-2xx, busy ${(busy / 1e6).toFixed(2)} s → ${(busy / result.requests.total).toFixed(1)} µs per request`,
)
for (const [c, us] of [...totals].filter(([c]) => c !== '(idle)').sort((a, b) => b[1] - a[1])) {
  console.log(
    `${c.padEnd(40)} ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${(us / result.requests.total).toFixed(2).padStart(6)} µs/req`,
  )
}
// The hottest functions, for what the categories hide.
const fns = new Map<string, number>()
for (const [id, us] of self) {
  const { functionName, url, lineNumber } = (byId.get(id) as Node).callFrame
  const key = `${functionName || '(anon)'} ${url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${lineNumber + 1}`
  fns.set(key, (fns.get(key) ?? 0) + us)
}
console.log('\nhottest (self):')
for (const [key, us] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, 25))
  console.log(`${((100 * us) / busy).toFixed(1).padStart(5)}%  ${key}`)
