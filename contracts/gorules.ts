import { z } from 'zod'
import { nestErrorBody } from './nest.ts'
import { documented, inferred } from './provenance.ts'

/*
 * gorules — `PUT /api/users/{userId}` of GoRules BRMS (seed 003_5e1060fedbd8905f.txt): UUID ids, camelCase, a bare
 * user body without envelope. The doc shows no error at all, so every error status and body is inferred.
 */

export const gorulesStatuses = ['active', 'disabled', 'locked'] as const
export const gorulesTypes = ['invited', 'member', 'author', 'admin', 'owner'] as const

const body = z
  .object({
    firstName: z.string(),
    lastName: z.string(),
    status: z.enum(gorulesStatuses),
    type: z.enum(gorulesTypes),
    roles: z.array(z.uuid()),
  })
  .partial()

const role = z.object({ id: z.uuid(), name: z.string(), description: z.string() })

/** The documented 200 body: the user itself, no envelope. */
const user = z.object({
  id: z.uuid(),
  email: z.string(),
  type: z.enum(gorulesTypes),
  status: z.enum(gorulesStatuses),
  createdAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
  firstName: z.string(),
  lastName: z.string(),
  isService: z.boolean(),
  roles: z.array(role),
})

const userRecord = user.omit({ roles: true }).extend({ roleIds: z.array(z.uuid()) })

