import { z } from 'zod'
import { laravelErrorBody, laravelValidationBody } from './laravel.ts'
import { documented, inferred } from './provenance.ts'

/*
 * medibulut — `PATCH /{tenantId}/users/{id}` (seed 002_838bc9488ca6e490.txt). A Laravel API (the 422 example is
 * Laravel's, "(and 5 more errors)" included). The doc contradicts itself twice; how each point is resolved is
 * recorded as an inferred rule below (`required-fields`, `role.reading`).
 */

export const medibulutPermissions = [
  'appointments.manage',
  'patients.manage',
  'patient-groups.manage',
  'services.manage',
  'users.manage',
  'reports.view',
  'finance.manage',
  'settings.manage',
  'working-hours.manage',
] as const

/** "2: Admin, 3: Specialist, 4: Personnel"; the examples send and return the slug ("admin"). */
export const medibulutRoles = { admin: 2, specialist: 3, personnel: 4 } as const
export type MedibulutRole = keyof typeof medibulutRoles
const roleSlugs = Object.keys(medibulutRoles) as MedibulutRole[]

/** inferred: "including country code" read as E.164 (+ and 7–15 digits). */
export const E164 = /^\+[1-9]\d{6,14}$/
const phoneNumber = E164
/** A phone, or "" (the example's `"phone": ""`): one `string|regex` rule, so a null is Laravel's two messages. */
export const E164_OR_EMPTY = /^(?:|\+[1-9]\d{6,14})$/
const hexColor = /^#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/
/** What Laravel's `numeric` rule takes as a string ("15.00", "-1", "2.5e1"). */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/
const base64Image = /^data:image\/(?:png|jpe?g|gif|webp);base64,[A-Za-z0-9+/]+={0,2}$/

/** role_id as a slug or as the table's numeric id (number or numeric string), always resolved to the slug. */
const roleId = z
  .union([z.enum(roleSlugs), z.literal([2, 3, 4]), z.enum(['2', '3', '4'])], {
    error: (issue) => (issue.input === undefined ? 'required' : 'in'),
  })
  .transform((value): MedibulutRole => {
    if (typeof value === 'string' && value in medibulutRoles) return value as MedibulutRole
    return roleSlugs.find((slug) => medibulutRoles[slug] === Number(value)) ?? 'personnel'
  })

/**
 * bonus_rate as Laravel's `numeric` takes it (a number or a numeric string), under a `body.range` reading.
 * @example medibulutBonusRate('percent').parse('15.00') // 15
 */
export function medibulutBonusRate(range: 'percent' | 'any') {
  const rate = z.union([z.number(), z.string().regex(DECIMAL, { error: 'numeric' })], { error: 'numeric' })
  const number = rate.transform(Number)
  return range === 'percent' ? number.pipe(z.number().min(0).max(100)) : number
}

/**
 * The criteria Laravel's Password rule builder adds to min(8), as the `body.password-strength` readings name them
 * (`letters-numbers` is Password::min(8)->letters()->numbers()). `mixed-case` already needs a letter of each case,
 * so letters()->mixedCase() behaves as mixedCase() alone and is no reading of its own.
 */
export const PASSWORD_STRENGTHS = [
  'min',
  'letters',
  'numbers',
  'letters-numbers',
  'mixed-case',
  'mixed-case-numbers',
  'symbols',
  'letters-symbols',
  'numbers-symbols',
  'letters-numbers-symbols',
  'mixed-case-symbols',
  'mixed-case-numbers-symbols',
] as const

/** What a password needs under a `body.password-strength` reading, in the order Laravel checks (and lists) them. */
export function passwordCriteria(reading: string): { mixedCase: boolean; letters: boolean; symbols: boolean; numbers: boolean } {
  const parts = reading.split('-')
  const mixedCase = reading.startsWith('mixed-case')
  return { mixedCase, letters: parts.includes('letters'), symbols: parts.includes('symbols'), numbers: parts.includes('numbers') }
}

