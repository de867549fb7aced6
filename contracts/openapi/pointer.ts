import { OpenApiImportError } from './import-error.ts'

/** A JSON value read from a document: objects are records of unknown values until a step checks them. */
export type JsonObject = Readonly<Record<string, unknown>>

/** Whether a value is a plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * One JSON pointer token, escaped (RFC 6901): `/pets/{id}` → `~1pets~1{id}`.
 * @example pointer(['paths', '/pets', 'get']) // '#/paths/~1pets/get'
 */
export function pointer(tokens: readonly (string | number)[]): string {
  return `#${tokens.map((token) => `/${String(token).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('')}`
}

/**
 * The value a local `$ref` (`#/components/schemas/Pet`) points at in `root`, or undefined when nothing is there.
 * @example resolvePointer(doc, '#/components/schemas/Pet')
 */
export function resolvePointer(root: unknown, ref: string): unknown {
  if (ref === '#' || ref === '') return root
  if (!ref.startsWith('#/')) return undefined
  let node: unknown = root
  for (const raw of ref.slice(2).split('/')) {
    let token: string
    try {
      token = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~')
    } catch {
      return undefined
    }
    if (Array.isArray(node)) node = node[Number(token)]
    else if (isObject(node) && Object.hasOwn(node, token)) node = node[token]
    else return undefined
  }
  return node
}

/** How deep a chain of `$ref`s to `$ref`s may go before it is called a loop. */
const MAX_REF_CHAIN = 32

/**
 * Follows `$ref`s (local only; checked at import) until a node that is not a reference. A chain that loops or
 * dangles is an import error naming the pointer.
 * @example deref(doc, { $ref: '#/components/schemas/Pet' }) // the Pet schema
 */
export function deref(root: unknown, node: unknown): unknown {
  let current = node
  for (let hops = 0; isObject(current) && typeof current['$ref'] === 'string'; hops++) {
    const ref = current['$ref']
    if (hops >= MAX_REF_CHAIN) throw new OpenApiImportError(ref, 'a chain of $refs loops; point it at a schema')
    const target = resolvePointer(root, ref)
    if (target === undefined) throw new OpenApiImportError(ref, 'this $ref points at nothing in the document; fix the pointer')
    current = target
  }
  return current
}
