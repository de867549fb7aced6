import { valueAt, withValueAt } from '../contracts/openapi/body-fields.ts'
import type { SchemaIssue } from '../contracts/openapi/validator.ts'
import type { OpenApiReadings } from './openapi-readings.ts'

// What a coercing validator (ajv's coerceTypes, Jackson) takes as a number: a plain decimal, nothing else ("1e3"
// and " 1" are refused by Jackson; ajv takes them, but a reading is only as wide as what both agree on).
const NUMERIC = /^-?(?:0|[1-9]\d*)(?:\.\d+)?$/

/**
 * A body as a server following `body.coercion: coerced` on some fields sees it: a numeric string at such a field
 * becomes its number before validation (ajv mutates the data the same way), so it is checked and stored as one.
 * The body itself when no field coerces (no copy, no cost).
 * @example coerceBody({ habitabilityIndex: '0.5' }, new Set(['habitabilityIndex'])) // { habitabilityIndex: 0.5 }
 */
export function coerceBody(body: unknown, coerced: ReadonlySet<string>): unknown {
  if (coerced.size === 0 || typeof body !== 'object' || body === null || Array.isArray(body)) return body
  let out = body as Record<string, unknown>
  for (const path of coerced) {
    const value = valueAt(out, path)
    if (typeof value === 'string' && NUMERIC.test(value)) out = withValueAt(out, path, Number(value))
  }
  return out
}

/**
 * The issues a server following the readings still raises: a missed `format` of a field whose format it does not
 * check (`body.formats: unchecked`) is no issue. `from`: how many leading path tokens are not the body's (`body`).
 * @example excused([{ path: ['discoveredAt'], keyword: 'format', message: '…' }], readings) // [] under unchecked:discoveredAt
 */
export function excused(issues: readonly SchemaIssue[], readings: Pick<OpenApiReadings, 'unchecked'>, from = 0): SchemaIssue[] {
  if (readings.unchecked.size === 0) return [...issues]
  return issues.filter((issue) => !(issue.keyword === 'format' && readings.unchecked.has(issue.path.slice(from).join('.'))))
}
