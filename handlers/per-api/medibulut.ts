/**
 * `apitwin/handlers/medibulut`: medibulut alone — its contract, its MSW handlers and a twin of it — importing nothing of
 * the other APIs, so an app that mocks medibulut bundles medibulut only.
 * @example
 * import { setupWorker } from 'msw/browser'
 * import { handlers } from 'apitwin/handlers/medibulut'
 * await setupWorker(...handlers).start()
 */
import type { HttpHandler } from 'msw'
import type { SeedOptions } from '../../fixtures/account.ts'
import { medibulutApi } from '../medibulut.ts'
import { lazyTwinHandlers } from '../msw.ts'
import { sharedTwin, startTwin, type Twin } from '../start-twin.ts'

export { medibulut, type MedibulutBody, type MedibulutUser } from '../../contracts/medibulut.ts'
export { medibulutApi }
export { twinHandlers, type MswOptions } from '../msw.ts'
export type { Twin } from '../start-twin.ts'

/**
 * A fresh twin of medibulut alone.
 * @example const twin = await createTwin({ seed: 7 }); twin.accounts('medibulut')
 */
export function createTwin(options: SeedOptions = {}): Promise<Twin> {
  return startTwin([medibulutApi], options)
}

/** The twin behind `handlers`, created on first use; another seed after that is an error. */
export const defaultTwin: (options?: SeedOptions) => Promise<Twin> = sharedTwin(createTwin)

/** Ready-made MSW handlers for medibulut over `defaultTwin()`, mounted at `*\/medibulut`. */
export const handlers: readonly HttpHandler[] = lazyTwinHandlers([medibulutApi], () => defaultTwin())
