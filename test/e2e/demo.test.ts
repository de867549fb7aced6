import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'
import { build, preview, type PreviewServer } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// The browser demo (examples/browser) built by Vite and driven in Debian's headless Chromium: MSW's service worker
// answers flextell's PUT with apitwin's handlers. `npm run test:e2e`; needs /usr/bin/chromium (apt-get install chromium).
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium'
const root = fileURLToPath(new URL('../../examples/browser/', import.meta.url))
const screenshot = fileURLToPath(new URL('../../examples/browser/screenshot.png', import.meta.url))
const outDir = fileURLToPath(new URL('../../examples/browser/dist/', import.meta.url))
let server: PreviewServer | undefined
let browser: Browser | undefined
let page: Page

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}; apt-get install -y chromium (or set CHROMIUM_PATH)`)
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
  page = await browser.newPage({ viewport: { width: 720, height: 820 } })
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  const url = server.resolvedUrls?.local[0]
  if (!url) throw new Error('vite preview reports no URL')
  await page.goto(url)
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 }).catch((error: Error) => {
    throw new Error(`the demo did not become ready: ${errors.join('; ') || error.message}`)
  })
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await new Promise<void>((resolve) => (server ? server.httpServer.close(() => resolve()) : resolve()))
})

async function save(): Promise<string> {
  await page.click('#save')
  await page.waitForFunction(
    () => document.querySelector('#status')?.textContent !== '' && (document.querySelector('#spinner') as HTMLElement).hidden,
  )
  return (await page.textContent('#status')) ?? ''
}

describe('examples/browser in Chromium', () => {
  it('loads the flextell actor through the service worker', async () => {
    expect(await page.inputValue('input[name=name]')).not.toBe('')
    expect(await page.inputValue('input[name=email]')).toMatch(/@/)
  })

  it('saves a change (200) and shows what the mock stored', async () => {
    await page.fill('input[name=title]', 'Head of QA')
    expect(await save()).toBe('Saved (200)')
    expect(await page.inputValue('input[name=title]')).toBe('Head of QA')
  })

  it("shows the vendor's 422 message inline for a bad email", async () => {
    await page.fill('input[name=email]', 'not-an-email')
    expect(await save()).toMatch(/^Not saved \(422\)/)
    expect(await page.textContent('[data-error-for=email]')).toBe('The email field must be a valid email address.')
    expect(await page.getAttribute('input[name=email]', 'aria-invalid')).toBe('true')
    await page.screenshot({ path: screenshot, fullPage: true })
  })

  it('holds the answer with the slow switch, showing the spinner meanwhile', async () => {
    await page.fill('input[name=email]', 'ada@example.com')
    await page.check('#slow')
    await page.click('#save')
    expect(await page.isVisible('#spinner')).toBe(true)
    await page.waitForFunction(() => document.querySelector('#status')?.textContent !== '', undefined, { timeout: 10_000 })
    expect(await page.textContent('#status')).toBe('Saved (200)')
    expect(await page.textContent('[data-error-for=email]')).toBe('')
    await page.uncheck('#slow')
  })

  it('shows the error state for a 503 and for a network failure', async () => {
    await page.selectOption('#fail', '503')
    expect(await save()).toBe('The server failed (503); try again')
    await page.selectOption('#fail', 'network')
    expect(await save()).toBe('Network error: the request did not reach the server')
    await page.selectOption('#fail', '')
  })
})

describe('the control panel mounted in the app (apitwin/panel over MSW)', () => {
  it("is a chunk of its own: the app's entry chunk carries none of it", () => {
    const assets = readdirSync(`${outDir}assets`).filter((name) => name.endsWith('.js'))
    const html = readFileSync(`${outDir}index.html`, 'utf8')
    // What the page loads up front: its entry script and the chunks it preloads.
    const upFront = assets.filter((name) => html.includes(name))
    expect(upFront.length).toBeGreaterThan(0)
    // 'apitwin-drawer' is the panel's own marker (mount-panel.ts); only the lazily loaded chunk has it.
    for (const name of upFront) expect(readFileSync(`${outDir}assets/${name}`, 'utf8')).not.toContain('apitwin-drawer')
    expect(assets.filter((name) => readFileSync(`${outDir}assets/${name}`, 'utf8').includes('apitwin-drawer'))).toHaveLength(1)
  })

  it("steers the service worker from the app's page: a fault on fails the next save, off recovers", async () => {
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    await page.goto(`${server!.resolvedUrls!.local[0]}?panel`)
    await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 })
    await page.click('button:has-text("apitwin")')
    await page.waitForSelector('body[data-apitwin-panel="ready"]')
    await page.selectOption('section[data-api="flextell"] select[aria-label="flextell: fail every request with"]', '503')
    await page.waitForSelector('section[data-api="flextell"] .badge.on')
    await page.click('button:has-text("Close apitwin")')
    expect(await save()).toBe('The server failed (503); try again')
    await page.click('button:has-text("apitwin")')
    await page.click('section[data-api="flextell"] button:has-text("Turn off")')
    await page.waitForSelector('section[data-api="flextell"] .badge.on', { state: 'hidden' })
    // The journal in the panel lists the app's own requests, the injected 503 among them.
    await page.waitForSelector('section.journal tbody tr:has-text("503")')
    await page.click('button:has-text("Close apitwin")')
    expect(await save()).toBe('Saved (200)')
    expect(errors).toEqual([])
  })
})
