/**
 * `apitwin/vitest`: apitwin's contract suites inside your own vitest run (one `describe` per API, one `it` per
 * check), against the in-process mock, `apitwin serve` or a live server. Needs vitest as a dev dependency.
 * @example
 * import { describeContracts } from 'apitwin/vitest'
 * describeContracts(['flextell'])
 */
export { describeContracts, type ContractOptions } from './suites/vitest-adapter.ts'
export type { Env } from './server/env.ts'
