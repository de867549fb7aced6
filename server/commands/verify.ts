import { apiNames, integer, parse, print, str, type Io } from '../args.ts'
import { reporterNames, type ReporterName } from '../reporters.ts'
import type { Account } from '../../fixtures/account.ts'
import { DEFAULT_CONFIG_FILE, loadConfig, type Config } from '../config.ts'
import { UsageError } from '../usage-error.ts'
import { checkPartners, verify } from '../verify.ts'
import { configOpenApis, loadOpenApis, parseOpenApiFlags } from '../openapi-files.ts'
import { credentialsOf, targetFlags } from '../live-target.ts'

export const verifyHelp = `apitwin verify <api> — check a server against the API's contract (${apiNames})

Without --base-url it runs against a fresh in-process mock. Every flag can also be given as an environment
variable: --base-url as APITWIN_BASE_URL, --allow-writes as APITWIN_ALLOW_WRITES=1, and so on.

  --base-url URL         the server, up to where the documented path starts (https://dev.flextell.ai)
  --token T              bearer token of the account to act as (required with --base-url; never printed)
  --user-id ID           that account's user id (required with --base-url)
  --email E              that account's email (for the "own email is not taken" check)
  --role R               that account's role (medibulut: every update restates role_id)
  --tenant ID            that account's tenant
  --peer-user-id ID      another user in the same tenant
  --peer-email E         that user's email (for the unique-email checks)
  --peer-token T         that user's token, where a check acts as the peer
  --foreign-user-id ID   a user in another tenant
  --foreign-tenant ID    that user's tenant
  --foreign-token T      that user's token (for isolation checked from the other side)
  --allow-writes         also run the success paths (200); changed fields are restored where the API allows
  --disposable           with --allow-writes: the accounts are throwaway, so checks that cannot be undone may run
                         (an imported collection without DELETE keeps what they create)
  --strict               fail on broken inferred rules too (default: they warn)
  --reporter R           default | junit | json
  --output FILE          write the report to FILE (stdout gets a one-line summary)
  --timeout MS           per-request timeout (default 10000)
  --config FILE          targets, accounts and readings per API (default: ./apitwin.config.json if present;
                         strings may hold \${ENV} references, so secrets stay in the environment)
  --from-discovery URL   take the base URL and accounts from a running apitwin serve (GET URL/__twin/apis)
  --coverage             also print which checks asserted each rule of the contract
  --seed S               seed of the property-based pass (random by default, printed in the report)
  --max-cases N          values the property-based pass sends (default 20; 0 turns it off)
  --quiet                no progress on stderr (progress is only drawn on a terminal)
  --reading RULE=VALUE   the reading of an inferred rule the server follows (repeatable), e.g. validation.status=422
  --openapi [NAME=]FILE  your own API from an OpenAPI document (repeatable; also "apis" in the config file):
                         verify NAME with a suite derived from the document (--max-cases caps the broken-body
                         and broken-parameter cases per operation, each constraint once; --seed fixes them)
  --credential S=VALUE   an imported API's credential for its security scheme S (repeatable; never printed);
                         --token fills every bearer and API-key scheme not given

Exit status: 0 every documented rule holds (inferred ones may warn), 1 a rule failed (any rule with --strict),
2 bad usage, an unreachable target, or a token the target refuses.
By default only requests a conforming server must refuse are sent, so nothing changes on the target.`

