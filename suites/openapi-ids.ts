import type { OpenApiContract } from '../contracts/openapi/contract.ts'
import { jsonMedia, responseFor, successStatuses, type OpenApiOperation } from '../contracts/openapi/operations.ts'
import { isObject } from '../contracts/openapi/pointer.ts'

/**
 * Values for every path parameter of `operation` that fit its schema but name nothing a server holds; with `strict`,
 * undefined when some parameter takes none of them (ids bounded to a range the seed fills).
 * @example unknownParams(contract, getPlanet) // { planetId: 987654321 }
 */
export function unknownParams(
  contract: OpenApiContract,
  operation: OpenApiOperation,
  strict: true,
): Record<string, string | number> | undefined
export function unknownParams(contract: OpenApiContract, operation: OpenApiOperation): Record<string, string | number>
export function unknownParams(
  contract: OpenApiContract,
  operation: OpenApiOperation,
  strict = false,
): Record<string, string | number> | undefined {
  const out: Record<string, string | number> = {}
  for (const parameter of operation.parameters.filter((p) => p.in === 'path')) {
    const candidates: Array<string | number> = [
      987_654_321,
      99_999,
      9_999,
      '00000000-0000-4000-8000-00000000beef',
      'apitwin-unknown-id',
      'zz-apitwin-unknown',
    ]
    const fits = parameter.schema === undefined ? undefined : contract.check(parameter.schema, 'request')
    const found = candidates.find((value) => fits === undefined || fits(value).length === 0)
    if (found === undefined && strict) return undefined
    out[parameter.name] = found ?? 'apitwin-unknown-id'
  }
  return out
}

/**
 * The item in an answer: the body itself, or the one property (`data`) holding an object with the id field.
 * @example itemIn({ data: { id: 7 } }, 'id') // { id: 7 }
 */
export function itemIn(body: unknown, idField: string): Record<string, unknown> | undefined {
  if (!isObject(body)) return undefined
  if (idField in body) return body
  const inner = Object.values(body).filter((value): value is Record<string, unknown> => isObject(value) && idField in value)
  return inner.length === 1 ? inner[0] : undefined
}

/**
 * The id of the item in an answer, when it is a string or a number.
 * @example idIn({ id: 7, name: 'Mars' }, 'id') // 7
 */
export function idIn(body: unknown, idField: string): string | number | undefined {
  const id = itemIn(body, idField)?.[idField]
  return typeof id === 'string' || typeof id === 'number' ? id : undefined
}

/**
 * Whether a create answers the item, so its id can be read: some 2xx it declares has a JSON body, or, declaring
 * no 2xx, its `default` response has (what the twin then answers with).
 * @example answersItem(createPlanet) // true
 */
export function answersItem(create: OpenApiOperation): boolean {
  const statuses = successStatuses(create)
  const bodies = statuses.length > 0 ? statuses.map((status) => responseFor(create, status)) : [create.responses['default']]
  return bodies.some((response) => jsonMedia(response?.content ?? {})?.[1].schema !== undefined)
}

/**
 * The id a client put in a body it sent (top level only: a nested `category.id` names something else).
 * @example sentId({ username: 'ada', category: { id: 1 } }, 'username') // 'ada'
 */
export function sentId(body: unknown, idField: string): string | number | undefined {
  const id = isObject(body) ? body[idField] : undefined
  return typeof id === 'string' || typeof id === 'number' ? id : undefined
}
