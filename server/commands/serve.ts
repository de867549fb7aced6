import { integer, parse, print, str, apiNames, type Io } from '../args.ts'
import { startServer } from '../serve.ts'

export const serveHelp = `apitwin serve — serve every mocked API over HTTP (what npm start runs)

  --port N      port to listen on (default 4010; 0 picks a free one)
  --host H      address to bind (default 127.0.0.1; 0.0.0.0 to share on the network)
  --seed N      fixture seed: same seed, same users and tokens (default 1107)
  --users N     users per API, the named accounts included (default 25, at least 3)
  --quiet       no per-request log line

Each API is mounted under its slug (http://127.0.0.1:4010/flextell/api/v1/users/1).
GET /__twin/apis lists every API with its accounts and tokens; POST /__twin/reset restores the seeded data.
Per request: X-Twin-Delay: <ms> holds the answer; X-Twin-Fail: 500|503|network replaces it.`

/** `apitwin serve`: resolves with the exit code once the server has stopped. */
export async function serveCommand(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, { port: { type: 'string' }, host: { type: 'string' }, seed: { type: 'string' }, users: { type: 'string' }, quiet: { type: 'boolean' } }, io.env)
  if (values['help']) return print(io, serveHelp)
  const port = integer(values, 'port', { max: 65535 }) ?? 4010
  const users = integer(values, 'users', { min: 3, max: 1_000_000 })
  const seed = integer(values, 'seed')
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
    ...(values['quiet'] && { log: false }),
  }).finally(() => clearTimeout(timer))
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

