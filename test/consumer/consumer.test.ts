import { execFile } from 'node:child_process'
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// The packed tarball installed into a throwaway app, the way a user gets apitwin: no sources, no tsx, the user's
// own msw, vitest, TypeScript and Vite. Run by `npm run test:consumer` (and .ci/run), not by `npm test`.
const root = fileURLToPath(new URL('../..', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'apitwin-consumer-'))
const app = join(work, 'app')

function run(
  command: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024, timeout: 240_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${command} ${args.join(' ')} failed in ${cwd} (${error.code ?? error.signal}):\n${stdout}\n${stderr}`))
        else resolve({ stdout, stderr })
      },
    )
  })
}

/** The versions this repository pins, so the app installs what the shared npm cache already holds. */
function pinned(name: string): string {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> }
  const entry = lock.packages[`node_modules/${name}`]
  if (!entry) throw new Error(`package-lock.json has no ${name}`)
  return `${name}@${entry.version}`
}

beforeAll(async () => {
  const packed = await run('npm', ['pack', '--json', '--pack-destination', work], root)
  const [{ filename }] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as [{ filename: string }]
  cpSync(join(root, 'test/consumer/app'), app, { recursive: true })
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer-app', private: true, type: 'module' }, null, 2))
  await run(
    'npm',
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      join(work, filename),
      pinned('msw'),
      pinned('vitest'),
      pinned('typescript'),
      pinned('vite'),
      pinned('@types/node'),
    ],
    app,
  )
}, 240_000)

afterAll(() => rmSync(work, { recursive: true, force: true }))

describe('apitwin from its packed tarball', () => {
  it('installs no sources, tests or tooling: dist, bin, LICENSE, README and package.json only', () => {
    const top = readdirSync(join(app, 'node_modules/apitwin')).sort()
    expect(top).toEqual(['LICENSE', 'README.md', 'bin', 'dist', 'package.json'])
  })

  it('runs in plain Node ESM with msw/node, no TypeScript loader', async () => {
    const { stdout } = await run('node', ['node-esm.mjs'], app)
    expect(JSON.parse(stdout)).toEqual({
      status: 422,
      emailError: 'The email field must be a valid email address.',
      flextellOnly: 2,
      served: ['flextell', 'rails-users', 'medibulut', 'gorules'],
      openapi: '3.1.0',
    })
  })

  it('runs its bin with built JS', async () => {
    const { stdout } = await run(join(app, 'node_modules/.bin/apitwin'), ['openapi', 'gorules'], app)
    expect(JSON.parse(stdout)).toMatchObject({ openapi: '3.1.0' })
  })

  it("runs in the user's vitest: handlers under setupServer and the contract suite via apitwin/vitest", async () => {
    const { stdout } = await run('npx', ['vitest', 'run', '--reporter', 'verbose'], app, { CI: '1', NO_COLOR: '1' })
    expect(stdout).toMatch(/answers a PATCH without role_id with the Laravel 422/)
    expect(stdout).toMatch(/apitwin contract: flextell/)
    // An imported API's derived suite, from a document file beside the user's tests.
    expect(stdout).toMatch(/apitwin contract: notes > notes: create → read → listed → delete → read → not listed \(lifecycle\)/)
    expect(stdout).toMatch(/apitwin contract: notes > GET \/notes\/\{noteId\}: an unknown noteId → 404/)
    expect(stdout).toMatch(/Tests\s+\d+ passed/)
    expect(stdout).not.toMatch(/failed/)
  }, 120_000)

  it.concurrent.each(['nodenext', 'node16', 'bundler'])(
    'type-checks under %s with skipLibCheck false, zero errors',
    async (mode) => {
      await expect(run('npx', ['tsc', '-p', `tsconfig.${mode}.json`], app)).resolves.toBeDefined()
    },
    120_000,
  )

  it('builds a one-API browser app with Vite; reports its size against msw alone', async () => {
    const size = async (dir: string) => {
      await run('npx', ['vite', 'build', dir, '--outDir', `../out-${dir}`, '--emptyOutDir', '--logLevel', 'warn'], app)
      const assets = join(app, `out-${dir}`, 'assets')
      const js = readdirSync(assets)
        .filter((f) => f.endsWith('.js'))
        .map((f) => readFileSync(join(assets, f)))
      const min = js.reduce((sum, b) => sum + b.length, 0)
      const gzip = js.reduce((sum, b) => sum + gzipSync(b, { level: 9 }).length, 0)
      return { minKB: Math.round(min / 1024), gzipKB: Math.round(gzip / 1024) }
    }
    const oneApi = await size('vite-one-api')
    const mswOnly = await size('vite-msw-only')
    console.log(
      `bundle sizes (Vite production build, all JS chunks): one-API app ${oneApi.minKB} kB min / ${oneApi.gzipKB} kB gzip; msw alone with one handler ${mswOnly.minKB} kB / ${mswOnly.gzipKB} kB`,
    )
    const bundle = readdirSync(join(app, 'out-vite-one-api/assets'))
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(join(app, 'out-vite-one-api/assets', f), 'utf8'))
      .join('\n')
    expect(bundle).not.toMatch(/node:|@hono|setupServer/)
    // msw 2.15 alone (with tough-cookie and tldts) is ~160 kB gzip in this build; apitwin's share (its code, zod, a
    // trimmed faker locale) is held to a budget so a regression (a second API, faker's whole locale) fails.
    expect(oneApi.gzipKB - mswOnly.gzipKB).toBeLessThanOrEqual(120)
  }, 120_000)
})
