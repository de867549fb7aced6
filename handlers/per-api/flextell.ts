/**
 * `apitwin/handlers/flextell`: flextell alone — its contract, its MSW handlers and a twin of it — importing nothing of
 * the other APIs, so an app that mocks flextell bundles flextell only.
 * @example
 * import { setupWorker } from 'msw/browser'
 * import { handlers } from 'apitwin/handlers/flextell'
 * await setupWorker(...handlers).start()
 */
import { flextellApi } from '../flextell.ts'
import { singleApiEntry } from '../single-api.ts'

export { flextell, type FlextellBody, type FlextellUser } from '../../contracts/flextell.ts'
export { flextellApi }
export { twinHandlers, type MswOptions } from '../msw.ts'
export type { Twin } from '../start-twin.ts'

/** `createTwin` (a twin of flextell alone), `defaultTwin` (the one behind `handlers`) and the ready-made handlers. */
export const { createTwin, defaultTwin, handlers } = /* @__PURE__ */ singleApiEntry(flextellApi)
