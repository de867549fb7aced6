/**
 * apitwin's public API: the contracts (zod schemas and their types), the seeded fixtures, the MSW handlers, the
 * server and `verify`, and the contract suites.
 *
 * @example
 * import { setupServer } from 'msw/node'
 * import { createTwin, twinHandlers } from 'apitwin'
 * const twin = await createTwin()
 * setupServer(...twinHandlers(twin)).listen({ onUnhandledRequest: 'error' })
 */
export { contracts, flextell, gorules, medibulut, railsUsers, type Contract, type FlextellBody, type FlextellUser, type GorulesBody, type GorulesUser, type MedibulutBody, type MedibulutUser, type Provenance, type RailsUser, type RailsUsersBody, type Rule } from './contracts/index.ts'
export { DEFAULT_SEED, seedFlextell, seedGorules, seedMedibulut, seedRailsUsers, type Account, type FlextellDb, type SeedOptions } from './fixtures/index.ts'
export { apis, createTwin, defaultTwin, handlers, handlersByApi, flextellApi, gorulesApi, medibulutApi, railsUsersApi, twinHandlers, type MswOptions, type Twin, type TwinApi, type TwinOptions } from './handlers/index.ts'
export { createApp, openapi, startServer, verify, type RunningServer, type VerifyOptions } from './server/index.ts'
export { flextellSuite, gorulesSuite, medibulutSuite, mockTarget, railsUsersSuite, runCheck, servedTarget, suites, type Suite, type Target } from './suites/index.ts'