/** `apitwin verify <api>`: 0 every documented rule holds, 1 a rule failed (2 is thrown as a UsageError). */
export async function verifyCommand(args: string[], io: Io): Promise<number> {
  // The target flags every command naming a live server takes (live-target.ts), and verify's own.
  const { values, positionals } = parse(
    args,
    {
      ...targetFlags,
      ...Object.fromEntries(['reporter', 'output', 'seed', 'max-cases'].map((f) => [f, { type: 'string' as const }])),
      strict: { type: 'boolean' },
      quiet: { type: 'boolean' },
      coverage: { type: 'boolean' },
    },
    io.env,
  )
  if (values['help']) return print(io, verifyHelp)
  if (values['disposable'] === true && values['allow-writes'] !== true)
    throw new UsageError('--disposable lets checks that cannot be undone write to throwaway accounts: give --allow-writes with it')
  const [api, ...extra] = positionals
  if (api === undefined) throw new UsageError(`which API? apitwin verify <api>, one of: ${apiNames}`)
  if (extra.length > 0)
    throw new UsageError(
      `unexpected argument${extra.length > 1 ? 's' : ''} ${extra.map((e) => `"${e}"`).join(' ')}: apitwin verify takes one API`,
    )
  const reporter = str(values, 'reporter') ?? 'default'
  if (!reporterNames.includes(reporter as ReporterName))
    throw new UsageError(`--reporter must be one of ${reporterNames.join(', ')}, got "${reporter}"`)
  const s = (name: string) => str(values, name)
  const timeout = integer(values, 'timeout', { min: 1, max: 600_000 })
  const seed = integer(values, 'seed', { min: 0, max: 2 ** 31 - 1 })
  const maxCases = integer(values, 'max-cases', { min: 0, max: 10_000 })

  // Where accounts come from, weakest first: the config file, a running `apitwin serve`, then the flags.
  const configFile = s('config')
  const config = await loadConfig(configFile ?? DEFAULT_CONFIG_FILE, io.env, { required: configFile !== undefined })
  const configured = fromConfig(config, api)
  const imported = await loadOpenApis([
    ...configOpenApis(config, configFile ?? DEFAULT_CONFIG_FILE),
    ...parseOpenApiFlags(values['openapi']),
  ])
  const besideDocument = config.apis?.[api]?.readings
  const discoveryUrl = s('from-discovery')
  const discovered = discoveryUrl === undefined ? {} : await fromDiscovery(discoveryUrl, api)
  const flagged = definedOnly({
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
  })
  // An account's id and email (tenant) pair among the flags: --peer-user-id 2 must not borrow the discovered or
  // configured peer's email. A lone --peer-token may complete a configured peer, so tokens are left out here.
  checkPartners({ ...flagged, peerToken: undefined, foreignToken: undefined })
  const baseUrl = flagged.baseUrl ?? discovered.baseUrl ?? configured.baseUrl
  const lone = (['token', 'userId'] as const).find((key) => flagged[key] !== undefined)
  if (baseUrl === undefined && lone !== undefined) {
    throw new UsageError(
      `${lone === 'token' ? '--token' : '--user-id'} needs --base-url (or a config target, or --from-discovery): without one verify runs against the in-process mock, with its own accounts`,
    )
  }
  // A target from the config file without an actor: name the file and the target, not the flags the user never gave.
  if (
    flagged.baseUrl === undefined &&
    discovered.baseUrl === undefined &&
    configured.baseUrl !== undefined &&
    (configured.token ?? flagged.token) === undefined
  ) {
    throw new UsageError(
      `${configFile ?? DEFAULT_CONFIG_FILE}: targets.${api} has a baseUrl but no accounts.actor.token; add accounts.actor { "userId": …, "token": "\${TOKEN}" } or pass --token and --user-id`,
    )
  }
  const progress = io.stderrIsTTY === true && values['quiet'] !== true
  const result = await verify({
    api,
    ...configured,
    ...discovered,
    ...flagged,
    ...definedOnly({ output: s('output'), timeout, seed, maxCases }),
    allowWrites: values['allow-writes'] === true,
    disposable: values['disposable'] === true,
    strict: values['strict'] === true,
    coverage: values['coverage'] === true,
    reporter: reporter as ReporterName,
    readings: { ...besideDocument, ...config.readings?.[api], ...readingsOf(values['reading']) },
    ...(imported.length > 0 && { openapi: imported }),
    ...(values['credential'] !== undefined && { credentials: credentialsOf(values['credential']) }),
    ...(progress && {
      onProgress: (done: number, total: number, title: string) => io.stderr(`\r\x1b[2K[${done + 1}/${total}] ${title.slice(0, 100)}`),
    }),
  })
  if (progress) io.stderr('\r\x1b[2K')
  io.stdout(result.stdout)
  return result.exitCode
}

