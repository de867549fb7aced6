import { isUtf8 } from 'node:buffer'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { injectedFailure, readFaults } from '../handlers/faults.ts'
import { BodyTooLarge, InvalidUtf8, type Dialect, type Reply } from '../handlers/reply.ts'
import type { RouteTable } from '../handlers/route-table.ts'
import type { RequestLike, TwinApi } from '../handlers/twin-api.ts'
import type { Twin } from '../handlers/twin.ts'
import { liveControls, withApiFault, type ApiFault, type LiveControls } from '../handlers/live-controls.ts'
import { writeRefusal } from './control-guard.ts'
import { ControlRoutes } from './control-routes.ts'
import { discovery } from './discovery.ts'
import { hostCheck, originHost } from './host-check.ts'
import { Journal } from './journal.ts'
import { requestLog, stdoutSink, type LogFormat, type RequestLog } from './log.ts'

/** The default body limit, as Fastify's `bodyLimit` (1 MiB); `apitwin serve --body-limit` changes it. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024

export interface AppOptions {
  /** Where the one line per request goes (default: stdout); `false` for none. */
  readonly log?: ((line: string) => void) | false
  /** `text` (default) or `json` (one object per line, with a timestamp). */
  readonly logFormat?: LogFormat
  /** The largest request body accepted, in bytes (default 1 MiB); larger is the API's own 413. */
  readonly bodyLimit?: number
  /** Host names answered besides localhost, IP addresses and the bound host (others: 403). */
  readonly allowedHosts?: readonly string[]
  /** The origin discovery publishes (`--public-url`); default: the address the server is bound to. */
  readonly publicUrl?: string
  /** How many requests `GET /__twin/requests` keeps (default 100; 0: none). */
  readonly journalSize?: number
  /** Called after every change to the data (a successful update, a reset): the state file saves then. */
  readonly onChange?: () => void
  /** The control page `GET /__twin/` and its JSON API (default on; `--no-control` turns them off). */
  readonly control?: boolean
}

const jsonType = 'application/json'
const openCors = '*'

/** `%`-decoded, or as given when it is not valid percent-encoding (the resolver then answers its 404). */
function decodeOr(raw: string): string {
  try {
    return decodeURIComponent(raw)
  } catch {
    return raw
  }
}

/** One API route: its path as a pattern, its method, and the API behind it. */
interface Route {
  readonly api: TwinApi
  readonly prefix: string
  readonly pattern: RegExp
  readonly names: readonly string[]
}

/**
 * A resolver's view of Node's request, without building a Fetch `Request` (which costs more than the whole
 * pipeline): header lookups, and the body read as a stream under the size limit, refused as soon as it passes it.
 * It is its own `headers`, so one object per request serves both.
 */
class NodeRequest implements RequestLike {
  readonly incoming: IncomingMessage
  readonly limit: number
  /** The body text once read (for the journal). */
  body: string | undefined
  /** Set when the body passed the limit: the connection is closed after the answer, the rest never read. */
  tooLarge = false

  constructor(incoming: IncomingMessage, limit: number) {
    this.incoming = incoming
    this.limit = limit
  }

  get headers(): Pick<Headers, 'get'> {
    return this
  }

  get url(): string {
    return this.incoming.url ?? '/'
  }

  get(name: string): string | null {
    const value = this.incoming.headers[name.toLowerCase()]
    return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value
  }

  // Events rather than `for await`: the async iterator costs more than the rest of the read.
  text(): Promise<string> {
    return new Promise((resolve, reject) => {
      const incoming = this.incoming
      const chunks: Buffer[] = []
      let size = 0
      const onData = (chunk: Buffer) => {
        size += chunk.length
        if (size <= this.limit) return void chunks.push(chunk)
        // Past the limit: stop reading (nothing more is buffered) and answer 413 now.
        this.tooLarge = true
        incoming.off('data', onData)
        incoming.pause()
        chunks.length = 0
        reject(new BodyTooLarge(this.limit))
      }
      incoming.on('data', onData)
      incoming.once('end', () => {
        if (this.tooLarge) return
        const bytes = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)
        const text = bytes.toString('utf8')
        // Invalid bytes decode to U+FFFD; only a body holding one (rare, and maybe sent as such) pays the full check.
        if (text.includes('\uFFFD') && !isUtf8(bytes)) return reject(new InvalidUtf8())
        this.body = text
        resolve(this.body)
      })
      incoming.once('error', reject)
    })
  }
}

