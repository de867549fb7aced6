export {
  flextell,
  flextellLanguages,
  type FlextellBody,
  type FlextellRuleId,
  type FlextellUser,
  type FlextellUserRecord,
} from './flextell.ts'
export {
  gorules,
  gorulesStatuses,
  gorulesTypes,
  type GorulesBody,
  type GorulesRuleId,
  type GorulesUser,
  type GorulesUserRecord,
} from './gorules.ts'
export { issueKey, type Issue } from './issue.ts'
export {
  laravel,
  laravelDialect,
  laravelEveryRule,
  laravelMessage,
  laravelSummary,
  laravelValidation,
  type LaravelDialect,
  type LaravelMessages,
  type LaravelOptions,
  type LaravelSummary,
  type LaravelValidationBody,
} from './laravel.ts'
export {
  medibulut,
  medibulutPermissions,
  medibulutRoles,
  type MedibulutBody,
  type MedibulutRole,
  type MedibulutRuleId,
  type MedibulutUser,
  type MedibulutUserRecord,
} from './medibulut.ts'
export { nest, nestDialect, nestMessage, type NestDialect, type NestOptions } from './nest.ts'
export {
  documented,
  fieldGroups,
  formatFieldReading,
  inferred,
  readingOfField,
  validateReadings,
  type Provenance,
  type ReadingChoice,
  type Readings,
  type Rule,
  type RuleBook,
} from './provenance.ts'
export { humanize, rails, railsMessage } from './rails.ts'
export {
  railsLocales,
  railsUsers,
  type RailsUser,
  type RailsUserRecord,
  type RailsUsersBody,
  type RailsUsersRuleId,
} from './rails-users.ts'
export { contracts, type Contract } from './registry.ts'
export { importOpenApi, slugOf, type ImportOptions, type OpenApiContract } from './openapi/contract.ts'
export { inferCollections, type CollectionOperations, type OpenApiCollection } from './openapi/collections.ts'
export { MAX_DOCUMENT_CHARS, parseOpenApi, type OpenApiDocument, type OpenApiInput, type OpenApiVersion } from './openapi/document.ts'
export { OpenApiImportError } from './openapi/import-error.ts'
export { bodyFields, valueAt, withValueAt, type BodyField } from './openapi/body-fields.ts'
export { toJsonSchema, type BundledSchema, type SchemaView } from './openapi/json-schema.ts'
export {
  MAX_OPERATIONS,
  indexOperations,
  jsonMedia,
  responseFor,
  successStatuses,
  validationStatusOf,
  type OpenApiMedia,
  type OpenApiOperation,
  type OpenApiParameter,
  type OpenApiResponse,
  type ParameterLocation,
  type SecurityRequirements,
  type SecurityScheme,
} from './openapi/operations.ts'
export { deref, isObject, pointer, resolvePointer, type JsonObject } from './openapi/pointer.ts'
export { ecmaPattern } from './openapi/pattern.ts'
export { PAGE_PARAMS, openApiRules, type OpenApiRuleId } from './openapi/rules.ts'
export { objectShape, propertySchema, timestampRole, typesOf, type ObjectShape } from './openapi/schema-shape.ts'
export { compileSchema, type SchemaCheck, type SchemaIssue } from './openapi/validator.ts'
export { fastCheck, type FastCheck } from './openapi/fast-check.ts'
