import { afterAll, beforeAll } from 'vitest'
import { flextellSuite } from './contract/flextell.ts'
import type { Target } from './contract/target.ts'
import { servedTarget } from './contract/targets.ts'
import { describeSuite } from './contract/vitest.ts'
import { spawnServe, type SpawnedServer } from './helpers/spawn-serve.ts'

// `apitwin serve` in its own process over real HTTP: proves the server adapter, not just the resolvers.
let server: SpawnedServer
let served: Target
beforeAll(async () => {
  server = await spawnServe(['--quiet'])
  served = await servedTarget(server.url, 'flextell')
})
afterAll(async () => {
  await server?.stop()
})

describeSuite('flextell contract — apitwin serve over HTTP', flextellSuite, () => served)