export type AccountOptions = Partial<
  Record<
    | 'baseUrl'
    | 'token'
    | 'userId'
    | 'email'
    | 'role'
    | 'tenant'
    | 'peerUserId'
    | 'peerEmail'
    | 'peerToken'
    | 'foreignUserId'
    | 'foreignTenant'
    | 'foreignToken',
    string
  >
>

const text = (value: string | number | undefined) => (value === undefined ? undefined : String(value))

/** An account as the config file, discovery and the flags name it. */
interface NamedAccount {
  readonly userId?: string | number
  readonly token?: string
  readonly email?: string
  readonly role?: string
  readonly tenant?: string | number
}

/**
 * A target's base URL and its named accounts as verify options (the flags' names), leaving out what is not given.
 * @example accountOptionsOf('https://staging.example.com', { actor: { userId: 12, token } }) // { baseUrl, userId: '12', token }
 */
export function accountOptionsOf(
  baseUrl: string,
  {
    actor,
    peer,
    foreign,
  }: { readonly actor?: NamedAccount | undefined; readonly peer?: NamedAccount | undefined; readonly foreign?: NamedAccount | undefined },
): AccountOptions {
  return definedOnly({
    baseUrl,
    token: actor?.token,
    userId: text(actor?.userId),
    email: actor?.email,
    role: actor?.role,
    tenant: text(actor?.tenant),
    peerUserId: text(peer?.userId),
    peerEmail: peer?.email,
    peerToken: peer?.token,
    foreignUserId: text(foreign?.userId),
    foreignTenant: text(foreign?.tenant),
    foreignToken: foreign?.token,
  })
}

/** The config file's target for `api` as verify options (its `${ENV}` references already expanded). */
export function fromConfig(config: Config, api: string): AccountOptions {
  const target = config.targets?.[api]
  if (!target) return {}
  const { actor, peer, foreign } = target.accounts ?? {}
  return accountOptionsOf(target.baseUrl, { actor, peer, foreign })
}

/** The accounts a running `apitwin serve` publishes at `GET /__twin/apis`. */
export async function fromDiscovery(url: string, api: string): Promise<AccountOptions> {
  const origin = url.replace(/\/+$/, '').replace(/\/__twin\/apis$/, '')
  let response: Response
  try {
    response = await fetch(`${origin}/__twin/apis`, { signal: AbortSignal.timeout(10_000) })
  } catch (error) {
    throw new UsageError(
      `--from-discovery: cannot reach ${origin}/__twin/apis: ${((error as Error & { cause?: Error }).cause ?? (error as Error)).message}`,
    )
  }
  if (!response.ok)
    throw new UsageError(`--from-discovery: GET ${origin}/__twin/apis answered ${response.status}; is this an apitwin server?`)
  const discovery = (await response.json().catch(() => ({}))) as { apis?: Array<{ name: string; baseUrl: string; accounts: Account[] }> }
  const entry = discovery.apis?.find((a) => a.name === api)
  if (!entry) throw new UsageError(`--from-discovery: ${origin} does not serve "${api}"`)
  const find = (label: Account['label']) => entry.accounts.find((a) => a.label === label)
  const [actor, peer, foreign] = [find('actor'), find('peer'), find('foreign')]
  return accountOptionsOf(entry.baseUrl, { actor, peer, foreign })
}

/** `--reading rule=value`, repeatable. */
function readingsOf(raw: unknown): Record<string, string> {
  const list = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? [raw] : []
  return Object.fromEntries(
    list.map((item) => {
      const at = item.indexOf('=')
      if (at <= 0) throw new UsageError(`--reading takes rule=value (e.g. validation.status=422), got "${item}"`)
      return [item.slice(0, at), item.slice(at + 1)]
    }),
  )
}

export function definedOnly<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> }
}
