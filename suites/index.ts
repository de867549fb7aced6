export {
  runCheck,
  send,
  suiteOf,
  type Check,
  type CheckContext,
  type Exchange,
  type Finding,
  type Need,
  type Outcome,
  type Rules,
  type SecretsPolicy,
  type SendOptions,
  type Suite,
} from './check.ts'
export { deriveCases, emailOfLength, frameworks, type CaseKind, type FieldCase, type Framework } from './derive.ts'
export { derivedChecks, runCase, type DerivedApi } from './derived-checks.ts'
export { flextellSuite } from './flextell.ts'
export { gorulesSuite } from './gorules.ts'
export { medibulutSuite } from './medibulut.ts'
export { propertyCheck, type PropertyOptions } from './property.ts'
export { railsUsersSuite } from './rails-users.ts'
export { emailRefused, passwordRefused, UnsafeWrite, unsafeWrite, type WriteGuard } from './write-guard.ts'
export { findSecrets, type SecretFinding, type SecretScan } from './secrets.ts'
export { suites } from './suites.ts'
export type { AccountLabel, Target } from './target.ts'
export { byLabel, mockTarget, openApiMockTarget, servedTarget, type OwnedTarget } from './targets.ts'
export { openApiSuite, type OpenApiSuiteOptions } from './openapi-suite.ts'
export { openApiProbes } from './openapi-probes.ts'
export { openApiFieldProbes } from './openapi-field-probes.ts'
export { openApiReferenceTarget } from './openapi-reference.ts'
export { answersItem, idIn, itemIn, sentId, unknownParams } from './openapi-ids.ts'
export { brokenBodies, validBody, type BrokenBody, type BrokenKind } from './openapi-bodies.ts'
export { liveCredentials, needsCredentials, placeCredentials, type Placed } from './openapi-credentials.ts'
export { sendOperation, type AuthMode, type OperationRequest, type Sent } from './openapi-request.ts'
export { observationKey, probes, probesOf, runProbe, type Observation, type Probe, type ProbeResult } from './probes.ts'
export { probeChecks, readingTable, readingsObserving, type ReadingTable } from './probe-checks.ts'
export { referenceOf, referenceTarget } from './reference.ts'
export { calibrate, type Calibration, type CalibrationResult } from './calibrate.ts'
export { diff, type Aspect, type Difference, type DiffResult, type Extra } from './diff.ts'
export { accountPlaceholders, accountSwaps } from './placeholders.ts'
