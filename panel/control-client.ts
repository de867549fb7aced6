import type { ControlState, ReadingView } from '../handlers/control-api.ts'
import type { JournalEntry } from '../handlers/journal.ts'
import type { ApiFault } from '../handlers/live-controls.ts'

/** An answer the control API refused (4xx/5xx), with its message. */
export class ControlError extends Error {
  readonly status: number
  constructor(status: number, message: string) {
    super(message)
    this.status = status
  }
}

/**
 * The panel's calls to the control JSON API (`/__twin/…`), typed; the same against `apitwin serve` and against the
 * MSW handlers of `controlHandlers` in a browser. Writes send JSON, as the server requires of a control write.
 * @example const client = new ControlClient('/__twin'); await client.setFault('flextell', { delayMs: 0, fail: '503' })
 */
export class ControlClient {
  readonly base: string
  readonly #fetch: typeof fetch

  constructor(base = '/__twin', fetcher: typeof fetch = (input, init) => fetch(input, init)) {
    this.base = base.replace(/\/+$/, '')
    this.#fetch = fetcher
  }

  state(): Promise<ControlState> {
    return this.#call('GET', '/state')
  }

  requests(after: number): Promise<{ limit: number; requests: JournalEntry[] }> {
    return this.#call('GET', `/requests?after=${after}`)
  }

  /** Any JSON control route the API lists (`/<api>/outbox`). */
  read<T>(path: string): Promise<T> {
    return this.#call('GET', path)
  }

  setReading(api: string, rule: string, value: string | null): Promise<{ readings: ReadingView[] }> {
    return this.#call('PUT', `/readings/${encodeURIComponent(api)}`, { [rule]: value })
  }

  defaultReadings(api: string): Promise<{ readings: ReadingView[] }> {
    return this.#call('DELETE', `/readings/${encodeURIComponent(api)}`)
  }

  setFault(api: string, fault: ApiFault | null): Promise<{ fault: ApiFault | null }> {
    return fault === null
      ? this.#call('DELETE', `/faults/${encodeURIComponent(api)}`)
      : this.#call('PUT', `/faults/${encodeURIComponent(api)}`, fault)
  }

  reset(): Promise<unknown> {
    return this.#call('POST', '/reset')
  }

  clearRequests(): Promise<unknown> {
    return this.#call('DELETE', '/requests')
  }

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.#fetch(`${this.base}${path}`, {
      method,
      headers: { accept: 'application/json', ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      // The control page's own origin only; never a cookie or credential of another site.
      credentials: 'same-origin',
      cache: 'no-store',
    })
    const answer: unknown = await response.json().catch(() => undefined)
    if (!response.ok) {
      const message =
        typeof answer === 'object' && answer !== null && 'message' in answer
          ? String(answer.message)
          : `${method} ${path} answered ${response.status}`
      throw new ControlError(response.status, message)
    }
    return answer as T
  }
}
