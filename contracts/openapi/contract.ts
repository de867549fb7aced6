import type { RuleBook } from '../provenance.ts'
import { inferCollections, type OpenApiCollection } from './collections.ts'
import { parseOpenApi, type OpenApiDocument, type OpenApiInput } from './document.ts'
import { OpenApiImportError } from './import-error.ts'
import { toJsonSchema, type SchemaView } from './json-schema.ts'
import { indexOperations, type OpenApiOperation } from './operations.ts'
import { isObject } from './pointer.ts'
import { openApiRules } from './rules.ts'
import { compileSchema, type SchemaCheck } from './validator.ts'

/**
 * An API described by an OpenAPI document, as a contract: the same kind of thing as the four hand-written ones
 * (a name, a title, rules with provenance and readings) plus what the generic resolver and a derived suite read:
 * the operations, the collections inferred from the paths, and schema checks compiled on first use.
 */
export interface OpenApiContract {
  readonly kind: 'openapi'
  readonly name: string
  readonly title: string
  readonly document: OpenApiDocument
  readonly operations: readonly OpenApiOperation[]
  readonly collections: readonly OpenApiCollection[]
  readonly rules: RuleBook
  /**
   * The check of one schema for one side of the wire, compiled the first time it is asked for and kept: the
   * GitHub description's 1,223 operations cost nothing until called.
   */
  check(schema: unknown, view: SchemaView): SchemaCheck
}

export interface ImportOptions {
  /** The API's slug (URL mount, CLI, readings); default: a slug of `info.title`. */
  readonly name?: string
}

/**
 * The slug the twin reserves for its control routes. The four APIs' names are taken only where those APIs are
 * mounted too (createTwin, serve, verify say so): alone (`createTwin({ apis: [] })`), the document `apitwin openapi
 * flextell` writes is imported as `flextell`, so the hand-written suite runs against it unchanged.
 */
const RESERVED = new Set(['__twin'])
const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/

/**
 * `info.title` as a slug: `Scalar Galaxy` → `scalar-galaxy`.
 * @example slugOf('Swagger Petstore - OpenAPI 3.0') // 'swagger-petstore-openapi-3-0'
 */
export function slugOf(title: string): string {
  return (
    title
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 63)
      .replace(/-+$/, '') || 'api'
  )
}

/**
 * Reads an OpenAPI 3.0 or 3.1 document (JSON or YAML text, or a parsed object) into a contract. Nothing is
 * dereferenced eagerly: the paths are indexed once, schemas are bundled and compiled per operation on first use.
 * A document apitwin cannot model is refused with an `OpenApiImportError` naming the JSON pointer.
 * @example const billing = await importOpenApi(await readFile('billing.yaml', 'utf8'), { name: 'billing' })
 */
export async function importOpenApi(input: OpenApiInput, { name }: ImportOptions = {}): Promise<OpenApiContract> {
  const document = await parseOpenApi(input)
  const info = isObject(document.root['info']) ? document.root['info'] : {}
  const title = typeof info['title'] === 'string' && info['title'].trim() !== '' ? info['title'].trim() : 'Imported API'
  const slug = name ?? slugOf(title)
  if (!SLUG.test(slug))
    throw new OpenApiImportError(
      '#/info/title',
      `"${slug}" is not a usable API name; give one of lower-case letters, digits and dashes (--openapi name=file)`,
    )
  if (RESERVED.has(slug))
    throw new OpenApiImportError(
      '#/info/title',
      `"${slug}" is already taken by apitwin; give the API another name (--openapi other-name=file)`,
    )
  const operations = indexOperations(document)
  const collections = inferCollections(document, operations)
  const checks = new Map<unknown, Partial<Record<SchemaView, SchemaCheck>>>()
  return {
    kind: 'openapi',
    name: slug,
    title,
    document,
    operations,
    collections,
    rules: openApiRules(operations, collections, document),
    check(schema, view) {
      const cached = checks.get(schema) ?? {}
      const found = cached[view]
      if (found) return found
      const compiled = compileSchema(toJsonSchema(document, schema, view))
      cached[view] = compiled
      checks.set(schema, cached)
      return compiled
    },
  }
}
