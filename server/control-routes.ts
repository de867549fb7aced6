import type { IncomingMessage, ServerResponse } from 'node:http'
import { CONTROL_API_PATH, controlApi, type ControlAnswer } from '../handlers/control-api.ts'
import type { Journal } from '../handlers/journal.ts'
import type { Twin } from '../handlers/twin.ts'
import { writeRefusal } from './control-guard.ts'
import { PAGE_HEADERS, controlPageHtml, panelAssets } from './control-page.ts'

export interface ControlRoutesOptions {
  readonly twin: Twin
  readonly journal: Journal
  /** False with `--no-control`: the page and its JSON API answer 404 saying so. */
  readonly enabled: boolean
  /** The origin the APIs are served at (discovery's), read per request since it is known only once bound. */
  readonly origin: () => string
  /** The `access-control-allow-origin` a read may carry for this request (local pages only), or none. */
  readonly cors: (incoming: IncomingMessage) => string | undefined
  readonly onChange?: () => void
}

/** The largest control request body: a few readings or one fault; anything bigger is a mistake. */
const CONTROL_BODY_LIMIT = 64 * 1024

/**
 * `apitwin serve`'s control page (`GET /__twin/`, its modules under `/__twin/assets/`) and its JSON API
 * (`/__twin/state`, `/__twin/readings[/<api>]`, `/__twin/faults[/<api>]`, answered by `controlApi`). Writes go through
 * `writeRefusal` (same origin or no browser, JSON bodies) and are journaled; reads carry CORS for local pages only,
 * like the other control routes. The rest of `/__twin` (apis, reset, requests, outbox) stays in the app.
 * @example const routes = new ControlRoutes({ twin, journal, enabled: true, origin: () => url, cors: () => undefined })
 */
export class ControlRoutes {
  readonly #options: ControlRoutesOptions
  readonly #assets = panelAssets()

  constructor(options: ControlRoutesOptions) {
    this.#options = options
  }

  /** Whether `path` is one of these routes. */
  owns(path: string): boolean {
    return path === '/__twin' || path === '/__twin/' || path.startsWith('/__twin/assets/') || CONTROL_API_PATH.test(path)
  }

  /** Answers a request `owns` accepted; `done(status)` logs it. */
  handle(incoming: IncomingMessage, res: ServerResponse, method: string, path: string, done: (status: number) => void): void {
    const json = (answer: ControlAnswer, cors?: string) => {
      const text = JSON.stringify(answer.body)
      res.writeHead(answer.status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
        // The state lists tokens: never kept by a cache.
        'cache-control': 'no-store',
        ...(cors !== undefined && { 'access-control-allow-origin': cors, vary: 'Origin' }),
        ...(answer.allow && { allow: answer.allow }),
      })
      res.end(text)
      done(answer.status)
    }
    if (!this.#options.enabled)
      return json({ status: 404, body: { message: 'the control page and its JSON API are off (apitwin serve --no-control)' } })
    if (path === '/__twin') {
      res.writeHead(308, { location: '/__twin/', 'content-length': 0 })
      res.end()
      return done(308)
    }
    if (path === '/__twin/' || path.startsWith('/__twin/assets/')) {
      if (method !== 'GET' && method !== 'HEAD') return json({ status: 405, body: { message: `${path} answers GET` }, allow: 'GET, HEAD' })
      if (path === '/__twin/') return this.#write(res, method, 200, 'text/html; charset=utf-8', controlPageHtml(), done)
      void this.#assets(path.slice('/__twin/assets/'.length)).then((text) =>
        text === undefined
          ? json({
              status: 404,
              body: {
                message: `no control page asset ${path}${path.endsWith('page.js') ? '; run npm run build (the page is served from dist/panel/)' : ''}`,
              },
            })
          : this.#write(res, method, 200, 'text/javascript; charset=utf-8', text, done),
      )
      return
    }
    if (method === 'GET' || method === 'HEAD') {
      void this.#call(incoming, method, path, undefined).then((answer) => json(answer, this.#options.cors(incoming)))
      return
    }
    // A write (or a preflight for one): no CORS header ever, so no other origin can make the browser send it.
    if (method === 'OPTIONS')
      return json({ status: 403, body: { message: 'control writes are same-origin only; no CORS preflight is granted' } })
    const refusal = writeRefusal(incoming.headers)
    if (refusal) return json({ status: refusal.status, body: { message: refusal.message } })
    void readText(incoming).then(
      (text) => {
        let body: unknown
        try {
          body = text === '' ? undefined : JSON.parse(text)
        } catch {
          return json({ status: 400, body: { message: 'the body is not JSON' } })
        }
        const started = performance.now()
        return this.#call(incoming, method, path, body).then((answer) => {
          // Changes are journaled beside the API requests, so the journal tells in order what the mock was told to do.
          this.#options.journal.add(method, path, answer.status, performance.now() - started, text)
          json(answer)
        })
      },
      () => json({ status: 413, body: { message: `a control request body is at most ${CONTROL_BODY_LIMIT} bytes` } }),
    )
  }

  async #call(incoming: IncomingMessage, method: string, path: string, body: unknown): Promise<ControlAnswer> {
    const { twin, origin, onChange } = this.#options
    const query = new URL(incoming.url ?? '/', 'http://control').searchParams
    try {
      return (
        (await controlApi({ twin, origin: origin(), ...(onChange && { onChange }) }, { method, path, query, body })) ?? {
          status: 404,
          body: { message: `No apitwin control route ${method} ${path}` },
        }
      )
    } catch (error) {
      console.error(error)
      return { status: 500, body: { message: 'apitwin could not apply this control change; see its log.' } }
    }
  }

  #write(res: ServerResponse, method: string, status: number, type: string, text: string, done: (status: number) => void): void {
    res.writeHead(status, { ...PAGE_HEADERS, 'content-type': type, 'content-length': Buffer.byteLength(text) })
    res.end(method === 'HEAD' ? undefined : text)
    done(status)
  }
}

/** The request body as text, refused past `CONTROL_BODY_LIMIT`. */
function readText(incoming: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    incoming.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > CONTROL_BODY_LIMIT) {
        incoming.pause()
        reject(new Error('too large'))
      } else chunks.push(chunk)
    })
    incoming.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    incoming.once('error', reject)
  })
}
