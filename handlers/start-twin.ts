import { mergeLearned, type LearnedByRule } from '../contracts/learned.ts'
import type { ReadingChoice } from '../contracts/provenance.ts'
import type { Account, SeedOptions } from '../fixtures/account.ts'
import { DEFAULT_SEED, DEFAULT_USERS } from '../fixtures/faker.ts'
import { applyLearned } from './learned-replies.ts'
import { bodyIdSwaps, paramPlaceholder, swapsOf } from './placeholders.ts'
import type { ApiState, TwinApi } from './twin-api.ts'

export interface TwinOptions extends SeedOptions {
  /** Which APIs to run (default: all the entry point knows: every API for `apitwin`, one for `apitwin/handlers/<api>`). */
  readonly apis?: readonly TwinApi[]
  /**
   * The reading each API's mock follows, per inferred rule: `{ medibulut: { 'tenant.forbidden': '404' } }`.
   * Unnamed rules follow their default; an unknown rule or value throws naming the allowed ones.
   */
  readonly readings?: Readonly<Record<string, ReadingChoice>>
  /**
   * Learned dialect pieces per API (`apitwin calibrate --write` keeps them in the config file's "learned"): the
   * server's own wording, error bodies and statuses, applied to the mock's refusals.
   */
  readonly learned?: Readonly<Record<string, LearnedByRule>>
  /** Called as each API finishes seeding (at start and on every reset), e.g. to print progress. */
  readonly onProgress?: (progress: SeedProgress) => void
}

/** How far seeding has come: `done` of `total` APIs are seeded, the latest being `api`. */
export interface SeedProgress {
  readonly api: string
  readonly done: number
  readonly total: number
}

/** A running set of mocked APIs over seeded data; `reset()` puts every API back to its seeded state. */
export interface Twin {
  readonly seed: number
  readonly users: number
  readonly apis: readonly TwinApi[]
  /** The readings each API follows now, per API (only what was chosen; defaults are implied); `setReadings` changes them. */
  readonly readings: Readonly<Record<string, ReadingChoice>>
  /** The learned pieces the twin applies, per API. */
  readonly learned: Readonly<Record<string, LearnedByRule>>
  state(name: string): ApiState
  /**
   * Switches one API to other readings while it runs (the control page): the next request meets them, the data
   * stays. An unknown rule or value throws naming the allowed ones, and the API keeps its readings.
   */
  setReadings(name: string, choice: ReadingChoice): Promise<void>
  accounts(name: string): readonly Account[]
  reset(): Promise<void>
}

/**
 * Seeds the given APIs and keeps their state. Knows no API by itself, so an entry point that imports one API
 * (`apitwin/handlers/flextell`) bundles only that one; `createTwin` is this over every API.
 * @example const twin = await startTwin([flextellApi], { seed: 7 })
 */
export async function startTwin(
  selected: readonly TwinApi[],
  {
    seed = DEFAULT_SEED,
    users = DEFAULT_USERS,
    onProgress,
    readings = {},
    learned = {},
  }: SeedOptions & Pick<TwinOptions, 'onProgress' | 'readings' | 'learned'> = {},
): Promise<Twin> {
  if (selected.length === 0) throw new Error('A twin needs at least one API; pass e.g. { apis: [flextellApi] } or leave apis out for all')
  const states = new Map<string, ApiState>()
  // A copy: setReadings changes it, never the caller's object.
  const current: Record<string, ReadingChoice> = { ...readings }
  const reset = async () => {
    let done = 0
    const started = await Promise.all(
      selected.map(async (api) => {
        const state = withLearned(await api.start({ seed, users }, current[api.name], learned[api.name]), learned[api.name], api.path)
        onProgress?.({ api: api.name, done: ++done, total: selected.length })
        return [api.name, state] as const
      }),
    )
    for (const [name, state] of started) states.set(name, state)
  }
  await reset()
  const state = (name: string): ApiState => {
    const found = states.get(name)
    if (!found) throw new Error(`Unknown API "${name}"; this twin runs: ${selected.map((a) => a.name).join(', ')}`)
    return found
  }
  // A reading can shape the seeded data itself (an e-mail index that folds case or not), so a switch starts the API
  // afresh under the new readings and carries its records over, as `--state` does across a restart. The resolver
  // still reads readings prepared once per start: the request path pays nothing for switching.
  const setReadings = async (name: string, choice: ReadingChoice) => {
    const api = selected.find((a) => a.name === name)
    if (!api) throw new Error(`Unknown API "${name}"; this twin runs: ${selected.map((a) => a.name).join(', ')}`)
    const next = withLearned(await api.start({ seed, users }, choice, learned[name]), learned[name], api.path)
    // The records move over and the new state takes over in one synchronous step (restore does its work before it
    // returns): no request can write to the old state in between and be lost.
    const moved = next.restore(state(name).snapshot())
    states.set(name, next)
    await moved
    if (Object.keys(choice).length === 0) delete current[name]
    else current[name] = { ...choice }
  }
  return { seed, users, apis: selected, readings: current, learned, state, accounts: (name) => state(name).accounts, reset, setReadings }
}

