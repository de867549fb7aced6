import { z } from 'zod'
import { documented, inferred } from './provenance.ts'
import { railsErrorBody, railsValidationBody } from './rails.ts'

/*
 * rails-users — `PUT /users/{id}` (seed 001_ccd40ba3f963bb05.txt; the vendor is not named). A Rails API: the
 * body is wrapped as `{ user: {…} }` (strong parameters), errors are Rails full messages, and the doc's 401
 * covers both "not authenticated" and "insufficient permissions".
 */

export const railsLocales = ['en', 'fr'] as const

// "Must be in format ExponentPushToken[...] or ExpoPushToken[...]"
const expoPushToken = /^(?:ExponentPushToken|ExpoPushToken)\[[^\]]+\]$/

/** The attributes inside `user`, in the doc's order (Rails lists errors in validation order). */
const user = z
  .object({
    // inferred: presence (Rails `validates :first_name, presence: true`); the 200 example shows both names set.
    first_name: z.string().refine((name) => name.trim() !== '', { error: 'blank' }),
    last_name: z.string().refine((name) => name.trim() !== '', { error: 'blank' }),
    email: z.email({ error: 'invalid' }),
    // "passwordstring (password)": OpenAPI's password format, a hint to clients that the value is secret.
    password: z.string().min(8).meta({ format: 'password' }),
    feature_flags: z.array(z.string()),
    notifications: z.array(z.string()),
    locale: z.enum(railsLocales),
    expo_push_token: z.string().regex(expoPushToken, { error: 'invalid' }),
  })
  .partial()

const userResource = z.object({
  id: z.int(),
  email: z.string(),
  first_name: z.string(),
  last_name: z.string(),
  roles: z.array(z.string()),
  feature_flags: z.array(z.string()),
  notifications: z.array(z.string()),
  status: z.string(),
  locale: z.enum(railsLocales),
  created_at: z.iso.datetime({ offset: true }),
})

const userRecord = userResource.extend({
  expo_push_token: z.string().nullable(),
  email_verified: z.boolean(),
  password_digest: z.string(),
  updated_at: z.iso.datetime({ offset: true }),
})

