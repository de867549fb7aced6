import { afterAll, beforeAll } from 'vitest'
import { flextellSuite } from './contract/flextell.ts'
import { mockTarget, type OwnedTarget } from './contract/targets.ts'
import { describeSuite } from './contract/vitest.ts'

// The MSW handlers in-process, as a frontend's own tests use them.
let mock: OwnedTarget
beforeAll(async () => {
  mock = await mockTarget('flextell')
})
afterAll(() => mock?.close())

describeSuite('flextell contract — in-process MSW mock', flextellSuite, () => mock.target)
