// The browser-safe entry points under a stock Vite tsconfig (bundler, erasableSyntaxOnly, no Node types).
import { setupWorker } from 'msw/browser'
import { handlers, readFaults, type FlextellUser } from 'apitwin'
import { medibulut, type MedibulutBody } from 'apitwin/contracts'
import { createTwin, flextell, handlers as flextellHandlers } from 'apitwin/handlers/flextell'
import { controlHandlers, mountPanel, type PanelHandle } from 'apitwin/panel'

const worker = setupWorker(...handlers, ...flextellHandlers)
const body: MedibulutBody = medibulut.body.parse({ role_id: 'admin' })
const user: FlextellUser | undefined = undefined
// The control panel entry (development only): its handlers over a twin, mounted inline.
const panel: Promise<PanelHandle> = createTwin().then((twin) => {
  worker.use(...controlHandlers(twin))
  return mountPanel({ target: document.body })
})
export { body, createTwin, flextell, panel, readFaults, user, worker }
