// A user's own API, described by an OpenAPI document next to the tests: its derived suite in the same vitest run.
import { describeContracts } from 'apitwin/vitest'

describeContracts(['notes'], { openapi: { notes: './notes.openapi.json' }, maxCases: 3 })
