import { apiNames, print, type Io } from './args.ts'
import { openapiCommand } from './commands/openapi.ts'
import { readingsCommand } from './commands/readings.ts'
import { serveCommand } from './commands/serve.ts'
import { verifyCommand } from './commands/verify.ts'
import { UsageError } from './usage-error.ts'

export type { Io } from './args.ts'

const mainHelp = `apitwin — mock server and contract test harness for ${apiNames}

Usage:
  apitwin serve [--port 4010] [--host 127.0.0.1] [--seed N] [--users N] [--quiet] [--reading API.RULE=VALUE …] [--config FILE]
  apitwin verify <api> [--base-url URL --token T --user-id ID …] [--allow-writes] [--strict] [--reporter default|junit|json]
  apitwin openapi [api]
  apitwin readings [api] [--reading API.RULE=VALUE …] [--config FILE] [--json]

Run "apitwin <command> --help" for a command's flags.`

/** Every command by name; each lives in its own file under server/commands/. */
const commands: Readonly<Record<string, (args: string[], io: Io) => Promise<number> | number>> = {
  serve: serveCommand,
  verify: verifyCommand,
  openapi: openapiCommand,
  readings: readingsCommand,
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
