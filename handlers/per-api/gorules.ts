/**
 * `apitwin/handlers/gorules`: gorules alone — its contract, its MSW handlers and a twin of it — importing nothing of
 * the other APIs, so an app that mocks gorules bundles gorules only.
 * @example
 * import { setupWorker } from 'msw/browser'
 * import { handlers } from 'apitwin/handlers/gorules'
 * await setupWorker(...handlers).start()
 */
import type { HttpHandler } from 'msw'
import type { SeedOptions } from '../../fixtures/account.ts'
import { gorulesApi } from '../gorules.ts'
import { lazyTwinHandlers } from '../msw.ts'
import { sharedTwin, startTwin, type Twin } from '../start-twin.ts'

export { gorules, type GorulesBody, type GorulesUser } from '../../contracts/gorules.ts'
export { gorulesApi }
export { twinHandlers, type MswOptions } from '../msw.ts'
export type { Twin } from '../start-twin.ts'

/**
 * A fresh twin of gorules alone.
 * @example const twin = await createTwin({ seed: 7 }); twin.accounts('gorules')
 */
export function createTwin(options: SeedOptions = {}): Promise<Twin> {
  return startTwin([gorulesApi], options)
}

/** The twin behind `handlers`, created on first use; another seed after that is an error. */
export const defaultTwin: (options?: SeedOptions) => Promise<Twin> = sharedTwin(createTwin)

/** Ready-made MSW handlers for gorules over `defaultTwin()`, mounted at `*\/gorules`. */
export const handlers: readonly HttpHandler[] = lazyTwinHandlers([gorulesApi], () => defaultTwin())
