/*
 * What the HTTP benches share: pinning a process to one core (servers on core 0, the load generator on core 1, where
 * taskset and two cores exist) and one autocannon load, parsed. bench/put.ts and bench/imported.ts both load this way.
 */
import { spawnSync } from 'node:child_process'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'

export const cores = availableParallelism()
/** Whether processes are pinned at all: a machine without taskset or with one core runs them where the OS likes. */
export const pinned = cores >= 2 && spawnSync('sh', ['-c', 'command -v taskset']).status === 0

/**
 * `command` run on `core` (through taskset), or as it is where nothing can be pinned.
 * @example spawnSync(...pin(1, ['node', 'bench/latency.mjs']))
 */
export function pin(core: number, command: readonly string[]): string[] {
  return pinned ? ['taskset', '-c', String(core), ...command] : [...command]
}

/** The middle value (the upper one of an even count); NaN for none. */
export const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN

const autocannon = fileURLToPath(import.meta.resolve('autocannon/autocannon.js'))

/** One request as autocannon repeats it. */
export interface LoadRequest {
  readonly method: string
  readonly url: string
  readonly token: string
  readonly body: string
}

/** What one autocannon load measured. */
export interface LoadResult {
  readonly rps: number
  readonly total: number
  readonly p50: number
  readonly p99: number
  readonly non2xx: number
  /** Errors and timeouts. */
  readonly errors: number
}

/**
 * One autocannon load of `request` (JSON body, bearer token) from core 1: `connections` for `seconds`.
 * @example autocannonLoad({ method: 'PUT', url, token, body: '{}' }, { connections: '50', seconds: '5' }).rps
 */
export function autocannonLoad(request: LoadRequest, { connections, seconds }: { connections: string; seconds: string }): LoadResult {
  const [bin, ...rest] = pin(1, [
    'node',
    autocannon,
    '--json',
    '-c',
    connections,
    '-d',
    seconds,
    '-m',
    request.method,
    '-I',
    '-b',
    request.body,
    '-H',
    'content-type=application/json',
    '-H',
    `authorization=Bearer ${request.token}`,
    request.url,
  ])
  const run = spawnSync(bin as string, rest, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  const result = JSON.parse(run.stdout) as {
    requests: { average: number; total: number }
    latency: { p50: number; p99: number }
    non2xx: number
    errors: number
    timeouts: number
  }
  return {
    rps: result.requests.average,
    total: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  }
}
