import { readFile } from 'node:fs/promises'
import { z } from 'zod'
import { validateLearned, type LearnedByRule } from '../contracts/learned.ts'
import { validateReadings, type ReadingChoice, type RuleBook } from '../contracts/provenance.ts'
import { contracts, type Contract } from '../contracts/registry.ts'
import type { Env } from './env.ts'
import { UsageError } from './usage-error.ts'

/** The default config file, read from the working directory when present. */
export const DEFAULT_CONFIG_FILE = 'apitwin.config.json'

const id = z.union([z.string(), z.number()])
const account = z.strictObject({
  userId: id,
  token: z.string().optional(),
  email: z.string().optional(),
  tenant: id.optional(),
  role: z.string().optional(),
})

/**
 * `apitwin.config.json`: per-API targets with their accounts (for verify, diff, calibrate) and the readings the
 * mock follows (serve, createTwin, verify and diff against the in-process mock). Strings may hold `${ENV}`
 * references, so secrets stay in the CI's environment, never in the file.
 */
export const configSchema = z.strictObject({
  $schema: z.string().optional(),
  /** `{ "<api>": { "<rule id>": "<reading>" } }`, e.g. `{ "medibulut": { "tenant.forbidden": "404" } }`. */
  readings: z.record(z.string(), z.record(z.string(), z.string())).optional(),
  /**
   * What `apitwin calibrate --write` learned where no reading answers as the server does: `{ "<api>": { "<rule id>":
   * { statuses, bodies, messages, seen } } }` (contracts/learned.ts). Review it like code: it is the server's wording.
   */
  learned: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  /** Your own APIs: `{ "billing": { "openapi": "./billing.yaml" } }`, files relative to the config file. */
  apis: z
    .record(
      z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'an API name is lower-case letters, digits and dashes'),
      z.strictObject({
        openapi: z.string(),
        /** Readings of this API's inferred rules, as under "readings". */
        readings: z.record(z.string(), z.string()).optional(),
      }),
    )
    .optional(),
  targets: z
    .record(
      z.string(),
      z.strictObject({
        baseUrl: z.string(),
        accounts: z.strictObject({ actor: account, peer: account.optional(), foreign: account.optional() }).optional(),
      }),
    )
    .optional(),
})
export type Config = z.infer<typeof configSchema>
export type ConfigAccount = z.infer<typeof account>

/** Replaces `${NAME}` with the environment's value; a missing variable is an error naming it. */
function expand(value: unknown, env: Env, where: string): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
      const found = env[name]
      if (found === undefined)
        throw new UsageError(`${where} uses \${${name}}, but the environment has no ${name}; export it or edit the file`)
      return found
    })
  }
  if (Array.isArray(value)) return value.map((v) => expand(v, env, where))
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expand(v, env, where)]))
  return value
}

/**
 * Reads a config file. With `required: false` a missing file is an empty config (the default file is optional;
 * one named with --config is not).
 * @example const config = await loadConfig('apitwin.config.json', process.env, { required: false })
 */
