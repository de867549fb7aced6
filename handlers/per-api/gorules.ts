/**
 * `apitwin/handlers/gorules`: gorules alone — its contract, its MSW handlers and a twin of it — importing nothing of
 * the other APIs, so an app that mocks gorules bundles gorules only.
 * @example
 * import { setupWorker } from 'msw/browser'
 * import { handlers } from 'apitwin/handlers/gorules'
 * await setupWorker(...handlers).start()
 */
import { gorulesApi } from '../gorules.ts'
import { singleApiEntry } from '../single-api.ts'

export { gorules, type GorulesBody, type GorulesUser } from '../../contracts/gorules.ts'
export { gorulesApi }
export { twinHandlers, type MswOptions } from '../msw.ts'
export type { Twin } from '../start-twin.ts'

/** `createTwin` (a twin of gorules alone), `defaultTwin` (the one behind `handlers`) and the ready-made handlers. */
export const { createTwin, defaultTwin, handlers } = /* @__PURE__ */ singleApiEntry(gorulesApi)
