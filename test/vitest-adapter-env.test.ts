import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type RunningServer } from '../server/serve.ts'
import { describeContracts, liveOptions } from '../suites/vitest-adapter.ts'
import { discover } from './helpers/apis.ts'

// One set of APITWIN_* variables describes one API. Two APIs described with one URL and token used to send
// flextell's URL and token to medibulut too (21 false failures); now they apply to the API APITWIN_API names, the
// other runs against its in-process mock, and without APITWIN_API the adapter refuses up front.
const env: Record<string, string | undefined> = {}
let server: RunningServer | undefined
beforeAll(async () => {
  server = await startServer({ port: 0, log: () => {}, fastGlobals: false })
  const flextell = (await discover(server.url))['flextell']
  const actor = flextell?.accounts.find((a) => a.label === 'actor')
  if (!flextell || !actor) throw new Error('discovery lists no flextell actor')
  Object.assign(env, {
    APITWIN_API: 'flextell',
    APITWIN_BASE_URL: flextell.baseUrl,
    APITWIN_TOKEN: actor.token,
    APITWIN_USER_ID: String(actor.userId),
    APITWIN_EMAIL: actor.email,
    APITWIN_TENANT: String(actor.tenant),
  })
})
afterAll(async () => server?.close())

describeContracts(['flextell', 'medibulut'], { env })

describe('apitwin/vitest: which API the APITWIN_* variables describe', () => {
  const vars = { APITWIN_BASE_URL: 'http://127.0.0.1:9/flextell', APITWIN_TOKEN: '1|abcdefghij', APITWIN_USER_ID: '1' }

  it('several APIs and no APITWIN_API: refused when describeContracts is called, pointing at per-API targets', () => {
    expect(() => describeContracts(['flextell', 'medibulut'], { env: vars })).toThrow(
      /describes one API, but describeContracts describes 2 \(flextell, medibulut\)[\s\S]*"targets": \{ "flextell"[\s\S]*APITWIN_API/,
    )
  })

  it('one API: the variables apply to it; with APITWIN_API they apply to that API only', () => {
    expect(liveOptions('flextell', ['flextell'], vars, {}, 'apitwin.config.json')).toMatchObject({
      api: 'flextell',
      baseUrl: vars.APITWIN_BASE_URL,
      userId: '1',
    })
    const named = { ...vars, APITWIN_API: 'flextell' }
    expect(liveOptions('flextell', ['flextell', 'gorules'], named, {}, 'apitwin.config.json')).toMatchObject({
      baseUrl: vars.APITWIN_BASE_URL,
    })
    expect(liveOptions('gorules', ['flextell', 'gorules'], named, {}, 'apitwin.config.json')).toBeUndefined()
  })

  it('APITWIN_API naming an API not described is an error naming the described ones', () => {
    expect(() =>
      liveOptions('flextell', ['flextell', 'gorules'], { ...vars, APITWIN_API: 'medibulut' }, {}, 'apitwin.config.json'),
    ).toThrow('APITWIN_API is "medibulut", but describeContracts describes flextell, gorules')
  })

  it('several APIs: each takes its own target from the config file', () => {
    const config = {
      targets: { gorules: { baseUrl: 'http://127.0.0.1:9/gorules', accounts: { actor: { userId: 7, token: 'gorules-token' } } } },
    }
    expect(liveOptions('gorules', ['flextell', 'gorules'], {}, config, 'apitwin.config.json')).toMatchObject({
      baseUrl: 'http://127.0.0.1:9/gorules',
      userId: '7',
    })
    expect(liveOptions('flextell', ['flextell', 'gorules'], {}, config, 'apitwin.config.json')).toBeUndefined()
  })

  it("a live medibulut without the actor's role says so up front", () => {
    const medibulut = { ...vars, APITWIN_BASE_URL: 'http://127.0.0.1:9/medibulut' }
    expect(() => liveOptions('medibulut', ['medibulut'], medibulut, {}, 'apitwin.config.json')).toThrow(
      /medibulut needs the actor's role[\s\S]*APITWIN_ROLE or targets\.medibulut\.accounts\.actor\.role in apitwin\.config\.json/,
    )
    expect(liveOptions('medibulut', ['medibulut'], { ...medibulut, APITWIN_ROLE: 'admin' }, {}, 'apitwin.config.json')).toMatchObject({
      role: 'admin',
    })
  })
})
