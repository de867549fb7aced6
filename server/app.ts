import type { HttpBindings } from '@hono/node-server'
import { Hono, type MiddlewareHandler } from 'hono'
import { cors } from 'hono/cors'
import { routePath } from '../handlers/twin-api.ts'
import type { Twin } from '../handlers/twin.ts'
import { discovery } from './discovery.ts'

export interface AppOptions {
  /** Where the one line per request goes (default: stdout). Pass `() => {}` to silence it. */
  readonly log?: (line: string) => void
}

const MAX_DELAY_MS = 60_000

/** `X-Twin-Delay: <ms>` holds the answer; `X-Twin-Fail: 500|503|network` replaces it (the failure is the answer). */
const faults: MiddlewareHandler<{ Bindings: HttpBindings }> = async (c, next) => {
  const delay = c.req.header('x-twin-delay')
  if (delay !== undefined) {
    const ms = Number(delay)
    if (!Number.isFinite(ms) || ms < 0) return c.json({ message: `X-Twin-Delay must be a number of milliseconds (0–${MAX_DELAY_MS}), got "${delay}"` }, 400)
    await new Promise((resolve) => setTimeout(resolve, Math.min(ms, MAX_DELAY_MS)))
  }
  const fail = c.req.header('x-twin-fail')
  if (fail === undefined) return next()
  if (fail === '500') return c.json({ message: 'Injected failure (X-Twin-Fail: 500)' }, 500)
  if (fail === '503') return c.json({ message: 'Injected failure (X-Twin-Fail: 503)' }, 503, { 'retry-after': '1' })
  if (fail === 'network') {
    // Drop the connection without an answer, as a dead proxy would; the client sees a network error.
    c.env.incoming.socket.destroy()
    return new Response(null)
  }
  return c.json({ message: `X-Twin-Fail must be 500, 503 or network, got "${fail}"` }, 400)
}

/**
 * The standalone server's routes: each API under its slug, the `/__twin` control routes, open CORS, fault
 * injection and one log line per request. API routes call the same resolvers the MSW handlers wrap.
 * @example createAdaptorServer({ fetch: createApp(await createTwin()).fetch }).listen(4010)
 */
export function createApp(twin: Twin, { log = (line) => process.stdout.write(`${line}\n`) }: AppOptions = {}): Hono<{ Bindings: HttpBindings }> {
  const app = new Hono<{ Bindings: HttpBindings }>()
  app.use(async (c, next) => {
    const started = performance.now()
    await next()
    const status = c.env.incoming.socket.destroyed ? 'dropped' : String(c.res.status)
    log(`${c.req.method} ${c.req.path} ${status} ${(performance.now() - started).toFixed(1)}ms`)
  })
  app.use(cors({ origin: '*', allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'OPTIONS'], maxAge: 600 }))
  app.use(faults)

  app.get('/__twin/apis', (c) => c.json(discovery(twin, new URL(c.req.url).origin)))
  app.post('/__twin/reset', async (c) => {
    await twin.reset()
    return c.json({ reset: true, seed: twin.seed, users: twin.users })
  })
  for (const api of twin.apis) {
    app.on(api.method, `/${api.name}${routePath(api.path)}`, (c) => twin.state(api.name).resolve(c.req.raw, c.req.param()))
  }

  app.notFound((c) => c.json({ message: `No apitwin route for ${c.req.method} ${c.req.path}. GET /__twin/apis lists every API and its path.` }, 404))
  app.onError((error, c) => {
    console.error(error)
    return c.json({ message: 'apitwin failed to handle this request; see its log.' }, 500)
  })
  return app
}
