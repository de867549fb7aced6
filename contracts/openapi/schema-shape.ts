import type { OpenApiDocument } from './document.ts'
import { deref, isObject, type JsonObject } from './pointer.ts'

/** An object schema's properties with `allOf` parts merged: what a record of it holds. */
export interface ObjectShape {
  readonly properties: Readonly<Record<string, unknown>>
  readonly required: ReadonlySet<string>
  /** `additionalProperties: false` somewhere in the merge: unknown keys are refused by the document itself. */
  readonly closed: boolean
  /** Whether the document says anything about extra keys (`additionalProperties` present). */
  readonly statesExtras: boolean
}

/**
 * The object shape of a schema, following `$ref`s and merging `allOf`; undefined when the schema is not an object
 * schema (a oneOf of objects, an array, a scalar). Bounded by depth so a self-referencing allOf ends.
 * @example objectShape(doc, { $ref: '#/components/schemas/Pet' })?.properties.id
 */
export function objectShape(doc: OpenApiDocument, schema: unknown, depth = 0): ObjectShape | undefined {
  // Read on every request of an imported API: kept per schema node (the document never changes).
  if (depth === 0 && typeof schema === 'object' && schema !== null) {
    const cache = shapes.get(doc) ?? new WeakMap<object, ObjectShape | null>()
    shapes.set(doc, cache)
    const known = cache.get(schema)
    if (known !== undefined) return known ?? undefined
    const shape = computeShape(doc, schema, 0)
    cache.set(schema, shape ?? null)
    return shape
  }
  return computeShape(doc, schema, depth)
}
const shapes = new WeakMap<OpenApiDocument, WeakMap<object, ObjectShape | null>>()

function computeShape(doc: OpenApiDocument, schema: unknown, depth: number): ObjectShape | undefined {
  const node = deref(doc.root, schema)
  if (!isObject(node) || depth > 8) return undefined
  const properties: Record<string, unknown> = {}
  const required = new Set<string>()
  let closed = node['additionalProperties'] === false
  let statesExtras = node['additionalProperties'] !== undefined
  let object = node['type'] === 'object' || (Array.isArray(node['type']) && node['type'].includes('object')) || isObject(node['properties'])
  if (isObject(node['properties'])) Object.assign(properties, node['properties'])
  if (Array.isArray(node['required'])) for (const name of node['required']) if (typeof name === 'string') required.add(name)
  if (Array.isArray(node['allOf'])) {
    for (const part of node['allOf']) {
      const shape = objectShape(doc, part, depth + 1)
      if (!shape) continue
      object = true
      Object.assign(properties, shape.properties)
      for (const name of shape.required) required.add(name)
      closed ||= shape.closed
      statesExtras ||= shape.statesExtras
    }
  }
  return object ? { properties, required, closed, statesExtras } : undefined
}

/** The schema node behind a property, `$ref`s followed (an empty object when it is not a schema). */
export function propertySchema(doc: OpenApiDocument, shape: ObjectShape, name: string): JsonObject {
  const node = deref(doc.root, shape.properties[name])
  return isObject(node) ? node : {}
}

/** The JSON types a schema allows (`type` as a list; empty when it says none). */
export function typesOf(node: JsonObject): string[] {
  const type = node['type']
  return typeof type === 'string' ? [type] : Array.isArray(type) ? type.filter((t): t is string => typeof t === 'string') : []
}

// Fields servers conventionally own: set when a record is created or changed, never taken from a client.
const CREATED = /^(created|created_?at|creation_?(date|time)|date_?created|inserted_?at)$/i
const UPDATED = /^(updated|updated_?at|modified|modified_?at|last_?modified|date_?modified|last_?updated)$/i

/** Whether a property is a timestamp the server sets, by its name and a string type: `created_at`, `updatedAt`. */
export function timestampRole(name: string, node: JsonObject): 'created' | 'updated' | undefined {
  if (!typesOf(node).includes('string')) return undefined
  return CREATED.test(name) ? 'created' : UPDATED.test(name) ? 'updated' : undefined
}
