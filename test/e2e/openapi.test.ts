import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser } from 'playwright-core'
import { build, preview, type PreviewServer } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// The browser path of issue #18: examples/openapi-browser imports @scalar/galaxy's OpenAPI document as a parsed
// object, builds the twin in the page (no file system, no node: import) and serves it from MSW's service worker;
// headless Chromium (Debian's /usr/bin/chromium) runs it. `npm run test:e2e`.
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium'
const root = fileURLToPath(new URL('../../examples/openapi-browser/', import.meta.url))
let server: PreviewServer | undefined
let browser: Browser | undefined
let log: Array<{ step: string; status: number; body: Record<string, unknown> | null }> = []
const errors: string[] = []

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}; apt-get install -y chromium (or set CHROMIUM_PATH)`)
  const outDir = fileURLToPath(new URL('../../examples/openapi-browser/dist/', import.meta.url))
  await build({ root, configFile: `${root}vite.config.ts`, logLevel: 'warn', build: { outDir, emptyOutDir: true } })
  server = await preview({
    root,
    configFile: `${root}vite.config.ts`,
    logLevel: 'warn',
    build: { outDir },
    preview: { port: 0, host: '127.0.0.1' },
  })
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  })
  const page = await browser.newPage()
  page.on('pageerror', (error) => errors.push(error.message))
  const url = server.resolvedUrls?.local[0]
  if (!url) throw new Error('vite preview reports no URL')
  await page.goto(url)
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 }).catch((error: Error) => {
    throw new Error(`the page did not become ready: ${errors.join('; ') || error.message}`)
  })
  log = JSON.parse((await page.textContent('#log')) ?? '[]') as typeof log
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await new Promise<void>((resolve) => (server ? server.httpServer.close(() => resolve()) : resolve()))
})

describe('an imported OpenAPI document in Chromium', () => {
  it('creates, reads, replaces, lists, refuses, deletes as the document and its readings say', () => {
    expect(errors).toEqual([])
    const step = (name: string) => log.find((entry) => entry.step === name)
    expect(step('create')).toMatchObject({ status: 201, body: { name: 'Vulcan' } })
    expect(step('read')).toMatchObject({ status: 200, body: { name: 'Vulcan' } })
    expect(step('replace')).toMatchObject({ status: 200, body: { name: 'Vulcan Prime' } })
    expect(JSON.stringify(step('list')?.body)).toContain('Vulcan Prime')
    expect(step('invalid')?.status).toBe(400)
    expect(step('delete')?.status).toBe(204)
    expect(step('gone')?.status).toBe(404)
  })
})
