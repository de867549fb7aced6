import { validateReadings, type ReadingChoice } from '../contracts/provenance.ts'
import type { Account } from '../fixtures/account.ts'
import type { Journal, JournalEntry } from './journal.ts'
import { liveControls, parseFault, type ApiFault } from './live-controls.ts'
import type { Twin } from './start-twin.ts'

/** One inferred rule as the control page shows it: why we believe it, its readings, the default and the active one. */
export interface ReadingView {
  readonly rule: string
  readonly text: string
  readonly why: string
  readonly default: string
  readonly active: string
  /** Every reading, the default first: its value and what a server following it does. */
  readonly options: ReadonlyArray<{ readonly value: string; readonly description: string }>
}

/** One API as `GET /__twin/state` lists it: how to call it, its accounts, its readings and its fault. */
export interface ApiView {
  readonly name: string
  readonly title: string
  readonly method: string
  readonly path: string
  readonly baseUrl: string
  readonly accounts: readonly Account[]
  /** The API's read-only control routes (rails-users' `outbox`, …): name → URL. */
  readonly controls: Readonly<Record<string, string>>
  /** How many rules the vendor's doc states (documented); they have no readings. */
  readonly documented: number
  readonly readings: readonly ReadingView[]
  /** The rules whose active reading is not the default. */
  readonly changed: readonly string[]
  readonly fault: ApiFault | null
}

/** Everything the control page shows, in one answer. */
export interface ControlState {
  readonly seed: number
  readonly users: number
  readonly apis: readonly ApiView[]
}

/** What the control routes need from their transport (`apitwin serve`, or the MSW handlers in a browser). */
export interface ControlContext {
  readonly twin: Twin
  /** The origin the APIs are served at, for base URLs. */
  readonly origin: string
  /** The request journal, for `GET|DELETE /__twin/requests`; absent: those routes are left to the transport. */
  readonly journal?: Journal
  /** Called after every change (a reading, a fault, a reset): `--state` saves then. */
  readonly onChange?: () => void
}

/** A control request, transport-free: the body already parsed as JSON (undefined when there is none). */
export interface ControlCall {
  readonly method: string
  readonly path: string
  readonly query: URLSearchParams
  readonly body: unknown
}

/** A JSON answer: status and body; `allow` on a 405. */
export interface ControlAnswer {
  readonly status: number
  readonly body: unknown
  readonly allow?: string
}

/** The paths `controlApi` answers (the rest of `/__twin` is the transport's). */
export const CONTROL_API_PATH = /^\/__twin\/(state|readings|faults)(?:\/([^/]+))?$/

/** The rule books' views of one API, in rule-book order. */
function readingViews(twin: Twin, name: string): ReadingView[] {
  const api = twin.apis.find((a) => a.name === name)
  const chosen = twin.readings[name] ?? {}
  return Object.entries(api?.rules ?? {}).flatMap(([rule, { text, provenance }]) =>
    provenance.kind === 'inferred'
      ? [
          {
            rule,
            text,
            why: provenance.why,
            default: provenance.readings.default,
            active: chosen[rule] ?? provenance.readings.default,
            options: Object.entries(provenance.readings.options).map(([value, description]) => ({ value, description })),
          },
        ]
      : [],
  )
}

/**
 * Everything the control page shows: each API of the twin (whatever it holds, imported APIs included) with its
 * base URL, accounts and tokens, readings and fault.
 * @example controlState(twin, 'http://127.0.0.1:4010').apis[0]?.changed // [] until a reading is switched
 */
export function controlState(twin: Twin, origin: string): ControlState {
  const live = liveControls(twin)
  return {
    seed: twin.seed,
    users: twin.users,
    apis: twin.apis.map((api) => {
      const readings = readingViews(twin, api.name)
      return {
        name: api.name,
        title: api.title,
        method: api.method,
        path: api.path,
        baseUrl: `${origin}/${api.name}`,
        accounts: twin.accounts(api.name),
        controls: Object.fromEntries(
          Object.keys(twin.state(api.name).controls ?? {}).map((control) => [control, `${origin}/__twin/${api.name}/${control}`]),
        ),
        documented: Object.values(api.rules).filter((rule) => rule.provenance.kind === 'documented').length,
        readings,
        changed: readings.filter((reading) => reading.active !== reading.default).map((reading) => reading.rule),
        fault: live.faultOf(api.name) ?? null,
      }
    }),
  }
}

/**
 * Merges `{ rule: value }` into an API's readings (`null`, or the default, puts a rule back on its default) and
 * switches the API live. Answers the problems instead when a rule or value is unknown.
 */
