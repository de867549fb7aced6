/**
 * `apitwin/handlers/flextell`: flextell alone — its contract, its MSW handlers and a twin of it — importing nothing of
 * the other APIs, so an app that mocks flextell bundles flextell only.
 * @example
 * import { setupWorker } from 'msw/browser'
 * import { handlers } from 'apitwin/handlers/flextell'
 * await setupWorker(...handlers).start()
 */
import type { HttpHandler } from 'msw'
import type { SeedOptions } from '../../fixtures/account.ts'
import { flextellApi } from '../flextell.ts'
import { lazyTwinHandlers } from '../msw.ts'
import { sharedTwin, startTwin, type Twin } from '../start-twin.ts'

export { flextell, type FlextellBody, type FlextellUser } from '../../contracts/flextell.ts'
export { flextellApi }
export { twinHandlers, type MswOptions } from '../msw.ts'
export type { Twin } from '../start-twin.ts'

/**
 * A fresh twin of flextell alone.
 * @example const twin = await createTwin({ seed: 7 }); twin.accounts('flextell')
 */
export function createTwin(options: SeedOptions = {}): Promise<Twin> {
  return startTwin([flextellApi], options)
}

/** The twin behind `handlers`, created on first use; another seed after that is an error. */
export const defaultTwin: (options?: SeedOptions) => Promise<Twin> = sharedTwin(createTwin)

/** Ready-made MSW handlers for flextell over `defaultTwin()`, mounted at `*\/flextell`. */
export const handlers: readonly HttpHandler[] = lazyTwinHandlers([flextellApi], () => defaultTwin())
