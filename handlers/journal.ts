/** One request as `GET /__twin/requests` lists it. */
export interface JournalEntry {
  /** Rises by one per request since the start (a clear does not reuse them): `?after=<id>` asks for newer ones. */
  readonly id: number
  readonly time: string
  readonly method: string
  readonly path: string
  readonly status: number | 'dropped'
  readonly ms: number
  /** The parsed JSON body with secrets masked; the text when it is not JSON; a note when it was too big to keep. */
  readonly body?: unknown
}

interface Kept {
  readonly id: number
  readonly time: number
  readonly method: string
  readonly path: string
  readonly status: number | 'dropped'
  readonly ms: number
  /** The text, or its length when it was too long to keep. */
  readonly body: string | number | undefined
  /** The API's own secret keys (`TwinApi.secretKeys`), masked too. */
  readonly mask: (() => ReadonlySet<string>) | undefined
}

/** The longest body a journal entry keeps; longer ones are noted by size only. */
export const JOURNAL_BODY_LIMIT = 16 * 1024

// Keys whose values never leave the process: passwords, tokens, secrets, API keys, authorization.
const SECRET = /pass(word)?|token|secret|authori[sz]ation|api[-_]?key|hash|digest/i
const MASK = '***'
const MAX_DEPTH = 20

/** `value` with every secret-looking key's value replaced by `***`, at any depth (deeper than 20: cut). */
export function maskSecrets(value: unknown, depth = 0, also?: ReadonlySet<string>): unknown {
  if (typeof value !== 'object' || value === null) return value
  if (depth >= MAX_DEPTH) return '[nested too deep]'
  if (Array.isArray(value)) return value.map((item) => maskSecrets(item, depth + 1, also))
  const masked: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) {
    // defineProperty, not assignment: a "__proto__" key stays a plain key and pollutes nothing.
    Object.defineProperty(masked, key, {
      value: SECRET.test(key) || also?.has(key) === true ? MASK : maskSecrets(item, depth + 1, also),
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  return masked
}

/**
 * The last `size` API requests, for a frontend developer to see what their app sent (`GET /__twin/requests`).
 * Cheap on the request path: an entry keeps the raw body text (up to 16 KiB); parsing and masking happen when
 * the journal is read.
 * @example const journal = new Journal(100); journal.add('PUT', '/flextell/api/v1/users/1', 200, 1.2, '{"name":"A"}')
 */
export class Journal {
  readonly size: number
  #entries: Kept[] = []
  #next = 0
  #lastId = 0

  constructor(size = 100) {
    this.size = size
  }

  add(
    method: string,
    path: string,
    status: number | 'dropped',
    ms: number,
    body: string | undefined,
    mask?: () => ReadonlySet<string>,
  ): void {
    if (this.size === 0) return
    const entry: Kept = {
      id: ++this.#lastId,
      time: Date.now(),
      method,
      path,
      status,
      ms,
      body: body !== undefined && body.length > JOURNAL_BODY_LIMIT ? body.length : body,
      mask,
    }
    if (this.#entries.length < this.size) this.#entries.push(entry)
    else this.#entries[this.#next] = entry
    this.#next = (this.#next + 1) % this.size
  }

  /** Oldest first; only entries newer than `after` (an id) when given, so a page polling twice a second gets what is new. */
  list(after = 0): JournalEntry[] {
    const ordered =
      this.#entries.length < this.size ? this.#entries : [...this.#entries.slice(this.#next), ...this.#entries.slice(0, this.#next)]
    return ordered
      .filter((entry) => entry.id > after)
      .map(({ id, time, method, path, status, ms, body, mask }) => ({
        id,
        time: new Date(time).toISOString(),
        method,
        path,
        status,
        ms: Math.round(ms * 10) / 10,
        ...(body !== undefined && body !== '' && { body: shown(body, mask?.()) }),
      }))
  }

  clear(): void {
    this.#entries = []
    this.#next = 0
  }
}

function shown(body: string | number, also: ReadonlySet<string> | undefined): unknown {
  if (typeof body === 'number') return `[${body} characters, not kept]`
  try {
    return maskSecrets(JSON.parse(body), 0, also)
  } catch {
    // Not JSON: shown as text, unless it looks like it carries a secret.
    return SECRET.test(body) ? MASK : body
  }
}
