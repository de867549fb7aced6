import type { Suite } from './check.ts'
import { flextellSuite } from './flextell.ts'
import { gorulesSuite } from './gorules.ts'
import { medibulutSuite } from './medibulut.ts'
import { railsUsersSuite } from './rails-users.ts'

/** Every contract suite by API slug; `apitwin verify <api>` picks from here. */
export const suites: Readonly<Record<string, Suite>> = {
  flextell: flextellSuite,
  'rails-users': railsUsersSuite,
  medibulut: medibulutSuite,
  gorules: gorulesSuite,
}