export const railsUsers = {
  name: 'rails-users',
  title: 'rails-users — Update user',
  seed: '001_ccd40ba3f963bb05.txt',
  method: 'PUT',
  path: '/users/{id}',
  params: z.object({ id: z.string() }),
  headers: z.object({ authorization: z.string().regex(/^Bearer .+/) }),
  body: z.object({ user }),
  user,
  entities: {
    user: userRecord,
    token: z.object({ token: z.string(), user_id: z.int() }),
    email: z.object({ to: z.string(), user_id: z.int(), subject: z.string(), sent_at: z.string() }),
  },
  responses: {
    200: z.object({ status: z.literal('success'), message: z.literal('User updated successfully'), data: userResource }),
    400: railsErrorBody,
    401: railsErrorBody,
    404: railsErrorBody,
    422: railsValidationBody,
  },
  rules: {
    'auth.required': documented(
      '"Authentication Required: User must be authenticated." / 401 example',
      'a request without a valid bearer token is answered 401 {"status":"error","message":"Not authenticated or insufficient permissions"}',
    ),
    'auth.own-profile': documented(
      '"Users can only update their own profile." / 401 "Not authenticated or insufficient permissions"',
      "another user's id is answered with the documented 401",
    ),
    'user.not-found': documented(
      '404 example {"status":"error","message":"User not found"}',
      'an unknown id is answered 404 with the documented body',
    ),
    'path.id': inferred(
      '"id integer path required": Rails routes `resources :users` take any id segment, and User.find("abc") finds nothing, so the documented 404 answers',
      'a non-numeric id reaches the controller and is the documented 404',
      [
        ['find', 'no route constraint: "abc" is looked up and not found, the documented 404'],
        ['constraint', 'a route constraint (id: /\\d+/): "abc" matches no route, Rails\' routing 404'],
      ],
    ),
    'order.find-before-authorize': inferred(
      'a Rails controller runs before_action :set_user (404) before the ownership check (401)',
      "an unknown id is 404 even though it is not the caller's own",
      [
        ['find-first', 'set_user runs first: an unknown id is 404'],
        ['authorize-first', 'the ownership check runs first: any id but your own is the documented 401'],
      ],
    ),
    'body.wrapped': inferred(
      'Rails `params.require(:user)` raises ParameterMissing, rendered as 400',
      'a body without a non-empty `user` object is answered 400 "param is missing or the value is empty: user"',
      [
        ['require', 'params.require(:user): 400 "param is missing or the value is empty: user"'],
        ['fetch', 'params.fetch(:user, {}): nothing to change, 200 with the user as it is'],
        [
          'wrap',
          'ParamsWrapper (on for JSON in a new Rails app) wraps a root-less body\'s column attributes in "user": {"first_name": "Ada"} updates, as {"user": {…}} would',
        ],
        [
          'wrap-fetch',
          'ParamsWrapper and params.fetch(:user, {}) together: a root-less body is wrapped, an empty or absent user changes nothing (200)',
        ],
      ],
    ),
    'body.unpermitted': inferred(
      'strong parameters log and drop what `permit` does not name (action_on_unpermitted_parameters is :log, or off, unless an app turns it to :raise)',
      'an attribute the API does not take is dropped',
      [
        ['dropped', 'permit drops it; the rest of the update goes on'],
        [
          'refused',
          'action_on_unpermitted_parameters = :raise: refused 422 naming the attribute, before any validation; a value permit does not take (a string for a list, a list for a string) is refused so too, alone',
        ],
      ],
    ),
    'body.type-cast': inferred(
      'ActiveRecord casts a JSON scalar to the attribute\'s type (42 → "42"), and strong parameters drop a scalar sent for a permitted list',
      'a number or boolean for a string attribute is stored as its string; a string for a list attribute is ignored',
      [
        ['cast', 'first_name: 42 is saved as "42"; feature_flags: "x" is dropped as unpermitted'],
        ['strict', 'a value of the wrong JSON type is refused: 422 "<Attribute> is invalid"'],
      ],
      { fields: ['first_name', 'last_name', 'email', 'password', 'locale', 'expo_push_token', 'feature_flags', 'notifications'] },
    ),
    'body.password': documented(
      '422 example: "Password is too short (minimum is 8 characters)"',
      'a password shorter than 8 characters is refused',
    ),
    'body.email': documented('email: string (email)', 'email must be an email address: "Email is invalid"'),
    'body.locale': documented('locale: enum en, fr', 'locale is en or fr: "Locale is not included in the list"'),
    'body.expo-push-token': documented(
      '"Must be in format ExponentPushToken[...] or ExpoPushToken[...]"',
      'expo_push_token takes both forms and nothing else: "Expo push token is invalid"',
    ),
    'body.arrays': documented('feature_flags, notifications: array [string]', 'feature_flags and notifications are arrays of strings'),
    'body.names': inferred(
      'Rails presence validations on names; the doc only types them as strings',
      'first_name and last_name are non-blank strings: "First name can\'t be blank"',
      [
        ['presence', 'validates :first_name, :last_name, presence: true'],
        ['none', 'no presence validation: a blank name is saved'],
      ],
      // A model validates each name on its own line: one may be required and the other not (first_name only).
      { fields: ['first_name', 'last_name'] },
    ),
    'email.unique': documented(
      '422 example: "Email has already been taken"',
      'an email another user holds is refused: "Email has already been taken"',
    ),
    'email.case-insensitive': inferred(
      'Devise keys emails case-insensitively (config.case_insensitive_keys = [:email])',
      'an email differing from a taken one only in case is taken too',
      [
        ['insensitive', 'JOHN@example.com is taken when john@example.com is'],
        ['sensitive', 'uniqueness compares exactly: JOHN@example.com is free'],
      ],
    ),
    'validation.messages': inferred(
      'the doc\'s 422 example shows two messages, "Email has already been taken" and "Password is too short (minimum is 8 characters)", which are Rails\' defaults; every other message is read as Rails\' default full message too (config/locales/en.yml)',
      'each error message is Rails\' default full message: "Locale is not included in the list", "Email is invalid"',
      [
        [
          'rails-default',
          'errors.full_messages with the default locale: "<Attribute> is not included in the list", "<Attribute> is invalid", "<Attribute> can\'t be blank"',
        ],
        ['custom', 'the app words its own messages ("Locale has an unsupported value"); only the two of the example read as documented'],
      ],
    ),
    'validation.shape': documented(
      '422 example {status:"error", message:"Failed to update user", errors:[{path, message}]}',
      'a refused body is 422 with errors as a list of {path, message}',
    ),
    'response.shape': documented(
      '200 example',
      'the 200 body is {status:"success", message:"User updated successfully", data:{id, email, first_name, last_name, roles, feature_flags, notifications, status, locale, created_at}}',
    ),
    'response.echo': documented('"Update information for a specific user"', 'the 200 body reflects every field sent'),
    'response.no-password': documented('the 200 example lists no password', 'no password (or its digest) is ever returned'),
    'update.persists': documented('"Update user"', 'an update sticks: a later request sees it'),
    'email.verification': documented(
      '"If the email address is changed, … a verification email will be sent to the new email address"',
      'changing the email sends one verification email to the new address',
    ),
    'email.normalized': inferred(
      'Devise strips and downcases its case-insensitive keys before saving',
      'a new email is stored trimmed and lower-cased',
      [
        ['downcase', 'stored stripped and lower-cased'],
        ['as-sent', 'stored exactly as sent'],
      ],
    ),
  },
} as const

export type RailsUsersBody = z.infer<typeof railsUsers.body>
export type RailsUser = z.infer<(typeof railsUsers.responses)[200]>['data']
export type RailsUserRecord = z.infer<typeof railsUsers.entities.user>
export type RailsUsersRuleId = keyof typeof railsUsers.rules