export const gorules = {
  name: 'gorules',
  title: 'gorules — Update user',
  seed: '003_5e1060fedbd8905f.txt',
  method: 'PUT',
  path: '/api/users/{userId}',
  // "Unique identifier of the user": a UUID, as every id in the doc's examples.
  params: z.object({ userId: z.uuid() }),
  headers: z.object({ authorization: z.string().regex(/^Bearer .+/) }),
  body,
  entities: { user: userRecord, role, token: z.object({ token: z.string(), user_id: z.uuid() }) },
  responses: {
    200: user,
    400: nestErrorBody,
    401: nestErrorBody,
    403: nestErrorBody,
    404: nestErrorBody,
    422: nestErrorBody,
  },
  rules: {
    'auth.required': documented(
      'Authorization: Bearer <token> (personal access token)',
      'a request without a valid token is refused (401)',
    ),
    'error.body': inferred(
      'GoRules documents no error body; its API is Node-based, and NestJS renders {statusCode, message, error}',
      'error bodies are {statusCode, message, error?} with class-validator messages',
      [
        ['nest', '{statusCode, message, error?}, message a list of class-validator texts on validation'],
        ['message', '{message} only'],
      ],
    ),
    'user.not-found': inferred('the doc shows no 404; an unknown user is 404 in any REST API', 'an unknown user id is 404', [
      ['404', '404 {statusCode:404, message:"User not found", error:"Not Found"}'],
      ['403', 'the permission guard runs on the target first: 403'],
    ]),
    'path.uuid': inferred(
      '"Unique identifier of the user" is a UUID; NestJS ParseUUIDPipe answers a malformed one 400 "Validation failed (uuid is expected)"',
      'a malformed user id is 400, not 404 or 500',
      [
        ['400', 'ParseUUIDPipe: 400 "Validation failed (uuid is expected)"'],
        ['404', 'no pipe: the lookup finds nothing, 404'],
      ],
    ),
    'authz.admin': inferred(
      "GoRules' user manual: members manage their own profile, admins and the owner manage users (a NestJS guard answers 403)",
      'a member cannot update another user: 403',
      [
        ['403', 'a roles guard: 403 "Forbidden resource"'],
        ['404', 'members do not see other users: 404'],
        ['none', 'no roles guard: any user may update any user'],
      ],
    ),
    'authz.owner': inferred(
      'GoRules\' user manual: "admins and the owner manage users", naming no exception; many servers still guard the owner\'s account from admins',
      'an admin may update the owner like any other user',
      [
        ['admins', 'admins manage every user, the owner included'],
        ['owner-only', 'only the owner updates the owner: an admin is refused 403 "Forbidden resource"'],
      ],
    ),
    'order.validation': inferred(
      'NestJS runs guards before pipes: a guard that finds the user and checks roles decides before the ValidationPipe sees the body; a service that looks the user up after the pipe validates the body first',
      'a request one may not make, or to an unknown user, is refused as such even when its body is invalid',
      [
        ['last', 'guards first: an unknown user is 404 and a forbidden update 403 whatever the body'],
        [
          'after-guard',
          "a roles guard (the caller's own type), then the body, then the service finds the user: an unknown user with an invalid body is refused for the body",
        ],
        ['first', 'the body first: an invalid body is refused with the validation status before any lookup or permission'],
      ],
    ),
    'body.enums': documented(
      'status: "active, disabled, locked"; type: "invited, member, author, admin, owner"',
      'status and type take exactly their documented values',
    ),
    'body.types': documented('firstName, lastName: string; roles: "List of role IDs"', 'names are strings, roles a list of role UUIDs'),
    'body.coercion': inferred(
      "NestJS's ValidationPipe checks the JSON as sent (class-validator casts nothing); a GoRules server validating with Fastify's route schemas instead gets ajv's defaults, coerceTypes: \"array\"",
      'a number or boolean sent for firstName or lastName is refused ("firstName must be a string")',
      [
        ['class-validator', 'no coercion: firstName: 42 is refused'],
        ['ajv', 'Fastify\'s ajv (coerceTypes: "array"): 42 and true are stored as "42" and "true"; a single role id becomes a list of one'],
      ],
      { fields: ['firstName', 'lastName', 'roles'] },
    ),
    'body.whitelist': inferred(
      'NestJS ValidationPipe({ whitelist: true }) strips properties the DTO does not declare',
      'unknown properties are ignored',
      [
        ['stripped', 'whitelist: unknown properties are dropped'],
        ['rejected', 'forbidNonWhitelisted: "property <name> should not exist" refused with the validation status'],
      ],
    ),
    'validation.status': inferred(
      "no error response is documented; NestJS's ValidationPipe (and Fastify's schema validation) answer 400 by default",
      'a refused body is answered with the validation status, listing every failing constraint',
      [
        ['400', "ValidationPipe's default: 400 Bad Request"],
        ['422', 'ValidationPipe({ errorHttpStatusCode: 422 }): 422 Unprocessable Entity'],
      ],
    ),
    'roles.exist': inferred(
      '"List of role IDs to assign": an id that names no role cannot be assigned',
      'an unknown role id is refused "Role <id> does not exist"',
      [
        ['refused', 'refused with the validation status: "Role <id> does not exist"'],
        ['ignored', 'unknown ids are dropped'],
      ],
    ),
    'owner.single': inferred(
      "GoRules' user manual: an organisation has exactly one owner",
      'making a second user owner, or demoting the owner, is refused',
      [
        ['enforced', 'refused with the validation status: "There can only be one owner"'],
        ['unchecked', 'the change is saved'],
      ],
    ),
    'status.sessions': inferred(
      "GoRules' user manual: disabling a user ends their sessions (a locked user cannot sign in either)",
      'after a user is disabled or locked, their token is refused with 401',
      [
        ['revoked', 'their token is refused with 401 from then on'],
        ['kept', 'their token keeps working'],
      ],
    ),
    'response.shape': documented(
      '"The updated user": {id, email, type, status, createdAt, updatedAt, firstName, lastName, isService, roles:[{id, name, description}]}',
      'the 200 body is the bare user, no envelope',
    ),
    'response.echo': documented(
      '"Updates user properties including name, status, type, and assigned roles"',
      'the 200 body reflects every field sent, roles resolved to objects',
    ),
    'update.timestamps': documented(
      'createdAt: "Timestamp when the user was created"; updatedAt: "…last updated"',
      'updatedAt moves forward; createdAt stays',
    ),
    'update.persists': documented('"Updates user properties"', 'an update sticks: a later request sees it'),
  },
} as const

export type GorulesBody = z.infer<typeof gorules.body>
export type GorulesUser = z.infer<(typeof gorules.responses)[200]>
export type GorulesUserRecord = z.infer<typeof gorules.entities.user>
export type GorulesRuleId = keyof typeof gorules.rules
