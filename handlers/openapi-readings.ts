import type { OpenApiContract } from '../contracts/openapi/contract.ts'
import type { ReadingChoice } from '../contracts/provenance.ts'
import type { ErrorStyle } from './openapi-errors.ts'
import { choose, fieldsFollowing } from './readings.ts'

/** What the generic resolver follows for one imported API: each rule's effective behaviour, documented or chosen. */
export interface OpenApiReadings {
  /** For creates that declare no single 2xx. */
  readonly createStatus: 200 | 201
  readonly location: boolean
  readonly putUnknown: '404' | 'create'
  /** How a PUT applies: the body replaces the item, or (Laravel, many RPC-ish APIs) merges into it. */
  readonly put: 'replace' | 'merge'
  readonly patch: 'merge' | 'merge-patch' | 'replace'
  /** For deletes that declare no single 2xx. */
  readonly deleteStatus: 200 | 204
  readonly deleteThen: 404 | 410
  readonly validationStatus: 400 | 422
  readonly errorBody: ErrorStyle
  readonly unknownFields: 'ignored' | 'refused'
  readonly pagination: 'honoured' | 'ignored'
  /** The status a request without valid credentials answers (401 unless `auth.status` says 403). */
  readonly authStatus: 401 | 403
  /** Body fields (dotted paths) that take a numeric string as its number (`body.coercion: coerced`). */
  readonly coerced: ReadonlySet<string>
  /** Body fields (dotted paths) whose `format` is not checked (`body.formats: unchecked`). */
  readonly unchecked: ReadonlySet<string>
  /** A query or header parameter outside its schema: refused, or ignored as if not sent (`parameter.checks`). */
  readonly parameters: 'refused' | 'tolerated'
  /** Whether a parameter's `format` is checked (`request.format`). */
  readonly parameterFormats: 'checked' | 'annotation'
}

/**
 * The readings of an imported API: the user's choice over the defaults for inferred rules (an unknown rule or
 * value throws naming the allowed ones), and what the document states for documented ones.
 * @example openApiReadings(billing, { patch: 'merge-patch' }).patch // 'merge-patch'
 */
export function openApiReadings(contract: OpenApiContract, choice?: ReadingChoice): OpenApiReadings {
  const all = choose(contract.name, contract.rules, choice)
  const chosen = all as Readonly<Record<string, string | undefined>>
  const documented = (id: string) => contract.rules[id]?.provenance.kind === 'documented'
  const perField = (id: string, reading: string) =>
    contract.rules[id]?.provenance.kind === 'inferred' ? fieldsFollowing(contract.rules, all, id, reading) : []
  const validation = chosen['validation.status'] ?? /\b(400|422)\b/.exec(contract.rules['validation.status']?.text ?? '')?.[1] ?? '400'
  return {
    createStatus: chosen['create.status'] === '200' ? 200 : 201,
    location: documented('create.location') || chosen['create.location'] === 'location',
    putUnknown: documented('put.unknown') || chosen['put.unknown'] === 'create' ? 'create' : '404',
    put: chosen['put.mode'] === 'merge' ? 'merge' : 'replace',
    patch: documented('patch')
      ? 'merge-patch'
      : chosen['patch'] === 'merge-patch'
        ? 'merge-patch'
        : chosen['patch'] === 'replace'
          ? 'replace'
          : 'merge',
    deleteStatus: chosen['delete.status'] === '200' ? 200 : 204,
    deleteThen: chosen['delete.then'] === '410' ? 410 : 404,
    validationStatus: validation === '422' ? 422 : 400,
    errorBody: chosen['error.body'] === 'document' ? 'document' : chosen['error.body'] === 'plain' ? 'plain' : 'problem',
    unknownFields: chosen['body.unknown'] === 'refused' ? 'refused' : 'ignored',
    pagination: chosen['list.pagination'] === 'ignored' ? 'ignored' : 'honoured',
    authStatus: chosen['auth.status'] === '403' ? 403 : 401,
    // Per field, resolved once here: a request pays a set lookup per named field, nothing when none is named.
    coerced: new Set(perField('body.coercion', 'coerced')),
    unchecked: new Set(perField('body.formats', 'unchecked')),
    parameters: chosen['parameter.checks'] === 'tolerated' ? 'tolerated' : 'refused',
    parameterFormats: chosen['request.format'] === 'annotation' ? 'annotation' : 'checked',
  }
}
