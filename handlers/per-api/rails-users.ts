/**
 * `apitwin/handlers/rails-users`: rails-users alone — its contract, its MSW handlers and a twin of it — importing nothing of
 * the other APIs, so an app that mocks rails-users bundles rails-users only.
 * @example
 * import { setupWorker } from 'msw/browser'
 * import { handlers } from 'apitwin/handlers/rails-users'
 * await setupWorker(...handlers).start()
 */
import type { HttpHandler } from 'msw'
import type { SeedOptions } from '../../fixtures/account.ts'
import { railsUsersApi } from '../rails-users.ts'
import { lazyTwinHandlers } from '../msw.ts'
import { sharedTwin, startTwin, type Twin } from '../start-twin.ts'

export { railsUsers, type RailsUser, type RailsUsersBody } from '../../contracts/rails-users.ts'
export { railsUsersApi }
export { outbox, type Outbox, type OutboxEmail } from '../outbox.ts'
export { twinHandlers, type MswOptions } from '../msw.ts'
export type { Twin } from '../start-twin.ts'

/**
 * A fresh twin of rails-users alone.
 * @example const twin = await createTwin({ seed: 7 }); twin.accounts('rails-users')
 */
export function createTwin(options: SeedOptions = {}): Promise<Twin> {
  return startTwin([railsUsersApi], options)
}

/** The twin behind `handlers`, created on first use; another seed after that is an error. */
export const defaultTwin: (options?: SeedOptions) => Promise<Twin> = sharedTwin(createTwin)

/** Ready-made MSW handlers for rails-users over `defaultTwin()`, mounted at `*\/rails-users`. */
export const handlers: readonly HttpHandler[] = lazyTwinHandlers([railsUsersApi], () => defaultTwin())
