import { parseArgs, type ParseArgsConfig } from 'node:util'
import { apis } from '../handlers/twin.ts'
import { openapi } from './openapi.ts'
import { reporterNames, type ReporterName } from './reporters.ts'
import { startServer } from './serve.ts'
import { UsageError } from './usage-error.ts'
import { verify } from './verify.ts'

const apiNames = apis.map((a) => a.name).join(', ')

const help = {
  main: `apitwin — mock server and contract test harness for ${apiNames}

Usage:
  apitwin serve [--port 4010] [--host 127.0.0.1] [--seed N] [--users N] [--quiet]
  apitwin verify <api> [--base-url URL --token T --user-id ID …] [--allow-writes] [--strict] [--reporter default|junit|json]
  apitwin openapi [api]

Run "apitwin <command> --help" for a command's flags.`,
  serve: `apitwin serve — serve every mocked API over HTTP (what npm start runs)

  --port N      port to listen on (default 4010; 0 picks a free one)
  --host H      address to bind (default 127.0.0.1; 0.0.0.0 to share on the network)
  --seed N      fixture seed: same seed, same users and tokens (default 1107)
  --users N     users per API, the named accounts included (default 25, at least 3)
  --quiet       no per-request log line

Each API is mounted under its slug (http://127.0.0.1:4010/flextell/api/v1/users/1).
GET /__twin/apis lists every API with its accounts and tokens; POST /__twin/reset restores the seeded data.
Per request: X-Twin-Delay: <ms> holds the answer; X-Twin-Fail: 500|503|network replaces it.`,
  verify: `apitwin verify <api> — check a server against the API's contract (${apiNames})

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

Exit status: 0 every documented rule holds, 1 a rule failed, 2 bad usage or an unreachable target.
By default only requests a conforming server must refuse are sent, so nothing changes on the target.`,
  openapi: `apitwin openapi [api] — print the OpenAPI 3.1 document generated from the contracts (${apiNames});
without an api, one document for all of them under their apitwin mounts.`,
} as const

type Values = Record<string, string | boolean | undefined>

/** Parses flags, filling unset ones from APITWIN_* variables (`--peer-user-id` ← APITWIN_PEER_USER_ID). */
function parse(args: string[], options: NonNullable<ParseArgsConfig['options']>, env: NodeJS.ProcessEnv) {
  let parsed
  try {
    parsed = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true })
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0]}; run with --help to see the flags`)
  }
  const values: Values = { ...parsed.values } as Values
  for (const [name, option] of Object.entries(options)) {
    if (values[name] !== undefined) continue
    const fromEnv = env[`APITWIN_${name.toUpperCase().replaceAll('-', '_')}`]
    if (fromEnv === undefined || fromEnv === '') continue
    values[name] = option.type === 'boolean' ? /^(1|true|yes|on)$/i.test(fromEnv) : fromEnv
  }
  return { values, positionals: parsed.positionals }
}

function integer(values: Values, name: string, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}): number | undefined {
  const raw = values[name]
  if (raw === undefined) return undefined
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min || value > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${String(raw)}"`)
  return value
}

const str = (values: Values, name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined)

export interface Io {
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
  readonly env: NodeJS.ProcessEnv
}

/**
 * Runs one CLI invocation and resolves to its exit code. `serve` resolves only once the server has stopped.
 * @example process.exitCode = await main(['verify', 'flextell'], { stdout, stderr, env: process.env })
 */
export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv
  try {
    switch (command) {
      case 'serve':
        return await serveCommand(rest, io)
      case 'verify':
        return await verifyCommand(rest, io)
      case 'openapi': {
        const { values, positionals } = parse(rest, {}, io.env)
        if (values['help']) return print(io, help.openapi)
        const name = positionals[0]
        if (name !== undefined && !apis.some((a) => a.name === name)) throw new UsageError(`unknown API "${name}"; choose one of: ${apiNames}`)
        io.stdout(`${JSON.stringify(openapi(name), null, 2)}\n`)
        return 0
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        return print(io, help.main)
      default:
        throw new UsageError(`unknown command "${command}"; commands: serve, verify, openapi (apitwin --help)`)
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`apitwin: ${error.message}\n`)
      return 2
    }
    throw error
  }
}

function print(io: Io, text: string): number {
  io.stdout(`${text}\n`)
  return 0
}

async function serveCommand(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, { port: { type: 'string' }, host: { type: 'string' }, seed: { type: 'string' }, users: { type: 'string' }, quiet: { type: 'boolean' } }, io.env)
  if (values['help']) return print(io, help.serve)
  const port = integer(values, 'port', { max: 65535 }) ?? 4010
  const users = integer(values, 'users', { min: 3, max: 1_000_000 })
  const seed = integer(values, 'seed')
  const server = await startServer({
    port,
    host: str(values, 'host') ?? '127.0.0.1',
    ...(seed !== undefined && { seed }),
    ...(users !== undefined && { users }),
    ...(values['quiet'] && { log: false }),
  })
  io.stdout(`apitwin serving ${apiNames} at ${server.url} — GET ${server.url}/__twin/apis lists the accounts; Ctrl-C stops\n`)
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      io.stdout(`apitwin: ${signal}, shutting down\n`)
      void server.close().then(resolve)
    }
    process.once('SIGINT', () => stop('SIGINT'))
    process.once('SIGTERM', () => stop('SIGTERM'))
  })
  return 0
}

async function verifyCommand(args: string[], io: Io): Promise<number> {
  const flags = ['base-url', 'token', 'user-id', 'email', 'role', 'tenant', 'peer-user-id', 'peer-email', 'peer-token', 'foreign-user-id', 'foreign-tenant', 'foreign-token', 'reporter', 'output', 'timeout'] as const
  const { values, positionals } = parse(args, {
    ...Object.fromEntries(flags.map((f) => [f, { type: 'string' as const }])),
    'allow-writes': { type: 'boolean' },
    strict: { type: 'boolean' },
  }, io.env)
  if (values['help']) return print(io, help.verify)
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
  })
  io.stdout(result.stdout)
  return result.exitCode
}

function definedOnly<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> }
}
