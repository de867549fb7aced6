import { stat } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { DEFAULT_BODY_LIMIT } from '../app.ts'
import { integer, parse, print, str, apiNames, type Io, type Values } from '../args.ts'
import { startServer } from '../serve.ts'
import { DEFAULT_CONFIG_FILE, commandConfig, commandLearned, commandReadings } from '../config.ts'
import { configOpenApis, loadOpenApis, parseOpenApiFlags } from '../openapi-files.ts'
import { UsageError } from '../usage-error.ts'

export const serveHelp = `apitwin serve — serve every mocked API over HTTP (what npm start runs)

  --port N            port to listen on (default 4010; 0 picks a free one)
  --host H            address to bind (default 127.0.0.1; 0.0.0.0 to share on the network)
  --seed N            fixture seed: same seed, same users and tokens (default 1107)
  --users N           users per API, the named accounts included (default 25, at least 3)
  --body-limit SIZE   largest request body, in bytes or with kb/mb (default 1mb); larger: the API's own 413
  --allowed-host H    also answer this Host name (repeat, or comma-separated); others get 403
  --public-url URL    base URL GET /__twin/apis publishes (default: the bound address)
  --state FILE        keep the data in FILE: loaded at start, saved after changes and at shutdown
  --log text|json     per-request log format (json: one object per line, with a timestamp)
  --quiet             no per-request log line (also APITWIN_QUIET=1)
  --reading API.RULE=VALUE  follow another reading of an inferred rule (repeatable), e.g.
                      medibulut.tenant.forbidden=404; \`apitwin readings\` lists them
  --openapi [NAME=]FILE  also serve your own API from an OpenAPI 3.0/3.1 document (JSON or YAML; repeatable),
                      mounted under /NAME (default: a slug of info.title); also "apis" in the config file
  --config FILE       readings, learned pieces and apis from a config file (default: ./apitwin.config.json when
                      present)
  --no-control        no control page (GET /__twin/) and no control JSON API (readings, faults)

Each API is mounted under its slug (http://127.0.0.1:4010/flextell/api/v1/users/1).
GET /__twin/apis lists every API with its accounts and tokens; POST /__twin/reset restores the seeded data;
GET /__twin/requests lists the last requests (secrets masked), DELETE clears them.
GET /__twin/ is the control page: accounts, readings switched live, faults per API, the journal, reset.
Per request: X-Twin-Delay: <ms> holds the answer; X-Twin-Fail: 500|503|network replaces it.
SIGTERM / Ctrl-C stops gracefully (in-flight requests finish, at most 5 s); a second one stops at once.`

const SHUTDOWN_DEADLINE_MS = 5000

