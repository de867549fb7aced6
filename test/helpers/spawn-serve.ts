import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const binPath = fileURLToPath(new URL('../../bin/apitwin.mjs', import.meta.url))

export interface SpawnedServer {
  readonly url: string
  readonly child: ChildProcess
  /** Everything the process printed so far. */
  output(): string
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

/**
 * Starts `apitwin serve --port 0` as its own process, the way a user runs it, and waits for its banner.
 * @example const server = await spawnServe(['--quiet']); …; await server.stop()
 */
export function spawnServe(args: readonly string[] = [], env: NodeJS.ProcessEnv = {}): Promise<SpawnedServer> {
  const child = spawn(process.execPath, [binPath, 'serve', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  })
  let output = ''
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`apitwin serve did not start in 20 s:\n${output}`)), 20_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /serving .* at (http:\/\/\S+)/.exec(output)
      if (match?.[1]) {
        clearTimeout(timer)
        resolve({
          url: match[1],
          child,
          output: () => output,
          stop: async (signal = 'SIGTERM') => {
            if (child.exitCode === null) child.kill(signal)
            return exited
          },
        })
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`apitwin serve exited with ${code} before it was ready:\n${output}`))
    })
  })
}
