export { defaultTwin, handlers, handlersByApi } from './default-twin.ts'
export {
  CONTROL_API_PATH,
  controlApi,
  controlState,
  type ApiView,
  type ControlAnswer,
  type ControlCall,
  type ControlContext,
  type ControlState,
  type ReadingView,
} from './control-api.ts'
export { controlHandlers, type ControlHandlerOptions } from './control-handlers.ts'
export { flextellApi, resolveFlextell } from './flextell.ts'
export { JOURNAL_BODY_LIMIT, Journal, maskSecrets, type JournalEntry } from './journal.ts'
export { LiveControls, liveControls, parseFault, peekControls, withApiFault, type ApiFault } from './live-controls.ts'
export { gorulesApi, resolveGorules } from './gorules.ts'
export { medibulutApi, resolveMedibulut } from './medibulut.ts'
export { lazyTwinHandlers, twinHandlers, type MswOptions } from './msw.ts'
export {
  BodyTooLarge,
  Halt,
  INVALID_UTF8,
  InvalidUtf8,
  authenticate,
  bearerToken,
  halt,
  parseJsonObject,
  readBody,
  readJsonObject,
  respond,
  run,
  toResponse,
  type Dialect,
  type RawBody,
  type Reply,
  type TokenStores,
} from './reply.ts'
export { outbox, type Outbox, type OutboxEmail } from './outbox.ts'
export { railsUsersApi, resolveRailsUsers } from './rails-users.ts'
export { singleApiEntry, type SingleApiEntry } from './single-api.ts'
export { sharedTwin, startTwin, type SeedProgress, type Twin, type TwinOptions } from './start-twin.ts'
export { routePath, type ApiSnapshot, type ApiState, type Params, type RequestLike, type TwinApi } from './twin-api.ts'
export { apis, createTwin, type CreateTwinOptions } from './twin.ts'
export { MAX_DELAY_MS, injectedFailure, readFaults, type FailMode, type Faults } from './faults.ts'
export { hasChanges, saveDirty, type SaveOptions, type Updatable } from './save.ts'
export { serializer, type Serializer } from './serialize.ts'
export { fieldOrder, laravelLoose, missingIds, takenEmail, type LaravelLooseFields } from './validation.ts'
export { openApiTwinApi } from './openapi-api.ts'
export { openApiErrors, type ErrorStyle, type OpenApiErrors } from './openapi-errors.ts'
export { coerceBody, excused } from './openapi-leniency.ts'
export { projector, splitter, writeOnlyNames, type SecretSplit } from './openapi-project.ts'
export { JSON_LIMITS, dropPollutingKeys, pollutingKeys, scanJson, type JsonScan } from './json-limits.ts'
export { openApiReadings, type OpenApiReadings } from './openapi-readings.ts'
export { itemFields, resolveOpenApi, type ItemFields, type PreparedOpenApi } from './openapi-resolver.ts'
export { RouteTable, type RouteEntry, type RouteMatch } from './route-table.ts'
