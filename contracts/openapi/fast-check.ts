import { format as formats } from '@cfworker/json-schema'
import { resolvePointer } from './pointer.ts'

/** A yes/no check of a value; the detailed issues come from the full validator when it says no. */
export type FastCheck = (value: unknown) => boolean

// The keywords the fast path decides by itself; a schema reaching any other (oneOf, if, patternProperties,
// uniqueItems, …) is left whole to the full validator.
const KNOWN = new Set([
  'format',
  'type',
  'enum',
  'const',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'anyOf',
  'allOf',
  '$ref',
  '$defs',
  'minLength',
  'maxLength',
  'pattern',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minItems',
  'maxItems',
  'default',
  'readOnly',
  'writeOnly',
])

/** The most schema nodes one fast check is built from; a larger schema keeps the full validator. */
const MAX_NODES = 2000

/**
 * A fast yes/no check for the common subset of JSON Schema (types, enums, properties, required, closed objects,
 * items, anyOf/allOf, lengths, patterns, bounds, local `$ref`s), built once into closures: no `eval`, so it runs
 * under a strict CSP like the full validator it stands in front of. Undefined when the schema uses anything else.
 * It must never say yes where the full validator says no: anything unsure is left to the full validator.
 * @example fastCheck({ type: 'object', required: ['name'] })?.({ name: 'x' }) // true
 */
export function fastCheck(root: Readonly<Record<string, unknown>>): FastCheck | undefined {
  const built = new Map<unknown, FastCheck>()
  let nodes = 0
  const build = (schema: unknown): FastCheck | undefined => {
    if (schema === true) return () => true
    if (schema === false) return () => false
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return undefined
    const known = built.get(schema)
    if (known) return known
    if (++nodes > MAX_NODES) return undefined
    const node = schema as Readonly<Record<string, unknown>>
    for (const key in node) if (!KNOWN.has(key)) return undefined
    // A recursive schema reaches itself through $ref: the slot is filled before its parts are built.
    let self: FastCheck = () => false
    const slot: FastCheck = (value) => self(value)
    built.set(schema, slot)
    const checks: FastCheck[] = []
    const ref = node['$ref']
    if (ref !== undefined) {
      if (typeof ref !== 'string' || !ref.startsWith('#/')) return undefined
      const target = build(resolvePointer(root, ref))
      if (!target) return undefined
      checks.push(target)
    }
    const types = node['type'] === undefined ? undefined : Array.isArray(node['type']) ? node['type'] : [node['type']]
    if (types) {
      if (!types.every((t) => typeof t === 'string')) return undefined
      const allowed = new Set(types as string[])
      checks.push(
        (value) =>
          allowed.has(typeOf(value)) ||
          (allowed.has('integer') && typeof value === 'number' && Number.isInteger(value)) ||
          (allowed.has('number') && typeof value === 'number' && Number.isFinite(value)),
      )
    }
    if (node['enum'] !== undefined) {
      if (!Array.isArray(node['enum']) || !node['enum'].every((v) => v === null || typeof v !== 'object')) return undefined
      const values = node['enum'] as readonly unknown[]
      checks.push((value) => values.includes(value))
    }
    if ('const' in node) {
      const value = node['const']
      if (value !== null && typeof value === 'object') return undefined
      checks.push((given) => given === value)
    }
    for (const [key, test] of [
      ['minLength', (v: string, n: number) => length(v) >= n],
      ['maxLength', (v: string, n: number) => length(v) <= n],
    ] as const) {
      const bound = node[key]
      if (bound === undefined) continue
      if (typeof bound !== 'number') return undefined
      checks.push((value) => typeof value !== 'string' || test(value, bound))
    }
    if (node['format'] !== undefined) {
      // The full validator's own format functions, on strings only, an unknown format passing: the same verdict.
      if (typeof node['format'] !== 'string') return undefined
      const test = (formats as Readonly<Record<string, ((value: string) => boolean) | undefined>>)[node['format']]
      if (test) checks.push((value) => typeof value !== 'string' || test(value))
    }
    if (node['pattern'] !== undefined) {
      if (typeof node['pattern'] !== 'string') return undefined
      let regex: RegExp
      try {
        regex = new RegExp(node['pattern'], 'u')
      } catch {
        return undefined
      }
      checks.push((value) => typeof value !== 'string' || regex.test(value))
    }
    for (const [key, test] of [
      ['minimum', (v: number, n: number) => v >= n],
      ['maximum', (v: number, n: number) => v <= n],
      ['exclusiveMinimum', (v: number, n: number) => v > n],
      ['exclusiveMaximum', (v: number, n: number) => v < n],
    ] as const) {
      const bound = node[key]
      if (bound === undefined) continue
      if (typeof bound !== 'number') return undefined
      checks.push((value) => typeof value !== 'number' || test(value, bound))
    }
    for (const [key, test] of [
      ['minItems', (v: readonly unknown[], n: number) => v.length >= n],
      ['maxItems', (v: readonly unknown[], n: number) => v.length <= n],
    ] as const) {
      const bound = node[key]
      if (bound === undefined) continue
      if (typeof bound !== 'number') return undefined
      checks.push((value) => !Array.isArray(value) || test(value, bound))
    }
    if (node['items'] !== undefined) {
      const item = build(node['items'])
      if (!item) return undefined
      checks.push((value) => !Array.isArray(value) || value.every(item))
    }
    if (node['required'] !== undefined) {
      if (!Array.isArray(node['required'])) return undefined
      const required = node['required'] as readonly string[]
      checks.push((value) => !isPlain(value) || required.every((name) => Object.hasOwn(value, name)))
    }
    const properties = node['properties']
    const extra = node['additionalProperties']
    if (properties !== undefined || extra !== undefined) {
      if (properties !== undefined && (typeof properties !== 'object' || properties === null)) return undefined
      const fields = new Map<string, FastCheck>()
      for (const [name, sub] of Object.entries((properties ?? {}) as Record<string, unknown>)) {
        const check = build(sub)
        if (!check) return undefined
        fields.set(name, check)
      }
      const others = extra === undefined ? undefined : build(extra)
      if (extra !== undefined && !others) return undefined
      checks.push((value) => {
        if (!isPlain(value)) return true
        for (const key in value) {
          if (!Object.hasOwn(value, key)) continue
          const field = fields.get(key)
          if (field ? !field(value[key]) : others !== undefined && !others(value[key])) return false
        }
        return true
      })
    }
    for (const key of ['anyOf', 'allOf'] as const) {
      const list = node[key]
      if (list === undefined) continue
      if (!Array.isArray(list)) return undefined
      const parts = list.map(build)
      if (parts.some((part) => part === undefined)) return undefined
      const all = parts as FastCheck[]
      checks.push(key === 'anyOf' ? (value) => all.some((part) => part(value)) : (value) => all.every((part) => part(value)))
    }
    self = checks.length === 1 ? (checks[0] as FastCheck) : (value) => checks.every((check) => check(value))
    return slot
  }
  return build(root)
}

function typeOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  return typeof value
}

function isPlain(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Length in code points, as JSON Schema counts it (and @cfworker/json-schema's ucs2length). */
function length(value: string): number {
  let count = 0
  for (let i = 0; i < value.length; i++) {
    count++
    const code = value.charCodeAt(i)
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < value.length) {
      const next = value.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) i++
    }
  }
  return count
}
