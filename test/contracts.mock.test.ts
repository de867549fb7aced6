import { afterAll, beforeAll, describe } from 'vitest'
import { suites } from '../suites/suites.ts'
import { mockTarget, type OwnedTarget } from '../suites/targets.ts'
import { describeSuite } from '../suites/vitest.ts'

// Every API's contract suite against the MSW handlers in-process, as a frontend's own tests use them.
for (const [api, suite] of Object.entries(suites)) {
  describe(api, () => {
    let mock: OwnedTarget
    beforeAll(async () => {
      mock = await mockTarget(api)
    })
    afterAll(() => mock?.close())
    describeSuite(`${api} contract — in-process MSW mock`, suite, () => mock.target)
  })
}
