/**
 * `apitwin/handlers/rails-users`: rails-users alone — its contract, its MSW handlers and a twin of it — importing nothing of
 * the other APIs, so an app that mocks rails-users bundles rails-users only.
 * @example
 * import { setupWorker } from 'msw/browser'
 * import { handlers } from 'apitwin/handlers/rails-users'
 * await setupWorker(...handlers).start()
 */
import { railsUsersApi } from '../rails-users.ts'
import { singleApiEntry } from '../single-api.ts'

export { railsUsers, type RailsUser, type RailsUsersBody } from '../../contracts/rails-users.ts'
export { railsUsersApi }
export { outbox, type Outbox, type OutboxEmail } from '../outbox.ts'
export { twinHandlers, type MswOptions } from '../msw.ts'
export type { Twin } from '../start-twin.ts'

/** `createTwin` (a twin of rails-users alone), `defaultTwin` (the one behind `handlers`) and the ready-made handlers. */
export const { createTwin, defaultTwin, handlers } = /* @__PURE__ */ singleApiEntry(railsUsersApi)
