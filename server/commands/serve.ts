import { integer, parse, print, str, apiNames, type Io } from '../args.ts'
import { startServer } from '../serve.ts'
import { commandReadings } from '../config.ts'

export const serveHelp = `apitwin serve — serve every mocked API over HTTP (what npm start runs)

  --port N      port to listen on (default 4010; 0 picks a free one)
  --host H      address to bind (default 127.0.0.1; 0.0.0.0 to share on the network)
  --seed N      fixture seed: same seed, same users and tokens (default 1107)
  --users N     users per API, the named accounts included (default 25, at least 3)
  --quiet       no per-request log line
  --reading API.RULE=VALUE  follow another reading of an inferred rule (repeatable), e.g.
                medibulut.tenant.forbidden=404; \`apitwin readings\` lists them
  --config FILE readings from a config file (default: ./apitwin.config.json when present)

Each API is mounted under its slug (http://127.0.0.1:4010/flextell/api/v1/users/1).
GET /__twin/apis lists every API with its accounts and tokens; POST /__twin/reset restores the seeded data.
Per request: X-Twin-Delay: <ms> holds the answer; X-Twin-Fail: 500|503|network replaces it.`

const readingFlags = { reading: { type: 'string', multiple: true }, config: { type: 'string' } } as const

/** `apitwin serve`: resolves with the exit code once the server has stopped. */
export async function serveCommand(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, { port: { type: 'string' }, host: { type: 'string' }, seed: { type: 'string' }, users: { type: 'string' }, quiet: { type: 'boolean' }, ...readingFlags }, io.env)
  if (values['help']) return print(io, serveHelp)
  const port = integer(values, 'port', { max: 65535 }) ?? 4010
  const users = integer(values, 'users', { min: 3, max: 1_000_000 })
  const seed = integer(values, 'seed')
  // readings: the config file's, then --reading over them (apitwin readings lists every rule and value).
  const readings = await commandReadings({ config: str(values, 'config'), reading: values['reading'] }, io.env)
  const server = await startServer({
    port,
    host: str(values, 'host') ?? '127.0.0.1',
    ...(seed !== undefined && { seed }),
    ...(users !== undefined && { users }),
    ...(values['quiet'] && { log: false }),
    readings,
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

