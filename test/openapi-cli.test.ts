import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { spawnServe, type SpawnedServer } from './helpers/spawn-serve.ts'
import { runCli } from './helpers/run-cli.ts'

// `apitwin serve --openapi`, the config file's "apis", `apitwin readings <imported>`, reset and --state, as a
// user runs them: the real CLI as a process where serving is the point, in-process for one-shot commands.
const require = createRequire(import.meta.url)
const galaxy = require.resolve('@scalar/galaxy/3.1.yaml')
const petstore = require.resolve('@readme/oas-examples/3.0/json/petstore.json')

const running: SpawnedServer[] = []
const folders: string[] = []
afterEach(async () => {
  for (const server of running.splice(0)) await server.stop()
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'apitwin-openapi-'))
  folders.push(dir)
  return dir
}

interface Api {
  name: string
  baseUrl: string
  operations?: unknown[]
  accounts: Array<{ credentials?: Record<string, { value: string }> }>
  controls: Record<string, string>
}

async function apiOf(server: SpawnedServer, name: string): Promise<Api> {
  const { apis } = (await (await fetch(`${server.url}/__twin/apis`)).json()) as { apis: Api[] }
  const found = apis.find((a) => a.name === name)
  if (!found) throw new Error(`${name} is not served: ${apis.map((a) => a.name).join(', ')}`)
  return found
}

describe('apitwin serve --openapi', () => {
  it('mounts the document beside the four, keeps its changes in --state, and resets them', async () => {
    const dir = folder()
    const state = join(dir, 'state.json')
    let server = await spawnServe(['--quiet', '--openapi', `galaxy=${galaxy}`, '--state', state])
    running.push(server)
    expect(server.output()).toMatch(/serving flextell, rails-users, medibulut, gorules, galaxy at/)
    let api = await apiOf(server, 'galaxy')
    expect(api.operations?.length).toBeGreaterThan(5)
    const auth = { authorization: api.accounts[0]?.credentials?.['bearerAuth']?.value ?? '', 'content-type': 'application/json' }
    const created = await fetch(`${api.baseUrl}/planets`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ name: 'Vulcan', type: 'terrestrial' }),
    })
    expect(created.status).toBe(201)
    const { id } = (await created.json()) as { id: number }
    const gone = await fetch(`${api.baseUrl}/planets/1`, { method: 'DELETE', headers: auth })
    expect(gone.status).toBe(204)
    expect(await server.stop()).toBe(0)
    running.splice(0)

    server = await spawnServe(['--quiet', '--openapi', `galaxy=${galaxy}`, '--state', state])
    running.push(server)
    api = await apiOf(server, 'galaxy')
    expect(await (await fetch(`${api.baseUrl}/planets/${id}`)).json()).toMatchObject({ id, name: 'Vulcan' })
    expect((await fetch(`${api.baseUrl}/planets/1`)).status).toBe(404)
    expect((await fetch(`${server.url}/__twin/reset`, { method: 'POST' })).status).toBe(200)
    expect((await fetch(`${api.baseUrl}/planets/${id}`)).status).toBe(404)
    expect((await fetch(`${api.baseUrl}/planets/1`)).status).toBe(200)
  })

  it('reads "apis" from the config file (files relative to it), with readings beside the document', async () => {
    const dir = folder()
    copyFileSync(petstore, join(dir, 'pets.json'))
    writeFileSync(
      join(dir, 'apitwin.config.json'),
      JSON.stringify({ apis: { pets: { openapi: './pets.json', readings: { 'delete.then': '410' } } } }),
    )
    const listed = await runCli(['readings', 'pets', '--config', join(dir, 'apitwin.config.json')])
    expect(listed.code).toBe(0)
    expect(listed.stdout).toMatch(/\* pets\.delete\.then=410 \(active\)/)
    expect(listed.stdout).toMatch(/pets\.validation\.status \[documented\]/)
    const server = await spawnServe(['--quiet', '--config', join(dir, 'apitwin.config.json')])
    running.push(server)
    const api = await apiOf(server, 'pets')
    const bearer = api.accounts[0]?.credentials?.['petstore_auth']?.value ?? ''
    expect((await fetch(`${api.baseUrl}/pet/2`, { method: 'DELETE', headers: { authorization: bearer } })).status).toBeLessThan(300)
    const key = api.accounts[0]?.credentials?.['api_key']?.value ?? ''
    expect((await fetch(`${api.baseUrl}/pet/2`, { headers: { api_key: key } })).status).toBe(410)
  })

  it('refuses what it cannot model in one line (exit 2), never a stack trace', async () => {
    const dir = folder()
    writeFileSync(join(dir, 'swagger.json'), JSON.stringify({ swagger: '2.0', info: { title: 'old' }, paths: {} }))
    writeFileSync(
      join(dir, 'remote.yaml'),
      'openapi: 3.1.0\ninfo: {title: r, version: "1"}\npaths:\n  /a:\n    get:\n      responses:\n        "200":\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: "https://example.com/a.json"}\n',
    )
    for (const [file, message] of [
      ['swagger.json', /swagger\.json #\/swagger: Swagger 2\.0 is not supported/],
      [
        'remote.yaml',
        /#\/paths\/~1a\/get\/responses\/200\/content\/application~1json\/schema\/\$ref: the \$ref "https:\/\/example\.com\/a\.json" points outside the document/,
      ],
      ['missing.yaml', /cannot read .*missing\.yaml \(no such file\)/],
    ] as const) {
      const result = await runCli(['readings', '--openapi', join(dir, file)])
      expect(result.code, file).toBe(2)
      expect(result.stderr).toMatch(message)
      expect(result.stderr.trim().split('\n')).toHaveLength(1)
    }
    const wrong = await runCli(['readings', '--openapi', `pets=${petstore}`, '--reading', 'pets.delete.then=200'])
    expect(wrong.code).toBe(2)
    expect(wrong.stderr).toMatch(/pets: delete\.then: "200" is not a reading; choose one of 404, 410/)
  })
})
