import type { OpenApiContract } from '../contracts/openapi/contract.ts'
import { ecmaPattern } from '../contracts/openapi/pattern.ts'
import { deref, isObject, type JsonObject } from '../contracts/openapi/pointer.ts'
import { objectShape, propertySchema, typesOf } from '../contracts/openapi/schema-shape.ts'
import { validSample } from '../fixtures/openapi-seed.ts'
import { createFaker } from '../fixtures/faker.ts'

/** Which constraint of the document a broken body breaks, once. */
export type BrokenKind =
  | 'required'
  | 'type'
  | 'enum'
  | 'enum-case'
  | 'minimum'
  | 'maximum'
  | 'minLength'
  | 'maxLength'
  | 'minItems'
  | 'maxItems'
  | 'pattern'
  | 'format'
  | 'additionalProperties'

/**
 * The inferred rule a broken value rests on beyond `request.schema`: `format` is an annotation in JSON Schema 2020-12
 * unless a validator opts in, so a conforming server may take any string where the document says `email`.
 */
export type BrokenPremise = 'request.format'

/** A request body that breaks exactly one constraint of its schema; the document's own validator refuses it. */
export interface BrokenBody {
  /** Where the broken value sits: `name`, `physicalProperties.mass`, `tags[0].name`. */
  readonly field: string
  readonly kind: BrokenKind
  readonly body: Readonly<Record<string, unknown>>
  /** For the report: `name: required field left out`. */
  readonly title: string
  readonly premise?: BrokenPremise
}

/** One constraint of a schema broken at one place of a value: the value to put there, or the field to remove. */
export interface Breach {
  readonly path: ReadonlyArray<string | number>
  readonly kind: BrokenKind
  readonly value?: unknown
  readonly remove?: boolean
  readonly title: string
  readonly premise?: BrokenPremise
}

/**
 * A valid body for `schema` (request side): the document's first example that fits, else one drawn from the
 * schema with `seed`; readOnly fields left out (a server may refuse them under `body.unknown: refused`). Undefined
 * when no object body fits (a oneOf no draw satisfies, a non-object body).
 * @example validBody(contract, media.schema, media.examples, 7) // { name: 'Mars', type: 'terrestrial' }
 */
export function validBody(
  contract: OpenApiContract,
  schema: unknown,
  examples: readonly unknown[],
  seed: number,
): Record<string, unknown> | undefined {
  const value = validSample(contract, createFaker(seed), schema, 'request', examples)
  if (!isObject(value)) return undefined
  const shape = objectShape(contract.document, schema)
  const out: Record<string, unknown> = {}
  for (const [key, field] of Object.entries(value)) {
    if (shape && propertySchema(contract.document, shape, key)['readOnly'] === true) continue
    out[key] = field
  }
  return contract.check(schema, 'request')(out).length === 0 ? out : undefined
}

/** How deep into nested objects and array items the cases go: a recursive schema (a tree) ends there. */
const MAX_DEPTH = 4

/** The text sent for a field with a `pattern`: spaces and bangs, which few patterns take. */
const PATTERN_MISS = ' !apitwin! '

/** The most breaches one body yields before the document's validator sorts them: GitHub's widest bodies stay cheap. */
const MAX_BREACHES = 400

/**
 * Every body that breaks one constraint of `schema` in `valid`, top-level and nested (object properties, the first
 * element of an array): a required field left out, a value of the wrong type, an enum outsider and the wrong case of
 * a member, each bound crossed by one (numbers, lengths, item counts), a pattern or format missed, an unknown field
 * where the document forbids them. Each constraint once; only the ones the document's own validator refuses are
 * kept, so a case never asks a server for more than the document says.
 * @example brokenBodies(contract, schema, { name: 'Mars' }).map((c) => c.title) // ['name: required field left out', 'name: a number instead of string', …]
 */
export function brokenBodies(contract: OpenApiContract, schema: unknown, valid: Readonly<Record<string, unknown>>, seed = 1): BrokenBody[] {
  if (!objectShape(contract.document, schema)) return []
  const check = contract.check(schema, 'request')
  const out: BrokenBody[] = []
  const seen = new Set<string>()
  for (const breach of breaches(contract, schema, valid, { seed })) {
    const field = labelOf(breach.path)
    const key = `${field}\u0000${breach.kind}`
    if (seen.has(key)) continue
    const body = placed(valid, breach)
    if (!isObject(body) || check(body).length === 0) continue
    seen.add(key)
    out.push({ field, kind: breach.kind, body, title: `${field}: ${breach.title}`, ...(breach.premise && { premise: breach.premise }) })
  }
  return out
}

/**
 * The breaches of `schema` in `value` at `path`: the node's own constraints, then (objects) each property's and the
 * required ones left out, then (arrays) the first element's. A property the valid value leaves out is still broken
 * by setting it; its own nested properties only when the valid value has it.
 * @example breaches(contract, { type: 'integer', maximum: 10 }, 3).map((b) => b.kind) // ['type', 'maximum']
 */