function strengthText(reading: string): string {
  const { mixedCase, letters, symbols, numbers } = passwordCriteria(reading)
  const needs = [
    ...(mixedCase ? ['an uppercase and a lowercase letter'] : []),
    ...(letters ? ['a letter'] : []),
    ...(symbols ? ['a symbol'] : []),
    ...(numbers ? ['a digit'] : []),
  ]
  const builder = [
    ...(mixedCase ? ['mixedCase()'] : []),
    ...(letters ? ['letters()'] : []),
    ...(symbols ? ['symbols()'] : []),
    ...(numbers ? ['numbers()'] : []),
  ]
  return needs.length === 0
    ? 'Password::min(8) only: "abcdefgh" passes'
    : `Password::min(8)->${builder.join('->')}: a password also needs ${needs.join(' and ')}`
}

/** The fields a body may leave out: every one but role_id (the one the table marks required). */
export const MEDIBULUT_OPTIONAL = [
  'first_name',
  'last_name',
  'mobile',
  'phone',
  'email',
  'password',
  'password_confirmation',
  'status',
  'photo',
  'identity_number',
  'bonus_rate',
  'color',
  'permissions',
  'authorized_users',
  'service_ids',
] as const

/** The request body, in the doc's table order (Laravel reports errors in rule order). */
const body = z
  .object({
    first_name: z.string().max(255).optional(),
    last_name: z.string().max(255).optional(),
    mobile: z.string().regex(phoneNumber, { error: 'regex' }).optional(),
    // The example returns "" for phone, so an empty alternate number is allowed.
    phone: z.string().regex(E164_OR_EMPTY, { error: 'regex' }).nullable().optional(),
    email: z.email().max(255).optional(),
    password: z.string().min(8).optional(),
    password_confirmation: z.string().optional(),
    status: z.literal([0, 1], { error: 'in' }).optional(),
    photo: z
      .union([z.url({ protocol: /^https?$/ }), z.string().regex(base64Image)], { error: 'photo' })
      .nullable()
      .optional(),
    identity_number: z.string().max(255).nullable().optional(),
    // "bonus_rate float", and the doc's own example sends "15.00": a number or a numeric string (documented both ways).
    // The 0–100 range is our reading of "e.g., 15 for 15%" (`body.range`).
    bonus_rate: medibulutBonusRate('percent').optional(),
    color: z.string().regex(hexColor, { error: 'hex_color' }).optional(),
    // role_id is the one field the table marks required (Laravel: "The role id field is required."); the rest may be left out.
    role_id: roleId,
    permissions: z.array(z.enum(medibulutPermissions)).optional(),
    authorized_users: z.array(z.int({ error: 'integer' })).optional(),
    service_ids: z.array(z.int({ error: 'integer' }).positive({ error: 'integer' })).optional(),
  })
  // `confirmed` is validateSame against Arr::get(data, 'password_confirmation'): an absent confirmation is null.
  .refine((b) => b.password === undefined || b.password === (b.password_confirmation ?? null), {
    path: ['password'],
    message: 'confirmed',
    when: (payload) => typeof payload.value === 'object' && payload.value !== null,
  })

/** The 200 example's `data`, field for field. */
const userResource = z.object({
  id: z.int(),
  email: z.string(),
  first_name: z.string(),
  last_name: z.string(),
  name: z.string().nullable(),
  identity_number: z.string().nullable(),
  mobile: z.string().nullable(),
  phone: z.string().nullable(),
  role_id: z.enum(roleSlugs),
  status: z.literal([0, 1]),
  color: z.string().nullable(),
  // "bonus_rate": "15.00" — Eloquent's decimal:2 cast serializes as a two-decimal string. Only that is the doc's:
  // the sign follows what the server took, and which rates it takes is `body.range`, an inferred rule.
  bonus_rate: z.string().regex(/^-?\d+\.\d{2}$/),
  photo: z.string().nullable(),
  authorized_users: z.array(z.int()),
  permissions: z.array(z.string()),
  service_ids: z.array(z.int()),
})

const userRecord = userResource.extend({
  tenant_id: z.int(),
  password_hash: z.string(),
  updated_at: z.iso.datetime({ offset: true }),
})

