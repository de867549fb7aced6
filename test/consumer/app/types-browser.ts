// The browser-safe entry points under a stock Vite tsconfig (bundler, erasableSyntaxOnly, no Node types).
import { setupWorker } from 'msw/browser'
import { handlers, readFaults, type FlextellUser } from 'apitwin'
import { medibulut, type MedibulutBody } from 'apitwin/contracts'
import { createTwin, flextell, handlers as flextellHandlers } from 'apitwin/handlers/flextell'

const worker = setupWorker(...handlers, ...flextellHandlers)
const body: MedibulutBody = medibulut.body.parse({ role_id: 'admin' })
const user: FlextellUser | undefined = undefined
export { body, createTwin, flextell, readFaults, user, worker }
