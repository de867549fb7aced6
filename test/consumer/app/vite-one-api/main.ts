// An app that mocks one API: only flextell (its contract, fixtures, handler) should end up in the bundle.
import { setupWorker } from 'msw/browser'
import { handlers } from 'apitwin/handlers/flextell'

await setupWorker(...handlers).start({ quiet: true })
document.body.textContent = 'mocking flextell'