export const medibulut = {
  name: 'medibulut',
  title: 'medibulut — Update user',
  seed: '002_838bc9488ca6e490.txt',
  method: 'PATCH',
  path: '/{tenantId}/users/{id}',
  params: z.object({ tenantId: z.string(), id: z.string() }),
  headers: z.object({ authorization: z.string().regex(/^Bearer .+/) }),
  body,
  entities: {
    user: userRecord,
    tenant: z.object({ id: z.int(), name: z.string() }),
    token: z.object({ token: z.string(), user_id: z.int() }),
  },
  responses: {
    200: z.object({ data: userResource }),
    400: laravelErrorBody,
    401: laravelErrorBody,
    403: laravelErrorBody,
    404: laravelErrorBody,
    422: laravelValidationBody,
  },
  rules: {
    'auth.required': inferred(
      'the doc shows no auth; a Laravel API behind auth:sanctum answers a missing token 401',
      'a request without a valid bearer token is answered 401',
      [
        ['401', 'auth:sanctum: 401'],
        ['403', 'a custom guard answers 403'],
      ],
    ),
    'auth.body': inferred(
      'Laravel renders AuthenticationException as {"message":"Unauthenticated."}',
      'the 401 body is {"message":"Unauthenticated."}',
      [
        ['laravel', '{"message":"Unauthenticated."}'],
        ['envelope', '{"data":null,"message":"Unauthenticated."} (an envelope mirroring the 200\'s "data")'],
      ],
    ),
    'tenant.isolation': documented(
      'the path is /:tenantId/users/:id: a user is reached through its own tenant',
      "a user of another tenant is not reachable, and a token cannot act under another tenant's path",
    ),
    'tenant.not-found': inferred(
      "scoped route-model binding does not see other tenants' users, so Laravel answers 404",
      "a user of another tenant through this tenant's path is 404",
      [
        ['404', 'the scoped binding does not see the user: 404'],
        ['403', 'the user is found, then a policy refuses it: 403'],
      ],
    ),
    'tenant.forbidden': inferred(
      'tenant membership is a policy/middleware check; Laravel renders its AuthorizationException as 403, and 404 would hide nothing the caller does not already know (its own tenant id)',
      'a token of tenant A under tenant B\'s path is 403 {"message":"This action is unauthorized."}',
      [
        ['403', 'a membership middleware refuses: 403 {"message":"This action is unauthorized."}'],
        ['404', "the tenant is looked up among the caller's own: 404"],
        [
          'binding-first',
          'SubstituteBindings resolves the scoped user before the membership middleware: a user not of that tenant (the caller) is 404, one of it 403',
        ],
      ],
    ),
    'user.not-found': inferred(
      'Laravel route-model binding',
      'an unknown user id is 404 "No query results for model [App\\\\Models\\\\User] <id>"',
      [
        ['model', '404 {"message":"No query results for model [App\\Models\\User] <id>"}'],
        ['generic', '404 {"message":"Not Found"} (the exception handler hides the model)'],
      ],
    ),
    'required-fields': inferred(
      "the table marks only role_id required, and the doc's own PATCH example (no password) answers 200, so the 422 example's six required fields are the create rules",
      'only role_id is required; first_name, last_name, email, password and status may be left out',
      [
        ['role-only', 'only role_id is required'],
        ['create-rules', 'first_name, last_name, email, password, role_id and status are all required, as in the 422 example'],
      ],
    ),
    'body.role-required': documented('role_id: Required "Yes"', 'a body without role_id is refused: "The role id field is required."'),
    'role.reading': inferred(
      'the table lists "2: Admin, 3: Specialist, 4: Personnel" while the examples send and return "admin"; accepting both and answering the slug is the only reading under which every documented statement holds',
      'role_id takes the slug (admin, specialist, personnel) or its numeric id (2, 3, 4), and is returned as the slug',
      [
        ['slug-or-id', 'role_id takes "admin" or 2, and is returned as "admin"'],
        ['slug-only', 'role_id takes the slug only: 2 is "The selected role id is invalid."'],
        // A FormRequest writing `'role_id' => 'required|string|in:admin,…,2,3,4'` takes the id as text only.
        ['string', 'role_id is `string|in:…`: "admin" or "2" pass (returned as the slug), 2 is "The role id field must be a string."'],
      ],
    ),
    'body.role': documented('role_id: "2: Admin, 3: Specialist, 4: Personnel"', 'a role outside the three documented ones is refused'),
    'body.limits': documented(
      'the field table: types, "1 for active, 0 for inactive", the roles',
      "each field's documented type and values are enforced",
    ),
    'body.coercion': inferred(
      'Laravel\'s validation rules accept loose forms by default: integer takes numeric strings ("5"), in:0,1 takes "1"',
      'numeric strings pass the integer fields, as Laravel\'s rules do (bonus_rate takes "15.00" under every reading: the doc\'s example sends it)',
      [
        ['laravel', 'authorized_users: ["11"], service_ids: ["1"] and status: "1" pass'],
        ['strict', 'only JSON integers pass status, authorized_users and service_ids'],
      ],
      { fields: ['status', 'authorized_users', 'service_ids'] },
    ),
    'body.range': inferred(
      '"The percentage of bonuses applicable to the user (e.g., 15 for 15%)" states no bounds; a percentage read as `numeric|between:0,100` is the likeliest rule',
      'bonus_rate is between 0 and 100: 101 is "The bonus rate field must not be greater than 100."',
      [
        ['percent', 'numeric|min:0|max:100'],
        ['any', 'numeric only: any number passes (stored with two decimals, "-1.00")'],
      ],
    ),
    'body.formats': inferred(
      'the doc names the format but not the rule: "including country code" (E.164), "Hex Code" (Laravel hex_color), "URL … (base64-encoded)", "security criteria" (Password::defaults, min 8)',
      'mobile/phone are +E.164, color a hex colour, photo an http(s) URL or a data:image base64 URI, password at least 8 characters, password_confirmation a string',
      [
        ['strict', '+E.164 numbers, hex_color, an http(s) URL or data:image URI, passwords of 8+, a string confirmation'],
        // A Form Request often lists no rule for password_confirmation: `confirmed` on password is all that reads it.
        ['lenient', 'any string for mobile, phone, color and photo; any password; password_confirmation has no rule of its own'],
      ],
      { fields: ['mobile', 'phone', 'color', 'photo', 'password', 'password_confirmation'] },
    ),
    'body.password-strength': inferred(
      'the doc says only "must meet the required security criteria" and names none; Laravel\'s Password::defaults() is min(8) alone, the one criterion an app gets without writing any (body.formats holds that minimum), and the other criteria an app may add are Password\'s own builder methods',
      'a password needs no kind of character: 8 characters of any kind meet the criteria',
      PASSWORD_STRENGTHS.map((value) => [value, strengthText(value)] as const),
    ),
    'body.lengths': inferred(
      'the field table gives every text field as "string" with no length ("first_name string No The first name of the user."); a Laravel app writes `string|max:255` to fit the VARCHAR(255) column its migration makes by default',
      'first_name, last_name, email and identity_number are at most 255 characters',
      [
        ['laravel', 'string|max:255: 256 characters are "The first name field must not be greater than 255 characters."'],
        ['unlimited', 'no max rule (TEXT columns): any length passes'],
      ],
      { fields: ['first_name', 'last_name', 'email', 'identity_number'] },
    ),
    'body.nullable': inferred(
      'the table says neither way; the doc\'s own body example sends "identity_number": null and "photo": null, so those take null, and a Laravel `string` rule without `nullable` refuses null elsewhere',
      'null is taken for identity_number, photo and phone and refused for every other field ("The first name field must be a string.")',
      [
        ['example', 'identity_number, photo and phone are nullable; null elsewhere is refused'],
        [
          'nullable',
          'every optional field is `nullable`: null is taken everywhere (it clears a nullable column and leaves the others as they were)',
        ],
        [
          'none',
          'only the example\'s own nulls (identity_number, photo) are taken; phone takes "" but not null (no ConvertEmptyStringsToNull)',
        ],
      ],
      { fields: MEDIBULUT_OPTIONAL },
    ),
    'body.permissions': inferred(
      'the table lists permissions open-ended: ("appointments.manage", "patients.manage", etc.); the example shows nine, which an app would check with `in:` against its own list',
      'permissions are among the nine the example shows; another is "The selected permissions.N is invalid."',
      [
        ['listed', 'in:appointments.manage,…,working-hours.manage (the nine of the example)'],
        ['any', 'any string is a permission ("etc.")'],
      ],
    ),
    'body.ids': inferred(
      '"service_ids array of integers" states no sign; ids of auto-increment rows are positive, and an app checking `integer|min:1` (or exists) refuses 0',
      'service_ids are positive integers: 0 is "The service_ids.N field must be an integer."',
      [
        ['positive', 'service_ids.* must be integers of at least 1'],
        ['any-integer', 'any integer passes ("array of integers")'],
        // An app holding a services table checks `'service_ids.*' => 'integer|exists:services,id'`: Laravel skips
        // `exists` once `integer` failed, so 1.5 is "must be an integer" and 0 or an unknown id "is invalid".
        [
          'exists',
          'integer|exists:services,id: an id must name a service (the fixtures\' 1–5); 0 or an unknown id is "The selected service_ids.N is invalid."',
        ],
      ],
    ),
    'body.confirmed': documented(
      'password_confirmation: "A repeat of the password field to ensure accuracy"',
      'a password whose confirmation differs is refused',
    ),
    'body.authorized-users': inferred(
      '"users that this user is authorized to manage": a Laravel exists rule scoped to the tenant',
      'authorized_users may only name users of the same tenant: "The selected authorized_users.N is invalid."',
      [
        ['tenant', 'exists:users,id scoped to the tenant'],
        ['any-tenant', 'exists:users,id over every tenant'],
      ],
    ),
    'email.unique': inferred(
      'email is "used for login", so it is unique across users (unique:users,email)',
      'an email another user holds is refused: "The email has already been taken."',
      [
        ['enforced', 'unique:users,email: 422 "The email has already been taken."'],
        ['unchecked', "no unique rule in the Form Request: the users table's unique index refuses the same address, a 500 Server Error"],
      ],
    ),
    'email.case-insensitive': inferred(
      "MySQL's default collation compares strings case-insensitively, so unique:users,email does too",
      'an email differing from a taken one only in case is taken too',
      [
        ['insensitive', 'JOHN@example.com is taken when john@example.com is'],
        ['sensitive', 'a case-sensitive database: JOHN@example.com is free'],
      ],
    ),
    'validation.status': documented('422 Unprocessable Entity example', 'a refused body is 422 {message, errors:{field:[messages]}}'),
    'validation.messages': inferred(
      'Laravel 10+ default messages, as in the 422 example ("The first name field is required.")',
      "each field error is Laravel's message text",
      [
        ['laravel10', '"The color field must be a valid hexadecimal color."'],
        ['laravel9', '"The color must be a valid hexadecimal color." (Laravel 9 wording; "required" reads the same)'],
      ],
    ),
    'validation.summary': documented(
      '422 example: "The first name field is required. (and 5 more errors)"',
      'message is the first error plus " (and N more error[s])", singular for one',
    ),
    'response.shape': documented(
      'HTTP 200 OK example',
      'the 200 body is {data:{…}} with every documented field, bonus_rate a two-decimal string',
    ),
    'response.echo': documented('the example response echoes the request', 'the 200 body reflects every field sent'),
    'response.no-password': documented('the response example has no password field', 'no password (or its hash) is ever returned'),
    'update.persists': documented('"Update"', 'an update sticks: a later request sees it'),
  },
} as const

export type MedibulutBody = z.infer<typeof medibulut.body>
export type MedibulutUser = z.infer<(typeof medibulut.responses)[200]>['data']
export type MedibulutUserRecord = z.infer<typeof medibulut.entities.user>
export type MedibulutRuleId = keyof typeof medibulut.rules
