import type { HttpBindings } from '@hono/node-server'
import { Hono, type Context, type MiddlewareHandler } from 'hono'
import type { IncomingMessage } from 'node:http'
import { toResponse } from '../handlers/reply.ts'
import { routePath, type RequestLike } from '../handlers/twin-api.ts'
import type { Twin } from '../handlers/twin.ts'
import { discovery } from './discovery.ts'

export interface AppOptions {
  /** Where the one line per request goes (default: stdout); `false` for none. */
  readonly log?: ((line: string) => void) | false
}

const cors = { 'access-control-allow-origin': '*' }

const MAX_DELAY_MS = 60_000

type Env = { Bindings: HttpBindings }

// Headers are read from Node's request throughout: `c.req.header()` would build a full Fetch Request per call.
const header = (c: { env: HttpBindings }, name: string): string | undefined => {
  const value = c.env.incoming.headers[name]
  return Array.isArray(value) ? value.join(', ') : value
}

const preflightHeaders = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, PUT, PATCH, OPTIONS',
  'access-control-max-age': '600',
  vary: 'Access-Control-Request-Headers',
}

/**
 * What every request goes through, in one middleware because each extra async step costs throughput:
 * - one log line (method, path, status, ms), unless the server is quiet;
 * - open CORS: preflights are answered here; API responses carry `access-control-allow-origin` from the resolver
 *   (see handlers/reply.ts) and every other route sets it where it answers. Hono's own `cors()` writes to the
 *   response before the handler runs, which makes Hono copy the handler's response (measured: a third of the
 *   server's throughput);
 * - faults: `X-Twin-Delay: <ms>` holds the answer; `X-Twin-Fail: 500|503|network` replaces it.
 */
function frame(log: ((line: string) => void) | undefined): MiddlewareHandler<Env> {
  return async (c, next) => {
    const started = log && performance.now()
    const done = (status: number) => {
      if (!log || started === undefined) return
      const shown = c.env.incoming.socket.destroyed ? 'dropped' : String(status)
      log(`${c.req.method} ${c.req.path} ${shown} ${(performance.now() - started).toFixed(1)}ms`)
    }
    // Returned, never assigned to `c.res`: assigning over a response makes Hono copy it, body stream and all.
    const early = c.req.method === 'OPTIONS' ? preflight(c) : await fault(c)
    if (early) {
      done(early.status)
      return early
    }
    await next()
    done(c.res.status)
  }
}

function preflight(c: Context<Env>): Response {
  const requested = header(c, 'access-control-request-headers') ?? 'authorization, content-type'
  return new Response(null, { status: 204, headers: { ...preflightHeaders, 'access-control-allow-headers': requested } })
}

/** The injected answer for `X-Twin-Delay` / `X-Twin-Fail`, or undefined to let the request through. */
async function fault(c: Context<Env>): Promise<Response | undefined> {
  const delay = header(c, 'x-twin-delay')
  if (delay !== undefined) {
    const ms = Number(delay)
    if (!Number.isFinite(ms) || ms < 0) return c.json({ message: `X-Twin-Delay must be a number of milliseconds (0–${MAX_DELAY_MS}), got "${delay}"` }, 400, cors)
    await new Promise((resolve) => setTimeout(resolve, Math.min(ms, MAX_DELAY_MS)))
  }
  const fail = header(c, 'x-twin-fail')
  if (fail === undefined) return undefined
  // Injected answers are cross-origin readable too, or a browser would report a CORS error instead.
  if (fail === '500') return c.json({ message: 'Injected failure (X-Twin-Fail: 500)' }, 500, cors)
  if (fail === '503') return c.json({ message: 'Injected failure (X-Twin-Fail: 503)' }, 503, { 'retry-after': '1', ...cors })
  if (fail === 'network') {
    // Drop the connection without an answer, as a dead proxy would; the client sees a network error.
    c.env.incoming.socket.destroy()
    return new Response(null)
  }
  return c.json({ message: `X-Twin-Fail must be 500, 503 or network, got "${fail}"` }, 400, cors)
}

/** A resolver's view of Node's request: header lookups and the body text, without building a Fetch `Request`. */
function nodeRequest(incoming: IncomingMessage): RequestLike {
  return {
    headers: {
      get: (name) => {
        const value = incoming.headers[name.toLowerCase()]
        return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value
      },
    },
    // Events rather than `for await`: the async iterator costs more than the rest of the read.
    text: () =>
      new Promise((resolve, reject) => {
        const chunks: Buffer[] = []
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk))
        incoming.once('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8')))
        incoming.once('error', reject)
      }),
  }
}

/**
 * The standalone server's routes: each API under its slug, the `/__twin` control routes, open CORS, fault
 * injection and one log line per request. API routes call the same resolvers the MSW handlers wrap.
 * @example createAdaptorServer({ fetch: createApp(await createTwin()).fetch }).listen(4010)
 */
export function createApp(twin: Twin, { log = (line) => void process.stdout.write(`${line}\n`) }: AppOptions = {}): Hono<Env> {
  const app = new Hono<Env>()
  app.use(frame(log || undefined))

  app.get('/__twin/apis', (c) => c.json(discovery(twin, new URL(c.req.url).origin), 200, cors))
  app.post('/__twin/reset', async (c) => {
    await twin.reset()
    return c.json({ reset: true, seed: twin.seed, users: twin.users }, 200, cors)
  })
  for (const api of twin.apis) {
    for (const name of Object.keys(twin.state(api.name).controls ?? {})) {
      app.get(`/__twin/${api.name}/${name}`, (c) => c.json(twin.state(api.name).controls?.[name]?.() as object, 200, cors))
    }
    app.on(api.method, `/${api.name}${routePath(api.path)}`, async (c) => toResponse(await twin.state(api.name).resolve(nodeRequest(c.env.incoming), c.req.param())))
  }

  app.notFound((c) => c.json({ message: `No apitwin route for ${c.req.method} ${c.req.path}. GET /__twin/apis lists every API and its path.` }, 404, cors))
  app.onError((error, c) => {
    console.error(error)
    return c.json({ message: 'apitwin failed to handle this request; see its log.' }, 500, cors)
  })
  return app
}