export function breaches(
  contract: OpenApiContract,
  schema: unknown,
  value: unknown,
  { seed = 1, path = [], depth = 0 }: { seed?: number; path?: ReadonlyArray<string | number>; depth?: number } = {},
  out: Breach[] = [],
): Breach[] {
  const node = deref(contract.document.root, schema)
  if (!isObject(node) || depth > MAX_DEPTH || out.length >= MAX_BREACHES) return out
  const add = (kind: BrokenKind, broken: unknown, title: string, premise?: BrokenPremise) =>
    void out.push({ path, kind, value: broken, title, ...(premise && { premise }) })
  if (depth > 0 || path.length > 0) {
    const wrong = wrongType(node)
    if (wrong) add('type', wrong.value, `${wrong.what} instead of ${typesOf(node).join(' or ') || 'its type'}`)
  }
  const members = Array.isArray(node['enum']) ? node['enum'] : []
  if (members.length > 0) {
    add('enum', 'apitwin-not-a-member', 'a value outside the enum')
    const text = members.find((m): m is string => typeof m === 'string' && m.toUpperCase() !== m)
    if (text !== undefined && !members.includes(text.toUpperCase()))
      add('enum-case', text.toUpperCase(), `${JSON.stringify(text.toUpperCase())}, an enum member in the wrong case`)
  }
  for (const [kind, broken, title] of bounds(node)) add(kind, broken, title)
  // Only where the value does miss it (`.*` takes anything) and the pattern is one ECMAScript reads (see ecmaPattern).
  const pattern = ecmaPattern(node['pattern'])
  if (pattern !== undefined && !new RegExp(pattern, 'u').test(PATTERN_MISS)) add('pattern', PATTERN_MISS, 'a value that misses the pattern')
  if (typeof node['format'] === 'string' && typesOf(node).includes('string'))
    add('format', 'not a valid value', `not a ${node['format']}`, 'request.format')
  const items = deref(contract.document.root, node['items'])
  if (typesOf(node).includes('array') || isObject(items)) {
    const element: unknown =
      Array.isArray(value) && value.length > 0
        ? (value as unknown[])[0]
        : isObject(items)
          ? sampleOf(contract, node['items'], seed)
          : undefined
    const count = (n: number): unknown[] => Array.from({ length: n }, (): unknown => structuredClone(element))
    const minItems = typeof node['minItems'] === 'number' ? node['minItems'] : undefined
    const maxItems = typeof node['maxItems'] === 'number' ? node['maxItems'] : undefined
    if (minItems !== undefined && minItems > 0 && element !== undefined)
      add('minItems', count(minItems - 1), `${minItems - 1} items, under minItems ${minItems}`)
    // Copies of one element would also break uniqueItems: the case must break one constraint only.
    if (maxItems !== undefined && maxItems < 1_000 && element !== undefined && node['uniqueItems'] !== true)
      add('maxItems', count(maxItems + 1), `${maxItems + 1} items, over maxItems ${maxItems}`)
    if (Array.isArray(value) && value.length > 0 && isObject(items))
      breaches(contract, node['items'], element, { seed, path: [...path, 0], depth: depth + 1 }, out)
  }
  const shape = objectShape(contract.document, schema)
  if (!shape || (value !== undefined && !isObject(value))) return out
  for (const field of Object.keys(shape.properties)) {
    const child = propertySchema(contract.document, shape, field)
    if (child['readOnly'] === true) continue
    const at = [...path, field]
    if (shape.required.has(field) && isObject(value) && field in value)
      out.push({ path: at, kind: 'required', remove: true, title: 'required field left out' })
    const inner = isObject(value) ? value[field] : undefined
    // An absent object is not descended into: its own required fields would be a second break.
    if (value === undefined && depth > 0) continue
    breaches(contract, shape.properties[field], inner, { seed, path: at, depth: depth + 1 }, out)
  }
  if (shape.closed && isObject(value))
    out.push({
      path: [...path, 'apitwin_unknown_field'],
      kind: 'additionalProperties',
      value: 1,
      title: 'a field the document does not allow (additionalProperties: false)',
    })
  return out
}

/** `a.b[0].c` for a breach's path. */
function labelOf(path: ReadonlyArray<string | number>): string {
  return path.map((step, index) => (typeof step === 'number' ? `[${step}]` : index === 0 ? step : `.${step}`)).join('') || 'body'
}

/** `valid` with the breach applied, a deep copy (the valid body is shared by every case). */
function placed(valid: unknown, breach: Breach): unknown {
  if (breach.path.length === 0) return breach.value
  const root: unknown = structuredClone(valid)
  let at: unknown = root
  for (const step of breach.path.slice(0, -1)) {
    if (typeof at !== 'object' || at === null) return root
    at = (at as Record<string | number, unknown>)[step]
  }
  const last = breach.path[breach.path.length - 1] as string | number
  if (typeof at !== 'object' || at === null) return root
  if (breach.remove) delete (at as Record<string | number, unknown>)[last]
  else (at as Record<string | number, unknown>)[last] = breach.value
  return root
}