export async function loadConfig(file: string, env: Env, { required = true } = {}): Promise<Config> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !required) return {}
    throw new UsageError(`cannot read config file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new UsageError(`config file ${file} is not valid JSON: ${(error as Error).message}`)
  }
  const parsed = configSchema.safeParse(json)
  if (!parsed.success) {
    const first = parsed.error.issues[0]
    throw new UsageError(`config file ${file}: ${first ? `${first.path.join('.') || '(top)'}: ${first.message}` : 'invalid'}`)
  }
  return lazilyExpanded(parsed.data, env, file)
}

/**
 * `${ENV}` references are expanded where they are used, not across the whole file: `serve` reads the readings
 * only, `verify flextell` the flextell target only, so a variable that only another API's target uses may stay
 * unset. Each target expands when it is first read (a getter); the readings at once (every command reads them).
 * A target for an API apitwin does not know (a typo such as "flextel") is an error naming the known ones: the
 * four and the imported APIs the same file declares under "apis" (an API given only by `--openapi` on the command
 * line is not known yet when the file is read, so its target belongs beside its document in "apis").
 */
function lazilyExpanded(config: Config, env: Env, file: string): Config {
  const known = [...Object.keys(contracts), ...Object.keys(config.apis ?? {})]
  const unknown = Object.keys(config.targets ?? {}).filter((api) => !known.includes(api))
  if (unknown.length > 0)
    throw new UsageError(
      `config file ${file}: targets: unknown API ${unknown.map((api) => `"${api}"`).join(', ')}; choose from ${known.join(', ')}${config.apis ? '' : ' (or declare your own API under "apis")'}`,
    )
  const out: Config = {
    ...config,
    ...(config.readings && { readings: expand(config.readings, env, `${file} (readings)`) as Config['readings'] }),
  }
  if (!config.targets) return out
  const targets = {}
  for (const [api, target] of Object.entries(config.targets)) {
    let expanded: unknown
    Object.defineProperty(targets, api, { enumerable: true, get: () => (expanded ??= expand(target, env, `${file} (targets.${api})`)) })
  }
  return { ...out, targets }
}

/** Readings per API: `{ medibulut: { 'tenant.forbidden': '404' } }`. */
export type ApiReadings = Readonly<Record<string, ReadingChoice>>

/**
 * `--reading <api>.<rule>=<value>` flags (repeatable) as readings per API; the API is the part before the first
 * dot. A malformed flag or an unknown API is a usage error; rules and values are checked by `checkReadings`.
 * @example parseReadingFlags(['medibulut.tenant.forbidden=404']) // { medibulut: { 'tenant.forbidden': '404' } }
 */
export function parseReadingFlags(flags: readonly string[]): ApiReadings {
  const out: Record<string, Record<string, string>> = {}
  for (const flag of flags) {
    const match = /^([^.=\s]+)\.([^=\s]+)=(.+)$/.exec(flag.trim())
    if (!match) throw new UsageError(`--reading takes <api>.<rule>=<value> (e.g. medibulut.tenant.forbidden=404), got "${flag}"`)
    const [, api = '', rule = '', value = ''] = match
    ;(out[api] ??= {})[rule] = value
  }
  return out
}

/**
 * Checks readings against the contracts: an unknown API, rule or value is a usage error naming what is allowed.
 * @example checkReadings({ gorules: { 'validation.status': '418' } }) // throws: gorules: validation.status: "418" is not a reading; choose one of 400, 422
 */
export function checkReadings(readings: ApiReadings, where = '--reading', imported: Readonly<Record<string, RuleBook>> = {}): ApiReadings {
  const problems = Object.entries(readings).flatMap(([api, choice]) => {
    const own = imported[api]
    if (own) return validateReadings(own, choice).map((problem) => `${api}: ${problem}`)
    const contract = (contracts as Readonly<Record<string, Contract>>)[api]
    if (!contract) {
      // `validation.status=422` without its API: show the API.RULE=VALUE form with the APIs that have such a rule.
      const owners = Object.entries(contracts as Readonly<Record<string, Contract>>)
        .filter(([, c]) => Object.keys(choice).some((rule) => `${api}.${rule}` in c.rules))
        .map(([name]) => name)
      const example = Object.entries(choice)[0]
      const hint = owners.length > 0 && example ? ` (e.g. ${owners[0]}.${api}.${example[0]}=${example[1]})` : ''
      return [
        `unknown API "${api}": a reading is API.RULE=VALUE${hint}; the APIs are ${[...Object.keys(contracts), ...Object.keys(imported)].join(', ')}`,
      ]
    }
    return validateReadings(contract.rules, choice).map((problem) => `${api}: ${problem}`)
  })
  if (problems.length > 0) throw new UsageError(`${where}: ${problems.join('; ')}`)
  return readings
}

/** Readings of `b` over those of `a`, API by API. */
export function mergeReadings(a: ApiReadings = {}, b: ApiReadings = {}): ApiReadings {
  const out: Record<string, ReadingChoice> = { ...a }
  for (const [api, choice] of Object.entries(b)) out[api] = { ...out[api], ...choice }
  return out
}

/**
 * The config a command runs with: the file named by `--config` (which must exist), else `apitwin.config.json` in
 * the working directory when present.
 * @example const config = await commandConfig(str(values, 'config'), io.env)
 */
export async function commandConfig(file: string | undefined, env: Env): Promise<Config> {
  return file === undefined ? loadConfig(DEFAULT_CONFIG_FILE, env, { required: false }) : loadConfig(file, env)
}

/**
 * The readings a command follows: the config file's, then `--reading` flags over them; all checked (exit 2 on a
 * wrong one).
 * @example const readings = await commandReadings({ config: 'apitwin.config.json', reading: ['gorules.validation.status=422'] }, env)
 */
export async function commandReadings(
  { config, reading }: { config?: string | undefined; reading?: unknown },
  env: Env,
  imported: Readonly<Record<string, RuleBook>> = {},
): Promise<ApiReadings> {
  const loaded = await commandConfig(config, env)
  // An imported API's readings may sit beside its document (`apis.<name>.readings`); "readings" and flags win.
  const beside = Object.fromEntries(
    Object.entries(loaded.apis ?? {}).flatMap(([api, entry]) => (entry.readings ? [[api, entry.readings]] : [])),
  )
  const fromFile = mergeReadings(beside, loaded.readings)
  checkReadings(fromFile, `config file ${config ?? DEFAULT_CONFIG_FILE}: readings`, imported)
  // Repeated flags arrive as a list; APITWIN_READING as one string of space-separated readings.
  const flags = Array.isArray(reading) ? reading.map(String) : typeof reading === 'string' ? reading.split(/\s+/).filter(Boolean) : []
  return checkReadings(mergeReadings(fromFile, parseReadingFlags(flags)), '--reading', imported)
}

/** Learned pieces per API: `{ gorules: { 'error.body': { bodies: { 401: … }, seen: […] } } }`. */
export type ApiLearned = Readonly<Record<string, LearnedByRule>>

/**
 * The learned pieces a command applies: the config file's, checked against the contracts and the rule books of the
 * imported APIs the command loaded (exit 2 on a wrong one).
 * @example const learned = await commandLearned('apitwin.config.json', env)
 */
export async function commandLearned(
  config: string | undefined,
  env: Env,
  imported: Readonly<Record<string, RuleBook>> = {},
): Promise<ApiLearned> {
  const loaded = await commandConfig(config, env)
  const where = `config file ${config ?? DEFAULT_CONFIG_FILE}: learned`
  const problems = Object.entries(loaded.learned ?? {}).flatMap(([api, byRule]) => {
    // An imported API's pieces are checked against its own rule book (the command loaded its document).
    const rules = imported[api] ?? (contracts as Readonly<Record<string, Contract>>)[api]?.rules
    return rules
      ? validateLearned(rules, byRule).map((p) => `${api}: ${p}`)
      : [`unknown API "${api}"; the APIs are ${[...Object.keys(contracts), ...Object.keys(imported)].join(', ')}`]
  })
  if (problems.length > 0) throw new UsageError(`${where}: ${problems.join('; ')}`)
  return (loaded.learned ?? {}) as ApiLearned
}
