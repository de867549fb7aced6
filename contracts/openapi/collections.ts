import type { OpenApiDocument } from './document.ts'
import { jsonMedia, successStatuses, type OpenApiOperation } from './operations.ts'
import { deref, isObject } from './pointer.ts'
import { objectShape, propertySchema, typesOf } from './schema-shape.ts'

/** What each CRUD operation of a collection is, by operation key. */
export interface CollectionOperations {
  readonly list?: string
  readonly create?: string
  readonly read?: string
  readonly replace?: string
  readonly merge?: string
  readonly delete?: string
}

/**
 * A collection inferred from the document's paths: `/things` (list, create) and `/things/{id}` (read, replace,
 * merge, delete). Nested ones (`/a/{aId}/b/{bId}`) name their parent collection; a record then lives under
 * its parent's key, and a request under a parent that does not exist is a 404.
 */
export interface OpenApiCollection {
  /** Unique in the API: the collection path's literal segments joined by dots (`store.order`). */
  readonly name: string
  readonly collectionPath: string
  readonly itemPath: string
  /** The path parameter naming an item (`planetId`). */
  readonly param: string
  /** The record field that holds the id (`id`, or `username` for `/user/{username}`). */
  readonly idField: string
  /** `integer`, `number` or `string`: how a path segment becomes the id. */
  readonly idType: 'integer' | 'number' | 'string'
  /** The document's schema of one item (as written; `$ref`s unresolved). */
  readonly itemSchema: unknown
  /** Where the item schema came from, for messages: a JSON pointer. */
  readonly itemPointer: string
  /** The parent collection's name, for nested paths whose parent item path is a collection too. */
  readonly parent: string | undefined
  /** The path parameters naming the ancestors, outermost first (only when `parent` is set). */
  readonly parentParams: readonly string[]
  readonly operations: CollectionOperations
}

const ID_SUFFIX = /^(.*?)(_?id|Id|ID)$/
/** Fields that name an item by text, tried when the path parameter is a string but `id` is a number. */
const STRING_KEYS = ['login', 'slug', 'username', 'name', 'key', 'handle', 'node_id'] as const

/**
 * Collections from the paths. An item path is one whose last segment is a whole `{param}`; its collection path is
 * the same without that segment, which must end in a literal (`/planets`). An item needs an id field: the
 * parameter's own name among the item's properties, else `id`. Operations that fit no collection are answered
 * from their examples or schemas by the resolver.
 * @example inferCollections(doc, ops).map((c) => c.name) // ['planets', 'store.order', 'user']
 */
