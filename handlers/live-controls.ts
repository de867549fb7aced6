import { MAX_DELAY_MS, type FailMode, type Faults } from './faults.ts'
import type { Journal } from './journal.ts'
import type { Twin } from './start-twin.ts'

/** A fault that applies to every request of one API until turned off (the control page's switches). */
export interface ApiFault {
  /** Held this long before answering (0–60000 ms). */
  readonly delayMs: number
  /** Replaces the answer: 500, 503, or a dropped connection; null for a real answer (after the delay). */
  readonly fail: FailMode | null
}

/**
 * What the control page steers besides readings, kept beside a twin so that `apitwin serve` and the MSW handlers
 * (browser panel) meet the same state: faults per API, and, in the browser, the request journal.
 */
export class LiveControls {
  /** Faults by API name; an API without one answers normally. */
  readonly #faults = new Map<string, ApiFault>()
  /**
   * False while no API has a fault: the request path then checks one boolean, never the map (the benchmark's case,
   * and almost always a user's).
   */
  anyFault = false
  /** The journal the MSW handlers write to; set by `controlHandlers` (apitwin/panel), absent otherwise. */
  journal: Journal | undefined

  faultOf(api: string): ApiFault | undefined {
    return this.anyFault ? this.#faults.get(api) : undefined
  }

  /** Sets one API's fault; `undefined`, or a fault that neither delays nor fails, turns it off. */
  setFault(api: string, fault: ApiFault | undefined): void {
    if (fault === undefined || (fault.delayMs === 0 && fault.fail === null)) this.#faults.delete(api)
    else this.#faults.set(api, { delayMs: fault.delayMs, fail: fault.fail })
    this.anyFault = this.#faults.size > 0
  }

  /** Every API's fault that is on, by name (what the state file keeps). */
  faults(): Record<string, ApiFault> {
    return Object.fromEntries(this.#faults)
  }
}

const kept = new WeakMap<Twin, LiveControls>()

/**
 * The live controls of a twin, made on first use. Keyed by the twin in a WeakMap rather than a field of `Twin`, so
 * twins built anywhere (a test's wrapper, another entry point) share the mechanism without changing their shape.
 * @example liveControls(twin).setFault('flextell', { delayMs: 0, fail: '503' }) // every flextell request: 503
 */
export function liveControls(twin: Twin): LiveControls {
  let found = kept.get(twin)
  if (!found) kept.set(twin, (found = new LiveControls()))
  return found
}

/**
 * The controls of a twin if it has any, without making them: what a request handler asks (nothing made per twin
 * that nobody steers).
 * @example peekControls(twin)?.faultOf('flextell')
 */
export function peekControls(twin: Twin): LiveControls | undefined {
  return kept.get(twin)
}

/**
 * A request's own fault headers over its API's standing fault: the header's failure wins, a header delay replaces
 * the standing one (`X-Twin-Delay: 0` cannot cancel it; turn the API's fault off instead).
 * @example withApiFault({ delayMs: 0 }, { delayMs: 800, fail: null }) // { delayMs: 800 }
 */
export function withApiFault(
  faults: Faults | { readonly error: string },
  standing: ApiFault | undefined,
): Faults | { readonly error: string } {
  if (standing === undefined || 'error' in faults) return faults
  const delayMs = faults.delayMs > 0 ? faults.delayMs : standing.delayMs
  const fail = faults.fail ?? standing.fail ?? undefined
  return fail === undefined ? { delayMs } : { delayMs, fail }
}

/**
 * Checks a fault as the JSON API receives it (`{ "delayMs": 800, "fail": "503" }`); a problem is returned as text.
 * @example parseFault({ fail: 'network' }) // { delayMs: 0, fail: 'network' }
 */
export function parseFault(value: unknown): ApiFault | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'the body must be a JSON object such as {"delayMs": 800, "fail": "503"}'
  const { delayMs = 0, fail = null, ...rest } = value as Record<string, unknown>
  const unknown = Object.keys(rest)
  if (unknown.length > 0) return `unknown keys ${unknown.join(', ')}; a fault has delayMs and fail`
  if (typeof delayMs !== 'number' || !Number.isInteger(delayMs) || delayMs < 0 || delayMs > MAX_DELAY_MS)
    return `delayMs must be a whole number of milliseconds from 0 to ${MAX_DELAY_MS}, got ${JSON.stringify(delayMs)}`
  if (fail !== null && fail !== '500' && fail !== '503' && fail !== 'network')
    return `fail must be "500", "503", "network" or null, got ${JSON.stringify(fail)}`
  return { delayMs, fail }
}
