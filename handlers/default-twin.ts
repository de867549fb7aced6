import type { HttpHandler } from 'msw'
import { lazyTwinHandlers } from './msw.ts'
import { sharedTwin } from './start-twin.ts'
import { apis, createTwin } from './twin.ts'

/**
 * The twin behind `handlers`: every API, created with the default seed on first use (or the options of the first
 * call; another seed later is an error). Reset it between tests: `afterEach(async () => (await defaultTwin()).reset())`.
 * @example const twin = await defaultTwin({ seed: 7 }) // before the first request reaches `handlers`
 */
export const defaultTwin = sharedTwin((options) => createTwin(options))

/**
 * Ready-made MSW handlers for every API over `defaultTwin()`, mounted at `*\/<slug>`.
 * @example setupWorker(...handlers).start()
 */
export const handlers: readonly HttpHandler[] = lazyTwinHandlers(apis, () => defaultTwin())

/** The same, per API: `handlersByApi.flextell`. To bundle one API only, import `apitwin/handlers/<api>` instead. */
export const handlersByApi: Readonly<Record<string, readonly HttpHandler[]>> = Object.fromEntries(
  apis.map((api) => [api.name, lazyTwinHandlers(apis, () => defaultTwin(), { only: [api.name] })]),
)
