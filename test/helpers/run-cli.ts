import { main } from '../../server/cli.ts'

/**
 * Runs the CLI in this process with an empty environment, as a user types it: its exit code and what it printed.
 * Tests where the process itself is the point (exit code, no stack trace) spawn `bin/apitwin.mjs` instead.
 * @example const { code, stdout } = await runCli(['readings', 'gorules'])
 */
export async function runCli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const code = await main([...args], { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env: {} })
  return { code, stdout, stderr }
}
