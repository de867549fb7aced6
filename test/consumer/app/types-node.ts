// Every entry point under the user's tsc (NodeNext / Node16, skipLibCheck false).
import { setupServer } from 'msw/node'
import { contracts, createTwin, handlers, type FlextellBody, type Twin } from 'apitwin'
import { flextell } from 'apitwin/contracts'
import { twinHandlers } from 'apitwin/handlers'
import { handlers as gorulesHandlers, type GorulesUser } from 'apitwin/handlers/gorules'
import { openapi, startServer, verify, type VerifyResult } from 'apitwin/node'
import { describeContracts } from 'apitwin/vitest'

const body: FlextellBody = { name: 'Ada', language: ['English'] }
const twin: Twin = await createTwin({ seed: 7 })
setupServer(...handlers, ...twinHandlers(twin), ...gorulesHandlers)
const user: GorulesUser | undefined = undefined
const result: Promise<VerifyResult> = verify({ api: 'flextell' })
export { body, contracts, describeContracts, flextell, openapi, result, startServer, user }
