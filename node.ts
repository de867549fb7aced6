/**
 * `apitwin/node`: everything in `apitwin` plus what needs Node — the HTTP server, `verify`, the OpenAPI
 * document, the CLI and the contract suites with their targets.
 *
 * @example
 * import { startServer, verify } from 'apitwin/node'
 * const server = await startServer({ port: 0 })
 * const result = await verify({ api: 'flextell', baseUrl: `${server.url}/flextell`, token, userId: '1' })
 * await server.close()
 */
export * from './index.ts'
export {
  createApp,
  discovery,
  main,
  openapi,
  render,
  startServer,
  summarize,
  summaryLine,
  UsageError,
  verify,
  type AppOptions,
  type DiscoveredApi,
  type Io,
  type Report,
  type ReporterName,
  type RunningServer,
  type ServeOptions,
  type VerifyOptions,
  type VerifyResult,
} from './server/index.ts'
export {
  flextellSuite,
  gorulesSuite,
  medibulutSuite,
  mockTarget,
  railsUsersSuite,
  runCheck,
  servedTarget,
  suites,
  type Check,
  type Finding,
  type Outcome,
  type OwnedTarget,
  type Suite,
  type Target,
} from './suites/index.ts'
