import type { z } from 'zod'
import { util } from 'zod/v4/core'

/** Builds a response body from values already validated on their way into the store. */
export type Serializer = (body: unknown) => unknown

// The zod 4 internals the compiler reads (`_zod.def`): a type tag and, per type, the parts it wraps.
interface Def {
  readonly type: string
  readonly shape?: Readonly<Record<string, z.ZodType>>
  readonly catchall?: z.ZodType
  readonly checks?: readonly unknown[]
  readonly innerType?: z.ZodType
  readonly element?: z.ZodType
}
const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def

// Leaves whose output is their input: a value that passed them once (in the store) passes them again unchanged.
const LEAVES = new Set(['string', 'number', 'int', 'boolean', 'null', 'enum', 'literal', 'bigint'])

/**
 * A serializer for a response schema: the body cut to the schema's keys, in the schema's order, as zod's parse
 * would output it (unknown keys such as a password hash are stripped), without re-checking every leaf. Undefined
 * when the schema does something a cut cannot reproduce (a transform, a default, a refinement, a union, a strict
 * or catch-all object): `respond` then runs the full parse.
 *
 * Why a cut is enough: every value in a 200 body comes from a store record that the store validated on write with
 * its entity schema, whose fields are the response's own field schemas (`userResource.omit(…).extend(…)`), or is a
 * constant of the handler. Tests hold the rest: with `APITWIN_CHECK_RESPONSES=1` (set for the whole vitest run)
 * `respond` also runs the full parse on every 200 and fails on any difference, and test/serialize.test.ts checks
 * the serializers over generated records and updates (fast-check).
 * @example serializer(z.object({ id: z.int() }))?.({ id: 1, password_hash: 'x' }) // { id: 1 }
 */
export function serializer(schema: z.ZodType, { generate = util.allowsEval.value }: SerializerOptions = {}): Serializer | undefined {
  const cache = generate ? generatedCache : interpretedCache
  const cached = cache.get(schema)
  if (cached !== undefined || cache.has(schema)) return cached
  const made = compile(schema, generate)
  cache.set(schema, made)
  return made
}
const generatedCache = new WeakMap<z.ZodType, Serializer | undefined>()
const interpretedCache = new WeakMap<z.ZodType, Serializer | undefined>()

export interface SerializerOptions {
  /**
   * Build object cuts as generated code (default: where `new Function` is allowed, by zod's own test, so a strict
   * CSP or zod's `jitless` config gets the interpreted cut, which outputs the same).
   */
  readonly generate?: boolean
}

function compile(schema: z.ZodType, generate: boolean): Serializer | undefined {
  const def = defOf(schema)
  if (def.checks !== undefined && def.checks.length > 0 && !LEAVES.has(def.type)) return undefined
  if (LEAVES.has(def.type)) return identity
  if ((def.type === 'nullable' || def.type === 'optional') && def.innerType) {
    const inner = compile(def.innerType, generate)
    if (!inner) return undefined
    return inner === identity ? identity : (value) => (value === null || value === undefined ? value : inner(value))
  }
  if (def.type === 'array' && def.element) {
    const element = compile(def.element, generate)
    if (!element) return undefined
    return element === identity ? (value) => (value as unknown[]).slice() : (value) => (value as unknown[]).map(element)
  }
  if (def.type === 'object' && def.shape && def.catchall === undefined) {
    const fields: Field[] = []
    for (const [key, field] of Object.entries(def.shape)) {
      const serialize = compile(field, generate)
      if (!serialize) return undefined
      fields.push({ key, serialize, optional: defOf(field).type === 'optional' })
    }
    return generate ? generated(fields) : interpreted(fields)
  }
  return undefined
}

interface Field {
  readonly key: string
  readonly serialize: Serializer
  /** zod leaves an optional key out when the input has none; so does the serializer. */
  readonly optional: boolean
}

/**
 * The object cut as generated code: every key a constant (quoted by JSON.stringify), so V8 reads and writes each
 * one through a fixed shape instead of the megamorphic lookups of a loop over keys (the loop was the serializer's
 * whole cost, 0.7 µs of a flextell update; --cpu-prof).
 */
function generated(fields: readonly Field[]): Serializer {
  const read = (field: Field, index: number) => {
    const value = `source[${JSON.stringify(field.key)}]`
    return field.serialize === identity ? value : `serialize[${index}](${value})`
  }
  const body = fields.some((field) => field.optional)
    ? `const out = {};\n${fields.map((field, i) => `${field.optional ? `if (${JSON.stringify(field.key)} in source) ` : ''}out[${JSON.stringify(field.key)}] = ${read(field, i)};`).join('\n')}\nreturn out;`
    : `return {\n${fields.map((field, i) => `${JSON.stringify(field.key)}: ${read(field, i)},`).join('\n')}\n};`
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the measured fast path; built from the schema's keys (JSON-quoted), never from request data
  const make = new Function('serialize', `return (source) => {\n${body}\n}`) as (serialize: readonly Serializer[]) => Serializer
  return make(fields.map((field) => field.serialize))
}

function interpreted(fields: readonly Field[]): Serializer {
  return (value) => {
    const source = value as Record<string, unknown>
    const out: Record<string, unknown> = {}
    for (const { key, serialize, optional } of fields) {
      if (optional && !(key in source)) continue
      out[key] = serialize(source[key])
    }
    return out
  }
}

const identity: Serializer = (value) => value