/** A valid value of an array's item schema, for the item-count cases of an array the valid body leaves empty. */
function sampleOf(contract: OpenApiContract, schema: unknown, seed: number): unknown {
  return validSample(contract, createFaker(seed), schema, 'request')
}

/** A value of a type the schema does not allow, or undefined when it allows them all. */
function wrongType(node: JsonObject): { value: unknown; what: string } | undefined {
  const types = typesOf(node)
  if (types.length === 0) return undefined
  if (!types.includes('string')) return { value: 'apitwin-not-a-' + (types[0] ?? 'value'), what: 'a string' }
  if (!types.includes('number') && !types.includes('integer')) return { value: 12345, what: 'a number' }
  if (!types.includes('object')) return { value: { apitwin: true }, what: 'an object' }
  return undefined
}

/** Each numeric bound and length limit crossed by one. */
function bounds(node: JsonObject): Array<[BrokenKind, unknown, string]> {
  const out: Array<[BrokenKind, unknown, string]> = []
  const num = (key: string) => (typeof node[key] === 'number' ? node[key] : undefined)
  const step = typesOf(node).includes('integer') ? 1 : 0.5
  const min = num('minimum')
  const max = num('maximum')
  const exMin = num('exclusiveMinimum') ?? (node['exclusiveMinimum'] === true ? min : undefined)
  const exMax = num('exclusiveMaximum') ?? (node['exclusiveMaximum'] === true ? max : undefined)
  if (exMin !== undefined) out.push(['minimum', exMin, `${exMin}, not above its exclusive minimum`])
  else if (min !== undefined) out.push(['minimum', min - step, `${min - step}, below its minimum ${min}`])
  if (exMax !== undefined) out.push(['maximum', exMax, `${exMax}, not below its exclusive maximum`])
  else if (max !== undefined) out.push(['maximum', max + step, `${max + step}, above its maximum ${max}`])
  const minLength = num('minLength')
  const maxLength = num('maxLength')
  if (minLength !== undefined && minLength > 0)
    out.push(['minLength', 'x'.repeat(minLength - 1), `${minLength - 1} characters, under minLength ${minLength}`])
  // Capped: a limit of a million characters is not worth a megabyte request.
  if (maxLength !== undefined && maxLength < 100_000)
    out.push(['maxLength', 'x'.repeat(maxLength + 1), `${maxLength + 1} characters, over maxLength ${maxLength}`])
  return out
}

/** A valid request body chosen to exercise one documented thing: an example, an enum member, a bound. */
export interface ValidBody {
  readonly title: string
  readonly body: Readonly<Record<string, unknown>>
}

/**
 * Bodies a conforming server must accept: each documented example that fits, and from `valid` each enum member
 * of a top-level field and each bound reached exactly (minimum, maximum, minLength, maxLength). Only the ones the
 * document's own validator accepts are kept; readOnly fields are left out.
 * @example acceptedBodies(contract, schema, examples, { name: 'Mars' }).map((c) => c.title) // ['example 1', 'type: "gas_giant"', …]
 */
export function acceptedBodies(
  contract: OpenApiContract,
  schema: unknown,
  examples: readonly unknown[],
  valid: Readonly<Record<string, unknown>>,
): ValidBody[] {
  const shape = objectShape(contract.document, schema)
  if (!shape) return []
  const check = contract.check(schema, 'request')
  const out: ValidBody[] = []
  const writable = (value: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(value).filter(([key]) => propertySchema(contract.document, shape, key)['readOnly'] !== true))
  examples.forEach((example, index) => {
    if (!isObject(example)) return
    const body = writable(example)
    if (check(body).length === 0) out.push({ title: `the document's example ${index + 1}`, body })
  })
  const add = (field: string, value: unknown, title: string) => {
    const body = { ...valid, [field]: value }
    if (check(body).length === 0) out.push({ title: `${field}: ${title}`, body })
  }
  for (const field of Object.keys(shape.properties)) {
    const node = propertySchema(contract.document, shape, field)
    if (node['readOnly'] === true) continue
    if (Array.isArray(node['enum'])) for (const member of node['enum']) add(field, member, `enum member ${JSON.stringify(member)}`)
    const num = (key: string) => (typeof node[key] === 'number' ? node[key] : undefined)
    const [min, max, minLength, maxLength] = [num('minimum'), num('maximum'), num('minLength'), num('maxLength')]
    if (min !== undefined) add(field, min, `${min}, its minimum`)
    if (max !== undefined) add(field, max, `${max}, its maximum`)
    if (minLength !== undefined) add(field, 'x'.repeat(minLength), `${minLength} characters, its minLength`)
    if (maxLength !== undefined && maxLength < 100_000) add(field, 'x'.repeat(maxLength), `${maxLength} characters, its maxLength`)
  }
  return out
}
