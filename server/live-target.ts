import { integer, parse, str, type Io } from './args.ts'
import { definedOnly, fromConfig, fromDiscovery } from './commands/verify.ts'
import { commandConfig, commandReadings, DEFAULT_CONFIG_FILE, type ApiReadings } from './config.ts'
import { configOpenApis, loadOpenApis, parseOpenApiFlags } from './openapi-files.ts'
import { UsageError } from './usage-error.ts'
import { liveOpenApiTarget, liveTarget } from './verify.ts'
import type { Suite } from '../suites/check.ts'
import { openApiSuite } from '../suites/openapi-suite.ts'
import { suites } from '../suites/suites.ts'
import type { Target } from '../suites/target.ts'

/** The flags `diff` and `calibrate` share with `verify` to name a live server and its accounts. */
export const targetFlags = {
  ...Object.fromEntries(
    [
      'base-url',
      'token',
      'user-id',
      'email',
      'role',
      'tenant',
      'peer-user-id',
      'peer-email',
      'peer-token',
      'foreign-user-id',
      'foreign-tenant',
      'foreign-token',
      'timeout',
      'config',
      'from-discovery',
    ].map((flag) => [flag, { type: 'string' as const }]),
  ),
  reading: { type: 'string', multiple: true },
  openapi: { type: 'string', multiple: true },
  credential: { type: 'string', multiple: true },
  'allow-writes': { type: 'boolean' },
  disposable: { type: 'boolean' },
} as const

export const targetHelp = `  --base-url URL         the live server, up to where the documented path starts
  --token T, --user-id ID, --email E, --role R, --tenant ID
                         the account to act as (as for verify; never printed)
  --peer-user-id ID, --peer-email E, --peer-token T, --foreign-user-id ID, --foreign-tenant ID, --foreign-token T
                         the other accounts, mapped onto the mock's peer and foreign accounts
  --config FILE          targets, accounts and readings (default: ./apitwin.config.json when present)
  --from-discovery URL   take the target and accounts from a running apitwin serve
  --reading API.RULE=VALUE  a reading the mock follows (repeatable; over the config file's)
  --allow-writes         also send the success paths (200); changed fields are restored where the API allows
  --disposable           with --allow-writes: the accounts are throwaway, so probes that cannot be undone may run
                         (disabling the peer, changing the actor's e-mail for good)
  --timeout MS           per-request timeout (default 10000)
  --openapi [NAME=]FILE  your own API from an OpenAPI document (repeatable; also "apis" in the config file)
  --credential S=VALUE   an imported API's credential for its security scheme S (repeatable; never printed)`

/**
 * Parses a command naming one API and a live target: its accounts from the config file, `--from-discovery`, then
 * the flags (each over the previous), and the readings the mock follows.
 * @example const { api, target, readings } = await liveFromFlags('diff', args, io, { strict: { type: 'boolean' } })
 */
export async function liveFromFlags(command: string, args: string[], io: Io, extra: Parameters<typeof parse>[1]) {
  const { values, positionals } = parse(args, { ...targetFlags, ...extra }, io.env)
  if (values['help']) return { help: true as const, values }
  const [api, ...rest] = positionals
  if (api === undefined) throw new UsageError(`which API? apitwin ${command} <api> --base-url URL …`)
  const s = (name: string) => str(values, name)
  const configFile = s('config')
  const config = await commandConfig(configFile, io.env)
  const imported = await loadOpenApis([
    ...configOpenApis(config, configFile ?? DEFAULT_CONFIG_FILE),
    ...parseOpenApiFlags(values['openapi']),
  ])
  const contract = imported.find((c) => c.name === api)
  if (!suites[api] && !contract)
    throw new UsageError(
      `unknown API "${api}"; choose one of: ${[...Object.keys(suites), ...imported.map((c) => c.name)].join(', ')} (your own: --openapi ${api}=FILE)`,
    )
  if (rest.length > 0)
    throw new UsageError(
      `unexpected argument${rest.length > 1 ? 's' : ''} ${rest.map((r) => `"${r}"`).join(' ')}: apitwin ${command} takes one API`,
    )
  const readings: ApiReadings = await commandReadings(
    { config: configFile, reading: values['reading'] },
    io.env,
    Object.fromEntries(imported.map((c) => [c.name, c.rules])),
  )
  const discoveryUrl = s('from-discovery')
  const options = {
    api,
    ...fromConfig(config, api),
    ...(discoveryUrl === undefined ? {} : await fromDiscovery(discoveryUrl, api)),
    ...definedOnly({
      baseUrl: s('base-url'),
      token: s('token'),
      userId: s('user-id'),
      email: s('email'),
      role: s('role'),
      tenant: s('tenant'),
      peerUserId: s('peer-user-id'),
      peerEmail: s('peer-email'),
      peerToken: s('peer-token'),
      foreignUserId: s('foreign-user-id'),
      foreignTenant: s('foreign-tenant'),
      foreignToken: s('foreign-token'),
    }),
    allowWrites: values['allow-writes'] === true,
    disposable: values['disposable'] === true,
  }
  if (options.disposable && !options.allowWrites)
    throw new UsageError('--disposable lets irreversible probes write to throwaway accounts: give --allow-writes with it')
  if (options.baseUrl === undefined)
    throw new UsageError(
      `apitwin ${command} compares the mock with a live server: give --base-url (or a target for ${api} in the config file, or --from-discovery)`,
    )
  const timeout = integer(values, 'timeout', { min: 1, max: 600_000 }) ?? 10_000
  const credentials = credentialsOf(values['credential'])
  const target: Target = contract
    ? await liveOpenApiTarget({ ...options, credentials }, contract, timeout)
    : await liveTarget(options, timeout)
  // An imported API's suite is derived from its document (a fixed seed: diff compares the same requests both ways).
  const suite: Suite = contract ? openApiSuite(contract, { seed: 1 }) : (suites[api] as Suite)
  return { help: false as const, values, api, target, suite, readings: readings[api] ?? {}, secrets: Object.values(credentials) }
}

/** `--credential scheme=value`, repeatable; the value is never echoed (it is a secret). */
export function credentialsOf(raw: unknown): Record<string, string> {
  const list = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.split(/\s+/).filter(Boolean) : []
  return Object.fromEntries(
    list.map((item) => {
      const at = item.indexOf('=')
      if (at <= 0)
        throw new UsageError("--credential takes SCHEME=VALUE (the security scheme's name in the document), got a value without a scheme")
      return [item.slice(0, at), item.slice(at + 1)]
    }),
  )
}
