import { z } from 'zod'
import { laravelErrorBody, laravelValidationBody } from './laravel.ts'
import { documented, inferred } from './provenance.ts'

/*
 * flextell — `PUT /api/v1/users/{id}` (seed 000_bfeea310af065f09.txt). A Laravel API: the doc is generated from a
 * Form Request (every field optional, "Maximum string length" limits) and a JsonResource (`UserResource`), so
 * where the doc is silent we follow what Laravel 10+ renders. Every rule the suite checks is listed in `rules`.
 */

const timestamp = z.iso.datetime({ offset: true })
const nullableString = (max: number) => z.string().max(max).nullable()

export const flextellLanguages = ['Turkish', 'English', 'Other'] as const

/** The request body, in the doc's field order (Laravel reports errors in rule order). */
const body = z
  .object({
    name: z.string().max(255),
    email: z.email().max(255),
    password: z.string().min(8),
    password_confirmation: z.string().min(8),
    phone: nullableString(20),
    title: nullableString(255),
    emergency_contact_name: nullableString(255),
    emergency_contact_surname: nullableString(255),
    emergency_contact_phone_number: nullableString(20),
    blood_group: nullableString(10),
    avatar_url: nullableString(1000),
    is_active: z.boolean().nullable(),
    bio: nullableString(1000),
    language: z.array(z.enum(flextellLanguages)).nullable(),
    role_ids: z.array(z.int({ error: 'integer' })).nullable(),
  })
  .partial()
  // Laravel's `confirmed` rule files the mismatch under `password`; `when` runs it even beside other field
  // errors (zod would skip it), because Laravel checks every rule at once.
  // `confirmed` is validateSame against Arr::get(data, 'password_confirmation'): an absent confirmation is null.
  .refine((b) => b.password === undefined || b.password === (b.password_confirmation ?? null), {
    path: ['password'],
    message: 'confirmed',
    when: (payload) => typeof payload.value === 'object' && payload.value !== null,
  })

const role = z.object({ id: z.int(), name: z.string() })

/** `UserResource` as the doc's 200 example lists it. Nullability follows the request body's nullable fields. */
const userResource = z.object({
  id: z.int(),
  name: z.string(),
  email: z.string(),
  title: z.string().nullable(),
  phone: z.string().nullable(),
  emergency_contact_name: z.string().nullable(),
  emergency_contact_surname: z.string().nullable(),
  emergency_contact_phone_number: z.string().nullable(),
  blood_group: z.string().nullable(),
  language: z.array(z.string()).nullable(),
  avatar_url: z.string().nullable(),
  is_active: z.boolean().nullable(),
  bio: z.string().nullable(),
  last_login_at: timestamp.nullable(),
  last_login_ip: z.string().nullable(),
  created_at: timestamp,
  updated_at: timestamp,
  deleted_at: timestamp.nullable(),
  roles: z.array(role),
})

/** What the mock stores per user: the resource without its resolved roles, plus what never leaves the server. */
const userRecord = userResource.omit({ roles: true }).extend({
  tenant_id: z.int(),
  role_ids: z.array(z.int()),
  password_hash: z.string(),
})

