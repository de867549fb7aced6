import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig, DEFAULT_CONFIG_FILE, type Config, type ConfigAccount } from '../server/config.ts'
import type { Env } from '../server/env.ts'
import { accountOptionsOf } from '../server/commands/verify.ts'
import { liveTarget, type VerifyOptions } from '../server/verify.ts'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { importOpenApi, type OpenApiContract } from '../contracts/openapi/contract.ts'
import type { JsonObject } from '../contracts/openapi/pointer.ts'
import { configOpenApis } from '../server/openapi-files.ts'
import { liveOpenApiTarget } from '../server/verify.ts'
import { runCheck, type Check, type Finding, type Suite } from './check.ts'
import { openApiSuite } from './openapi-suite.ts'
import { suites } from './suites.ts'
import type { Target } from './target.ts'
import { mockTarget, openApiMockTarget, type OwnedTarget } from './targets.ts'

export interface ContractOptions {
  /** Fail on broken inferred rules too (default: `APITWIN_STRICT`, else false: they are warnings). */
  readonly strict?: boolean
  /** The config file with `targets.<api>` (default `apitwin.config.json` in the working directory, if present). */
  readonly config?: string
  /** Environment to read `APITWIN_*` from (default `process.env`). */
  readonly env?: Env
  /** Per-request timeout in ms (default `APITWIN_TIMEOUT`, else 10000). */
  readonly timeout?: number
  /**
   * Your own APIs, by the name `apis` lists them under: a parsed OpenAPI document, or the path of a JSON or YAML file
   * (relative to the working directory). An API the config file's `"apis"` names needs no entry here.
   */
  readonly openapi?: Readonly<Record<string, JsonObject | string>>
  /** An imported API's suite: the broken-body and parameter cases per operation (default 20), and their seed (1). */
  readonly maxCases?: number
  readonly seed?: number
}

const ENV_FLAGS = {
  baseUrl: 'BASE_URL',
  token: 'TOKEN',
  userId: 'USER_ID',
  email: 'EMAIL',
  role: 'ROLE',
  tenant: 'TENANT',
  peerUserId: 'PEER_USER_ID',
  peerEmail: 'PEER_EMAIL',
  peerToken: 'PEER_TOKEN',
  foreignUserId: 'FOREIGN_USER_ID',
  foreignTenant: 'FOREIGN_TENANT',
  foreignToken: 'FOREIGN_TOKEN',
} as const satisfies Partial<Record<keyof VerifyOptions, string>>

const truthy = (value: string | undefined) => value !== undefined && /^(1|true|yes|on)$/i.test(value)

/** `APITWIN_BASE_URL`, `APITWIN_TOKEN`, … as `verify` reads them; undefined when no base URL is set. */
function fromEnv(api: string, env: Env): VerifyOptions | undefined {
  if (!env['APITWIN_BASE_URL']) return undefined
  const options: Record<string, string> = {}
  for (const [key, name] of Object.entries(ENV_FLAGS)) {
    const value = env[`APITWIN_${name}`]
    if (value !== undefined && value !== '') options[key] = value
  }
  return { api, ...options, allowWrites: truthy(env['APITWIN_ALLOW_WRITES']) }
}

/** `targets.<api>` of the config file, in `verify`'s terms. */
function fromConfig(api: string, config: Config, env: Env): VerifyOptions | undefined {
  const entry = config.targets?.[api]
  if (!entry) return undefined
  const { actor, peer, foreign }: { actor?: ConfigAccount; peer?: ConfigAccount | undefined; foreign?: ConfigAccount | undefined } =
    entry.accounts ?? {}
  return {
    api,
    ...accountOptionsOf(entry.baseUrl, { actor, peer, foreign }),
    allowWrites: truthy(env['APITWIN_ALLOW_WRITES']),
  }
}

/**
 * Whether the `APITWIN_*` variables describe `api`. One set of them describes one API: they apply when exactly one
 * API is described, or when `APITWIN_API` names this one; with several APIs and no `APITWIN_API` it is an error,
 * since one URL and token for every API would fail every check of the others for the wrong reason.
 */