/** `apitwin serve`: resolves with the exit code once the server has stopped. */
export async function serveCommand(args: string[], io: Io): Promise<number> {
  const { values } = parse(
    args,
    {
      port: { type: 'string' },
      host: { type: 'string' },
      seed: { type: 'string' },
      users: { type: 'string' },
      quiet: { type: 'boolean' },
      'body-limit': { type: 'string' },
      'allowed-host': { type: 'string', multiple: true },
      'public-url': { type: 'string' },
      state: { type: 'string' },
      log: { type: 'string' },
      // readings (apitwin readings lists every rule and value)
      reading: { type: 'string', multiple: true },
      config: { type: 'string' },
      'no-control': { type: 'boolean' },
      openapi: { type: 'string', multiple: true },
    },
    io.env,
  )
  if (values['help']) return print(io, serveHelp)
  const port = integer(values, 'port', { max: 65535 }) ?? 4010
  const users = integer(values, 'users', { min: 3, max: 1_000_000 })
  const seed = integer(values, 'seed')
  const logFormat = str(values, 'log') ?? 'text'
  if (logFormat !== 'text' && logFormat !== 'json') throw new UsageError(`--log must be text or json, got "${logFormat}"`)
  const publicUrl = str(values, 'public-url')
  if (publicUrl !== undefined && !/^https?:\/\/[^/]+/.test(publicUrl))
    throw new UsageError(`--public-url must be an http(s) URL such as http://mock.test:4010, got "${publicUrl}"`)
  const state = str(values, 'state')
  if (state !== undefined) await checkStateFolder(state)
  // Every flag checked before the seeding timer starts, so a bad one ends the command with its error alone.
  const limit = bodyLimit(values)
  const hosts = allowedHosts(values)
  // readings: the config file's, then --reading over them.
  // Your own APIs: the config file's "apis", then --openapi; each refused in one line if it cannot be modelled.
  const configFile = str(values, 'config')
  const config = await commandConfig(configFile, io.env)
  const imported = await loadOpenApis([
    ...configOpenApis(config, configFile ?? DEFAULT_CONFIG_FILE),
    ...parseOpenApiFlags(values['openapi']),
  ])
  const readings = await commandReadings(
    { config: configFile, reading: values['reading'] },
    io.env,
    Object.fromEntries(imported.map((c) => [c.name, c.rules])),
  )
  const learned = await commandLearned(configFile, io.env, Object.fromEntries(imported.map((c) => [c.name, c.rules])))
  // Seeding is lazy and takes milliseconds; should it ever take longer than a second, say what is happening.
  let seeded = 0
  let slow = false
  const timer = setTimeout(() => {
    slow = true
    io.stdout(`apitwin: still seeding the users (${seeded} APIs ready so far)…\n`)
  }, 1000)
  const server = await startServer({
    onProgress: ({ api, done, total }) => {
      seeded = done
      if (slow) io.stdout(`apitwin: seeded ${api} (${done} of ${total})\n`)
    },
    port,
    host: str(values, 'host') ?? '127.0.0.1',
    ...(seed !== undefined && { seed }),
    ...(users !== undefined && { users }),
    ...(values['quiet'] === true && { log: false as const }),
    logFormat,
    bodyLimit: limit,
    allowedHosts: hosts,
    ...(publicUrl !== undefined && { publicUrl }),
    ...(state !== undefined && { stateFile: state }),
    readings,
    learned,
    ...(values['no-control'] === true && { control: false }),
    ...(imported.length > 0 && { openapi: Object.fromEntries(imported.map((c) => [c.name, c])) }),
  }).finally(() => clearTimeout(timer))
  io.stdout(
    `apitwin serving ${[apiNames, ...imported.map((c) => c.name)].join(', ')} at ${server.url} — GET ${server.url}/__twin/apis lists the accounts; Ctrl-C stops\n`,
  )
  if (values['no-control'] !== true) io.stdout(`apitwin control page: ${server.url}/__twin/\n`)
  await new Promise<void>((resolve) => {
    let stopping = false
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        // Second signal: the user means it.
        io.stderr(`apitwin: ${signal} again, exiting now\n`)
        server.kill()
        process.exit(signal === 'SIGINT' ? 130 : 143)
      }
      stopping = true
      io.stdout(`apitwin: ${signal}, finishing in-flight requests (again to exit now)\n`)
      setTimeout(() => {
        io.stderr(`apitwin: could not stop within ${SHUTDOWN_DEADLINE_MS / 1000} s; exiting\n`)
        process.exit(1)
      }, SHUTDOWN_DEADLINE_MS).unref()
      server.close().then(resolve, (error: unknown) => {
        io.stderr(`apitwin: ${(error as Error).message}\n`)
        resolve()
      })
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
  return 0
}

/** A state file in a folder that does not exist would fail at the first save; refuse it before serving. */
async function checkStateFolder(file: string): Promise<void> {
  const folder = dirname(resolve(file))
  const found = await stat(folder).catch(() => undefined)
  if (!found?.isDirectory())
    throw new UsageError(`--state ${file}: the folder ${folder} does not exist; create it first or pass another path`)
}

function bodyLimit(values: Values): number {
  const raw = str(values, 'body-limit')
  if (raw === undefined) return DEFAULT_BODY_LIMIT
  const match = /^\s*(\d+)\s*(b|kb|kib|mb|mib)?\s*$/i.exec(raw)
  const unit = match?.[2]?.toLowerCase()
  const bytes = match
    ? Number(match[1]) * (unit === 'kb' || unit === 'kib' ? 1024 : unit === 'mb' || unit === 'mib' ? 1024 * 1024 : 1)
    : Number.NaN
  // 512 MiB: past it Node cannot hold the body as one string anyway.
  if (!(bytes >= 1 && bytes <= 512 * 1024 * 1024))
    throw new UsageError(`--body-limit must be a size from 1 byte to 512mb (e.g. 1048576, 64kb, 1mb), got "${raw}"`)
  return bytes
}

function allowedHosts(values: Values): string[] {
  const raw: unknown = values['allowed-host']
  const given = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? [raw] : []
  return given
    .flatMap((value) => value.split(','))
    .map((host) => host.trim())
    .filter((host) => host !== '')
}
