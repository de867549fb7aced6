import { parseArgs, type ParseArgsConfig } from 'node:util'
import { apis } from '../handlers/twin.ts'
import type { Env } from './env.ts'
import { UsageError } from './usage-error.ts'

/** The API slugs, as the CLI lists them in help and errors. */
export const apiNames = apis.map((a) => a.name).join(', ')

/** Where a command writes and what environment it reads; a test passes its own. */
export interface Io {
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
  readonly env: Env
  /** stderr is a terminal: commands may draw progress there. */
  readonly stderrIsTTY?: boolean
  /** stdout is a terminal: human output may use colour. */
  readonly stdoutIsTTY?: boolean
}

export type Values = Record<string, string | boolean | undefined>

/** Parses flags, filling unset ones from APITWIN_* variables (`--peer-user-id` ← APITWIN_PEER_USER_ID). */
export function parse(args: string[], options: NonNullable<ParseArgsConfig['options']>, env: Env) {
  let parsed
  try {
    // `--seed -1` is "argument is ambiguous" to parseArgs; joined as `--seed=-1` it reaches the range check.
    const joined: string[] = []
    for (const arg of args) {
      const previous = joined[joined.length - 1]
      if (previous !== undefined && /^-\d/.test(arg) && /^--[^=]+$/.test(previous) && options[previous.slice(2)]?.type === 'string')
        joined[joined.length - 1] = `${previous}=${arg}`
      else joined.push(arg)
    }
    args = joined
    parsed = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true })
  } catch (error) {
    // node's own text ("Unknown option '--x'. To specify a positional argument …") is longer than the problem.
    const message = (error as Error).message
    const unknown = /^Unknown option '([^']+)'/.exec(message)
    throw new UsageError(
      unknown
        ? `unknown flag ${unknown[1]}; run with --help to see the flags`
        : `${message.split('\n')[0]}; run with --help to see the flags`,
    )
  }
  const values: Values = { ...parsed.values }
  for (const [name, option] of Object.entries(options)) {
    if (values[name] !== undefined) continue
    const fromEnv = env[`APITWIN_${name.toUpperCase().replaceAll('-', '_')}`]
    if (fromEnv === undefined || fromEnv === '') continue
    values[name] = option.type === 'boolean' ? /^(1|true|yes|on)$/i.test(fromEnv) : fromEnv
  }
  return { values, positionals: parsed.positionals }
}

export function integer(values: Values, name: string, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}): number | undefined {
  const raw = values[name]
  if (raw === undefined) return undefined
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min || value > max)
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${String(raw)}"`)
  return value
}

export const str = (values: Values, name: string) => (typeof values[name] === 'string' ? values[name] : undefined)

/** Prints `text` (a command's --help) and answers exit code 0. */
export function print(io: Io, text: string): number {
  io.stdout(`${text}\n`)
  return 0
}
