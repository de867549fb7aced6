/**
 * apitwin, the part that runs anywhere (browser, service worker, Node, Deno): the contracts (zod schemas and their
 * types), the seeded fixtures, the MSW handlers and `createTwin`. Nothing here imports `node:*`, `msw/node` or the
 * server; those live in `apitwin/node`. One API only: `apitwin/handlers/<api>`.
 *
 * @example
 * import { setupWorker } from 'msw/browser'
 * import { handlers } from 'apitwin'
 * await setupWorker(...handlers).start()
 */
export {
  contracts,
  importOpenApi,
  OpenApiImportError,
  flextell,
  gorules,
  medibulut,
  railsUsers,
  type Contract,
  type OpenApiContract,
  type OpenApiInput,
  type FlextellBody,
  type FlextellUser,
  type GorulesBody,
  type GorulesUser,
  type MedibulutBody,
  type MedibulutUser,
  type Provenance,
  type RailsUser,
  type RailsUsersBody,
  type Rule,
} from './contracts/index.ts'
export {
  DEFAULT_SEED,
  seedFlextell,
  seedGorules,
  seedMedibulut,
  seedRailsUsers,
  type Account,
  type FlextellDb,
  type SeedOptions,
} from './fixtures/index.ts'
export {
  apis,
  createTwin,
  openApiTwinApi,
  defaultTwin,
  handlers,
  handlersByApi,
  flextellApi,
  gorulesApi,
  medibulutApi,
  railsUsersApi,
  injectedFailure,
  outbox,
  readFaults,
  twinHandlers,
  type ApiState,
  type FailMode,
  type Faults,
  type MswOptions,
  type Outbox,
  type OutboxEmail,
  type CreateTwinOptions,
  type Twin,
  type TwinApi,
  type TwinOptions,
} from './handlers/index.ts'
