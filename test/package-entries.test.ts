import { readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// Walks the import graph of the built entry points in dist/ (npm test builds first) the way a bundler would.
const root = fileURLToPath(new URL('..', import.meta.url))
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, string | { default: string }> }
const entryFile = (name: string) => {
  const entry = pkg.exports[name]
  if (!entry || typeof entry === 'string') throw new Error(`package.json exports has no ${name}`)
  return join(root, entry.default)
}

// Block comments (JSDoc examples such as `import … from 'apitwin/panel'`) are not imports.
function graph(entry: string): { files: Set<string>; bare: Set<string> } {
  const files = new Set<string>()
  const bare = new Set<string>()
  const visit = (file: string) => {
    if (files.has(file)) return
    files.add(file)
    for (const [, spec] of readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .matchAll(/(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)) {
      if (spec === undefined) continue
      if (spec.startsWith('.')) visit(join(dirname(file), spec))
      else bare.add(spec)
    }
  }
  visit(entry)
  return { files, bare: new Set([...bare].map((s) => s)) }
}

const browserSafe = [
  '.',
  './handlers',
  './contracts',
  './handlers/flextell',
  './handlers/rails-users',
  './handlers/medibulut',
  './handlers/gorules',
  './panel',
]

describe('package entry points (dist)', () => {
  it.each(browserSafe)('%s imports nothing of Node, msw/node, Hono or the server', (name) => {
    const { files, bare } = graph(entryFile(name))
    expect([...bare].filter((s) => s.startsWith('node:') || s === 'msw/node' || s.includes('hono'))).toEqual([])
    expect([...files].map((f) => relative(root, f)).filter((f) => /^dist\/(server|suites)\//.test(f))).toEqual([])
  })

  it.each(['flextell', 'rails-users', 'medibulut', 'gorules'])('./handlers/%s reaches no other API', (api) => {
    const { files } = graph(entryFile(`./handlers/${api}`))
    const others = ['flextell', 'rails-users', 'medibulut', 'gorules'].filter((a) => a !== api)
    const reached = [...files].map((f) => relative(root, f))
    expect(reached.filter((f) => others.some((o) => f.endsWith(`/${o}.js`)))).toEqual([])
    expect(reached).toContain(`dist/handlers/${api}.js`)
  })

  it.each(['.', './handlers', './handlers/flextell'])('%s reaches none of the control panel (apitwin/panel is its own entry)', (name) => {
    expect([...graph(entryFile(name)).files].map((f) => relative(root, f)).filter((f) => f.startsWith('dist/panel/'))).toEqual([])
  })

  it("the control page's script loads in a browser as is: panel modules only, no bare import, nothing of Node", () => {
    const { files, bare } = graph(join(root, 'dist/panel/page.js'))
    expect([...bare]).toEqual([])
    expect([...files].map((f) => relative(root, f)).filter((f) => !f.startsWith('dist/panel/'))).toEqual([])
  })

  it('./node reaches the server and the suites', () => {
    const reached = [...graph(entryFile('./node')).files].map((f) => relative(root, f))
    expect(reached).toEqual(expect.arrayContaining(['dist/server/serve.js', 'dist/server/verify.js', 'dist/suites/check.js']))
  })
})
