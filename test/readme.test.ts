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

interface Step {
  readonly command: string
  readonly expect?: string
}

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
  it.skipIf(!hasCurl)(
    '"Try it" (needs curl): every command runs and answers what its comment says',
    async () => {
      const all = steps(tryIt)
      const checked = all.filter((s) => s.expect !== undefined)
      expect(checked.length).toBeGreaterThanOrEqual(8)
      // Each checked curl also prints its status; a marker line separates the outputs of the steps.
      const script = [
        'set -euo pipefail',
        ...all.map(
          (s) =>
            `${s.expect !== undefined ? s.command.replace(/^curl -s /, "curl -s -w '\\n@@status %{http_code}' ") : s.command}echo; echo '@@step'`,
        ),
      ]
        .join('\n')
        .replaceAll('http://127.0.0.1:4010', server.url)
      const stdout = await new Promise<string>((resolve, reject) =>
        execFile('bash', ['-c', script], { timeout: 30_000 }, (error, out, err) =>
          error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out),
        ),
      )
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
        for (const fragment of body
          .split('…')
          .map((f) => f.replace(/^,|,$/g, ''))
          .filter((f) => f !== '')) {
          const found = output.indexOf(fragment, at)
          if (found === -1) {
            problems.push(`${first}: README shows ${JSON.stringify(fragment)}, not in ${output.slice(0, 400)}`)
            break
          }
          at = found + fragment.length
        }
      })
      expect(problems).toEqual([])
    },
    40_000,
  )
})

describe('README: in-process outbox', () => {
  it('outbox() has the shape the README shows, the same as the control route', async () => {
    const { createTwin } = await import('../handlers/twin.ts')
    const twin = await createTwin()
    const actor = twin.accounts('rails-users')[0]!
    await twin.state('rails-users').resolve(
      new Request('http://x/', {
        method: 'PUT',
        headers: { authorization: `Bearer ${actor.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ user: { email: 'ada@example.com' } }),
      }),
      { id: String(actor.userId) },
    )
    const outbox = twin.state('rails-users').controls?.['outbox']?.() as { emails: Array<Record<string, unknown>> }
    expect(outbox.emails).toHaveLength(1)
    expect(Object.keys(outbox.emails[0] ?? {}).sort()).toEqual(['sent_at', 'subject', 'to', 'user_id'])
    expect(outbox.emails[0]).toMatchObject({
      to: 'ada@example.com',
      user_id: actor.userId,
      subject: 'Please verify your new email address',
    })
    expect(readme).toContain("`{ emails: [{ to, user_id, subject: 'Please verify your new email address', sent_at }] }`")
  })
})

describe('README: literal claims', () => {
  it('the actor token prefix the "Try it" comment quotes is the default seed\'s', async () => {
    const claimed = /The actor's token is "([^"…]+)…" with the default seed/.exec(readme)?.[1]
    expect(claimed, 'README quotes no actor token prefix').toBeDefined()
    const discovery = (await (await fetch(`${server.url}/__twin/apis`)).json()) as {
      apis: Array<{ name: string; accounts: Array<{ label: string; token: string }> }>
    }
    const token = discovery.apis.find((a) => a.name === 'flextell')?.accounts.find((a) => a.label === 'actor')?.token
    expect(
      token?.startsWith(claimed ?? '\u0000'),
      `README says "${claimed}…", the server's actor token starts "${token?.slice(0, 6)}"`,
    ).toBe(true)
  })

  it('the dependency section installs what exists: the package is private, so no registry install', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      private?: boolean
      name: string
      version: string
    }
    const section = /## Use apitwin as a dependency([\s\S]*?)\n### /.exec(readme)?.[1] ?? ''
    if (pkg.private) expect(section).not.toMatch(/npm install[^\n]*\sapitwin(\s|$)/m)
    expect(section).toContain(`${pkg.name}-${pkg.version}.tgz`)
    expect(section).toMatch(/npm pack/)
  })

  it('every ts snippet imports the test hooks it calls; the browser snippet says to run msw init first', () => {
    const snippets = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] ?? '')
    expect(snippets.length).toBeGreaterThan(3)
    const problems = snippets.flatMap((code) =>
      ['beforeAll', 'afterAll', 'beforeEach', 'afterEach', 'describe', 'it', 'expect']
        .filter(
          (hook) =>
            new RegExp(`(^|[^.\\w])${hook}\\(`, 'm').test(code) &&
            !new RegExp(`import \\{[^}]*\\b${hook}\\b[^}]*\\} from 'vitest'`).test(code),
        )
        .map((hook) => `${hook} used without an import in:\n${code}`),
    )
    expect(problems).toEqual([])
    const browser = /### In the browser[\s\S]*?```ts\n[\s\S]*?setupWorker/.exec(readme)?.[0] ?? ''
    expect(browser).toMatch(/npx msw init \S+/)
  })

  it('outbox(twin), as the README shows it, is typed and returns the outbox', async () => {
    const { createTwin, outbox } = await import('../index.ts')
    const twin = await createTwin()
    const actor = twin.accounts('rails-users')[0]!
    await twin.state('rails-users').resolve(
      new Request('http://x/', {
        method: 'PUT',
        headers: { authorization: `Bearer ${actor.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ user: { email: 'grace@example.com' } }),
      }),
      { id: String(actor.userId) },
    )
    const [mail] = outbox(twin).emails
    const subject: string | undefined = mail?.subject // typed: a string, not unknown
    expect(subject).toBe('Please verify your new email address')
    expect(mail?.to).toBe('grace@example.com')
    expect(readme).toContain('outbox(twin).emails')
    const flextellOnly = await (await import('../handlers/per-api/flextell.ts')).createTwin()
    expect(() => outbox(flextellOnly)).toThrow(/rails-users/)
  })
})
