import { spawn } from 'node:child_process'
import { main } from '../../server/cli.ts'
import { binPath } from './spawn-serve.ts'

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

/**
 * Runs `bin/apitwin.mjs` as a process, as a user's shell does (the built package: `npm run build` first), without
 * blocking this one: a server the test runs in-process keeps answering it. Only PATH and `env` reach it.
 * @example const { code, stdout } = await spawnCli(['calibrate', 'gorules', ...flags], { cwd: folder })
 */
export function spawnCli(
  args: readonly string[],
  { cwd, env = {} }: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binPath, ...args], {
      ...(cwd !== undefined && { cwd }),
      env: { PATH: process.env['PATH'], ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => void (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()))
    child.once('error', reject)
    child.once('exit', (code) => resolve({ code, stdout, stderr }))
  })
}