function envDescribes(api: string, apis: readonly string[], env: Env): boolean {
  if (!env['APITWIN_BASE_URL']) return false
  const named = env['APITWIN_API']
  if (named !== undefined && named !== '') {
    if (!apis.includes(named))
      throw new Error(`apitwin/vitest: APITWIN_API is "${named}", but describeContracts describes ${apis.join(', ')}; name one of those`)
    return named === api
  }
  if (apis.length === 1) return true
  throw new Error(
    `apitwin/vitest: APITWIN_BASE_URL (with APITWIN_TOKEN, …) describes one API, but describeContracts describes ${apis.length} (${apis.join(', ')}). ` +
      `Give each API its own target in ${DEFAULT_CONFIG_FILE} ({ "targets": { "${apis[0]}": { "baseUrl": "…", "accounts": { "actor": { "userId": …, "token": "\${TOKEN}" } } } } }) and unset APITWIN_BASE_URL, ` +
      'or set APITWIN_API to the one API the variables describe',
  )
}

/**
 * The live target `api` runs against, if any: the `APITWIN_*` variables when they describe it, else its entry in
 * the config file; undefined means the in-process mock. Exported for apitwin's own tests, not from `apitwin/vitest`.
 * @example liveOptions('flextell', ['flextell'], { APITWIN_BASE_URL: 'http://127.0.0.1:4010/flextell', APITWIN_TOKEN: '…', APITWIN_USER_ID: '1' }, {}, 'apitwin.config.json')
 */
export function liveOptions(api: string, apis: readonly string[], env: Env, config: Config, configFile: string): VerifyOptions | undefined {
  const live = (envDescribes(api, apis, env) ? fromEnv(api, env) : undefined) ?? fromConfig(api, config, env)
  if (live && api === 'medibulut' && !live.role) {
    // Every medibulut update restates role_id; without the actor's own role the checks would send another one.
    throw new Error(
      `apitwin/vitest: medibulut needs the actor's role, which every update restates (role_id): set APITWIN_ROLE or targets.medibulut.accounts.actor.role in ${configFile}`,
    )
  }
  return live
}

const line = (f: Finding) =>
  `[${f.provenance.kind}] ${f.rule} (${f.text}): ${f.detail}${f.provenance.kind === 'inferred' ? ` — inferred: ${f.provenance.why}` : ''}`

/**
 * Registers apitwin's contract suites in your own vitest run: one `describe` per API, one `it` per check. The
 * target is, first found: `APITWIN_BASE_URL` with `APITWIN_TOKEN`, `APITWIN_USER_ID`, … (the same variables as
 * `apitwin verify`; they describe one API, so they apply only when one API is described or `APITWIN_API` names
 * it, and several APIs without `APITWIN_API` are an error); `targets.<api>` in `apitwin.config.json`; else a
 * fresh in-process mock (MSW's `setupServer`). A live medibulut needs the actor's role.
 * A broken documented rule fails its test; a broken inferred rule is a warning (a test annotation and a console
 * warning, the test passes) unless `strict`; a check the target cannot run is skipped with its reason.
 * @example
 * // contract.test.ts
 * import { describeContracts } from 'apitwin/vitest'
 * describeContracts(['flextell', 'medibulut'])
 */
export function describeContracts(apis: readonly string[], options: ContractOptions = {}): void {
  // Fail at collection when the environment is already wrong (one clear error, not one per check).
  for (const api of apis) envDescribes(api, apis, options.env ?? process.env)
  for (const api of apis) {
    const suite = suites[api]
    if (!suite) {
      describeImported(api, apis, options)
      continue
    }
    describe(`apitwin contract: ${api}`, () => {
      const env = options.env ?? process.env
      const strict = options.strict ?? truthy(env['APITWIN_STRICT'])
      const timeoutMs = options.timeout ?? (Number(env['APITWIN_TIMEOUT']) || 10_000)
      let owned: OwnedTarget | undefined
      let target: Target | undefined
      beforeAll(async () => {
        const config = await loadConfig(options.config ?? DEFAULT_CONFIG_FILE, env, { required: options.config !== undefined })
        const live = liveOptions(api, apis, env, config, options.config ?? DEFAULT_CONFIG_FILE)
        if (live) {
          target = await liveTarget(live, timeoutMs)
        } else {
          owned = await mockTarget(api)
          target = owned.target
        }
      })
      afterAll(async () => {
        await owned?.close()
      })
      for (const check of suite.checks) registerCheck(api, suite, check, () => target, strict)
    })
  }
}

