import { z } from 'zod'
import type { Issue } from './issue.ts'

/** class-validator's default message for one issue, e.g. "status must be one of the following values: active, …". */
export function nestMessage(issue: Issue): string {
  const property = String(issue.path[0] ?? 'body')
  if (issue.code === 'custom') return issue.message
  if (issue.code === 'invalid_value') return `${property} must be one of the following values: ${issue.values.map(String).join(', ')}`
  if (issue.code === 'invalid_format' && issue.format === 'uuid')
    return issue.path.length > 1 ? `each value in ${property} must be a UUID` : `${property} must be a UUID`
  if (issue.code === 'invalid_type')
    return `${property} must be ${issue.expected === 'array' ? 'an array' : issue.expected === 'boolean' ? 'a boolean value' : 'a string'}`
  if (issue.code === 'too_big') return `${property} must be shorter than or equal to ${String(issue.maximum)} characters`
  if (issue.code === 'too_small')
    return issue.origin === 'string' ? `${property} should not be empty` : `${property} must not be less than ${String(issue.minimum)}`
  return `${property} is invalid`
}

export const nestErrorBody = z.object({
  statusCode: z.int(),
  message: z.union([z.string(), z.array(z.string())]),
  error: z.string().optional(),
})

/**
 * NestJS's default exception bodies (`HttpException` → `{statusCode, message, error}`), the shape a Node API such as
 * GoRules BRMS most plausibly renders. Every use of it is an inferred rule: GoRules documents no error body.
 */
export interface NestOptions {
  /** `ValidationPipe`'s status: 400 by default, 422 with `errorHttpStatusCode: 422`. */
  readonly validationStatus?: 400 | 422
  /** `nest`: `{statusCode, message, error?}`; `message`: an exception filter that renders `{message}` only. */
  readonly body?: 'nest' | 'message'
}

const reasons: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  422: 'Unprocessable Entity',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

/**
 * NestJS's exception bodies under the readings an app follows.
 * @example nestDialect({ validationStatus: 422 }).validation(issues).status // 422
 */
export function nestDialect({ validationStatus = 400, body = 'nest' }: NestOptions = {}) {
  const reply = (status: number, message: string | string[], error = reasons[status]) => ({
    status,
    body: body === 'message' ? { message } : { statusCode: status, message, ...(error !== undefined && { error }) },
  })
  return {
    name: 'nest',
    // Passport's guard throws a bare UnauthorizedException: no `error` key.
    unauthenticated: () => reply(401, 'Unauthorized', undefined),
    forbidden: () => reply(403, 'Forbidden resource'),
    notFound: (message: string) => reply(404, message),
    badRequest: (message: string) => reply(400, message),
    // `new HttpException(message, status)` as Nest renders it.
    error: (status: number, message: string) => reply(status, message, reasons[status] ?? 'Error'),
    serverError: (_message: string) => reply(500, 'Internal server error', undefined),
    // ValidationPipe: every constraint's message, as a list.
    validation: (issues: readonly Issue[]) => reply(validationStatus, issues.map(nestMessage)),
    // Fastify's bodyLimit (FST_ERR_CTP_BODY_TOO_LARGE), answered before any Nest guard runs.
    payloadTooLarge: (limit: number) => ({
      status: 413,
      body: {
        statusCode: 413,
        code: 'FST_ERR_CTP_BODY_TOO_LARGE',
        error: 'Payload Too Large',
        message: `Request body is too large (limit ${limit} bytes)`,
      },
    }),
    // Fastify parses JSON with secure-json-parse, whose default refuses `__proto__` and `constructor.prototype` keys.
    forbidsProtoKeys: true,
    // Fastify has no parser for anything but JSON here (FST_ERR_CTP_INVALID_MEDIA_TYPE).
    unsupportedMediaType: (type: string) => ({
      status: 415,
      body: {
        statusCode: 415,
        code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
        error: 'Unsupported Media Type',
        message: `Unsupported Media Type: ${type}`,
      },
    }),
    // Nest registers its own not-found handler on Fastify (NotFoundException "Cannot <METHOD> <path>"); a wrong method
    // is no route either.
    routeNotFound: (method: string, path: string) => ({
      status: 404,
      body: { statusCode: 404, message: `Cannot ${method} ${path}`, error: 'Not Found' },
    }),
    methodNotAllowed: (method: string, path: string, _allowed: readonly string[]) => ({
      status: 404,
      body: { statusCode: 404, message: `Cannot ${method} ${path}`, error: 'Not Found' },
    }),
  } as const
}
export type NestDialect = ReturnType<typeof nestDialect>

/** NestJS with its defaults (ValidationPipe answers 400). */
export const nest: NestDialect = nestDialect()
