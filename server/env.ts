/**
 * Environment variables by name. `process.env` fits; a plain record, so the published types need no `@types/node`
 * (TypeScript 7 no longer loads Node's ambient types unless `types: ["node"]` says so).
 * @example const env: Env = { APITWIN_BASE_URL: 'http://127.0.0.1:4010/flextell' }
 */
export type Env = Readonly<Record<string, string | undefined>>
