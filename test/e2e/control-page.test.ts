import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type RunningServer } from '../../server/serve.ts'

// The control page (GET /__twin/ on apitwin serve) in Debian's headless Chromium: loads clean, passes axe-core, and
// steers the mock (a reading, a fault, reset) while another client's requests show in its journal. `npm run test:e2e`.
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium'
const screenshot = fileURLToPath(new URL('../../docs/control-page.png', import.meta.url))
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
let server: RunningServer
let browser: Browser
let page: Page
const problems: string[] = []
let loadMs = 0

interface Account {
  label: string
  userId: number | string
  token: string
}
let accounts: Record<string, Account> = {}

beforeAll(async () => {
  server = await startServer({ port: 0, log: false })
  const discovery = (await (await fetch(`${server.url}/__twin/apis`)).json()) as { apis: Array<{ name: string; accounts: Account[] }> }
  accounts = Object.fromEntries(discovery.apis.map((api) => [api.name, api.accounts[0]!]))
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
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`)
  })
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`))
  const started = performance.now()
  await page.goto(`${server.url}/__twin/`)
  await page.waitForSelector('body[data-apitwin-panel="ready"]', { timeout: 15_000 })
  loadMs = performance.now() - started
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

/** Another client than the page: Node's fetch, as a frontend under test would call the mock. */
function gorulesUpdate(body: unknown): Promise<Response> {
  const actor = accounts['gorules']!
  return fetch(`${server.url}/gorules/api/users/${actor.userId}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${actor.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
}
function flextellUpdate(body: unknown, id: number | string = accounts['flextell']!.userId): Promise<Response> {
  return fetch(`${server.url}/flextell/api/v1/users/${id}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${accounts['flextell']!.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
}
const inApi = (api: string, selector: string) => `section[data-api="${api}"] ${selector}`

describe('the control page in Chromium', () => {
  it('loads with no console error and lists every API the twin holds', async () => {
    expect(problems).toEqual([])
    expect(await page.locator('section.api').evaluateAll((sections) => sections.map((s) => s.getAttribute('data-api')))).toEqual([
      'flextell',
      'rails-users',
      'medibulut',
      'gorules',
    ])
    expect(await page.textContent(inApi('flextell', 'tbody tr th'))).toBe('actor')
    expect(loadMs).toBeLessThan(5000)
  })

  it('has no serious or critical axe-core violation (labels, contrast, keyboard names)', async () => {
    await page.evaluate(axeSource)
    const violations = await page.evaluate(async () => {
      const axe = (
        window as unknown as {
          axe: { run(context: Document): Promise<{ violations: Array<{ id: string; impact: string | null; nodes: unknown[] }> }> }
        }
      ).axe
      return (await axe.run(document)).violations.map(({ id, impact, nodes }) => ({ id, impact, count: nodes.length }))
    })
    expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([])
  })

  it('a reading switched on the page is what the next API request meets', async () => {
    expect((await gorulesUpdate({ status: 'deleted' })).status).toBe(400)
    await page.selectOption(inApi('gorules', 'select[data-rule="validation.status"]'), '422')
    await page.waitForSelector('section[data-api="gorules"][data-changed="1"]')
    // One "differs from default" badge shows, on that rule.
    expect(await page.locator(inApi('gorules', 'span.badge:not(.on):visible')).count()).toBe(1)
    expect((await gorulesUpdate({ status: 'deleted' })).status).toBe(422)
  })

  it('a fault switched on with the keyboard fails every request until turned off', async () => {
    const fail = page.locator(inApi('flextell', 'select[aria-label="flextell: fail every request with"]'))
    await fail.focus()
    // The options are none, 500, 503, network: two steps down is 503, chosen without a mouse.
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('ArrowDown')
    await page.waitForSelector(inApi('flextell', '.badge.on:has-text("fails 503")'))
    expect((await flextellUpdate({})).status).toBe(503)
    expect((await flextellUpdate({})).status).toBe(503)
    await page.locator(inApi('flextell', 'button:has-text("Turn off")')).focus()
    await page.keyboard.press('Enter')
    await page.waitForSelector(inApi('flextell', '.badge.on'), { state: 'hidden' })
    expect((await flextellUpdate({})).status).toBe(200)
  })

  it('shows a request made by another client within a second, its body on demand with secrets masked', async () => {
    const id = 900_000 + Math.floor(Math.random() * 99_999)
    const started = performance.now()
    expect((await flextellUpdate({ name: 'Seen', password: 'hunter2-secret' }, id)).status).toBe(404)
    const row = page.locator('section.journal tbody tr', { hasText: `/flextell/api/v1/users/${id}` })
    await row.waitFor({ timeout: 1000 })
    expect(performance.now() - started).toBeLessThan(1000)
    expect(await row.locator('td').nth(3).textContent()).toBe('404')
    await row.locator('summary').click()
    const body = (await row.locator('pre').textContent()) ?? ''
    expect(body).toContain('"password": "***"')
    expect(body).not.toContain('hunter2')
  })

  it('reset restores the seeded data', async () => {
    const seeded = ((await (await flextellUpdate({})).json()) as { data: { name: string } }).data.name
    expect((await flextellUpdate({ name: 'Changed Elsewhere' })).status).toBe(200)
    await page.click('button:has-text("Reset data to the seed")')
    await page.waitForSelector('p.status:has-text("Data reset to the seed")')
    expect(((await (await flextellUpdate({})).json()) as { data: { name: string } }).data.name).toBe(seeded)
  })

  it('keeps a screenshot for the README (gorules with a switched reading and a fault on)', async () => {
    await page.selectOption(inApi('gorules', 'select[aria-label="gorules: fail every request with"]'), '503')
    await page.waitForSelector(inApi('gorules', '.badge.on'))
    await page.locator('section[data-api="gorules"]').screenshot({ path: screenshot })
    await page.selectOption(inApi('gorules', 'select[aria-label="gorules: fail every request with"]'), '')
    expect(problems).toEqual([])
  })
})