export const flextell = {
  name: 'flextell',
  title: 'flextell — Update a user',
  seed: '000_bfeea310af065f09.txt',
  method: 'PUT',
  path: '/api/v1/users/{id}',
  params: z.object({ id: z.string() }),
  headers: z.object({
    authorization: z.string().regex(/^Bearer .+/),
    'x-tenant': z.string().regex(/^\d+$/).optional(),
  }),
  body,
  entities: {
    user: userRecord,
    role: role,
    tenant: z.object({ id: z.int(), name: z.string() }),
    token: z.object({ token: z.string(), user_id: z.int() }),
  },
  responses: {
    200: z.object({ success: z.string(), data: userResource }),
    400: laravelErrorBody,
    401: laravelErrorBody,
    403: laravelErrorBody,
    404: laravelErrorBody,
    422: laravelValidationBody,
  },
  rules: {
    'auth.required': documented(
      'Authorization: string, header, required (OAuth 2.0 bearer)',
      'a request without a valid bearer token is answered 401',
    ),
    'auth.body': inferred(
      "Laravel's auth:sanctum middleware renders AuthenticationException this way",
      '401 body is {"message":"Unauthenticated."}',
      [
        ['laravel', '{"message":"Unauthenticated."} (Laravel\'s default JSON rendering)'],
        ['envelope', '{"success":false,"message":"Unauthenticated."} (an app-wide envelope mirroring the 200\'s "success")'],
      ],
    ),
    'user.not-found': inferred(
      'the doc shows no 404; Laravel route-model binding answers an unknown id with 404',
      'an unknown id is answered 404',
      [
        ['404', 'route-model binding: 404 before the Form Request runs'],
        ['422', 'the id is validated in the Form Request (exists:users,id): 422 with errors.id'],
      ],
    ),
    'user.not-found-body': inferred(
      'Laravel renders ModelNotFoundException with the model class and id',
      '404 body is {"message":"No query results for model [App\\\\Models\\\\User] <id>"}',
      [
        ['model', '{"message":"No query results for model [App\\Models\\User] <id>"}'],
        ['generic', '{"message":"Not Found"} (the exception handler hides the model)'],
      ],
    ),
    'tenant.isolation': documented('X-Tenant: "scope API requests to a specific tenant"', 'a user of another tenant cannot be updated'),
    'tenant.not-found': inferred(
      "a tenant-scoped route-model binding does not see other tenants' rows, so Laravel answers 404",
      'a user outside the scope is answered 404',
      [
        ['404', 'the scoped binding does not see the user: 404'],
        ['403', 'the user is found, then a policy refuses it: 403 {"message":"This action is unauthorized."}'],
      ],
    ),
    'tenant.membership': inferred(
      "a tenant a user does not belong to is refused by a policy, rendered as Laravel's AuthorizationException",
      'X-Tenant naming a tenant the caller does not belong to is answered 403',
      [
        ['403', 'a tenant middleware refuses it: 403 {"message":"This action is unauthorized."}'],
        ['404', "the tenant is looked up among the caller's own: 404"],
      ],
    ),
    'authz.peer': inferred(
      'the doc scopes requests to a tenant (X-Tenant: "scope API requests to a specific tenant") and names no finer rule of who may update whom; a Form Request whose authorize() returns true lets any member of the tenant update its users',
      'any user of the tenant may update another user of the same tenant',
      [
        ['tenant', 'any member of the tenant updates any of its users'],
        ['self', 'a user updates only their own profile: another\'s is 403 {"message":"This action is unauthorized."}'],
      ],
    ),
    'body.limits': documented(
      '"Maximum string length" / "Minimum string length" per field',
      'every field limit, type and enum of the body is enforced',
    ),
    'body.nullable': documented(
      '"string | null", "boolean | null", "enum<string>[] | null", "integer[] | null"',
      'nullable fields accept null',
    ),
    'body.coercion': inferred(
      'Laravel\'s validation rules accept loose forms by default: boolean takes 1, 0, "1", "0"; integer takes "5"',
      'is_active takes 1/0/"1"/"0" and role_ids take integer strings, as Laravel\'s rules do',
      [
        ['laravel', 'boolean accepts true, false, 1, 0, "1", "0"; integer accepts numeric strings such as "5"'],
        ['strict', 'only JSON booleans and JSON integers are accepted'],
      ],
      { fields: ['is_active', 'role_ids'] },
    ),
    'body.confirmed': documented(
      'password_confirmation: "Must match the password field."',
      'a password whose confirmation differs is rejected',
    ),
    'validation.status': inferred(
      'the doc shows no error response; a failed Laravel Form Request answers 422',
      'a rejected body is answered 422 naming each failing field',
      [
        ['422', "Laravel's ValidationException: 422 {message, errors}"],
        ['400', 'the exception handler maps validation errors to 400 {message, errors}'],
      ],
    ),
    'validation.messages': inferred(
      'Laravel 10+ default validation messages (lang/en/validation.php)',
      "each field error is Laravel's message text",
      [
        ['laravel10', '"The name field must not be greater than 255 characters."'],
        ['laravel9', '"The name must not be greater than 255 characters." (Laravel 9 and earlier)'],
      ],
    ),
    'validation.summary': inferred('ValidationException::summarize', 'message is the first error plus " (and N more error[s])"', [
      ['summarize', '"<first message> (and N more errors)" (Laravel 9+)'],
      ['given-data', '"The given data was invalid." (Laravel 8 and earlier)'],
    ]),
    'email.unique': inferred(
      'the doc is silent; a Laravel users table has a unique email and the Form Request checks unique:users,email',
      'an email taken by another user is rejected: "The email has already been taken."',
      [
        ['enforced', 'unique:users,email in the Form Request: 422'],
        ['unchecked', "no unique rule in the Form Request: the users table's unique index refuses the same address, a 500 Server Error"],
      ],
    ),
    'email.case-insensitive': inferred(
      "MySQL's default collation compares strings case-insensitively, so unique:users,email does too",
      'an email differing from a taken one only in case is taken too',
      [
        ['insensitive', 'JOHN@example.com is taken when john@example.com is'],
        ['sensitive', 'a case-sensitive database (PostgreSQL): JOHN@example.com is free'],
      ],
    ),
    'roles.exist': inferred(
      'role_ids are "Role identifiers": Laravel checks them with exists:roles,id',
      'an unknown role id is rejected: "The selected role_ids.N is invalid."',
      [
        ['exists', 'exists:roles,id: 422 "The selected role_ids.N is invalid."'],
        ['ignored', 'no exists rule: unknown ids are dropped when the roles are synced'],
      ],
    ),
    'response.shape': documented(
      'the 200 example: {success, data: UserResource}',
      'the 200 body is {success: string, data: UserResource} with every documented field',
    ),
    'response.echo': documented('"Update a user": the response is the updated UserResource', 'the 200 body reflects every field sent'),
    'response.no-password': documented('UserResource lists no password field', 'no password (or its hash) is ever returned'),
    'update.persists': documented('"Update a user"', 'an update sticks: a later request sees it'),
    'update.timestamps': inferred(
      'Eloquent touches updated_at on save and never changes created_at',
      'updated_at moves forward; created_at stays',
      [
        ['dirty', "updated_at moves only when an attribute changed (Eloquent's save)"],
        ['always', 'updated_at moves on every update (touch())'],
      ],
    ),
    'body.confirmation': inferred(
      'password_confirmation: "Must match the password field." Laravel\'s `confirmed` rule on password checks it; an app may also give it `required_with:password`',
      'a password without its confirmation is refused once, under password ("The password field confirmation does not match.")',
      [
        ['confirmed', 'only `confirmed`: one error, under password'],
        ['required-with', 'also `required_with:password`: "The password confirmation field is required when password is present."'],
      ],
    ),
    'body.read-only': inferred(
      'a Laravel controller saves only $request->validated(), so unknown keys are dropped',
      'id, created_at and unknown fields are never written',
      [
        ['dropped', 'unknown and read-only keys are ignored'],
        ['prohibited', 'read-only keys (the resource\'s own, and tenant_id) are refused: 422 "The id field is prohibited."'],
        // An app that guards its Form Request against any key it does not validate (a `prohibited` rule per key).
        ['refused', 'every key the request does not take is refused, read-only and unknown alike: 422 per key'],
      ],
    ),
  },
} as const

export type FlextellBody = z.infer<typeof flextell.body>
export type FlextellUser = z.infer<(typeof flextell.responses)[200]>['data']
export type FlextellUserRecord = z.infer<typeof flextell.entities.user>
export type FlextellRuleId = keyof typeof flextell.rules