/** The state with its refusals answered as learned (no learned pieces: the state itself, no cost per request). */
function withLearned(state: ApiState, byRule: LearnedByRule | undefined, documentedPath: string): ApiState {
  if (byRule === undefined || Object.keys(byRule).length === 0) return state
  const learned = mergeLearned(byRule)
  const accounts = state.accounts.flatMap((a) =>
    (['email', 'token', 'userId', 'tenant'] as const).map((field) => [a[field], `<${a.label}.${field}>`] as const),
  )
  return {
    ...state,
    resolve: async (request, params, operation) => {
      // The body is read once and kept, so a refusal's texts can be matched to the kind of value each field was sent.
      let text: Promise<string> | undefined
      const kept = { headers: request.headers, url: request.url, text: () => (text ??= request.text()) }
      const reply = await state.resolve(kept, params, operation)
      const sent = reply.status >= 400 ? parsedOrUndefined(await kept.text().catch(() => '')) : undefined
      // An imported API names the operation (`PUT /planets/{planetId}`), the four have one documented path: filled,
      // it is what a body echoes (Nest's exception filter's `path`).
      const template = operation?.slice(operation.indexOf(' ') + 1) ?? documentedPath
      const path = template?.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ''))
      // The request's path ids first: an id the request names is the request's, even where an account has it too.
      return applyLearned(
        reply,
        learned,
        [
          ...swapsOf(Object.entries(params).map(([name, value]) => [value, paramPlaceholder(name, value ?? '')] as const)),
          ...bodyIdSwaps(sent),
          ...swapsOf(accounts),
        ],
        { ...(path !== undefined && { path }), sent },
      )
    },
  }
}

function parsedOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

/**
 * One shared twin, created on first use, for ready-made handlers. Asking it again with other seed options is an
 * error, not silently ignored: the first caller (often the first request through `handlers`) already seeded it.
 * @example const defaultTwin = sharedTwin((options) => startTwin([flextellApi], options))
 */
export function sharedTwin(start: (options: SeedOptions) => Promise<Twin>): (options?: SeedOptions) => Promise<Twin> {
  let shared: { readonly seed: number; readonly users: number; readonly twin: Promise<Twin> } | undefined
  return (options = {}) => {
    const seed = options.seed ?? DEFAULT_SEED
    const users = options.users ?? DEFAULT_USERS
    if (!shared) {
      shared = { seed, users, twin: start({ seed, users }) }
      return shared.twin
    }
    if ((options.seed !== undefined && seed !== shared.seed) || (options.users !== undefined && users !== shared.users)) {
      throw new Error(
        `defaultTwin() already exists with seed ${shared.seed} and ${shared.users} users; it cannot be re-seeded with ` +
          `${JSON.stringify(options)}. Call defaultTwin(${JSON.stringify(options)}) before the first request reaches the ready-made handlers, ` +
          'or build your own twin: twinHandlers(await createTwin(options)).',
      )
    }
    return shared.twin
  }
}