export function inferCollections(doc: OpenApiDocument, operations: readonly OpenApiOperation[]): OpenApiCollection[] {
  const byPath = new Map<string, Map<string, OpenApiOperation>>()
  for (const operation of operations) {
    const methods = byPath.get(operation.path) ?? new Map<string, OpenApiOperation>()
    methods.set(operation.method, operation)
    byPath.set(operation.path, methods)
  }
  const found: OpenApiCollection[] = []
  const taken = new Set<string>()
  // Shorter paths first, so a parent collection exists before its children look it up.
  const itemPaths = [...byPath.keys()]
    .filter((path) => /\/\{[^}/]+\}$/.test(path))
    .sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b))
  for (const itemPath of itemPaths) {
    const item = byPath.get(itemPath) as Map<string, OpenApiOperation>
    const collectionPath = itemPath.slice(0, itemPath.lastIndexOf('/'))
    const lastSegment = collectionPath.slice(collectionPath.lastIndexOf('/') + 1)
    if (collectionPath === '' || lastSegment === '' || lastSegment.includes('{')) continue
    const param = (/\{([^}]+)\}$/.exec(itemPath) as RegExpExecArray)[1] as string
    const list = byPath.get(collectionPath)
    const ops = {
      list: list?.get('GET'),
      create: list?.get('POST'),
      read: item.get('GET'),
      replace: item.get('PUT'),
      merge: item.get('PATCH'),
      delete: item.get('DELETE'),
    }
    const candidates: Array<readonly [unknown, string]> = []
    const push = (operation: OpenApiOperation | undefined, side: 'response' | 'request') => {
      if (!operation) return
      if (side === 'request') {
        const media = operation.requestBody && jsonMedia(operation.requestBody.content)
        if (media) candidates.push([media[1].schema, media[1].pointer])
        return
      }
      const status = successStatuses(operation)[0]
      const response = status === undefined ? undefined : (operation.responses[String(status)] ?? operation.responses['2XX'])
      const media = response && jsonMedia(response.content)
      if (media) candidates.push([media[1].schema, media[1].pointer])
    }
    push(ops.read, 'response')
    // A read that answers no item (GitHub's `GET …/assignees/{assignee}`: 204 or 404, a membership check) means
    // the path is not a collection of documents; a create's response then describes something else.
    if (ops.read && candidates.length === 0) continue
    push(ops.create, 'response')
    push(ops.replace, 'request')
    push(ops.create, 'request')
    // An API that only updates (`PUT /users/{id}` answering `{ data: User }`) describes its item in the answer.
    push(ops.replace, 'response')
    push(ops.merge, 'response')
    // The parameter's own type: a string `{org}` names an item by a string field (`login`), not by an integer `id`.
    const paramSchema = [ops.read, ops.replace, ops.merge, ops.delete].flatMap(
      (op) => op?.parameters.filter((p) => p.in === 'path' && p.name === param) ?? [],
    )[0]?.schema
    const paramNode = deref(doc.root, paramSchema)
    const item0 = pickItem(
      doc,
      candidates,
      param,
      isObject(paramNode) && typesOf(paramNode).includes('string') && !typesOf(paramNode).includes('integer'),
    )
    if (!item0) continue
    const parentItemPath = collectionPath.slice(0, collectionPath.lastIndexOf('/'))
    const parent = found.find((c) => c.itemPath === parentItemPath)
    const baseName =
      collectionPath
        .split('/')
        .filter((s) => s !== '' && !s.includes('{'))
        .join('.') || 'items'
    let name = baseName
    for (let n = 2; taken.has(name); n++) name = `${baseName}.${n}`
    taken.add(name)
    const idNode = propertySchema(doc, item0.shape, item0.idField)
    const idTypes = typesOf(idNode)
    const operationsOf: Record<string, string> = {}
    for (const [role, operation] of Object.entries(ops)) if (operation) operationsOf[role] = operation.key
    found.push({
      name,
      collectionPath,
      itemPath,
      param,
      idField: item0.idField,
      idType: idTypes.includes('integer') ? 'integer' : idTypes.includes('number') ? 'number' : 'string',
      itemSchema: item0.schema,
      itemPointer: item0.pointer,
      parent: parent?.name,
      parentParams: parent ? [...parent.parentParams, parent.param] : [],
      operations: operationsOf,
    })
  }
  return found
}

interface PickedItem {
  readonly schema: unknown
  readonly pointer: string
  readonly idField: string
  readonly shape: NonNullable<ReturnType<typeof objectShape>>
}

/** The first candidate that is an object schema with an id field, unwrapping `{ data: Item }`-style envelopes. */
function pickItem(
  doc: OpenApiDocument,
  candidates: ReadonlyArray<readonly [unknown, string]>,
  param: string,
  stringParam: boolean,
): PickedItem | undefined {
  for (const [schema, at] of candidates) {
    const shape = objectShape(doc, schema)
    if (!shape) continue
    let idField = idFieldOf(shape.properties, param)
    if (idField !== undefined && stringParam && !typesOf(propertySchema(doc, shape, idField)).includes('string')) {
      idField =
        STRING_KEYS.find((name) => name in shape.properties && typesOf(propertySchema(doc, shape, name)).includes('string')) ?? idField
    }
    if (idField) return { schema, pointer: at, idField, shape }
    // An envelope: one property holding the item (`{ "data": { "id": … } }`).
    const inner = Object.entries(shape.properties)
      .map(([key, value]) => [key, value, objectShape(doc, value)] as const)
      .filter(([, , s]) => s && idFieldOf(s.properties, param))
    const [only] = inner
    if (inner.length === 1 && only && only[2]) {
      const innerSchema = only[1]
      const target = deref(doc.root, innerSchema)
      if (isObject(target))
        return {
          schema: innerSchema,
          pointer: `${at}/properties/${only[0]}`,
          idField: idFieldOf(only[2].properties, param) as string,
          shape: only[2],
        }
    }
  }
  return undefined
}

function idFieldOf(properties: Readonly<Record<string, unknown>>, param: string): string | undefined {
  if (param in properties) return param
  const stem = ID_SUFFIX.exec(param)
  if (stem && 'id' in properties) return 'id'
  if (stem?.[1] && `${stem[1]}_id` in properties) return `${stem[1]}_id`
  return 'id' in properties ? 'id' : undefined
}
