import type { OpenApiDocument } from './document.ts'
import { ecmaPattern } from './pattern.ts'
import { deref, isObject, type JsonObject } from './pointer.ts'

/**
 * Which side of the wire a schema is read for. OpenAPI's `readOnly` properties are sent by the server only and
 * `writeOnly` ones by the client only, so a property listed in `required` is required on its side alone:
 * `request` drops readOnly properties from `required`, `response` drops writeOnly ones.
 */
export type SchemaView = 'request' | 'response'

/** A self-contained JSON Schema 2020-12 document: the schema with every local `$ref` it reaches under `$defs`. */
export type BundledSchema = Readonly<Record<string, unknown>>

// Keywords that only annotate or that JSON Schema 2020-12 does not have: dropped so no validator trips on them.
const DROPPED = new Set([
  '$dynamicAnchor',
  '$anchor',
  'example',
  'examples',
  'discriminator',
  'xml',
  'externalDocs',
  'nullable',
  'description',
  'title',
  'deprecated',
  '$schema',
  '$id',
  '$comment',
])

/**
 * An OpenAPI schema as a bundled JSON Schema 2020-12 document for one view, without dereferencing the document:
 * only the `$ref`s this schema reaches are copied, each once, under `$defs` (recursive schemas stay references).
 * 3.0 is translated: `nullable` → a `null` type, boolean `exclusiveMinimum`/`exclusiveMaximum` → numbers,
 * siblings of a `$ref` ignored (as 3.0 says).
 * @example toJsonSchema(doc, { $ref: '#/components/schemas/Pet' }, 'request') // { $ref: '#/$defs/…', $defs: { … } }
 */
export function toJsonSchema(doc: OpenApiDocument, schema: unknown, view: SchemaView): BundledSchema {
  const defs: Record<string, unknown> = {}
  const names = new Map<string, string>()
  const pending: Array<readonly [string, string, Bindings]> = []
  const identities = new Map<unknown, number>()
  const identity = (node: unknown) => {
    let id = identities.get(node)
    if (id === undefined) identities.set(node, (id = identities.size))
    return id
  }
  const context: Context = {
    doc,
    view,
    // A reference reached under other `$dynamicAnchor` bindings is another schema (PaginatedResource<Planet> is
    // not PaginatedResource<Satellite>), so the bindings are part of its name.
    refName(ref, bindings) {
      const key = bindings.size === 0 ? ref : `${ref}|${[...bindings].map(([anchor, node]) => `${anchor}=${identity(node)}`).join(',')}`
      let name = names.get(key)
      if (name === undefined) {
        name = `d${names.size}`
        names.set(key, name)
        pending.push([ref, name, bindings])
      }
      return `#/$defs/${name}`
    },
  }
  const root = convert(context, schema, new Map())
  while (pending.length > 0) {
    const [ref, name, bindings] = pending.pop() as readonly [string, string, Bindings]
    defs[name] = convert(context, deref(doc.root, { $ref: ref }), bindings)
  }
  const out: Record<string, unknown> = typeof root === 'boolean' ? (root ? {} : { not: {} }) : { ...root }
  if (names.size > 0) out['$defs'] = defs
  return out
}

/** `$dynamicAnchor` name → the schema it is bound to, outermost binding first (JSON Schema 2020-12's dynamic scope). */
type Bindings = ReadonlyMap<string, unknown>

interface Context {
  readonly doc: OpenApiDocument
  readonly view: SchemaView
  refName(ref: string, bindings: Bindings): string
}

/** The bindings in force inside `node`: its own `$defs` anchors join those of the schemas around it (outer ones win). */
function bind(node: JsonObject, bindings: Bindings): Bindings {
  const local = node['$defs']
  if (!isObject(local)) return bindings
  let next: Map<string, unknown> | undefined
  for (const def of Object.values(local)) {
    if (!isObject(def) || typeof def['$dynamicAnchor'] !== 'string' || bindings.has(def['$dynamicAnchor'])) continue
    next ??= new Map(bindings)
    next.set(def['$dynamicAnchor'], def)
  }
  return next ?? bindings
}

