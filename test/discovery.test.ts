import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type RunningServer } from '../server/serve.ts'
import type { DiscoveredApi } from '../server/discovery.ts'

let server: RunningServer
beforeAll(async () => {
  server = await startServer({ port: 0, log: () => {}, fastGlobals: false })
})
afterAll(async () => server.close())

describe('GET /__twin/apis', () => {
  it("lists the roles a client can assign, per API, and rails-users' outbox URL", async () => {
    const { apis } = (await (await fetch(`${server.url}/__twin/apis`)).json()) as { apis: DiscoveredApi[] }
    const byName = Object.fromEntries(apis.map((a) => [a.name, a]))
    expect(byName['flextell']?.roles).toEqual([
      { id: 121, name: 'Admin' },
      { id: 122, name: 'Manager' },
      { id: 123, name: 'Staff' },
      { id: 124, name: 'Viewer' },
    ])
    expect(byName['medibulut']?.roles).toEqual([
      { id: 'admin', number: 2 },
      { id: 'specialist', number: 3 },
      { id: 'personnel', number: 4 },
    ])
    expect(byName['gorules']?.roles).toHaveLength(5)
    expect(byName['gorules']?.roles?.[0]).toEqual({
      id: '3c90c3cc-0d44-4b50-8888-8dd25736052a',
      name: 'Rule author',
      description: 'Creates and edits decision models',
    })
    expect(byName['rails-users']?.roles).toBeUndefined()
    expect(byName['rails-users']?.outbox).toBe(`${server.url}/__twin/rails-users/outbox`)
    expect(byName['flextell']?.outbox).toBeUndefined()
  })

  it('gives URLs that answer: the outbox and each roles route', async () => {
    const { apis } = (await (await fetch(`${server.url}/__twin/apis`)).json()) as { apis: DiscoveredApi[] }
    for (const api of apis) {
      for (const url of Object.values(api.controls)) expect((await fetch(url)).status, url).toBe(200)
    }
    const outbox = apis.find((a) => a.name === 'rails-users')?.outbox
    expect(await (await fetch(String(outbox))).json()).toEqual({ emails: [] })
    const gorulesRoles = apis.find((a) => a.name === 'gorules')?.controls['roles']
    expect(((await (await fetch(String(gorulesRoles))).json()) as { roles: unknown[] }).roles).toEqual(
      apis.find((a) => a.name === 'gorules')?.roles,
    )
  })
})