/**
 * The standalone server: a request listener for `node:http`. Each API lives under its slug; the `/__twin` control
 * routes list, reset and journal it. A small router of its own rather than Hono: every answer is a `Reply` written
 * straight to Node's response (no Fetch `Request`/`Response` per request), and the rules that are the point of a
 * mock (the vendor's own 404/405/413, the body read as a bounded stream, graceful shutdown) need the raw request.
 * @example
 * const app = createApp(await createTwin())
 * createServer(app.handle).listen(4010)
 */
export function createApp(twin: Twin, options: AppOptions = {}): TwinApp {
  return new TwinApp(twin, options)
}

export class TwinApp {
  readonly twin: Twin
  readonly journal: Journal
  /** The origin discovery publishes; `startServer` sets it to the bound address once listening. */
  origin: string
  /** Set when the server is shutting down: answers close their connection. */
  closing = false

  readonly #routes: readonly Route[]
  readonly #log: RequestLog | undefined
  readonly #limit: number
  readonly #hosts: string[]
  #hostAllowed: (host: string | undefined) => boolean
  readonly #onChange: (() => void) | undefined
  readonly #delays = new Set<() => void>()
  readonly #publicUrl: string | undefined
  readonly #live: LiveControls
  readonly #controlRoutes: ControlRoutes

