import { z } from 'zod'
import type { Issue } from './issue.ts'

/** class-validator's default message for one issue, e.g. "status must be one of the following values: active, …". */
export function nestMessage(issue: Issue): string {
  const property = String(issue.path[0] ?? 'body')
  if (issue.code === 'custom') return issue.message
  if (issue.code === 'invalid_value') return `${property} must be one of the following values: ${issue.values.map(String).join(', ')}`
  if (issue.code === 'invalid_format' && issue.format === 'uuid') return issue.path.length > 1 ? `each value in ${property} must be a UUID` : `${property} must be a UUID`
  if (issue.code === 'invalid_type') return `${property} must be ${issue.expected === 'array' ? 'an array' : issue.expected === 'boolean' ? 'a boolean value' : 'a string'}`
  if (issue.code === 'too_big') return `${property} must be shorter than or equal to ${String(issue.maximum)} characters`
  if (issue.code === 'too_small') return issue.origin === 'string' ? `${property} should not be empty` : `${property} must not be less than ${String(issue.minimum)}`
  return `${property} is invalid`
}

const statusText: Readonly<Record<number, string>> = { 403: 'Forbidden', 500: 'Internal Server Error', 503: 'Service Unavailable' }

export const nestErrorBody = z.object({
  statusCode: z.int(),
  message: z.union([z.string(), z.array(z.string())]),
  error: z.string().optional(),
})

/**
 * NestJS's default exception bodies (`HttpException` → `{statusCode, message, error}`), the shape a Node API such as
 * GoRules BRMS most plausibly renders. Every use of it is an inferred rule: GoRules documents no error body.
 */
export const nest = {
  name: 'nest',
  unauthenticated: () => ({ status: 401, body: { statusCode: 401, message: 'Unauthorized' } }),
  forbidden: () => ({ status: 403, body: { statusCode: 403, message: 'Forbidden resource', error: 'Forbidden' } }),
  notFound: (message: string) => ({ status: 404, body: { statusCode: 404, message, error: 'Not Found' } }),
  badRequest: (message: string) => ({ status: 400, body: { statusCode: 400, message, error: 'Bad Request' } }),
  // `new HttpException(message, status)` as Nest renders it.
  error: (status: number, message: string) => ({ status, body: { statusCode: status, message, error: statusText[status] ?? 'Error' } }),
  serverError: (_message: string) => ({ status: 500, body: { statusCode: 500, message: 'Internal server error' } }),
  // ValidationPipe({ errorHttpStatusCode: 422 }): every constraint's message, as a list.
  validation: (issues: readonly Issue[]) => ({ status: 422, body: { statusCode: 422, message: issues.map(nestMessage), error: 'Unprocessable Entity' } }),
  // Fastify's bodyLimit (FST_ERR_CTP_BODY_TOO_LARGE), answered before any Nest guard runs.
  payloadTooLarge: (limit: number) => ({ status: 413, body: { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE', error: 'Payload Too Large', message: `Request body is too large (limit ${limit} bytes)` } }),
  // Fastify has no parser for anything but JSON here (FST_ERR_CTP_INVALID_MEDIA_TYPE).
  unsupportedMediaType: (type: string) => ({ status: 415, body: { statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', error: 'Unsupported Media Type', message: `Unsupported Media Type: ${type}` } }),
  // Nest registers its own not-found handler on Fastify (NotFoundException "Cannot <METHOD> <path>"); a wrong method
  // is no route either.
  routeNotFound: (method: string, path: string) => ({ status: 404, body: { statusCode: 404, message: `Cannot ${method} ${path}`, error: 'Not Found' } }),
  methodNotAllowed: (method: string, path: string, _allowed: readonly string[]) => ({ status: 404, body: { statusCode: 404, message: `Cannot ${method} ${path}`, error: 'Not Found' } }),
} as const
