/**
 * `apitwin/handlers/medibulut`: medibulut alone — its contract, its MSW handlers and a twin of it — importing nothing of
 * the other APIs, so an app that mocks medibulut bundles medibulut only.
 * @example
 * import { setupWorker } from 'msw/browser'
 * import { handlers } from 'apitwin/handlers/medibulut'
 * await setupWorker(...handlers).start()
 */
import { medibulutApi } from '../medibulut.ts'
import { singleApiEntry } from '../single-api.ts'

export { medibulut, type MedibulutBody, type MedibulutUser } from '../../contracts/medibulut.ts'
export { medibulutApi }
export { twinHandlers, type MswOptions } from '../msw.ts'
export type { Twin } from '../start-twin.ts'

/** `createTwin` (a twin of medibulut alone), `defaultTwin` (the one behind `handlers`) and the ready-made handlers. */
export const { createTwin, defaultTwin, handlers } = /* @__PURE__ */ singleApiEntry(medibulutApi)
