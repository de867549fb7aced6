import { http, type HttpHandler } from 'msw'
import { controlApi } from './control-api.ts'
import { Journal } from './journal.ts'
import { liveControls } from './live-controls.ts'
import type { Twin } from './start-twin.ts'

export interface ControlHandlerOptions {
  /** Where the `/__twin` routes are answered (default `*`: any origin, i.e. the page's own). */
  readonly base?: string
  /** How many requests the journal keeps (default 100). */
  readonly journalSize?: number
}

/**
 * MSW handlers for the control page's JSON API over a twin in the browser (or a Node test): readings, faults,
 * the journal and reset, as `apitwin serve` answers them, so the panel (`mountPanel`) steers a service-worker mock
 * the same way. From now on the twin's API handlers journal their requests and honour the standing faults.
 * Only the page itself reaches these (a service worker answers its own scope's requests, never another site's);
 * a write with a body must still declare it JSON, as on the server.
 * @example
 * const worker = setupWorker(...handlers)
 * await worker.start()
 * worker.use(...controlHandlers(await defaultTwin())) // runtime handlers come first
 * mountPanel()
 */
export function controlHandlers(twin: Twin, { base = '*', journalSize = 100 }: ControlHandlerOptions = {}): HttpHandler[] {
  const live = liveControls(twin)
  const journal = (live.journal ??= new Journal(journalSize))
  return [
    http.all(`${base}/__twin/*`, async ({ request }) => {
      const started = performance.now()
      const url = new URL(request.url)
      const text = request.method === 'GET' || request.method === 'HEAD' ? '' : await request.text()
      let body: unknown
      if (text !== '') {
        if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(request.headers.get('content-type') ?? '')) {
          return Response.json({ message: 'a control request with a body must send Content-Type: application/json' }, { status: 415 })
        }
        try {
          body = JSON.parse(text)
        } catch {
          return Response.json({ message: 'the body is not JSON' }, { status: 400 })
        }
      }
      const answer = await controlApi(
        { twin, origin: url.origin, journal },
        { method: request.method, path: url.pathname, query: url.searchParams, body },
      )
      // Not ours (rails-users' outbox, …): the next handler answers it.
      if (!answer) return undefined
      // Changes are journaled like API requests, so the journal tells what happened in order.
      if (request.method !== 'GET' && url.pathname !== '/__twin/requests')
        journal.add(request.method, url.pathname, answer.status, performance.now() - started, text)
      return Response.json(answer.body, { status: answer.status, ...(answer.allow && { headers: { allow: answer.allow } }) })
    }),
  ]
}