function convert(context: Context, node: unknown, outer: Bindings, depth = 0): Record<string, unknown> | boolean {
  if (typeof node === 'boolean') return node
  if (!isObject(node) || depth > 64) return {}
  const { doc } = context
  const bindings = bind(node, outer)
  const dynamic = node['$dynamicRef']
  if (typeof dynamic === 'string') {
    const bound = bindings.get(dynamic.replace(/^#/, ''))
    return bound === undefined ? {} : convert(context, bound, bindings, depth + 1)
  }
  const ref = node['$ref']
  if (typeof ref === 'string') {
    const target = context.refName(ref, bindings)
    // 3.0: "properties adjacent to a $ref are ignored"; 3.1 (2020-12) applies them beside the reference.
    if (doc.version === '3.0') return withNullable(doc, { $ref: target }, node)
    const rest = convertKeywords(context, node, bindings, depth)
    return { ...rest, $ref: target }
  }
  return withNullable(doc, convertKeywords(context, node, bindings, depth), node)
}

/** 3.0's `nullable: true`: the schema also accepts null. */
function withNullable(doc: OpenApiDocument, out: Record<string, unknown>, node: JsonObject): Record<string, unknown> {
  if (doc.version !== '3.0' || node['nullable'] !== true) return out
  const type = out['type']
  if (
    typeof type === 'string' &&
    out['$ref'] === undefined &&
    out['allOf'] === undefined &&
    out['oneOf'] === undefined &&
    out['anyOf'] === undefined
  ) {
    const next: Record<string, unknown> = { ...out, type: [type, 'null'] }
    const values: unknown = out['enum']
    if (Array.isArray(values) && !values.includes(null)) next['enum'] = [...(values as unknown[]), null]
    return next
  }
  return { anyOf: [out, { type: 'null' }] }
}

function convertKeywords(context: Context, node: JsonObject, bindings: Bindings, depth: number): Record<string, unknown> {
  const { doc, view } = context
  const out: Record<string, unknown> = {}
  const sub = (value: unknown) => convert(context, value, bindings, depth + 1)
  for (const key in node) {
    if (key === '$ref' || DROPPED.has(key) || key.startsWith('x-')) continue
    const value = node[key]
    switch (key) {
      case '$defs':
      case 'definitions':
        // Reached through the document's own pointers (bundled above), never through these copies.
        break
      case 'properties':
      case 'dependentSchemas':
        if (isObject(value)) out[key] = Object.fromEntries(Object.entries(value).map(([name, schema]) => [name, sub(schema)]))
        break
      case 'patternProperties':
        if (isObject(value))
          out[key] = Object.fromEntries(
            Object.entries(value).flatMap(([name, schema]) => {
              const pattern = ecmaPattern(name)
              return pattern === undefined ? [] : [[pattern, sub(schema)]]
            }),
          )
        break
      case 'pattern': {
        // As ECMAScript reads it, or left out where it is no ECMAScript pattern (see ecmaPattern).
        const pattern = ecmaPattern(value)
        if (pattern !== undefined) out[key] = pattern
        break
      }
      case 'items':
        out[key] = Array.isArray(value) ? value.map(sub) : sub(value)
        // 2020-12 calls an items array prefixItems; 3.0 has no tuple form, but a stray one must not break validation.
        if (Array.isArray(value)) {
          out['prefixItems'] = out[key]
          delete out[key]
        }
        break
      case 'allOf':
      case 'anyOf':
      case 'oneOf':
      case 'prefixItems':
        if (Array.isArray(value)) out[key] = value.map(sub)
        break
      case 'not':
      case 'additionalProperties':
      case 'unevaluatedProperties':
      case 'additionalItems':
      case 'unevaluatedItems':
      case 'contains':
      case 'propertyNames':
      case 'if':
      case 'then':
      case 'else':
        out[key] = sub(value)
        break
      case 'exclusiveMinimum':
      case 'exclusiveMaximum': {
        if (typeof value === 'number') out[key] = value
        else if (value === true) {
          const bound = key === 'exclusiveMinimum' ? 'minimum' : 'maximum'
          if (typeof node[bound] === 'number') out[key] = node[bound]
        }
        break
      }
      case 'minimum':
      case 'maximum':
        // A 3.0 boolean exclusive turns its bound into the exclusive one (above); otherwise the bound stands.
        if (!(doc.version === '3.0' && node[key === 'minimum' ? 'exclusiveMinimum' : 'exclusiveMaximum'] === true)) out[key] = value
        break
      case 'required':
        if (Array.isArray(value)) out[key] = value.filter((name) => typeof name === 'string' && !sidedOut(doc, node, name, view))
        break
      case 'format':
        // Binary content is not JSON; a byte string is base64 text, which is what a JSON body carries.
        if (value !== 'binary') out[key] = value
        break
      default:
        out[key] = value
    }
  }
  return out
}

/** Whether `name` is a property that the other side of the wire owns (readOnly in a request, writeOnly in a response). */
function sidedOut(doc: OpenApiDocument, node: JsonObject, name: string, view: SchemaView): boolean {
  const properties = node['properties']
  if (!isObject(properties)) return false
  const property = properties[name]
  const flag = view === 'request' ? 'readOnly' : 'writeOnly'
  if (isObject(property) && property[flag] === true) return true
  const target = deref(doc.root, property)
  return isObject(target) && target[flag] === true
}
