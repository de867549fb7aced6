import { describe, expect, it } from 'vitest'
import { runCheck, type Suite } from './check.ts'
import type { Target } from './target.ts'

/**
 * Registers one vitest test per check of `suite`. Strict: the mock must honour inferred rules as well as
 * documented ones. A check the target cannot run is skipped with its reason, never passed.
 */
export function describeSuite(name: string, suite: Suite, getTarget: () => Target): void {
  describe(name, () => {
    for (const check of suite.checks) {
      it(check.title, async (context) => {
        const target = getTarget()
        await target.reset?.()
        const outcome = await runCheck(suite, check, target, { strict: true })
        if (outcome.status === 'skip') context.skip(outcome.skipReason)
        expect([...outcome.failures, ...outcome.warnings].map((f) => `${f.rule}: ${f.detail}`)).toEqual([])
        expect(outcome.status).toBe('pass')
      })
    }
  })
}
