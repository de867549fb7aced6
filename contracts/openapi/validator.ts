import { Validator } from '@cfworker/json-schema'
import { fastCheck } from './fast-check.ts'
import type { BundledSchema } from './json-schema.ts'

/** One reason a value does not fit its schema: where (JSON pointer tokens of the value) and what. */
export interface SchemaIssue {
  readonly path: readonly string[]
  readonly keyword: string
  readonly message: string
}

/** A compiled check of one schema: the issues of a value, none when it fits. */
export type SchemaCheck = (value: unknown) => readonly SchemaIssue[]

// cfworker reports the keyword that failed at every level (properties → $ref → type); only the innermost is news.
const STRUCTURAL = new Set([
  'properties',
  'items',
  'prefixItems',
  'allOf',
  '$ref',
  'additionalProperties',
  'unevaluatedProperties',
  'patternProperties',
  'dependentSchemas',
  'contains',
  'then',
  'else',
  'if',
])

/** The most issues reported for one value: enough to fix a body, bounded for a hostile one. */
const MAX_ISSUES = 20

/**
 * A JSON Schema 2020-12 check by @cfworker/json-schema: an interpreter (no `eval`, no `new Function`), so it runs
 * in a browser under a strict CSP and on documents imported at runtime; every error is reported, not only the
 * first, so a 422 can list each field.
 * @example compileSchema({ type: 'object', required: ['name'] })({}) // [{ path: [], keyword: 'required', message: … }]
 */
export function compileSchema(schema: BundledSchema): SchemaCheck {
  const validator = new Validator(schema as Record<string, unknown>, '2020-12', false)
  // The common subset answered by closures (several times faster); the full validator explains a "no", and
  // decides alone for schemas outside the subset.
  const fast = fastCheck(schema)
  return (value) => {
    // JSON has no undefined; the validator throws on it rather than answering.
    if (value === undefined) return [{ path: [], keyword: 'type', message: 'a value is required' }]
    if (fast?.(value) === true) return []
    const result = validator.validate(value)
    if (result.valid) return []
    const issues: SchemaIssue[] = []
    const leaves = result.errors.filter((error) => !STRUCTURAL.has(error.keyword))
    for (const error of leaves.length > 0 ? leaves : result.errors) {
      const path = error.instanceLocation
        .replace(/^#\/?/, '')
        .split('/')
        .filter((token) => token !== '')
        .map((token) => decodeURIComponent(token).replaceAll('~1', '/').replaceAll('~0', '~'))
      if (issues.some((issue) => issue.keyword === error.keyword && issue.path.join('/') === path.join('/'))) continue
      issues.push({ path, keyword: error.keyword, message: error.error })
      if (issues.length >= MAX_ISSUES) break
    }
    return issues
  }
}
