import type { OpenApiDocument } from './document.ts'
import { jsonMedia, type OpenApiOperation } from './operations.ts'
import { objectShape, propertySchema, typesOf } from './schema-shape.ts'

/** One field of a JSON request body, by its dotted path from the body's top (`physicalProperties.mass`). */
export interface BodyField {
  readonly path: string
  /** `number` or `integer` for a numeric field, else the string format it declares (`email`, `uri`, …). */
  readonly kind: 'number' | 'integer' | 'format'
  readonly format?: string
}

/** How deep into nested objects fields are named: deeper ones are left to the document's own check. */
const MAX_DEPTH = 3

/**
 * The numeric fields and the string fields with a `format` of every JSON request body, by dotted path through
 * nested objects (not into arrays: an element has no name a per-field reading could give). These are where servers
 * differ field by field without saying so: a numeric string taken for a number (Fastify's ajv `coerceTypes`,
 * Spring's Jackson), a `format` checked or not (JSON Schema 2020-12 makes `format` an annotation by default).
 * A path two bodies share is one field: the same name in two bodies is one choice (one DTO class, one validator).
 * @example bodyFields(doc, operations).map((f) => f.path) // ['habitabilityIndex', 'physicalProperties.mass', 'discoveredAt', …]
 */
export function bodyFields(document: OpenApiDocument, operations: readonly OpenApiOperation[]): BodyField[] {
  const found = new Map<string, BodyField>()
  const walk = (schema: unknown, prefix: string, depth: number) => {
    const shape = objectShape(document, schema)
    if (!shape || depth >= MAX_DEPTH) return
    for (const name of Object.keys(shape.properties)) {
      const node = propertySchema(document, shape, name)
      if (node['readOnly'] === true) continue
      const path = prefix === '' ? name : `${prefix}.${name}`
      const types = typesOf(node)
      const numeric = types.includes('integer') ? 'integer' : types.includes('number') ? 'number' : undefined
      // A field that also takes a string is no question of coercion: the string is already allowed.
      if (numeric && !types.includes('string') && !found.has(path)) found.set(path, { path, kind: numeric })
      else if (typeof node['format'] === 'string' && types.includes('string') && !found.has(path))
        found.set(path, { path, kind: 'format', format: node['format'] })
      else if (types.includes('object') || node['properties'] !== undefined || node['allOf'] !== undefined)
        walk(shape.properties[name], path, depth + 1)
    }
  }
  for (const operation of operations) {
    const media = operation.requestBody && jsonMedia(operation.requestBody.content)
    if (media?.[1].schema !== undefined) walk(media[1].schema, '', 0)
  }
  return [...found.values()]
}

/**
 * The value at a dotted path of a body, or undefined.
 * @example valueAt({ a: { b: 1 } }, 'a.b') // 1
 */
export function valueAt(body: unknown, path: string): unknown {
  let at = body
  for (const step of path.split('.'))
    at = typeof at === 'object' && at !== null && !Array.isArray(at) ? (at as Record<string, unknown>)[step] : undefined
  return at
}

/**
 * A copy of `body` with `value` at a dotted path, the objects on the way created (or copied) as needed.
 * @example withValueAt({ a: { c: 2 } }, 'a.b', '1') // { a: { c: 2, b: '1' } }
 */
export function withValueAt(body: Readonly<Record<string, unknown>>, path: string, value: unknown): Record<string, unknown> {
  const [head = '', ...rest] = path.split('.')
  if (rest.length === 0) return { ...body, [head]: value }
  const inner = body[head]
  const next = typeof inner === 'object' && inner !== null && !Array.isArray(inner) ? (inner as Record<string, unknown>) : {}
  return { ...body, [head]: withValueAt(next, rest.join('.'), value) }
}
