import { createAdaptorServer } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import { createTwin, type Twin, type TwinOptions } from '../handlers/twin.ts'
import { createApp, type AppOptions } from './app.ts'
import { UsageError } from './usage-error.ts'

export interface ServeOptions extends TwinOptions, AppOptions {
  readonly port?: number
  readonly host?: string
  /**
   * Let @hono/node-server swap the global Request/Response for its lighter ones (its fast path). Off when the
   * server shares a process with MSW, which patches the same globals.
   */
  readonly fastGlobals?: boolean
  /** Serve this twin instead of seeding a new one (to embed the server beside your own use of the twin). */
  readonly twin?: Twin
}

export interface RunningServer {
  /** `http://host:port`, with the port actually bound (useful with port 0). */
  readonly url: string
  close(): Promise<void>
}

/**
 * Seeds a twin and serves it over HTTP. Rejects with a one-line `UsageError` when the port is taken.
 * @example const { url, close } = await startServer({ port: 0 }) // url: 'http://127.0.0.1:40123'
 */
export async function startServer({ port = 4010, host = '127.0.0.1', fastGlobals = true, log, twin: given, ...twinOptions }: ServeOptions = {}): Promise<RunningServer> {
  const twin = given ?? (await createTwin(twinOptions))
  const app = createApp(twin, log ? { log } : {})
  const server = createAdaptorServer({ fetch: app.fetch, hostname: host, overrideGlobalObjects: fastGlobals })
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(new UsageError(`port ${port} on ${host} is already in use; stop what holds it or pass --port <another port> (0 picks a free one)`))
      else if (error.code === 'EACCES') reject(new UsageError(`not allowed to listen on ${host}:${port}; pick a port above 1023 with --port`))
      else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') reject(new UsageError(`cannot listen on host "${host}": no such local address; try --host 127.0.0.1 or --host 0.0.0.0`))
      else reject(error)
    })
    server.listen(port, host, () => resolve())
  })
  const address = server.address() as AddressInfo
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return {
    url: `http://${shownHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        // Keep-alive sockets would hold close() open; nothing is mid-flight once we are asked to stop.
        if ('closeAllConnections' in server) server.closeAllConnections()
      }),
  }
}