/**
 * An imported API's derived suite as one `describe`: the document is read and imported while vitest collects (an
 * async suite factory), so each check is its own `it`, as for the four. The target: the `APITWIN_*` variables or the
 * config file's `targets.<api>` (credentials from `APITWIN_TOKEN`), else the API's twin in process.
 */
function describeImported(api: string, apis: readonly string[], options: ContractOptions): void {
  describe(`apitwin contract: ${api}`, async () => {
    const env = options.env ?? process.env
    const configFile = options.config ?? DEFAULT_CONFIG_FILE
    const config = await loadConfig(configFile, env, { required: options.config !== undefined })
    const contract = await importedContract(api, options.openapi?.[api], config, configFile)
    const suite = openApiSuite(contract, { maxCases: options.maxCases ?? 20, seed: options.seed ?? 1 })
    const readings = { ...config.readings?.[api], ...config.apis?.[api]?.readings }
    const strict = options.strict ?? truthy(env['APITWIN_STRICT'])
    const timeoutMs = options.timeout ?? (Number(env['APITWIN_TIMEOUT']) || 10_000)
    let owned: OwnedTarget | undefined
    let target: Target | undefined
    beforeAll(async () => {
      const live = liveOptions(api, apis, env, config, configFile)
      if (live) target = { ...(await liveOpenApiTarget(live, contract, timeoutMs)), readings }
      else {
        owned = await openApiMockTarget(contract, readings)
        target = owned.target
      }
    })
    afterAll(async () => {
      await owned?.close()
    })
    for (const check of suite.checks) registerCheck(api, suite, check, () => target, strict)
  })
}

/** The contract of an imported API: from `openapi` (a document or a file), else the config file's `apis.<api>`. */
async function importedContract(
  api: string,
  given: JsonObject | string | undefined,
  config: Config,
  configFile: string,
): Promise<OpenApiContract> {
  const file = typeof given === 'string' ? resolve(given) : configOpenApis(config, configFile).find((source) => source.name === api)?.file
  if (given === undefined && file === undefined)
    throw new Error(
      `apitwin/vitest: unknown API "${api}"; choose from ${Object.keys(suites).join(', ')}, or describe your own: describeContracts(['${api}'], { openapi: { '${api}': './${api}.yaml' } }) or "apis": { "${api}": { "openapi": "…" } } in ${configFile}`,
    )
  let document: JsonObject | string
  if (typeof given === 'object') document = given
  else {
    try {
      document = await readFile(file as string, 'utf8')
    } catch (error) {
      throw new Error(`apitwin/vitest: cannot read the OpenAPI document of ${api} at ${file as string}: ${(error as Error).message}`, {
        cause: error,
      })
    }
  }
  return importOpenApi(document, { name: api })
}

/** One check as one vitest test: a documented failure fails it, an inferred one is a warning, a skip says why. */
function registerCheck(api: string, suite: Suite, check: Check, getTarget: () => Target | undefined, strict: boolean): void {
  it(check.title, async (context) => {
    const target = getTarget()
    if (!target) throw new Error(`apitwin/vitest: no target for ${api}; see the error of beforeAll`)
    await target.reset?.()
    const outcome = await runCheck(suite, check, target, { strict })
    if (outcome.status === 'skip') context.skip(outcome.skipReason)
    for (const warning of outcome.warnings) {
      console.warn(`apitwin ${api} › ${check.title}: ${line(warning)}`)
      await context.annotate(line(warning), 'warning')
    }
    for (const left of outcome.leftBehind ?? []) await context.annotate(`left behind: ${left}`, 'warning')
    expect(outcome.failures.map(line), `${api} against ${target.label}`).toEqual([])
  })
}
