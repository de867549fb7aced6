import type { Reply } from './reply.ts'

/**
 * Why the mock refused a request: the step of its pipeline that halted. One status often has several causes a
 * vendor's stack renders differently (a missing token and an unknown one; Rails' routing 404 and the controller's
 * "User not found"; NestJS's ValidationPipe list and a service's BadRequestException string), so what calibrate
 * learns of a server's error bodies and texts may hold for one cause only (contracts/learned.ts `causes`).
 *
 * The steps every API shares; an inferred rule refusing on its own after validation (gorules' `roles.exist`) is
 * named by its rule id.
 * - `auth.missing`: no bearer token; `auth.invalid`: a token that names no session
 * - `route`: no route for the path (the router's 404, before any controller)
 * - `not-found`: the record lookup; `forbidden`: authorization (an own-profile or role check)
 * - `params`: the parameters refused before validation (Rails' ParameterMissing or unpermitted parameters,
 *   NestJS's ParseUUIDPipe)
 * - `validation`: the body's validation (form request, model validations, ValidationPipe)
 */
export type Cause = 'auth.missing' | 'auth.invalid' | 'route' | 'not-found' | 'forbidden' | 'params' | 'validation' | (string & {})

/**
 * The reply, marked with why it was given. The mark never reaches a client of the mock: only the reference mock
 * shows it to calibrate (`CAUSE_HEADER`), which pairs each live answer with the cause the mock gives that request.
 * @example halt(because('route', dialect.routeNotFound('PUT', path)))
 */
export function because(cause: Cause, reply: Reply): Reply {
  return { ...reply, cause }
}

/** The header in which the reference mock (suites/reference.ts) tells calibrate the cause of its refusal. */
export const CAUSE_HEADER = 'x-twin-cause'
