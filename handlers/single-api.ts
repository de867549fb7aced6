import type { HttpHandler } from 'msw'
import type { SeedOptions } from '../fixtures/account.ts'
import { lazyTwinHandlers } from './msw.ts'
import { sharedTwin, startTwin, type Twin } from './start-twin.ts'
import type { TwinApi } from './twin-api.ts'

/** What each `apitwin/handlers/<api>` entry exports for its one API. */
export interface SingleApiEntry {
  /**
   * A fresh twin of this API alone.
   * @example const twin = await createTwin({ seed: 7 }); twin.accounts('flextell')
   */
  readonly createTwin: (options?: SeedOptions) => Promise<Twin>
  /** The twin behind `handlers`, created on first use; another seed after that is an error. */
  readonly defaultTwin: (options?: SeedOptions) => Promise<Twin>
  /** Ready-made MSW handlers for this API over `defaultTwin()`, mounted at `*\/<slug>`. */
  readonly handlers: readonly HttpHandler[]
}

/**
 * The wiring every one-API entry point shares, once: a twin of `api` alone, the shared twin behind the ready-made
 * handlers, and the handlers. Importing it reaches no other API, so an app that mocks one API bundles only that one.
 * @example export const { createTwin, defaultTwin, handlers } = singleApiEntry(flextellApi)
 */
export function singleApiEntry(api: TwinApi): SingleApiEntry {
  const createTwin = (options: SeedOptions = {}) => startTwin([api], options)
  const defaultTwin = sharedTwin(createTwin)
  return { createTwin, defaultTwin, handlers: lazyTwinHandlers([api], () => defaultTwin()) }
}
