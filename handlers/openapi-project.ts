import type { OpenApiDocument } from '../contracts/openapi/document.ts'
import { deref, isObject } from '../contracts/openapi/pointer.ts'
import { objectShape } from '../contracts/openapi/schema-shape.ts'

const SECRET = /^(password|passwd|secret|client_?secret|password_?(hash|digest|confirmation))$/i

/** What a schema node says about its properties' sides: which are writeOnly, and the nested schemas to walk. */
interface Plan {
  readonly writeOnly: ReadonlySet<string>
  readonly nested: ReadonlyMap<string, unknown>
  readonly items: unknown
}

/**
 * The projection of a stored value for a response: writeOnly fields are removed at every depth the schema
 * describes, so they are stored but never returned; so are optional password and secret fields. The plan of each schema is worked out once and kept.
 * @example projector(doc)(petSchema, { id: 1, name: 'Rex', secret: 'x' }) // { id: 1, name: 'Rex' } when secret is writeOnly
 */
export function projector(doc: OpenApiDocument): (schema: unknown, value: unknown) => unknown {
  const plans = new Map<unknown, Plan | null>()
  const planOf = (schema: unknown): Plan | null => {
    const known = plans.get(schema)
    if (known !== undefined) return known
    plans.set(schema, null)
    const node = deref(doc.root, schema)
    const shape = objectShape(doc, schema)
    const writeOnly = new Set<string>()
    const nested = new Map<string, unknown>()
    for (const [name, property] of Object.entries(shape?.properties ?? {})) {
      const target = deref(doc.root, property)
      // A password or secret the document does not require in the answer is not returned either (project rule:
      // secrets never leave the mock); one the response schema requires stays, as the document demands.
      if (
        (isObject(property) && property['writeOnly'] === true) ||
        (isObject(target) && target['writeOnly'] === true) ||
        (SECRET.test(name) && !shape?.required.has(name))
      )
        writeOnly.add(name)
      else if (isObject(target) && (isObject(target['properties']) || target['items'] !== undefined || Array.isArray(target['allOf'])))
        nested.set(name, property)
    }
    const items = isObject(node) ? node['items'] : undefined
    const plan = writeOnly.size === 0 && nested.size === 0 && items === undefined ? null : { writeOnly, nested, items }
    plans.set(schema, plan)
    return plan
  }
  const project = (schema: unknown, value: unknown, depth: number): unknown => {
    if (depth > 16 || typeof value !== 'object' || value === null) return value
    const plan = planOf(schema)
    if (plan === null) return value
    if (Array.isArray(value)) return plan.items === undefined ? value : value.map((item) => project(plan.items, item, depth + 1))
    let out: Record<string, unknown> | undefined
    for (const name of plan.writeOnly) {
      if (name in value) {
        out ??= { ...(value as Record<string, unknown>) }
        delete out[name]
      }
    }
    for (const [name, child] of plan.nested) {
      const inner = (value as Record<string, unknown>)[name]
      if (typeof inner !== 'object' || inner === null) continue
      const projected = project(child, inner, depth + 1)
      if (projected !== inner) (out ??= { ...(value as Record<string, unknown>) })[name] = projected
    }
    return out ?? value
  }
  return (schema, value) => project(schema, value, 0)
}
