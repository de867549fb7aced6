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
  .refine((b) => b.password === undefined || b.password === b.password_confirmation, {
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
    'auth.required': documented('Authorization: string, header, required (OAuth 2.0 bearer)', 'a request without a valid bearer token is answered 401'),
    'auth.body': inferred('Laravel\'s auth:sanctum middleware renders AuthenticationException this way', '401 body is {"message":"Unauthenticated."}'),
    'user.not-found': inferred('the doc shows no 404; Laravel route-model binding answers an unknown id with 404', 'an unknown id is answered 404'),
    'user.not-found-body': inferred('Laravel renders ModelNotFoundException with the model class and id', '404 body is {"message":"No query results for model [App\\\\Models\\\\User] <id>"}'),
    'tenant.isolation': documented('X-Tenant: "scope API requests to a specific tenant"', 'a user of another tenant cannot be updated'),
    'tenant.not-found': inferred('a tenant-scoped route-model binding does not see other tenants\' rows, so Laravel answers 404', 'a user outside the scope is answered 404'),
    'tenant.membership': inferred('a tenant a user does not belong to is refused by a policy, rendered as Laravel\'s AuthorizationException', 'X-Tenant naming a tenant the caller does not belong to is answered 403'),
    'body.limits': documented('"Maximum string length" / "Minimum string length" per field', 'every field limit, type and enum of the body is enforced'),
    'body.nullable': documented('"string | null", "boolean | null", "enum<string>[] | null", "integer[] | null"', 'nullable fields accept null'),
    'body.confirmed': documented('password_confirmation: "Must match the password field."', 'a password whose confirmation differs is rejected'),
    'validation.status': inferred('the doc shows no error response; a failed Laravel Form Request answers 422', 'a rejected body is answered 422 naming each failing field'),
    'validation.messages': inferred('Laravel 10+ default validation messages (lang/en/validation.php)', 'each field error is Laravel\'s message text'),
    'validation.summary': inferred('ValidationException::summarize', 'message is the first error plus " (and N more error[s])"'),
    'email.unique': inferred('the doc is silent; a Laravel users table has a unique email and the Form Request checks unique:users,email', 'an email taken by another user is rejected: "The email has already been taken."'),
    'roles.exist': inferred('role_ids are "Role identifiers": Laravel checks them with exists:roles,id', 'an unknown role id is rejected: "The selected role_ids.N is invalid."'),
    'response.shape': documented('the 200 example: {success, data: UserResource}', 'the 200 body is {success: string, data: UserResource} with every documented field'),
    'response.echo': documented('"Update a user": the response is the updated UserResource', 'the 200 body reflects every field sent'),
    'response.no-password': documented('UserResource lists no password field', 'no password (or its hash) is ever returned'),
    'update.persists': documented('"Update a user"', 'an update sticks: a later request sees it'),
    'update.timestamps': inferred('Eloquent touches updated_at on save and never changes created_at', 'updated_at moves forward; created_at stays'),
    'body.read-only': inferred('a Laravel controller saves only $request->validated(), so unknown keys are dropped', 'id, created_at and unknown fields are never written'),
  },
} as const

export type FlextellBody = z.infer<typeof flextell.body>
export type FlextellUser = z.infer<typeof flextell.responses[200]>['data']
export type FlextellUserRecord = z.infer<typeof flextell.entities.user>
export type FlextellRuleId = keyof typeof flextell.rules