async function switchReadings(twin: Twin, api: string, body: unknown): Promise<ControlAnswer> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return refuse(400, 'the body must be a JSON object of rule → reading, e.g. {"validation.status": "422"} (null: back to the default)')
  const rules = twin.apis.find((a) => a.name === api)?.rules ?? {}
  const next: Record<string, string> = { ...twin.readings[api] }
  const given: Record<string, string> = {}
  for (const [rule, value] of Object.entries(body)) {
    if (value === null) delete next[rule]
    else if (typeof value === 'string') given[rule] = value
    else return refuse(400, `${rule}: a reading is a string (or null for the default), got ${JSON.stringify(value)}`)
  }
  const problems = validateReadings(rules, given)
  if (problems.length > 0) return refuse(400, `${api} readings: ${problems.join('; ')}`)
  for (const [rule, value] of Object.entries(given)) {
    const found = rules[rule]
    // Kept only where it differs, so "which readings differ from the defaults" is the choice itself.
    if (found?.provenance.kind === 'inferred' && found.provenance.readings.default === value) delete next[rule]
    else next[rule] = value
  }
  await twin.setReadings(api, next)
  return { status: 200, body: readingsOf(twin, api) }
}

function readingsOf(twin: Twin, api: string): { api: string; readings: ReadingView[]; chosen: ReadingChoice } {
  return { api, readings: readingViews(twin, api), chosen: twin.readings[api] ?? {} }
}

function refuse(status: number, message: string): ControlAnswer {
  return { status, body: { message } }
}

/** `%`-decoded, or as given when that is not valid percent-encoding (then no API has that name: 404). */
function decoded(raw: string): string {
  try {
    return decodeURIComponent(raw)
  } catch {
    return raw
  }
}

const only = (path: string, allow: string): ControlAnswer => ({ status: 405, body: { message: `${path} answers ${allow}` }, allow })

/**
 * The control page's JSON API, the same for `apitwin serve` and the browser panel's MSW handlers:
 * `GET /__twin/state`; `GET /__twin/readings`, `PUT|DELETE /__twin/readings/<api>`; `GET /__twin/faults`,
 * `PUT|DELETE /__twin/faults/<api>`; with a journal, `GET|DELETE /__twin/requests` and `POST /__twin/reset`.
 * Answers undefined for any other path. Who may call it (Host, origin, content type) is the transport's check.
 * @example await controlApi({ twin, origin }, { method: 'PUT', path: '/__twin/faults/flextell', query, body: { fail: '503' } })
 */
export async function controlApi(context: ControlContext, { method, path, query, body }: ControlCall): Promise<ControlAnswer | undefined> {
  const { twin, journal } = context
  if (journal && path === '/__twin/requests') {
    if (method === 'DELETE') {
      journal.clear()
      return { status: 200, body: { cleared: true } }
    }
    if (method !== 'GET') return only(path, 'GET, DELETE')
    const after = Number(query.get('after') ?? 0)
    const requests: JournalEntry[] = journal.list(Number.isFinite(after) ? after : 0)
    return { status: 200, body: { limit: journal.size, requests } }
  }
  if (journal && path === '/__twin/reset') {
    if (method !== 'POST') return only(path, 'POST')
    await twin.reset()
    context.onChange?.()
    return { status: 200, body: { reset: true, seed: twin.seed, users: twin.users } }
  }
  const match = CONTROL_API_PATH.exec(path)
  if (!match) return undefined
  const [, kind, rawApi] = match
  if (rawApi === undefined) {
    if (method !== 'GET') return only(path, 'GET')
    if (kind === 'state') return { status: 200, body: controlState(twin, context.origin) }
    if (kind === 'readings')
      return { status: 200, body: { apis: Object.fromEntries(twin.apis.map((api) => [api.name, readingViews(twin, api.name)])) } }
    return {
      status: 200,
      body: { faults: Object.fromEntries(twin.apis.map((api) => [api.name, liveControls(twin).faultOf(api.name) ?? null])) },
    }
  }
  const api = decoded(rawApi)
  if (kind === 'state' || !twin.apis.some((a) => a.name === api))
    return refuse(404, `No API "${api}" in this twin; it runs ${twin.apis.map((a) => a.name).join(', ')}`)
  if (method !== 'PUT' && method !== 'DELETE') return only(path, 'PUT, DELETE')
  let answer: ControlAnswer
  if (kind === 'readings') {
    if (method === 'DELETE') {
      await twin.setReadings(api, {})
      answer = { status: 200, body: readingsOf(twin, api) }
    } else {
      answer = await switchReadings(twin, api, body)
    }
  } else {
    const fault = method === 'DELETE' ? undefined : parseFault(body)
    if (typeof fault === 'string') return refuse(400, fault)
    liveControls(twin).setFault(api, fault)
    answer = { status: 200, body: { api, fault: liveControls(twin).faultOf(api) ?? null } }
  }
  if (answer.status === 200) context.onChange?.()
  return answer
}
