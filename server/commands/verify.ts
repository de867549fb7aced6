import { apiNames, integer, parse, print, str, type Io } from '../args.ts'
import { reporterNames, type ReporterName } from '../reporters.ts'
import { UsageError } from '../usage-error.ts'
import { verify } from '../verify.ts'

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
  --strict               fail on broken inferred rules too (default: they warn)
  --reporter R           default | junit | json
  --output FILE          write the report to FILE (stdout gets a one-line summary)
  --timeout MS           per-request timeout (default 10000)
  --reading RULE=VALUE   the reading of an inferred rule the server follows (repeatable), e.g. validation.status=422

Exit status: 0 every documented rule holds, 1 a rule failed, 2 bad usage or an unreachable target.
By default only requests a conforming server must refuse are sent, so nothing changes on the target.`

/** `apitwin verify <api>`: 0 every documented rule holds, 1 a rule failed (2 is thrown as a UsageError). */
export async function verifyCommand(args: string[], io: Io): Promise<number> {
  const flags = ['base-url', 'token', 'user-id', 'email', 'role', 'tenant', 'peer-user-id', 'peer-email', 'peer-token', 'foreign-user-id', 'foreign-tenant', 'foreign-token', 'reporter', 'output', 'timeout'] as const
  const { values, positionals } = parse(args, {
    ...Object.fromEntries(flags.map((f) => [f, { type: 'string' as const }])),
    'allow-writes': { type: 'boolean' },
    strict: { type: 'boolean' },
    reading: { type: 'string', multiple: true },
  }, io.env)
  if (values['help']) return print(io, verifyHelp)
  const api = positionals[0]
  if (api === undefined) throw new UsageError(`which API? apitwin verify <api>, one of: ${apiNames}`)
  const reporter = str(values, 'reporter') ?? 'default'
  if (!reporterNames.includes(reporter as ReporterName)) throw new UsageError(`--reporter must be one of ${reporterNames.join(', ')}, got "${reporter}"`)
  const s = (name: (typeof flags)[number]) => str(values, name)
  const timeout = integer(values, 'timeout', { min: 1, max: 600_000 })
  const result = await verify({
    api,
    ...definedOnly({
      baseUrl: s('base-url'), token: s('token'), userId: s('user-id'), email: s('email'), role: s('role'), tenant: s('tenant'),
      peerUserId: s('peer-user-id'), peerEmail: s('peer-email'), peerToken: s('peer-token'),
      foreignUserId: s('foreign-user-id'), foreignTenant: s('foreign-tenant'), foreignToken: s('foreign-token'),
      output: s('output'), timeout,
    }),
    allowWrites: values['allow-writes'] === true,
    strict: values['strict'] === true,
    reporter: reporter as ReporterName,
    readings: readingsOf(values['reading']),
  })
  io.stdout(result.stdout)
  return result.exitCode
}

/** `--reading rule=value`, repeatable. */
function readingsOf(raw: unknown): Record<string, string> {
  const list = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? [raw] : []
  return Object.fromEntries(list.map((item) => {
    const at = item.indexOf('=')
    if (at <= 0) throw new UsageError(`--reading takes rule=value (e.g. validation.status=422), got "${item}"`)
    return [item.slice(0, at), item.slice(at + 1)]
  }))
}

function definedOnly<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> }
}