  constructor(
    twin: Twin,
    {
      log = stdoutSink(),
      logFormat = 'text',
      bodyLimit = DEFAULT_BODY_LIMIT,
      allowedHosts = [],
      publicUrl,
      journalSize = 100,
      onChange,
      control = true,
    }: AppOptions,
  ) {
    this.twin = twin
    this.journal = new Journal(journalSize)
    this.#log = log ? requestLog(logFormat, log) : undefined
    this.#limit = bodyLimit
    this.#hosts = [...allowedHosts, ...(publicUrl ? [new URL(publicUrl).hostname] : [])]
    this.#hostAllowed = hostCheck(this.#hosts)
    this.#onChange = onChange
    this.#publicUrl = publicUrl?.replace(/\/+$/, '')
    this.origin = this.#publicUrl ?? 'http://127.0.0.1'
    this.#live = liveControls(twin)
    this.#controlRoutes = new ControlRoutes({
      twin,
      journal: this.journal,
      enabled: control,
      origin: () => this.origin,
      cors: (incoming) => this.#controlCors(incoming),
      ...(onChange && { onChange }),
    })
    this.#routes = twin.apis.map((api) => {
      const names: string[] = []
      const source = api.path
        .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
        .replace(/\\?\{(\w+)\\?\}/g, (_, name: string) => (names.push(name), '([^/]+)'))
      return { api, prefix: `/${api.name}`, pattern: new RegExp(`^/${api.name}${source}$`), names }
    })
  }

  /** Also answers `host` (the `--host` the server binds). */
  allowHost(host: string): void {
    this.#hosts.push(host)
    this.#hostAllowed = hostCheck(this.#hosts)
  }

  /** Sets the bound origin discovery falls back to (unless `publicUrl` was given). */
  bound(origin: string): void {
    this.origin = this.#publicUrl ?? origin
  }

  /** Answers every pending `X-Twin-Delay` now (shutdown): in-flight requests finish instead of waiting it out. */
  cutDelays(): void {
    for (const wake of [...this.#delays]) wake()
  }

  /** The request listener. */
  readonly handle = (incoming: IncomingMessage, res: ServerResponse): void => {
    const started = performance.now()
    const url = incoming.url ?? '/'
    const query = url.indexOf('?')
    const path = query === -1 ? url : url.slice(0, query)
    const method = incoming.method ?? 'GET'
    const route = this.#routeOf(path)
    const host = incoming.headers.host
    if (!this.#hostAllowed(host)) {
      const message = `Host ${JSON.stringify(host ?? '')} is not allowed (DNS rebinding guard); run apitwin serve with --allowed-host <name> to answer it, or use localhost / 127.0.0.1`
      return this.#send(
        incoming,
        res,
        started,
        method,
        path,
        route ? route.api.dialect.error(403, message) : { status: 403, body: { message } },
      )
    }
    if (!route) {
      if (path.startsWith('/__twin/') || path === '/__twin') return this.#control(incoming, res, started, method, path)
      return this.#send(
        incoming,
        res,
        started,
        method,
        path,
        { status: 404, body: { message: `No apitwin route for ${method} ${path}. GET /__twin/apis lists every API and its path.` } },
        this.#controlCors(incoming),
      )
    }
    const api = route.api
    const appPath = path.slice(route.prefix.length) || '/'
    if (api.routes) return this.#operation(incoming, res, started, method, path, route, api.routes, appPath)
    const match = route.pattern.exec(path)
    if (!match) return this.#send(incoming, res, started, method, path, api.dialect.routeNotFound(method, appPath), openCors)
    if (method === 'OPTIONS') return this.#preflight(incoming, res, started, method, path, openCors, `${api.method}, OPTIONS`)
    if (method !== api.method)
      return this.#send(incoming, res, started, method, path, api.dialect.methodNotAllowed(method, appPath, [api.method]), openCors)
    void this.#api(incoming, res, started, method, path, route, match)
  }

  /** An API of many operations (imported from OpenAPI): its route table picks the operation. */
  #operation(
    incoming: IncomingMessage,
    res: ServerResponse,
    started: number,
    method: string,
    path: string,
    route: Route,
    table: RouteTable,
    appPath: string,
  ): void {
    const api = route.api
    // An OPTIONS the document declares is its operation, unless a browser asks it as a CORS preflight.
    if (method === 'OPTIONS' && incoming.headers['access-control-request-method'] === undefined) {
      const declared = table.match('OPTIONS', appPath)
      if (declared !== undefined && !('allowed' in declared))
        return void this.#api(incoming, res, started, method, path, route, declared.params, declared.operation)
    }
    const found = table.match(method === 'OPTIONS' ? 'GET' : method, appPath)
    if (found === undefined) return this.#send(incoming, res, started, method, path, api.dialect.routeNotFound(method, appPath), openCors)
    if (method === 'OPTIONS') {
      const allowed =
        'allowed' in found
          ? found.allowed
          : ((table.match('\u0000', appPath) as { allowed?: readonly string[] } | undefined)?.allowed ?? ['GET'])
      return this.#preflight(incoming, res, started, method, path, openCors, `${allowed.join(', ')}, OPTIONS`)
    }
    if ('allowed' in found)
      return this.#send(incoming, res, started, method, path, api.dialect.methodNotAllowed(method, appPath, found.allowed), openCors)
    void this.#api(incoming, res, started, method, path, route, found.params, found.operation)
  }

  /** The API whose slug `path` starts with (`/flextell` or `/flextell/…`), if any. */
  #routeOf(path: string): Route | undefined {
    for (const route of this.#routes) {
      if (path.startsWith(route.prefix) && (path.length === route.prefix.length || path.charCodeAt(route.prefix.length) === 47) /* / */)
        return route
    }
    return undefined
  }

  async #api(
    incoming: IncomingMessage,
    res: ServerResponse,
    started: number,
    method: string,
    path: string,
    route: Route,
    match: RegExpExecArray | Record<string, string>,
    operation?: string,
  ): Promise<void> {
    const { api } = route
    const request = new NodeRequest(incoming, this.#limit)
    // A fault switched on for the whole API (control page) costs a request one boolean while none is on.
    const standing = this.#live.anyFault ? this.#live.faultOf(api.name) : undefined
    const faulty = standing !== undefined || incoming.headers['x-twin-delay'] !== undefined || incoming.headers['x-twin-fail'] !== undefined
    let reply: Reply
    try {
      reply =
        (faulty ? await this.#faults(request, res, api.dialect, standing) : undefined) ??
        (await this.#resolve(request, route, match, operation))
    } catch (error) {
      console.error(error)
      reply = api.dialect.serverError('apitwin failed to handle this request; see its log.')
    }
    if (reply.status >= 200 && reply.status < 300) this.#onChange?.()
    try {
      this.#send(incoming, res, started, method, path, reply, openCors, request, api.secretKeys)
    } catch (error) {
      // The last line, should a body ever reach here that JSON.stringify cannot write (the resolvers' shape limits
      // keep hostile bodies out): #send throws before writing a byte, so the API's own 500 can still go out, and
      // the process lives on.
      console.error(error)
      this.#send(
        incoming,
        res,
        started,
        method,
        path,
        api.dialect.serverError('apitwin could not write this answer; see its log.'),
        openCors,
        request,
      )
    }
  }

  #resolve(
    request: NodeRequest,
    route: Route,
    match: RegExpExecArray | Record<string, string>,
    operation: string | undefined,
  ): Promise<Reply> {
    const declared = request.incoming.headers['content-length']
    // Refused before a byte of the body is read.
    if (declared !== undefined && Number(declared) > this.#limit) {
      request.tooLarge = true
      return Promise.resolve(route.api.dialect.payloadTooLarge(this.#limit))
    }
    // A route table has decoded its parameters already; the single-endpoint APIs' pattern leaves them to here.
    if (!Array.isArray(match)) return this.twin.state(route.api.name).resolve(request, match, operation)
    const params: Record<string, string> = {}
    for (let index = 0; index < route.names.length; index++) {
      const raw = match[index + 1] ?? ''
      params[route.names[index] as string] = raw.includes('%') ? decodeOr(raw) : raw
    }
    return this.twin.state(route.api.name).resolve(request, params)
  }

  /** `X-Twin-Delay` holds the answer, `X-Twin-Fail` replaces it; out of range is the API's 400 naming the range. */
  async #faults(request: NodeRequest, res: ServerResponse, dialect: Dialect, standing: ApiFault | undefined): Promise<Reply | undefined> {
    const faults = withApiFault(readFaults(request), standing)
    if ('error' in faults) return dialect.badRequest(faults.error)
    if (faults.delayMs > 0 && !this.closing) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer)
          this.#delays.delete(wake)
          resolve()
        }
        const timer = setTimeout(wake, faults.delayMs)
        this.#delays.add(wake)
      })
    }
    if (faults.fail === 'network') {
      // Drop the connection without an answer, as a dead proxy would; the client sees a network error.
      res.socket?.destroy()
      return { status: 0, body: null }
    }
    if (faults.fail === undefined) return undefined
    // In the API's own error shape, so a client's error handling meets what the vendor would send.
    const { status, body, headers } = injectedFailure(faults.fail)
    return { ...dialect.error(status, body.message), ...(headers && { headers }) }
  }

  #control(incoming: IncomingMessage, res: ServerResponse, started: number, method: string, path: string): void {
    if (this.#controlRoutes.owns(path))
      return this.#controlRoutes.handle(incoming, res, method, path, (status) => this.#done(method, path, status, started))
    const cors = this.#controlCors(incoming)
    const send = (reply: Reply) => this.#send(incoming, res, started, method, path, reply, cors)
    const only = (allowed: string): boolean => {
      if (method === allowed) return true
      if (method === 'OPTIONS' && cors) this.#preflight(incoming, res, started, method, path, cors, `${allowed}, OPTIONS`)
      else send({ status: 405, body: { message: `${path} answers ${allowed} only` }, headers: { allow: allowed } })
      return false
    }
    if (path === '/__twin/apis') {
      if (only('GET')) send({ status: 200, body: discovery(this.twin, this.origin) })
      return
    }
    // Writes are for the page itself and for clients outside a browser, never another site's page (control-guard.ts).
    const refusal = method === 'POST' || method === 'DELETE' ? writeRefusal(incoming.headers) : undefined
    if (path === '/__twin/reset') {
      if (!only('POST')) return
      if (refusal) return send({ status: refusal.status, body: { message: refusal.message } })
      void this.twin.reset().then(
        () => {
          this.#onChange?.()
          send({ status: 200, body: { reset: true, seed: this.twin.seed, users: this.twin.users } })
        },
        (error: unknown) => {
          console.error(error)
          send({ status: 500, body: { message: 'apitwin could not reset its data; see its log.' } })
        },
      )
      return
    }
    if (path === '/__twin/requests') {
      if (method === 'DELETE') {
        if (refusal) return send({ status: refusal.status, body: { message: refusal.message } })
        this.journal.clear()
        return send({ status: 200, body: { cleared: true } })
      }
      if (method === 'OPTIONS' && cors) return this.#preflight(incoming, res, started, method, path, cors, 'GET, DELETE, OPTIONS')
      if (method !== 'GET')
        return send({
          status: 405,
          body: { message: '/__twin/requests answers GET (list) and DELETE (clear)' },
          headers: { allow: 'GET, DELETE' },
        })
      // `?after=<id>`: only newer entries, for the control page polling twice a second.
      const after = Number(new URL(incoming.url ?? '/', 'http://journal').searchParams.get('after') ?? 0)
      return send({ status: 200, body: { limit: this.journal.size, requests: this.journal.list(Number.isFinite(after) ? after : 0) } })
    }
    const [, , apiName = '', name = '', extra] = path.split('/')
    const control =
      extra === undefined && this.twin.apis.some((api) => api.name === apiName) ? this.twin.state(apiName).controls?.[name] : undefined
    if (control) {
      if (!only('GET')) return
      let body: unknown
      try {
        body = control()
      } catch (error) {
        // A listener must not throw: a control that fails is a 500 for this request, never a crashed server.
        console.error(error)
        return send({ status: 500, body: { message: `apitwin could not answer ${path}; see its log.` } })
      }
      send({ status: 200, body })
      return
    }
    send({
      status: 404,
      body: {
        message: `No apitwin control route ${method} ${path}; there are GET /__twin/ (the control page), GET /__twin/state, GET /__twin/apis, POST /__twin/reset, GET|DELETE /__twin/requests and GET /__twin/<api>/<control>.`,
      },
    })
  }

  /**
   * The control routes carry the seeded tokens, so a browser may read them only from a page on an allowed host
   * (localhost, 127.0.0.1, …): open CORS would let any web page open while the mock runs read them.
   */
  #controlCors(incoming: IncomingMessage): string | undefined {
    const origin = incoming.headers.origin
    if (origin === undefined) return undefined
    const host = originHost(origin)
    return host !== undefined && this.#hostAllowed(host) ? origin : undefined
  }

  #preflight(
    incoming: IncomingMessage,
    res: ServerResponse,
    started: number,
    method: string,
    path: string,
    origin: string,
    methods: string,
  ): void {
    const requested = incoming.headers['access-control-request-headers'] ?? 'authorization, content-type'
    res.writeHead(204, {
      'access-control-allow-origin': origin,
      'access-control-allow-methods': methods,
      'access-control-allow-headers': requested,
      'access-control-max-age': '600',
      vary: 'Origin, Access-Control-Request-Headers',
      ...(this.closing && { connection: 'close' }),
    })
    res.end()
    this.#done(method, path, 204, started)
  }

  /** Writes a reply straight to Node's response: one JSON string, its length, the headers it needs. */
  #send(
    incoming: IncomingMessage,
    res: ServerResponse,
    started: number,
    method: string,
    path: string,
    reply: Reply,
    origin?: string,
    request?: NodeRequest,
    mask?: () => ReadonlySet<string>,
  ): void {
    if (res.destroyed || res.headersSent || incoming.socket.destroyed) {
      this.#done(method, path, 'dropped', started, request, mask)
      return
    }
    // No body (a 204) or a body given as text (an imported API's text/plain) are rare; JSON is the fast path.
    const text = reply.text ?? (reply.body === undefined ? '' : JSON.stringify(reply.body))
    const tooLarge = request?.tooLarge === true
    const headers: Record<string, string | number> =
      reply.body === undefined && reply.text === undefined
        ? { 'content-length': 0 }
        : { 'content-type': jsonType, 'content-length': Buffer.byteLength(text) }
    if (origin !== undefined) headers['access-control-allow-origin'] = origin
    if (origin !== undefined && origin !== openCors) headers['vary'] = 'Origin'
    if (reply.headers) Object.assign(headers, reply.headers)
    // A refused body is not read to its end, so the connection cannot carry another request.
    if (tooLarge || this.closing) headers['connection'] = 'close'
    res.writeHead(reply.status, headers)
    res.end(text)
    if (tooLarge) {
      // Stop the sender: end our side once the answer is out, and drop the socket if it keeps sending.
      res.once('finish', () => {
        incoming.socket.end()
        setTimeout(() => incoming.socket.destroy(), 1000).unref()
      })
    }
    this.#done(method, path, reply.status, started, request, mask)
  }

  #done(
    method: string,
    path: string,
    status: number | 'dropped',
    started: number,
    request?: NodeRequest,
    mask?: () => ReadonlySet<string>,
  ): void {
    const ms = performance.now() - started
    this.#log?.(method, path, status, ms)
    if (request) this.journal.add(method, path, status, ms, request.body, mask)
  }
}
