import type { OpenApiContract } from '../contracts/openapi/contract.ts'
import { isObject, type JsonObject } from '../contracts/openapi/pointer.ts'
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
  | 'pattern'
  | 'format'
  | 'additionalProperties'

/** A request body that breaks exactly one constraint of its schema; the document's own validator refuses it. */
export interface BrokenBody {
  readonly field: string
  readonly kind: BrokenKind
  readonly body: Readonly<Record<string, unknown>>
  /** For the report: `name: required field left out`. */
  readonly title: string
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

/**
 * Every body that breaks one constraint of `schema` at the top level of `valid`: a required field left out, a value
 * of the wrong type, an enum outsider and the wrong case of a member, each bound crossed by one, a pattern or format
 * missed, an unknown field where the document forbids them. Only the ones the document's own validator refuses are
 * kept, so a case never asks a server for more than the document says.
 * @example brokenBodies(contract, schema, { name: 'Mars' }).map((c) => c.title) // ['name: required field left out', 'name: a number instead of string', …]
 */
export function brokenBodies(contract: OpenApiContract, schema: unknown, valid: Readonly<Record<string, unknown>>): BrokenBody[] {
  const shape = objectShape(contract.document, schema)
  if (!shape) return []
  const check = contract.check(schema, 'request')
  const out: BrokenBody[] = []
  const add = (field: string, kind: BrokenKind, value: unknown, title: string, remove = false) => {
    const body: Record<string, unknown> = { ...valid }
    if (remove) delete body[field]
    else body[field] = value
    if (check(body).length > 0) out.push({ field, kind, body, title: `${field}: ${title}` })
  }
  for (const field of Object.keys(shape.properties)) {
    const node = propertySchema(contract.document, shape, field)
    if (node['readOnly'] === true) continue
    if (shape.required.has(field)) add(field, 'required', undefined, 'required field left out', true)
    const wrong = wrongType(node)
    if (wrong) add(field, 'type', wrong.value, `${wrong.what} instead of ${typesOf(node).join(' or ') || 'its type'}`)
    const members = Array.isArray(node['enum']) ? node['enum'] : []
    if (members.length > 0) {
      add(field, 'enum', 'apitwin-not-a-member', 'a value outside the enum')
      const text = members.find((m): m is string => typeof m === 'string' && m.toUpperCase() !== m)
      if (text !== undefined && !members.includes(text.toUpperCase()))
        add(field, 'enum-case', text.toUpperCase(), `${JSON.stringify(text.toUpperCase())}, an enum member in the wrong case`)
    }
    for (const [kind, value, title] of bounds(node)) add(field, kind, value, title)
    if (typeof node['pattern'] === 'string') add(field, 'pattern', ' !apitwin! ', 'a value that misses the pattern')
    if (typeof node['format'] === 'string' && typesOf(node).includes('string'))
      add(field, 'format', 'not a valid value', `not a ${node['format']}`)
  }
  if (shape.closed)
    add('apitwin_unknown_field', 'additionalProperties', 1, 'a field the document does not allow (additionalProperties: false)')
  return out
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
