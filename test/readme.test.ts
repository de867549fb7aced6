import { execFile, execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type RunningServer } from '../server/serve.ts'

// The README's "Try it" block, run as written with bash and curl against a fresh server, each `# → <status> <body>`
// comment checked against what the command printed (a "…" in the body stands for anything; the rest must appear in
// order). A README that drifts from the mock fails here.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const tryIt = /## Try it[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1]
if (!tryIt) throw new Error('README.md has no "## Try it" sh block')

interface Step { readonly command: string; readonly expect?: string }

/** Top-level commands of the block (continuation lines joined) and the `# →` comment that follows each. */
function steps(block: string): Step[] {
  const out: Array<{ command: string; expect?: string }> = []
  let current = ''
  for (const line of block.split('\n')) {
    const arrow = /^#\s*→\s*(.*)$/.exec(line)
    const last = out[out.length - 1]
    if (arrow?.[1] !== undefined && last) last.expect = arrow[1]
    if (line.startsWith('#') || line.trim() === '') continue
    current += `${line}\n`
    if (!line.endsWith('\\')) {
      out.push({ command: current })
      current = ''
    }
  }
  return out
}

/** The block is curl commands; a machine without curl skips it (saying so) rather than failing `npm test`. */
const hasCurl = (() => {
  try {
    execFileSync('curl', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

let server: RunningServer
beforeAll(async () => {
  server = await startServer({ port: 0, log: () => {}, fastGlobals: false })
})
afterAll(async () => server.close())

describe('README', () => {
  it.skipIf(!hasCurl)('"Try it" (needs curl): every command runs and answers what its comment says', async () => {
    const all = steps(tryIt)
    const checked = all.filter((s) => s.expect !== undefined)
    expect(checked.length).toBeGreaterThanOrEqual(8)
    // Each checked curl also prints its status; a marker line separates the outputs of the steps.
    const script = ['set -euo pipefail', ...all.map((s) => `${s.expect !== undefined ? s.command.replace(/^curl -s /, "curl -s -w '\\n@@status %{http_code}' ") : s.command}echo; echo '@@step'`)]
      .join('\n').replaceAll('http://127.0.0.1:4010', server.url)
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile('bash', ['-c', script], { timeout: 30_000 }, (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out))))
    const outputs = stdout.split('@@step\n')
    const problems: string[] = []
    all.forEach((step, index) => {
      if (step.expect === undefined) return
      const output = outputs[index] ?? ''
      const status = /@@status (\d{3})/.exec(output)?.[1]
      const [, expectedStatus, rest = ''] = /^(\d{3})\s*(.*)$/.exec(step.expect) ?? []
      const first = step.command.split('\n')[0]
      if (status !== expectedStatus) problems.push(`${first}: status ${status}, README says ${expectedStatus}`)
      const body = rest.startsWith('{') ? rest.slice(0, rest.lastIndexOf('}') + 1) : ''
      let at = 0
      for (const fragment of body.split('…').map((f) => f.replace(/^,|,$/g, '')).filter((f) => f !== '')) {
        const found = output.indexOf(fragment, at)
        if (found === -1) {
          problems.push(`${first}: README shows ${JSON.stringify(fragment)}, not in ${output.slice(0, 400)}`)
          break
        }
        at = found + fragment.length
      }
    })
    expect(problems).toEqual([])
  }, 40_000)
})

describe('README: in-process outbox', () => {
  it('outbox() has the shape the README shows, the same as the control route', async () => {
    const { createTwin } = await import('../handlers/twin.ts')
    const twin = await createTwin()
    const actor = twin.accounts('rails-users')[0]!
    await twin.state('rails-users').resolve(new Request('http://x/', { method: 'PUT', headers: { authorization: `Bearer ${actor.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ user: { email: 'ada@example.com' } }) }), { id: String(actor.userId) })
    const outbox = twin.state('rails-users').controls?.['outbox']?.() as { emails: Array<Record<string, unknown>> }
    expect(outbox.emails).toHaveLength(1)
    expect(Object.keys(outbox.emails[0] ?? {}).sort()).toEqual(['sent_at', 'subject', 'to', 'user_id'])
    expect(outbox.emails[0]).toMatchObject({ to: 'ada@example.com', user_id: actor.userId, subject: 'Please verify your new email address' })
    expect(readme).toContain("`{ emails: [{ to, user_id, subject: 'Please verify your new email address', sent_at }] }`")
  })
})
