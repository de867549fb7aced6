import { z } from 'zod'
import { issueKey, type Issue } from './issue.ts'

// Laravel 10+ `lang/en/validation.php`; `:attribute` is the field, `:max`/`:min` the limit.
const templates10 = {
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
  prohibited: 'The :attribute field is prohibited.',
} as const
export type LaravelRule = keyof typeof templates10

// Laravel 9 and earlier: "The :attribute must …" without "field" for most rules (required, boolean, prohibited
// and the `in`/`exists`/`unique` texts read the same).
const templates9: Readonly<Record<LaravelRule, string>> = {
  ...templates10,
  string: 'The :attribute must be a string.',
  array: 'The :attribute must be an array.',
  integer: 'The :attribute must be an integer.',
  numeric: 'The :attribute must be a number.',
  email: 'The :attribute must be a valid email address.',
  'max.string': 'The :attribute must not be greater than :max characters.',
  'max.numeric': 'The :attribute must not be greater than :max.',
  'max.array': 'The :attribute must not have more than :max items.',
  'min.string': 'The :attribute must be at least :min characters.',
  'min.numeric': 'The :attribute must be at least :min.',
  confirmed: 'The :attribute confirmation does not match.',
  regex: 'The :attribute format is invalid.',
  hex_color: 'The :attribute must be a valid hexadecimal color.',
}

/** Which `lang/en/validation.php` an app ships: Laravel 10+ or 9 and earlier (the `validation.messages` reading). */
export type LaravelMessages = 'laravel10' | 'laravel9'

function isLaravelRule(key: string): key is LaravelRule {
  return Object.hasOwn(templates10, key)
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
export function laravelMessage(issue: Issue, messages: LaravelMessages = 'laravel10'): string {
  const { rule, max, min } = ruleOf(issue)
  return (messages === 'laravel9' ? templates9 : templates10)[rule]
    .replace(':attribute', attributeName(issue))
    .replace(':max', String(max))
    .replace(':min', String(min))
}

/** How the 422's `message` reads (the `validation.summary` reading): Laravel 9+'s summary or Laravel 8's fixed text. */
export type LaravelSummary = 'summarize' | 'given-data'

/**
 * Laravel's `ValidationException::summarize`: the first message, then "(and N more error[s])" counting every
 * other message of every field. Laravel 8 and earlier always said "The given data was invalid."
 */
export function laravelSummary(messages: readonly string[], summary: LaravelSummary = 'summarize'): string {
  const [first = 'The given data was invalid.', ...rest] = messages
  if (summary === 'given-data') return 'The given data was invalid.'
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
export function laravelValidation(
  issues: readonly Issue[],
  { messages = 'laravel10', summary = 'summarize' }: { messages?: LaravelMessages; summary?: LaravelSummary } = {},
): LaravelValidationBody {
  const errors: Record<string, string[]> = {}
  for (const issue of issues) (errors[issueKey(issue)] ??= []).push(laravelMessage(issue, messages))
  return { message: laravelSummary(Object.values(errors).flat(), summary), errors }
}

/** The readings that shape a Laravel app's error bodies; each API maps its own rules onto these. */
export interface LaravelOptions {
  /** Status of an unauthenticated request (401; a custom guard may answer 403). */
  readonly authStatus?: number
  /** Keys an app-wide envelope adds to the 401 body beside `message` (`{ success: false }`, `{ data: null }`). */
  readonly authEnvelope?: Readonly<Record<string, unknown>>
  /** `model`: "No query results for model [App\Models\User] 7"; `generic`: "Not Found". */
  readonly notFound?: 'model' | 'generic'
  /** Status of a failed Form Request (422; some exception handlers map it to 400). */
  readonly validationStatus?: number
  readonly messages?: LaravelMessages
  readonly summary?: LaravelSummary
}

/**
 * Laravel's JSON rendering of the exceptions a pipeline throws, under the readings an app follows.
 * @example laravelDialect({ notFound: 'generic' }).modelNotFound('App\Models\User', '7') // 404 {"message":"Not Found"}
 */
export function laravelDialect({
  authStatus = 401,
  authEnvelope = {},
  notFound = 'model',
  validationStatus = 422,
  messages = 'laravel10',
  summary = 'summarize',
}: LaravelOptions = {}) {
  return {
    name: 'laravel',
    unauthenticated: () => ({ status: authStatus, body: { ...authEnvelope, message: 'Unauthenticated.' } }),
    // Laravel's default AuthorizationException text.
    forbidden: () => ({ status: 403, body: { message: 'This action is unauthorized.' } }),
    // ModelNotFoundException::setModel appends the ids without a trailing period.
    modelNotFound: (model: string, id: string) => ({
      status: 404,
      body: { message: notFound === 'model' ? `No query results for model [${model}] ${id}` : 'Not Found' },
    }),
    badRequest: (message: string) => ({ status: 400, body: { message } }),
    // Any HttpException (abort(status, message)) renders as its message.
    error: (status: number, message: string) => ({ status, body: { message } }),
    // Laravel's production 500 body; the real message is only logged.
    serverError: (_message: string) => ({ status: 500, body: { message: 'Server Error' } }),
    validation: (issues: readonly Issue[]) => ({ status: validationStatus, body: laravelValidation(issues, { messages, summary }) }),
    // ValidatePostSize middleware (PostTooLargeException), global, so before authentication; the message names the
    // limit so the caller knows what to change (inferred: Laravel's own exception carries no text).
    payloadTooLarge: (limit: number) => ({
      status: 413,
      body: { message: `The request body is larger than ${limit} bytes; send a smaller body.` },
    }),
    // RouteCollection::requestMethodNotAllowed, naming `$request->path()` (no leading slash).
    methodNotAllowed: (method: string, path: string, allowed: readonly string[]) => ({
      status: 405,
      body: {
        message: `The ${method} method is not supported for route ${path.replace(/^\//, '')}. Supported methods: ${allowed.join(', ')}.`,
      },
      headers: { allow: allowed.join(', ') },
    }),
    // NotFoundHttpException from the router.
    routeNotFound: (_method: string, path: string) => ({
      status: 404,
      body: { message: `The route ${path.replace(/^\//, '')} could not be found.` },
    }),
  } as const
}
export type LaravelDialect = ReturnType<typeof laravelDialect>

/** Laravel 10+ with its defaults everywhere. */
export const laravel: LaravelDialect = laravelDialect()
