import { afterAll, beforeAll } from 'vitest'
import { startServer, type RunningServer } from '../server/serve.ts'
import { describeContracts } from '../vitest.ts'
import { discover } from './helpers/apis.ts'

// The user-facing adapter, pointed at `apitwin serve` through the same APITWIN_* variables a QA team would set
// (filled before the suite's beforeAll reads them). Without APITWIN_ALLOW_WRITES the success paths are skipped.
const env: NodeJS.ProcessEnv = {}
let server: RunningServer | undefined
beforeAll(async () => {
  server = await startServer({ port: 0, log: () => {}, fastGlobals: false })
  const flextell = (await discover(server.url))['flextell']
  const actor = flextell?.accounts.find((a) => a.label === 'actor')
  const peer = flextell?.accounts.find((a) => a.label === 'peer')
  const foreign = flextell?.accounts.find((a) => a.label === 'foreign')
  if (!flextell || !actor || !peer || !foreign) throw new Error('discovery lists no flextell accounts')
  Object.assign(env, {
    APITWIN_BASE_URL: flextell.baseUrl,
    APITWIN_TOKEN: actor.token,
    APITWIN_USER_ID: String(actor.userId),
    APITWIN_EMAIL: actor.email,
    APITWIN_TENANT: String(actor.tenant),
    APITWIN_PEER_USER_ID: String(peer.userId),
    APITWIN_PEER_EMAIL: peer.email,
    APITWIN_FOREIGN_USER_ID: String(foreign.userId),
    APITWIN_FOREIGN_TENANT: String(foreign.tenant),
  })
})
afterAll(async () => server?.close())

describeContracts(['flextell'], { env })
