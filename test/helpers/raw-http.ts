import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'

export interface RawResponse {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  readonly text: string
  json(): unknown
}

export interface RawRequest {
  readonly method?: string
  readonly path: string
  readonly headers?: Record<string, string | number>
  /** Sent as is (a Buffer keeps invalid UTF-8 invalid). */
  readonly body?: string | Buffer
}

/**
 * One request through node:http, for what fetch will not send: a forged `Host`, raw bytes, a `Content-Length`
 * that lies. A fresh connection each time (no keep-alive), so nothing leaks between tests.
 * @example const res = await raw(url, { path: '/__twin/apis', headers: { host: 'evil.example' } })
 */
export function raw(base: string, { method = 'GET', path, headers = {}, body }: RawRequest): Promise<RawResponse> {
  const url = new URL(base)
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, method, path, headers: { connection: 'close', ...headers }, agent: false },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) as unknown })
        })
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}
