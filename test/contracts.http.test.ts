import { afterAll, beforeAll } from 'vitest'
import { suites } from '../suites/suites.ts'
import type { Target } from '../suites/target.ts'
import { servedTarget } from '../suites/targets.ts'
import { describeSuite } from '../suites/vitest.ts'
import { spawnServe, type SpawnedServer } from './helpers/spawn-serve.ts'

// Every API's contract suite against `apitwin serve` in its own process over real HTTP: proves the server
// adapter, not just the resolvers. (MSW's onUnhandledRequest: 'error' rules out real HTTP in the mock's file.)
let server: SpawnedServer
const served = new Map<string, Target>()
beforeAll(async () => {
  server = await spawnServe(['--quiet'])
  for (const api of Object.keys(suites)) served.set(api, await servedTarget(server.url, api))
})
afterAll(async () => {
  await server?.stop()
})

for (const [api, suite] of Object.entries(suites)) {
  describeSuite(`${api} contract — apitwin serve over HTTP`, suite, () => {
    const target = served.get(api)
    if (!target) throw new Error(`apitwin serve does not publish ${api}`)
    return target
  })
}
