import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createTwin, type CreateTwinOptions, type Twin } from '../handlers/twin.ts'
import { createApp, type AppOptions, type TwinApp } from './app.ts'
import { StateFile } from './state-file.ts'
import { UsageError } from './usage-error.ts'

export interface ServeOptions extends CreateTwinOptions, Omit<AppOptions, 'onChange'> {
  readonly port?: number
  readonly host?: string
  /** @deprecated No effect: the server writes replies to Node's response directly and patches no globals. */
  readonly fastGlobals?: boolean
  /** Serve this twin instead of seeding a new one (to embed the server beside your own use of the twin). */
  readonly twin?: Twin
  /** Keep the data in this file: loaded at start, saved after changes and at shutdown (`--state`). */
  readonly stateFile?: string
  /** How long `close()` lets in-flight requests finish before it cuts their connections (default 4 s). */
  readonly graceMs?: number
}

export interface RunningServer {
  /** `http://host:port`, with the port actually bound (useful with port 0). */
  readonly url: string
  readonly app: TwinApp
  /**
   * Stops gracefully: no new connections, idle ones closed, pending `X-Twin-Delay`s answered now, in-flight
   * requests finished (cut after `graceMs`), the state file saved.
   */
  close(): Promise<void>
  /** Stops at once: every connection cut, nothing waited for (a second Ctrl-C). */
  kill(): void
}

/**
 * Seeds a twin and serves it over HTTP. Rejects with a one-line `UsageError` when the port is taken.
 * @example const { url, close } = await startServer({ port: 0 }) // url: 'http://127.0.0.1:40123'
 */
export async function startServer({
  port = 4010,
  host = '127.0.0.1',
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- still accepted, and dropped here: it has no effect
  fastGlobals: _fastGlobals,
  twin: given,
  stateFile,
  graceMs = 4000,
  log,
  logFormat,
  bodyLimit,
  allowedHosts,
  publicUrl,
  journalSize,
  control,
  ...twinOptions
}: ServeOptions = {}): Promise<RunningServer> {
  const twin = given ?? (await createTwin(twinOptions))
  const state = stateFile === undefined ? undefined : new StateFile(stateFile, twin)
  await state?.load()
  const app = createApp(twin, {
    ...(log !== undefined && { log }),
    ...(logFormat && { logFormat }),
    ...(bodyLimit !== undefined && { bodyLimit }),
    ...(allowedHosts && { allowedHosts }),
    ...(publicUrl && { publicUrl }),
    ...(journalSize !== undefined && { journalSize }),
    ...(control !== undefined && { control }),
    ...(state && { onChange: () => state.changed() }),
  })
  app.allowHost(host)
  const server = createServer(app.handle)
  await listen(server, port, host)
  const address = server.address() as AddressInfo
  // An unspecified bind address (0.0.0.0, ::) is not somewhere a client can call: publish loopback instead.
  const shownHost =
    address.address === '0.0.0.0' || address.address === '::'
      ? '127.0.0.1'
      : address.family === 'IPv6'
        ? `[${address.address}]`
        : address.address
  const url = `http://${shownHost}:${address.port}`
  app.bound(url)
  let closing: Promise<void> | undefined
  return {
    url,
    app,
    close: () => (closing ??= shutdown(server, app, graceMs).then(() => state?.flush())),
    kill: () => {
      server.closeAllConnections()
      server.close()
    },
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE')
        reject(
          new UsageError(
            `port ${port} on ${host} is already in use; stop what holds it or pass --port <another port> (0 picks a free one)`,
          ),
        )
      else if (error.code === 'EACCES')
        reject(new UsageError(`not allowed to listen on ${host}:${port}; pick a port above 1023 with --port`))
      else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND')
        reject(new UsageError(`cannot listen on host "${host}": no such local address; try --host 127.0.0.1 or --host 0.0.0.0`))
      else reject(error)
    })
    server.listen(port, host, () => resolve())
  })
}

/** Stop accepting, answer what is in flight (delays cut short), then close; connections still open after `graceMs` are cut. */
function shutdown(server: Server, app: TwinApp, graceMs: number): Promise<void> {
  app.closing = true
  return new Promise<void>((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), graceMs)
    force.unref()
    server.close(() => {
      clearTimeout(force)
      resolve()
    })
    app.cutDelays()
    server.closeIdleConnections()
    // A keep-alive connection becomes idle once its answer is out: close it then (answers carry `connection: close`).
    server.on('request', (_request, response) => response.once('finish', () => server.closeIdleConnections()))
  })
}
