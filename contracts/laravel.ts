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
  'min.array': 'The :attribute field must have at least :min items.',
  'min.numeric': 'The :attribute field must be at least :min.',
  in: 'The selected :attribute is invalid.',
  exists: 'The selected :attribute is invalid.',
  unique: 'The :attribute has already been taken.',
  confirmed: 'The :attribute field confirmation does not match.',
  regex: 'The :attribute field format is invalid.',
  hex_color: 'The :attribute field must be a valid hexadecimal color.',
  prohibited: 'The :attribute field is prohibited.',
  digits: 'The :attribute field must be :digits digits.',
  required_with: 'The :attribute field is required when :values is present.',
  // Password::min(8)->mixedCase()->letters()->symbols()->numbers(): `password.*` keys of the same file.
  'password.mixed': 'The :attribute field must contain at least one uppercase and one lowercase letter.',
  'password.letters': 'The :attribute field must contain at least one letter.',
  'password.symbols': 'The :attribute field must contain at least one symbol.',
  'password.numbers': 'The :attribute field must contain at least one number.',
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
  'min.array': 'The :attribute must have at least :min items.',
  'min.numeric': 'The :attribute must be at least :min.',
  confirmed: 'The :attribute confirmation does not match.',
  regex: 'The :attribute format is invalid.',
  hex_color: 'The :attribute must be a valid hexadecimal color.',
  digits: 'The :attribute must be :digits digits.',
  'password.mixed': 'The :attribute must contain at least one uppercase and one lowercase letter.',
  'password.letters': 'The :attribute must contain at least one letter.',
  'password.symbols': 'The :attribute must contain at least one symbol.',
  'password.numbers': 'The :attribute must contain at least one number.',
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

function ruleOf(issue: Issue): { rule: LaravelRule; max?: number | bigint; min?: number | bigint; digits?: number; values?: string } {
  if (isLaravelRule(issue.message)) return { rule: issue.message }
  // `digits:11` carries its length in the rule, as Laravel writes it.
  const digits = /^digits:(\d+)$/.exec(issue.message)?.[1]
  if (digits !== undefined) return { rule: 'digits', digits: Number(digits) }
  const values = /^required_with:(.+)$/.exec(issue.message)?.[1]
  if (values !== undefined) return { rule: 'required_with', values }
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
      return { rule: issue.origin === 'string' ? 'min.string' : issue.origin === 'array' ? 'min.array' : 'min.numeric', min: issue.minimum }
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
  const { rule, max, min, digits, values } = ruleOf(issue)
  return (messages === 'laravel9' ? templates9 : templates10)[rule]
    .replace(':attribute', attributeName(issue))
    .replace(':max', String(max))
    .replace(':min', String(min))
    .replace(':digits', String(digits))
    .replace(':values', String(values))
}

type Check = z.core.$ZodCheckDef & { minimum?: number; maximum?: number; format?: string; error?: (issue: object) => unknown }

/** The schema a field's rules sit on, under `optional()` and `nullable()` (which only add `sometimes`/`nullable`). */
function innerSchema(schema: z.core.$ZodType): z.core.$ZodType {
  const def = schema._zod.def
  return def.type === 'optional' || def.type === 'nullable' ? innerSchema((def as z.core.$ZodOptionalDef).innerType) : schema
}

/**
 * What Laravel's `getSize` measures for a rule without `numeric`: an array's count, else the length of the value
 * as PHP turns it into a string (42 → 2, true → 1, null and false → 0).
 */
function laravelSize(value: unknown): number {
  if (Array.isArray(value)) return value.length
  if (typeof value === 'object' && value !== null) return Object.keys(value).length
  if (value === true) return 1
  if (typeof value === 'string') return [...value].length
  return typeof value === 'number' ? String(value).length : 0
}

/**
 * Laravel runs every rule of a field (no `bail`), where zod stops at a wrong type: a `null` for a
 * `string|min:8` field is two messages in Laravel ("must be a string", "must be at least 8 characters"), one in
 * zod. For each top-level field refused for its type, this adds the size and format rules its string schema
 * declares, judged as Laravel's validator judges that value: sizes by `getSize`, `regex` on numbers as text,
 * `email` refusing anything but a string. Each follows its field's type issue, as Laravel lists them in rule order.
 * @example laravelEveryRule(z.object({ password: z.string().min(8) }), { password: null }, issues)
 * // [type issue for password, { code: 'too_small', origin: 'string', minimum: 8, path: ['password'], … }]
 */
export function laravelEveryRule(object: z.core.$ZodType, input: Readonly<Record<string, unknown>>, issues: readonly Issue[]): Issue[] {
  const def = object._zod.def
  const shape: Readonly<Record<string, z.core.$ZodType>> = def.type === 'object' ? (def as z.core.$ZodObjectDef).shape : {}
  // zod itself runs a length check on anything with a length (its `when`), an array given for a string included.
  const seen = new Set(issues.map((issue) => `${issueKey(issue)} ${issue.code}`))
  return issues.flatMap((issue): Issue[] => {
    const field = issue.path[0]
    if (issue.code !== 'invalid_type' || issue.path.length !== 1 || typeof field !== 'string' || !Object.hasOwn(shape, field))
      return [issue]
    const schema = innerSchema(shape[field] as z.core.$ZodType)
    const string = schema._zod.def as z.core.$ZodStringDef & { format?: string }
    if (string.type !== 'string') return [issue]
    const value = input[field]
    const path = [field]
    const base = { path, input: value, message: '' }
    const size = laravelSize(value)
    const origin = Array.isArray(value) || (typeof value === 'object' && value !== null) ? 'array' : 'string'
    const more: Issue[] = string.format === 'email' ? [{ code: 'custom', path, message: 'email' }] : []
    for (const check of (string.checks ?? []).map((c) => c._zod.def as Check)) {
      if (check.check === 'min_length' && check.minimum !== undefined && size < check.minimum) {
        if (!seen.has(`${field} too_small`)) more.push({ ...base, code: 'too_small', origin, minimum: check.minimum })
      } else if (check.check === 'max_length' && check.maximum !== undefined && size > check.maximum) {
        if (!seen.has(`${field} too_big`)) more.push({ ...base, code: 'too_big', origin, maximum: check.maximum })
      } else if (check.check === 'string_format') {
        const pattern = (check as { pattern?: RegExp }).pattern
        // preg_match takes numbers as their text; anything else (null, arrays, booleans) fails the rule.
        const text = typeof value === 'number' ? String(value) : undefined
        if (text !== undefined && pattern?.test(text)) continue
        const key = check.error?.({ code: 'invalid_format', input: value })
        more.push({
          code: 'custom',
          path,
          message: typeof key === 'string' && isLaravelRule(key) ? key : check.format === 'email' ? 'email' : 'regex',
        })
      }
    }
    return [issue, ...more]
  })
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
