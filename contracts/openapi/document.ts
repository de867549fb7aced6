import { OpenApiImportError } from './import-error.ts'
import { isObject, pointer, resolvePointer, type JsonObject } from './pointer.ts'

/** A document as `importOpenApi` takes it: the text of a JSON or YAML file, or the object it parses to. */
export type OpenApiInput = string | JsonObject

/** Which OpenAPI 3 dialect a document speaks: 3.0 (`nullable`, boolean exclusives) or 3.1 (JSON Schema 2020-12). */
export type OpenApiVersion = '3.0' | '3.1'

/** A parsed, checked document: the root object and its dialect. Nothing is dereferenced: `$ref`s resolve on demand. */
export interface OpenApiDocument {
  readonly root: JsonObject
  readonly version: OpenApiVersion
}

/** The largest document text accepted (the GitHub REST description is 13 MB). */
export const MAX_DOCUMENT_CHARS = 64 * 1024 * 1024

/**
 * Parses and checks a document: JSON or YAML text (YAML's parser loaded only for YAML text, so a browser that
 * passes an object never bundles it) or an object. Refuses, in one line naming the JSON pointer, Swagger 2.0,
 * versions other than 3.0/3.1, and `$ref`s that leave the document or point at nothing.
 * @example const { root, version } = await parseOpenApi(await readFile('billing.yaml', 'utf8'))
 */
export async function parseOpenApi(input: OpenApiInput): Promise<OpenApiDocument> {
  const root = typeof input === 'string' ? await parseText(input) : input
  if (!isObject(root)) throw new OpenApiImportError('#', 'the document is not an object; give an OpenAPI 3.0 or 3.1 document')
  if ('swagger' in root)
    throw new OpenApiImportError(
      '#/swagger',
      `Swagger ${String(root['swagger'])} is not supported; convert it to OpenAPI 3 first (e.g. npx swagger2openapi)`,
    )
  const declared = root['openapi']
  const version =
    typeof declared === 'string' && /^3\.0\.\d+/.test(declared)
      ? '3.0'
      : typeof declared === 'string' && /^3\.1\.\d+/.test(declared)
        ? '3.1'
        : undefined
  if (version === undefined)
    throw new OpenApiImportError(
      '#/openapi',
      `OpenAPI ${JSON.stringify(declared ?? null)} is not supported; apitwin imports 3.0.x and 3.1.x`,
    )
  if (root['paths'] !== undefined && !isObject(root['paths']))
    throw new OpenApiImportError('#/paths', 'paths must be an object of path items')
  checkRefs(root)
  return { root, version }
}

async function parseText(text: string): Promise<unknown> {
  if (text.length > MAX_DOCUMENT_CHARS)
    throw new OpenApiImportError(
      '#',
      `the document is ${text.length} characters, more than apitwin reads (${MAX_DOCUMENT_CHARS}); split it`,
    )
  const trimmed = text.trimStart()
  if (trimmed.startsWith('{')) {
    try {
      return JSON.parse(text)
    } catch (error) {
      throw new OpenApiImportError('#', `the document is not valid JSON: ${(error as Error).message}`)
    }
  }
  const { parse } = await import('yaml')
  try {
    // maxAliasCount bounds alias expansion ("billion laughs"); the YAML 1.2 core schema keeps `on`/`yes` strings.
    return parse(text, { maxAliasCount: 1000, schema: 'core', uniqueKeys: false }) as unknown
  } catch (error) {
    throw new OpenApiImportError('#', `the document is neither JSON nor valid YAML: ${(error as Error).message.split('\n')[0]}`)
  }
}

/**
 * One walk over the document at import: every `$ref` must point inside it at something. The walk is iterative
 * (a deep document cannot overflow the stack) and resolves nothing: the 13 MB GitHub description takes ~0.1 s.
 */
function checkRefs(root: JsonObject): void {
  const stack: Array<readonly [unknown, readonly (string | number)[]]> = [[root, []]]
  while (stack.length > 0) {
    const [node, path] = stack.pop() as readonly [unknown, readonly (string | number)[]]
    if (Array.isArray(node)) {
      for (let index = 0; index < node.length; index++)
        if (typeof node[index] === 'object' && node[index] !== null) stack.push([node[index], [...path, index]])
      continue
    }
    if (!isObject(node)) continue
    for (const key in node) {
      const value = node[key]
      if (key === '$ref' && typeof value === 'string' && !(path.at(-1) === 'properties')) {
        if (!value.startsWith('#'))
          throw new OpenApiImportError(
            pointer([...path, '$ref']),
            `the $ref ${JSON.stringify(value)} points outside the document; apitwin imports local $refs only (bundle the document first, e.g. npx @redocly/cli bundle)`,
          )
        if (resolvePointer(root, value) === undefined)
          throw new OpenApiImportError(
            pointer([...path, '$ref']),
            `the $ref ${JSON.stringify(value)} points at nothing in the document; fix the pointer`,
          )
      } else if (
        ((key === '$dynamicRef' && !(typeof value === 'string' && /^#[A-Za-z_][\w.-]*$/.test(value))) || key === '$recursiveRef') &&
        path.at(-1) !== 'properties'
      ) {
        throw new OpenApiImportError(
          pointer([...path, key]),
          `${key} ${JSON.stringify(value)} is not supported (only $dynamicRef to a plain-name $dynamicAnchor, e.g. "#itemType"); use a $ref to a named schema`,
        )
      } else if (typeof value === 'object' && value !== null) {
        stack.push([value, [...path, key]])
      }
    }
  }
}
