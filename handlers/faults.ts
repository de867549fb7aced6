/** The longest `X-Twin-Delay` accepted; longer is refused (400), never silently clamped. */
export const MAX_DELAY_MS = 60_000

export type FailMode = '500' | '503' | 'network'
const FAIL_MODES: readonly FailMode[] = ['500', '503', 'network']

/** What a request asked for with `X-Twin-Delay` / `X-Twin-Fail`. */
export interface Faults {
  readonly delayMs: number
  readonly fail?: FailMode
}

/**
 * Reads the fault-injection headers, the same way for `apitwin serve` and the MSW handlers (browser included):
 * `X-Twin-Delay: <ms>` (0–60000) holds the answer, `X-Twin-Fail: 500|503|network` replaces it. A value out of
 * range is a usage mistake, answered `{ error }` so the caller can refuse it with 400 naming the allowed range.
 * @example readFaults(request.headers) // { delayMs: 1500 } for "X-Twin-Delay: 1500"
 */
export function readFaults(headers: Pick<Headers, 'get'>): Faults | { readonly error: string } {
  const delay = headers.get('x-twin-delay')
  const fail = headers.get('x-twin-fail')
  let delayMs = 0
  if (delay !== null) {
    delayMs = /^\s*\d+\s*$/.test(delay) ? Number(delay) : Number.NaN
    if (!(delayMs >= 0 && delayMs <= MAX_DELAY_MS))
      return { error: `X-Twin-Delay must be a whole number of milliseconds from 0 to ${MAX_DELAY_MS}, got "${delay}"` }
  }
  if (fail === null) return { delayMs }
  const mode = FAIL_MODES.find((m) => m === fail.trim().toLowerCase())
  if (!mode) return { error: `X-Twin-Fail must be one of ${FAIL_MODES.join(', ')}, got "${fail}"` }
  return { delayMs, fail: mode }
}

/** The body of an injected failure; cross-origin readable like every answer, or a browser reports CORS instead. */
export function injectedFailure(mode: '500' | '503'): { status: number; body: { message: string }; headers?: Record<string, string> } {
  return mode === '500'
    ? { status: 500, body: { message: 'Injected failure (X-Twin-Fail: 500)' } }
    : { status: 503, body: { message: 'Injected failure (X-Twin-Fail: 503)' }, headers: { 'retry-after': '1' } }
}
