import type { OpenApiCollection } from '../contracts/openapi/collections.ts'
import type { OpenApiContract } from '../contracts/openapi/contract.ts'
import { jsonMedia, type OpenApiOperation } from '../contracts/openapi/operations.ts'
import { deref, isObject } from '../contracts/openapi/pointer.ts'
import { PAGE_PARAMS } from '../contracts/openapi/rules.ts'
import { objectShape, propertySchema, typesOf } from '../contracts/openapi/schema-shape.ts'
import type { CheckContext, Exchange } from './check.ts'
import { brokenBodies, validBody } from './openapi-bodies.ts'
import { answersItem, idIn, itemIn, sentId, unknownParams } from './openapi-ids.ts'
import { sendOperation } from './openapi-request.ts'
import type { Observation, Probe } from './probes.ts'

type Ctx = CheckContext<string>

/**
 * One probe per inferred rule of an imported API, asked on its first top-level collection that has the operations
 * the question needs: which reading does this server follow? Observations hold no ids or data, only what differs
 * between readings (a status, whether a field was kept, the keys of an error body). Probes that create items
 * `need` writes and delete what they made.
 * @example openApiProbes(contract).map((p) => p.rule) // ['validation.status', 'error.body', 'delete.then', …]
 */
export function openApiProbes(contract: OpenApiContract, seed = 1): Probe[] {
  const byKey = new Map(contract.operations.map((operation) => [operation.key, operation]))
  const op = (collection: OpenApiCollection, role: keyof OpenApiCollection['operations']) =>
    collection.operations[role] === undefined ? undefined : byKey.get(collection.operations[role])
  const bodyOf = (operation: OpenApiOperation | undefined, salt = 0) => {
    const media = operation?.requestBody && jsonMedia(operation.requestBody.content)
    return media ? validBody(contract, media[1].schema, media[1].examples, seed + salt) : undefined
  }
  const top = contract.collections.filter((c) => !c.collectionPath.includes('{'))
  /** The first collection with every role of `roles`, a valid create body, and (`withId`) a create that answers the id. */
  const find = (roles: ReadonlyArray<keyof OpenApiCollection['operations']>, withId = true) =>
    top.find((c) => {
      const made = op(c, 'create')
      const read = op(c, 'read')
      // Ids bounded to a range the seed fills (petstore's orderId 1..10) cannot name what a probe creates.
      const addressable = read === undefined || unknownParams(contract, read, true) !== undefined
      return (
        roles.every((role) => op(c, role) !== undefined) &&
        made !== undefined &&
        bodyOf(made) !== undefined &&
        (!withId || (addressable && (answersItem(made) || sentId(bodyOf(made), c.idField) !== undefined)))
      )
    })
  const inferred = (rule: string) => contract.rules[rule]?.provenance.kind === 'inferred'
  const out: Probe[] = []

  /** Creates an item (deleted after the probe); its id and the exchange. */
  const create = async (
    t: Ctx,
    collection: OpenApiCollection,
    body: unknown,
  ): Promise<{ exchange: Exchange; id: string | number | undefined }> => {
    const operation = op(collection, 'create') as OpenApiOperation
    const { exchange } = await sendOperation(t, operation, { body })
    // A create that answers no body keeps the id the client sent (`username`).
    const id =
      exchange.status < 300 && exchange.status >= 200
        ? (idIn(exchange.body, collection.idField) ?? sentId(body, collection.idField))
        : undefined
    const remove = op(collection, 'delete')
    if (id !== undefined && remove) t.onCleanup(() => sendOperation(t, remove, { params: { [collection.param]: id } }))
    return { exchange, id }
  }

  const refusing = top.flatMap((collection) => {
    const operation = op(collection, 'create')
    const media = operation?.requestBody && jsonMedia(operation.requestBody.content)
    const valid = bodyOf(operation)
    // Two top-level breaks at once (a required field left out, another field of the wrong type): a server that
    // misses one of the checks still refuses, so the probe sees its refusal, not the other check's breakage.
    const cases = media && valid ? brokenBodies(contract, media[1].schema, valid).filter((c) => /^[^.[]+$/.test(c.field)) : []
    const missing = cases.find((c) => c.kind === 'required')
    const typed = cases.find((c) => c.kind === 'type' && c.field !== missing?.field)
    const body = missing && typed ? { ...missing.body, [typed.field]: typed.body[typed.field] } : (missing ?? typed)?.body
    return operation && body ? [{ collection, body }] : []
  })[0]
  if (refusing && inferred('validation.status'))
    out.push({ rule: 'validation.status', observe: async (t) => (await create(t, refusing.collection, refusing.body)).exchange.status })
  if (refusing && inferred('error.body')) {
    out.push({
      rule: 'error.body',
      observe: async (t) => {
        const { exchange } = await create(t, refusing.collection, refusing.body)
        return {
          type: (exchange.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '',
          keys: isObject(exchange.body) ? Object.keys(exchange.body).sort() : [],
        }
      },
    })
  }

  const writable = find(['create'], false)
  if (writable && inferred('create.status'))
    out.push({
      rule: 'create.status',
      needs: ['writes'],
      observe: async (t) => (await create(t, writable, bodyOf(op(writable, 'create')))).exchange.status,
    })
  if (writable && inferred('create.location'))
    out.push({
      rule: 'create.location',
      needs: ['writes'],
      observe: async (t) => (await create(t, writable, bodyOf(op(writable, 'create')))).exchange.headers.has('location'),
    })
  if (writable && inferred('body.unknown')) {
    out.push({
      rule: 'body.unknown',
      needs: ['writes'],
      observe: async (t) => {
        const operation = op(writable, 'create') as OpenApiOperation
        const media = operation.requestBody && jsonMedia(operation.requestBody.content)
        const shape = media && objectShape(contract.document, media[1].schema)
        // Where the document closes the body itself, a readOnly field is what the reading decides on.
        const readOnly =
          shape && Object.keys(shape.properties).find((name) => propertySchema(contract.document, shape, name)['readOnly'] === true)
        const extra = shape?.statesExtras
          ? readOnly === undefined
            ? undefined
            : { [readOnly]: idValue(writable) }
          : { apitwin_extra: 'x' }
        if (extra === undefined) return 'nothing to send'
        const status = (await create(t, writable, { ...(bodyOf(operation) ?? {}), ...extra })).exchange.status
        return status >= 200 && status < 300 ? 'taken' : 'refused'
      },
    })
  }

  const replaceable = find(['create', 'replace'], false)
  if (replaceable && inferred('put.unknown')) {
    out.push({
      rule: 'put.unknown',
      needs: ['writes'],
      observe: async (t) => {
        const replace = op(replaceable, 'replace') as OpenApiOperation
        const params = unknownParams(contract, replace)
        const { exchange } = await sendOperation(t, replace, { params, body: bodyOf(replace) })
        const remove = op(replaceable, 'delete')
        if (exchange.status >= 200 && exchange.status < 300 && remove) t.onCleanup(() => sendOperation(t, remove, { params }))
        return exchange.status >= 200 && exchange.status < 300 ? 'created' : exchange.status
      },
    })
  }
  const readable = find(['create', 'replace', 'read'])
  if (readable && inferred('put.mode')) {
    out.push({
      rule: 'put.mode',
      needs: ['writes'],
      observe: async (t) => {
        const replace = op(readable, 'replace') as OpenApiOperation
        const full = bodyOf(op(readable, 'create')) ?? {}
        const { id } = await create(t, readable, full)
        if (id === undefined) return 'not created'
        // Only the fields the replace requires: what happens to the optional ones sent at create is the question.
        const media = replace.requestBody && jsonMedia(replace.requestBody.content)
        const shape = media && objectShape(contract.document, media[1].schema)
        const minimal = Object.fromEntries(Object.entries(full).filter(([key]) => shape?.required.has(key)))
        const optional = Object.keys(full).filter((key) => !shape?.required.has(key) && key !== readable.idField)
        const params = { [readable.param]: id }
        await sendOperation(t, replace, { params, body: minimal })
        const read = itemIn((await sendOperation(t, op(readable, 'read') as OpenApiOperation, { params })).exchange.body, readable.idField)
        // Any optional field still there: a write-only one (a password) never comes back, so "all" would say nothing.
        return optional.some((key) => read !== undefined && key in read) ? 'kept' : 'dropped'
      },
    })
  }
  const deletable = find(['create', 'delete'])
  if (deletable && inferred('delete.status')) {
    out.push({
      rule: 'delete.status',
      needs: ['writes'],
      observe: async (t) => {
        const { id } = await create(t, deletable, bodyOf(op(deletable, 'create')))
        if (id === undefined) return 'not created'
        return (await sendOperation(t, op(deletable, 'delete') as OpenApiOperation, { params: { [deletable.param]: id } })).exchange.status
      },
    })
  }
  const gone = find(['create', 'delete', 'read'])
  if (gone && inferred('delete.then')) {
    out.push({
      rule: 'delete.then',
      needs: ['writes'],
      observe: async (t) => {
        const { id } = await create(t, gone, bodyOf(op(gone, 'create')))
        if (id === undefined) return 'not created'
        const params = { [gone.param]: id }
        await sendOperation(t, op(gone, 'delete') as OpenApiOperation, { params })
        return (await sendOperation(t, op(gone, 'read') as OpenApiOperation, { params })).exchange.status
      },
    })
  }
  const paged = top.flatMap((collection) => {
    const list = op(collection, 'list')
    const limit = list?.parameters.find((p) => p.in === 'query' && (PAGE_PARAMS.limit as readonly string[]).includes(p.name))
    return list && limit ? [{ list, limit: limit.name }] : []
  })[0]
  // A read's query parameter broken once: refused (4xx) or answered as if valid. The same for a format.
  const reads = contract.operations.filter(
    (operation) =>
      operation.method === 'GET' && !operation.path.includes('{') && !operation.parameters.some((p) => p.required && p.in !== 'path'),
  )
  const queryProbe = (rule: 'parameter.checks' | 'request.format', pick: (node: Record<string, unknown>) => string | undefined) => {
    if (!inferred(rule)) return
    for (const operation of reads)
      for (const parameter of operation.parameters) {
        const node = parameter.in === 'query' ? deref(contract.document.root, parameter.schema) : undefined
        const broken = isObject(node) ? pick(node) : undefined
        if (broken === undefined) continue
        out.push({
          rule,
          observe: async (t) => {
            const { exchange } = await sendOperation(t, operation, { query: [[parameter.name, broken]] })
            return exchange.status >= 400 && exchange.status < 500 ? 'refused' : exchange.status < 300 ? 'answered' : exchange.status
          },
        })
        return
      }
  }
  queryProbe('parameter.checks', (node) =>
    typesOf(node).some((type) => type === 'integer' || type === 'number') ? 'apitwin-not-a-number' : undefined,
  )
  queryProbe('request.format', (node) =>
    typeof node['format'] === 'string' && ['date-time', 'date', 'uuid', 'email', 'uri'].includes(node['format'])
      ? 'apitwin-not-formatted'
      : undefined,
  )
  if (paged && inferred('list.pagination')) {
    out.push({
      rule: 'list.pagination',
      observe: async (t) => {
        const { exchange } = await sendOperation(t, paged.list, { query: [[paged.limit, '1']] })
        return itemsIn(exchange.body)?.length === 1 ? 'one item' : 'more or none'
      },
    })
  }
  return out
}

/** The array of items in a list answer: the body, or its first array property (`data`, `items`). */
function itemsIn(body: unknown): readonly unknown[] | undefined {
  if (Array.isArray(body)) return body as readonly unknown[]
  if (!isObject(body)) return undefined
  return Object.values(body).find((value): value is unknown[] => Array.isArray(value))
}

/** A value for a readOnly id field: of the id's type, naming nothing. */
function idValue(collection: OpenApiCollection): Observation {
  return collection.idType === 'string' ? 'apitwin-client-id' : 987_654_321
}
