/** Where log lines go: one call per line, without its newline. */
export type LogSink = (line: string) => void

export type LogFormat = 'text' | 'json'

// C0 controls, DEL and C1 controls (ESC, CR, LF, CSI, …), plus the Unicode line and paragraph separators: any of
// them in a log line could forge a line or drive the terminal.
// eslint-disable-next-line no-control-regex -- finding control characters is the point: they are escaped
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g
const escapeOne = (char: string) => {
  const code = char.charCodeAt(0)
  return code > 0xff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\x${code.toString(16).padStart(2, '0')}`
}

/**
 * `text` with every control character written as an escape (`\x1b`, `\x0d`, `\u2028`), so a request cannot
 * forge log lines or send escape sequences to the terminal that shows the log.
 * @example escapeControl('/a\r\nGET /forged') // '/a\\x0d\\x0aGET /forged'
 */
export function escapeControl(text: string): string {
  CONTROL.lastIndex = 0
  return CONTROL.test(text) ? text.replace(CONTROL, escapeOne) : text
}

/** One line per request, in the chosen format; `status` is `dropped` when the client never got an answer. */
export type RequestLog = (method: string, path: string, status: number | 'dropped', ms: number) => void

/**
 * The per-request log: `text` is `PUT /flextell/api/v1/users/1 200 1.2ms`, `json` one object per line with an ISO
 * timestamp (`{"time":…,"method":…,"path":…,"status":…,"ms":…}`). Every field is escaped either way.
 * @example const log = requestLog('json', (line) => process.stdout.write(`${line}\n`))
 */
export function requestLog(format: LogFormat, sink: LogSink): RequestLog {
  if (format === 'json') {
    return (method, path, status, ms) =>
      // JSON.stringify escapes C0 controls; DEL, C1 and the separators are escaped on top.
      sink(escapeControl(JSON.stringify({ time: new Date().toISOString(), method, path, status, ms: Math.round(ms * 10) / 10 })))
  }
  return (method, path, status, ms) => sink(`${escapeControl(method)} ${escapeControl(path)} ${status} ${ms.toFixed(1)}ms`)
}

// How long a log line may wait for others to share its write: unnoticeable to a person reading the log.
const FLUSH_MS = 10
const BUFFER_BYTES = 64 * 1024

/**
 * A sink that gathers the lines of up to `FLUSH_MS` and writes them in one call, so a busy server pays one stdout
 * write per 10 ms instead of one per request (logging was 6.5% of the server's time with a write per line). Lines
 * are encoded into a byte buffer as they come, not kept as strings: strings held for 10 ms outlive the young
 * generation's collections, and copying them there tripled the GC time of a logged request (flextell under load,
 * `bench/profile.ts flextell --log`, two runs each: GC 3.0 → 1.3 µs a request, 31–32 → 27–28 µs in all). What
 * is pending is written when the buffer is full, on `flush()` and at exit; the timer never keeps the process alive.
 * @example const sink = batchedSink((bytes) => process.stdout.write(bytes)); sink('GET / 200 0.3ms')
 */
export function batchedSink(write: (bytes: Buffer) => void): LogSink & { flush(): void } {
  let buffer = Buffer.allocUnsafe(BUFFER_BYTES)
  let length = 0
  let scheduled = false
  const flush = () => {
    scheduled = false
    if (length === 0) return
    const bytes = buffer.subarray(0, length)
    // A fresh buffer for what comes next: the stream may still hold this one (an async pipe, a slow terminal).
    buffer = Buffer.allocUnsafe(BUFFER_BYTES)
    length = 0
    write(bytes)
  }
  process.once('exit', flush)
  const sink = (line: string) => {
    // A UTF-16 unit takes at most 3 bytes of UTF-8; a line that could not fit even alone is written by itself.
    const most = line.length * 3 + 1
    if (length + most > buffer.length) {
      flush()
      if (most > buffer.length) return write(Buffer.from(`${line}\n`))
    }
    length += buffer.write(line, length)
    buffer[length++] = 10
    if (!scheduled) {
      scheduled = true
      setTimeout(flush, FLUSH_MS).unref()
    }
  }
  return Object.assign(sink, { flush })
}

let stdout: (LogSink & { flush(): void }) | undefined

/** The one batched sink onto process.stdout that every server in the process shares (one exit listener). */
export function stdoutSink(): LogSink & { flush(): void } {
  stdout ??= batchedSink((bytes) => void process.stdout.write(bytes))
  return stdout
}
