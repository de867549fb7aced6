import { readFile } from 'node:fs/promises'
import { z } from 'zod'
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
  targets: z.record(z.string(), z.strictObject({
    baseUrl: z.string(),
    accounts: z.strictObject({ actor: account, peer: account.optional(), foreign: account.optional() }).optional(),
  })).optional(),
})
export type Config = z.infer<typeof configSchema>
export type ConfigAccount = z.infer<typeof account>

/** Replaces `${NAME}` with the environment's value; a missing variable is an error naming it. */
function expand(value: unknown, env: NodeJS.ProcessEnv, where: string): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
      const found = env[name]
      if (found === undefined) throw new UsageError(`${where} uses \${${name}}, but the environment has no ${name}; export it or edit the file`)
      return found
    })
  }
  if (Array.isArray(value)) return value.map((v) => expand(v, env, where))
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expand(v, env, where)]))
  return value
}

/**
 * Reads a config file. With `required: false` a missing file is an empty config (the default file is optional;
 * one named with --config is not).
 * @example const config = await loadConfig('apitwin.config.json', process.env, { required: false })
 */
export async function loadConfig(file: string, env: NodeJS.ProcessEnv, { required = true } = {}): Promise<Config> {
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
  return expand(parsed.data, env, file) as Config
}
