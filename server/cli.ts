import { apiNames, print, type Io } from './args.ts'
import { UsageError } from './usage-error.ts'

export type { Io } from './args.ts'

const mainHelp = `apitwin — mock server and contract test harness for ${apiNames}

Usage:
  apitwin serve [--port 4010] [--host 127.0.0.1] [--seed N] [--users N] [--state FILE] [--body-limit 1mb] [--quiet] [--reading API.RULE=VALUE …] [--config FILE] [--openapi [NAME=]FILE …]
  apitwin verify <api> [--base-url URL --token T --user-id ID …] [--allow-writes] [--strict] [--reporter default|junit|json]
  apitwin openapi [api]
  apitwin readings [api] [--reading API.RULE=VALUE …] [--config FILE] [--openapi [NAME=]FILE …] [--json]
  apitwin diff <api> --base-url URL [--token T --user-id ID …] [--config FILE] [--allow-writes] [--strict] [--reporter default|json|junit]
  apitwin calibrate <api> --base-url URL [--token T --user-id ID …] [--allow-writes] [--write FILE]

Run "apitwin <command> --help" for a command's flags.`

/**
 * Every command by name; each lives in its own file under server/commands/, loaded only when it runs: `serve`
 * must not pay for `verify`'s msw/node and suites (measured: 0.2 s of CPU at every start).
 */
const commands: Readonly<Record<string, (args: string[], io: Io) => Promise<number> | number>> = {
  serve: async (args, io) => (await import('./commands/serve.ts')).serveCommand(args, io),
  verify: async (args, io) => (await import('./commands/verify.ts')).verifyCommand(args, io),
  openapi: async (args, io) => (await import('./commands/openapi.ts')).openapiCommand(args, io),
  readings: async (args, io) => (await import('./commands/readings.ts')).readingsCommand(args, io),
  diff: async (args, io) => (await import('./commands/diff.ts')).diffCommand(args, io),
  calibrate: async (args, io) => (await import('./commands/calibrate.ts')).calibrateCommand(args, io),
}

/**
 * Runs one CLI invocation and resolves to its exit code. `serve` resolves only once the server has stopped.
 * @example process.exitCode = await main(['verify', 'flextell'], { stdout, stderr, env: process.env })
 */
export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv
  try {
    if (command === undefined || command === 'help' || command === '--help' || command === '-h') return print(io, mainHelp)
    const run = commands[command]
    if (!run) throw new UsageError(`unknown command "${command}"; commands: ${Object.keys(commands).join(', ')} (apitwin --help)`)
    return await run(rest, io)
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`apitwin: ${error.message}\n`)
      return 2
    }
    throw error
  }
}
