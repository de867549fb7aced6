import { z } from 'zod'
import type { Issue } from './issue.ts'

// Rails' `config/locales/en.yml` (activemodel errors), as full messages: "<Attribute> <message>".
const templates = {
  blank: "can't be blank",
  invalid: 'is invalid',
  inclusion: 'is not included in the list',
  too_short: 'is too short (minimum is :count characters)',
  too_long: 'is too long (maximum is :count characters)',
  taken: 'has already been taken',
  // ActionController::UnpermittedParameters rendered per attribute (body.unpermitted: refused).
  unpermitted: 'is not permitted',
} as const
export type RailsError = keyof typeof templates

function isRailsError(key: string): key is RailsError {
  return Object.hasOwn(templates, key)
}

/** `expo_push_token` → "Expo push token", as `String#humanize` does. */
export function humanize(attribute: string): string {
  const words = attribute.replaceAll('_', ' ')
  return words.charAt(0).toUpperCase() + words.slice(1)
}

function errorOf(issue: Issue): { error: RailsError; count?: number | bigint } {
  if (isRailsError(issue.message)) return { error: issue.message }
  switch (issue.code) {
    case 'too_small':
      return issue.origin === 'string' ? { error: 'too_short', count: issue.minimum } : { error: 'invalid' }
    case 'too_big':
      return issue.origin === 'string' ? { error: 'too_long', count: issue.maximum } : { error: 'invalid' }
    case 'invalid_value':
      return { error: 'inclusion' }
    default:
      return { error: 'invalid' }
  }
}

/** One Rails full message, e.g. "Password is too short (minimum is 8 characters)". Errors sit on the attribute. */
export function railsMessage(issue: Issue): { path: string; message: string } {
  const attribute = String(issue.path[0] ?? 'base')
  const { error, count } = errorOf(issue)
  return { path: attribute, message: `${humanize(attribute)} ${templates[error].replace(':count', String(count))}` }
}

export const railsErrorBody = z.object({ status: z.literal('error'), message: z.string() })
export const railsValidationBody = railsErrorBody.extend({
  errors: z.array(z.object({ path: z.string(), message: z.string() })),
})

/**
 * The error bodies of a Rails API that renders `{status, message}` envelopes (seed 001). One entry per distinct
 * message, as `errors.full_messages` would list them.
 */
export const rails = {
  name: 'rails',
  unauthenticated: () => ({ status: 401, body: { status: 'error', message: 'Not authenticated or insufficient permissions' } }),
  notFound: () => ({ status: 404, body: { status: 'error', message: 'User not found' } }),
  // ActionController::ParameterMissing / ParseError, rendered in the API's envelope.
  badRequest: (message: string) => ({ status: 400, body: { status: 'error', message } }),
  // Any other refusal, in the same envelope.
  error: (status: number, message: string) => ({ status, body: { status: 'error', message } }),
  serverError: (_message: string) => ({ status: 500, body: { status: 'error', message: 'Internal server error' } }),
  // Rack/Puma set no body limit by default; a 413 is what a proxy in front (or Rack::Attack) answers. Rendered in
  // the API's envelope (inferred).
  payloadTooLarge: (limit: number) => ({
    status: 413,
    body: { status: 'error', message: `Request body is larger than ${limit} bytes; send a smaller body` },
  }),
  // ActionController::RoutingError: Rails routes on method and path together, so a wrong method is a 404 too.
  routeNotFound: (method: string, path: string) => ({
    status: 404,
    body: { status: 'error', message: `No route matches [${method}] "${path}"` },
  }),
  methodNotAllowed: (method: string, path: string, _allowed: readonly string[]) => ({
    status: 404,
    body: { status: 'error', message: `No route matches [${method}] "${path}"` },
  }),
  validation: (issues: readonly Issue[]) => {
    const seen = new Set<string>()
    const errors = issues
      .map(railsMessage)
      .filter((e) => !seen.has(`${e.path}\u0000${e.message}`) && seen.add(`${e.path}\u0000${e.message}`))
    return { status: 422, body: { status: 'error', message: 'Failed to update user', errors } }
  },
} as const
