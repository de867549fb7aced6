import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { main } from '../server/cli.ts'
import { loadConfig } from '../server/config.ts'
import { UsageError } from '../server/usage-error.ts'
import { startGalaxy } from './independent/galaxy-server.ts'

const galaxyFile = createRequire(import.meta.url).resolve('@scalar/galaxy/3.1.yaml')
let folder = ''
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'apitwin-config-targets-'))
})
afterAll(async () => {
  await rm(folder, { recursive: true, force: true })
})

async function configFile(name: string, config: unknown): Promise<string> {
  const file = join(folder, name)
  await writeFile(file, JSON.stringify(config))
  return file
}

describe('config "targets" for imported APIs (issue 18)', () => {
  it('accepts a target for an API declared under "apis", beside the four', async () => {
    const file = await configFile('imported.json', {
      apis: { galaxy: { openapi: galaxyFile } },
      targets: {
        galaxy: { baseUrl: 'http://127.0.0.1:9/v1', accounts: { actor: { userId: 'me', token: '${GALAXY_TOKEN}' } } },
        flextell: { baseUrl: 'http://127.0.0.1:9/flextell' },
      },
    })
    const config = await loadConfig(file, { GALAXY_TOKEN: 't0ken' })
    expect(config.targets?.['galaxy']?.accounts?.actor.token).toBe('t0ken')
    expect(Object.keys(config.targets ?? {})).toEqual(['galaxy', 'flextell'])
  })

  it('refuses an unknown name in one line naming every API that exists, imported ones included', async () => {
    const file = await configFile('typo.json', {
      apis: { galaxy: { openapi: galaxyFile } },
      targets: { galaxie: { baseUrl: 'http://127.0.0.1:9/v1' } },
    })
    const error = await loadConfig(file, {}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UsageError)
    expect((error as Error).message).toBe(
      `config file ${file}: targets: unknown API "galaxie"; choose from flextell, rails-users, medibulut, gorules, galaxy`,
    )
    expect((error as Error).message).not.toContain('\n')
  })

  it('verify <imported> takes its base URL and actor from the target', async () => {
    const token = 'config-target-token-1'
    const server = await startGalaxy(token)
    try {
      const file = await configFile('verify.json', {
        apis: { galaxy: { openapi: galaxyFile } },
        targets: { galaxy: { baseUrl: server.url, accounts: { actor: { userId: 'me', token: '${GALAXY_TOKEN}' } } } },
      })
      let stdout = ''
      let stderr = ''
      const code = await main(['verify', 'galaxy', '--config', file, '--reporter', 'json', '--max-cases', '2'], {
        stdout: (t) => void (stdout += t),
        stderr: (t) => void (stderr += t),
        env: { GALAXY_TOKEN: token },
      })
      expect(stderr).toBe('')
      expect(code, stdout).toBe(0)
      expect(JSON.parse(stdout)).toMatchObject({ api: 'galaxy', target: server.url })
      expect(stdout).not.toContain(token)
    } finally {
      await server.close()
    }
  }, 60_000)
})
