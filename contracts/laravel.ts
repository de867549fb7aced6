import { z } from 'zod'
import { issueKey, type Issue } from './issue.ts'

// Laravel 10+ `lang/en/validation.php`; `:attribute` is the field, `:max`/`:min` the limit.
const templates = {
  required: 'The :attribute field is required.',
  string: 'The :attribute field must be a string.',
  boolean: 'The :attribute field must be true or false.',
  array: 'The :attribute field must be an array.',
  integer: 'The :attribute field must be an integer.',
  numeric: 'The :attribute field must be a number.',
  email: 'The :attribute field must be a valid email address.',
  'max.string': 'The :attribute field must not be greater than :max characters.',
  'max.numeric': 'The :attribute field must not be greater than :max.',
  'max.array': 'The :attribute field must not have more than :max items.',
  'min.string': 'The :attribute field must be at least :min characters.',
  'min.numeric': 'The :attribute field must be at least :min.',
  in: 'The selected :attribute is invalid.',
  exists: 'The selected :attribute is invalid.',
  unique: 'The :attribute has already been taken.',
  confirmed: 'The :attribute field confirmation does not match.',
  regex: 'The :attribute field format is invalid.',
  hex_color: 'The :attribute field must be a valid hexadecimal color.',
} as const
export type LaravelRule = keyof typeof templates

function isLaravelRule(key: string): key is LaravelRule {
  return Object.hasOwn(templates, key)
}

/**
 * Laravel's displayable attribute: a top-level field loses its underscores ("emergency contact name"); a
 * wildcard child (`language.*`) keeps its raw dotted key ("language.0"), as `getDisplayableAttribute` does.
 */
function attributeName(issue: Issue): string {
  return issue.path.length === 1 ? issueKey(issue).replaceAll('_', ' ') : issueKey(issue)
}

function ruleOf(issue: Issue): { rule: LaravelRule; max?: number | bigint; min?: number | bigint } {
  if (isLaravelRule(issue.message)) return { rule: issue.message }
  switch (issue.code) {
    case 'invalid_type':
      if (issue.expected === 'boolean') return { rule: 'boolean' }
      if (issue.expected === 'array') return { rule: 'array' }
      if (issue.expected === 'int') return { rule: 'integer' }
      if (issue.expected === 'number') return { rule: 'numeric' }
      return { rule: 'string' }
    case 'too_big':
      return { rule: issue.origin === 'string' ? 'max.string' : issue.origin === 'array' ? 'max.array' : 'max.numeric', max: issue.maximum }
    case 'too_small':
      return { rule: issue.origin === 'string' ? 'min.string' : 'min.numeric', min: issue.minimum }
    case 'invalid_format':
      return { rule: issue.format === 'email' ? 'email' : 'regex' }
    case 'invalid_value':
      return { rule: 'in' }
    default:
      return { rule: 'regex' }
  }
}

/** One Laravel validation message for one issue, e.g. "The name field must not be greater than 255 characters." */
export function laravelMessage(issue: Issue): string {
  const { rule, max, min } = ruleOf(issue)
  return templates[rule]
    .replace(':attribute', attributeName(issue))
    .replace(':max', String(max))
    .replace(':min', String(min))
}

/**
 * Laravel's `ValidationException::summarize`: the first message, then "(and N more error[s])" counting every
 * other message of every field.
 */
export function laravelSummary(messages: readonly string[]): string {
  const [first = 'The given data was invalid.', ...rest] = messages
  if (rest.length === 0) return first
  return `${first} (and ${rest.length} more ${rest.length === 1 ? 'error' : 'errors'})`
}

export const laravelErrorBody = z.object({ message: z.string() })
export const laravelValidationBody = z.object({
  message: z.string(),
  errors: z.record(z.string(), z.array(z.string())),
})
export type LaravelValidationBody = z.infer<typeof laravelValidationBody>

/**
 * The 422 body Laravel renders for a failed Form Request, every failing field at once.
 * @example laravelValidation([{ code: 'custom', path: ['email'], message: 'unique' }])
 * // { message: 'The email has already been taken.', errors: { email: ['The email has already been taken.'] } }
 */
export function laravelValidation(issues: readonly Issue[]): LaravelValidationBody {
  const errors: Record<string, string[]> = {}
  for (const issue of issues) (errors[issueKey(issue)] ??= []).push(laravelMessage(issue))
  return { message: laravelSummary(Object.values(errors).flat()), errors }
}

/** Laravel's JSON rendering of the exceptions the pipeline throws before validation. */
export const laravel = {
  name: 'laravel',
  unauthenticated: () => ({ status: 401, body: { message: 'Unauthenticated.' } }),
  // Laravel's default AuthorizationException text.
  forbidden: () => ({ status: 403, body: { message: 'This action is unauthorized.' } }),
  // ModelNotFoundException::setModel appends the ids without a trailing period.
  modelNotFound: (model: string, id: string) => ({ status: 404, body: { message: `No query results for model [${model}] ${id}` } }),
  badRequest: (message: string) => ({ status: 400, body: { message } }),
  // Any HttpException (abort(status, message)) renders as its message.
  error: (status: number, message: string) => ({ status, body: { message } }),
  // Laravel's production 500 body; the real message is only logged.
  serverError: (_message: string) => ({ status: 500, body: { message: 'Server Error' } }),
  validation: (issues: readonly Issue[]) => ({ status: 422, body: laravelValidation(issues) }),
  // ValidatePostSize middleware (PostTooLargeException), global, so before authentication; the message names the
  // limit so the caller knows what to change (inferred: Laravel's own exception carries no text).
  payloadTooLarge: (limit: number) => ({ status: 413, body: { message: `The request body is larger than ${limit} bytes; send a smaller body.` } }),
  // RouteCollection::requestMethodNotAllowed, naming `$request->path()` (no leading slash).
  methodNotAllowed: (method: string, path: string, allowed: readonly string[]) => ({
    status: 405,
    body: { message: `The ${method} method is not supported for route ${path.replace(/^\//, '')}. Supported methods: ${allowed.join(', ')}.` },
    headers: { allow: allowed.join(', ') },
  }),
  // NotFoundHttpException from the router.
  routeNotFound: (_method: string, path: string) => ({ status: 404, body: { message: `The route ${path.replace(/^\//, '')} could not be found.` } }),
} as const
