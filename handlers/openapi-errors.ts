import type { OpenApiContract } from '../contracts/openapi/contract.ts'
import { jsonMedia, responseFor, type OpenApiOperation } from '../contracts/openapi/operations.ts'
import { isObject } from '../contracts/openapi/pointer.ts'
import type { SchemaIssue } from '../contracts/openapi/validator.ts'
import { createFaker } from '../fixtures/faker.ts'
import { validSample } from '../fixtures/openapi-seed.ts'
import type { Dialect, Reply } from './reply.ts'

/** How an imported API's errors are shaped (the `error.body` reading). */
export type ErrorStyle = 'document' | 'problem' | 'plain'

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  410: 'Gone',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

const MESSAGE = /^(message|detail|details|error_?description|error_?message|msg|reason)$/i
const CODE = /^(status|status_?code|code|http_?status)$/i

/** Errors of an imported API: the document's own error schema for the status, or RFC 9457 problem details. */
export interface OpenApiErrors {
  /** An error for `status` as `operation` declares it (or the API at large when no operation is known). */
  reply(
    operation: OpenApiOperation | undefined,
    status: number,
    detail: string,
    issues?: readonly SchemaIssue[],
    headers?: Readonly<Record<string, string>>,
  ): Reply
  readonly dialect: Dialect
}

/**
 * The error bodies of an imported API under the `error.body` reading. `document`: the schema the operation
 * declares for that status (exact, its class `4XX`, `default`), else the one most of the document declares for
 * it, drawn once and with its message-like fields (message, detail, error_description) saying what failed and
 * its status-like integers set, kept only if it still fits the schema. `problem`: RFC 9457
 * `application/problem+json` `{type, title, status, detail, errors}`. `plain`: `{ "message": … }`.
 * @example openApiErrors(contract, 'problem', 1107).reply(undefined, 404, 'No pet 7') // 404 application/problem+json
 */
export function openApiErrors(contract: OpenApiContract, style: ErrorStyle, seed: number): OpenApiErrors {
  const drawn = new Map<unknown, unknown>()
  // The API's own error schema per status, for errors raised before an operation is known (404 route, 413).
  const apiWide = (status: number) => {
    for (const operation of contract.operations) {
      const response = operation.responses[String(status)] ?? operation.responses[`${String(status)[0]}XX`]
      const media = response && jsonMedia(response.content)
      if (media?.[1].schema !== undefined) return media
    }
    for (const operation of contract.operations) {
      const media = operation.responses['default'] && jsonMedia(operation.responses['default'].content)
      if (media?.[1].schema !== undefined) return media
    }
    return undefined
  }
  const problem = (
    status: number,
    detail: string,
    issues: readonly SchemaIssue[],
    headers: Readonly<Record<string, string>> | undefined,
  ): Reply => ({
    status,
    body: {
      type: 'about:blank',
      title: TITLES[status] ?? 'Error',
      status,
      detail,
      ...(issues.length > 0 && { errors: issues.map((issue) => ({ pointer: `/${issue.path.join('/')}`, detail: issue.message })) }),
    },
    headers: { 'content-type': 'application/problem+json', ...headers },
  })
  const reply: OpenApiErrors['reply'] = (operation, status, detail, issues = [], headers) => {
    // The operation declares this status (or its class, or `default`) without a body: the answer has none either.
    const stated = operation && responseFor(operation, status)
    if (stated && Object.keys(stated.content).length === 0) return { status, body: undefined, ...(headers && { headers }) }
    if (style === 'plain') return { status, body: { message: detail }, ...(headers && { headers }) }
    if (style === 'problem') return problem(status, detail, issues, headers)
    const declared = operation && responseFor(operation, status)
    const media = (declared && jsonMedia(declared.content)) ?? apiWide(status)
    if (!media || media[1].schema === undefined) return problem(status, detail, issues, headers)
    const [type, { schema, examples }] = media
    if (!drawn.has(schema)) drawn.set(schema, validSample(contract, createFaker(seed + status), schema, 'response', examples))
    const base = drawn.get(schema)
    if (base === undefined) return problem(status, detail, issues, headers)
    const filled = withIssues(fill(base, status, detail), issues)
    const body = contract.check(schema, 'response')(filled).length === 0 ? filled : base
    return { status, body, headers: { 'content-type': type.includes('*') ? 'application/json' : type, ...headers } }
  }
  const dialect: Dialect = {
    name: 'openapi',
    badRequest: (message) => reply(undefined, 400, message),
    serverError: (message) => reply(undefined, 500, message),
    error: (status, message) => reply(undefined, status, message),
    payloadTooLarge: (limit) => reply(undefined, 413, `The request body is larger than ${limit} bytes; send a smaller body.`),
    routeNotFound: (method, path) =>
      reply(undefined, 404, `No operation of ${contract.name} matches ${method} ${path}; GET /__twin/apis lists its operations.`),
    methodNotAllowed: (method, path, allowed) =>
      reply(undefined, 405, `${path} does not answer ${method}; it answers ${allowed.join(', ')}.`, [], { allow: allowed.join(', ') }),
  }
  return { reply, dialect }
}

/**
 * The drawn error body with its `errors` object, when it has one that maps names to lists (Laravel's
 * `{"errors": {"email": ["…"]}}`, as a schema with `additionalProperties: {type: array}` draws it), holding the
 * issues by field: the path without its `body` step, joined by dots (`role_ids.0`), each field's messages in order.
 * Kept only if it still fits the schema (the caller checks), so an `errors` of another shape keeps its drawn value.
 */
function withIssues(value: unknown, issues: readonly SchemaIssue[]): unknown {
  if (issues.length === 0 || !isObject(value)) return value
  const key = Object.keys(value).find((name) => /^errors$/i.test(name))
  const current = key === undefined ? undefined : value[key]
  if (key === undefined || !isObject(current) || !Object.values(current).every(Array.isArray)) return value
  // A Map, then fromEntries (own keys only): a refused "__proto__" key names its field like any other.
  const byField = new Map<string, string[]>()
  for (const issue of issues) {
    const field = (issue.path[0] === 'body' ? issue.path.slice(1) : issue.path).join('.') || 'body'
    byField.set(field, [...(byField.get(field) ?? []), issue.message])
  }
  return { ...value, [key]: Object.fromEntries(byField) }
}

/** The drawn error body with its message-like strings saying `detail` and status-like integers set, one level deep. */
function fill(base: unknown, status: number, detail: string, depth = 0): unknown {
  if (!isObject(base) || depth > 2) return base
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(base)) {
    if (typeof value === 'string' && MESSAGE.test(key)) out[key] = detail
    else if (typeof value === 'string' && /^(error|title)$/i.test(key)) out[key] = TITLES[status] ?? 'Error'
    else if (typeof value === 'number' && CODE.test(key)) out[key] = status
    else if (typeof value === 'string' && CODE.test(key) && /^\d+$/.test(value)) out[key] = String(status)
    else out[key] = isObject(value) ? fill(value, status, detail, depth + 1) : value
  }
  return out
}
