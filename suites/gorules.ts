import { gorules, gorulesStatuses, gorulesTypes, type GorulesRuleId } from '../contracts/gorules.ts'
import { expectStatus, expectUpdated, snippet } from './assert.ts'
import { suiteOf, type Check, type CheckContext, type Exchange, type SendOptions, type Suite } from './check.ts'

type R = GorulesRuleId
type T = CheckContext<R>

const UNKNOWN_UUID = '00000000-0000-4000-8000-000000000000'

/** NestJS's error body: {statusCode, message: string | string[], error?}. */
function messages(res: Exchange): string[] {
  const message = (res.body as { message?: unknown } | undefined)?.message
  return Array.isArray(message) ? message.map(String) : typeof message === 'string' ? [message] : []
}

function expectErrorBody(t: T, res: Exchange): void {
  const body = res.body as { statusCode?: unknown } | undefined
  t.expect('error.body', body?.statusCode === res.status && messages(res).length > 0, `expected {statusCode: ${res.status}, message, error?}, got ${snippet(res.text)}`)
}

// NestJS ValidationPipe's default status (the `validation.status` reading the mock follows by default).
const VALIDATION_STATUS = 400

/** A refusal of the body: any 4xx for the documented rule; then 400 with the class-validator message. */
function expectRefused(t: T, res: Exchange, rule: R, message: string): void {
  t.expect(rule, res.status >= 400 && res.status < 500, `expected a refusal (4xx), got ${res.status} ${snippet(res.text)}`)
  if (!expectStatus(t, res, 'validation.status', VALIDATION_STATUS, 'an invalid body')) return
  expectErrorBody(t, res)
  t.expect('error.body', messages(res).includes(message), `expected message ${JSON.stringify(message)} among ${JSON.stringify(messages(res))}`)
}

/** `field` passed validation: an invalid anchor beside it makes the server answer 400 without writing. */
function expectAccepted(t: T, res: Exchange, rule: R, field: string, anchor: string): void {
  if (!t.expect('validation.status', res.status === VALIDATION_STATUS && messages(res).some((m) => m.startsWith(`${anchor} `)), `expected ${VALIDATION_STATUS} for the invalid ${anchor} sent beside ${field}, got ${res.status} ${snippet(res.text)}`)) return
  const about = messages(res).filter((m) => m.startsWith(`${field} `) || m.startsWith(`each value in ${field} `))
  t.expect(rule, about.length === 0, `${field} was refused: ${JSON.stringify(about)}`)
}

async function update(t: T, body: Record<string, unknown>, options: Omit<SendOptions, 'body'> = {}) {
  // GoRules' contract has no password rule: nothing password-like is ever in its user either way.
  return expectUpdated(t, await t.send({ ...options, body }), gorules.responses[200], (user) => user, { shape: 'response.shape', secret: 'response.shape' })
}

/** The user's state read with an empty update, restored after the check. */
async function snapshot(t: T, userId?: string | number) {
  const options = userId === undefined ? {} : { userId }
  const before = await update(t, {}, options)
  t.onCleanup(() => t.send({ ...options, body: { firstName: before.firstName, lastName: before.lastName, status: before.status, type: before.type, roles: before.roles.map((r) => r.id) } }))
  return before
}

const checks: Check<R>[] = [
  {
    title: 'no token is refused with 401',
    async run(t) {
      const res = await t.send({ as: 'anonymous', body: { firstName: 'Nobody' } })
      expectStatus(t, res, 'auth.required', 401, 'no token')
      expectErrorBody(t, res)
    },
  },
  {
    title: 'an unknown personal access token is refused with 401',
    async run(t) {
      const res = await t.send({ as: { token: 'grpat_not-a-real-token' }, body: { firstName: 'Nobody' } })
      expectStatus(t, res, 'auth.required', 401, 'an unknown token')
      expectErrorBody(t, res)
    },
  },
  {
    title: 'an unknown user id is 404',
    async run(t) {
      const res = await t.send({ userId: UNKNOWN_UUID, body: { firstName: 'Ghost' } })
      expectStatus(t, res, 'user.not-found', 404, 'an unknown UUID')
      expectErrorBody(t, res)
    },
  },
  {
    title: 'a malformed user id is 400, not a 404 or a crash',
    async run(t) {
      for (const id of ['123', 'not-a-uuid', `${UNKNOWN_UUID}x`]) {
        const res = await t.send({ userId: id, body: { firstName: 'Ghost' } })
        expectStatus(t, res, 'path.uuid', 400, `id ${id}`)
        expectErrorBody(t, res)
      }
    },
  },
  {
    title: 'status takes active, disabled and locked, nothing else',
    async run(t) {
      for (const status of gorulesStatuses) expectAccepted(t, await t.send({ body: { status, type: 'superadmin' } }), 'body.enums', 'status', 'type')
      expectRefused(t, await t.send({ body: { status: 'deleted' } }), 'body.enums', 'status must be one of the following values: active, disabled, locked')
    },
  },
  {
    title: 'type takes invited, member, author, admin and owner, nothing else',
    async run(t) {
      for (const type of gorulesTypes) expectAccepted(t, await t.send({ body: { type, status: 'deleted' } }), 'body.enums', 'type', 'status')
      expectRefused(t, await t.send({ body: { type: 'superadmin' } }), 'body.enums', 'type must be one of the following values: invited, member, author, admin, owner')
    },
  },
  {
    title: 'roles is a list of role UUIDs naming existing roles',
    async run(t) {
      expectRefused(t, await t.send({ body: { roles: 'admin' } }), 'body.types', 'roles must be an array')
      expectRefused(t, await t.send({ body: { roles: ['admin'] } }), 'body.types', 'each value in roles must be a UUID')
      const res = await t.send({ body: { roles: [UNKNOWN_UUID] } })
      t.expect('roles.exist', res.status === VALIDATION_STATUS, `an unknown role id: expected ${VALIDATION_STATUS}, got ${res.status} ${snippet(res.text)}`)
      t.expect('roles.exist', messages(res).includes(`Role ${UNKNOWN_UUID} does not exist`), `expected "Role ${UNKNOWN_UUID} does not exist", got ${JSON.stringify(messages(res))}`)
    },
  },
  {
    title: 'firstName and lastName are strings',
    async run(t) {
      expectRefused(t, await t.send({ body: { firstName: 42 } }), 'body.types', 'firstName must be a string')
      expectRefused(t, await t.send({ body: { lastName: ['Doe'] } }), 'body.types', 'lastName must be a string')
    },
  },
  {
    title: 'a member cannot update another user',
    needs: ['peer', 'peer-token'],
    async run(t) {
      const res = await t.send({ as: 'peer', userId: t.account('actor').userId, body: { firstName: 'Hijack' } })
      expectStatus(t, res, 'authz.admin', 403, "the actor's profile with the peer's (member) token")
      expectErrorBody(t, res)
    },
  },
  {
    title: '200: the bare user comes back, every field sent applied, roles resolved to objects',
    needs: ['writes'],
    async run(t) {
      const before = await snapshot(t)
      const roles = before.roles.slice(0, 1).map((r) => r.id)
      const sent = { firstName: 'Apitwin', lastName: `Roundtrip ${Date.now()}`, roles }
      const after = await update(t, sent)
      t.expect('response.echo', after.firstName === sent.firstName && after.lastName === sent.lastName, `names came back as ${after.firstName} ${after.lastName}`)
      t.expect('response.echo', JSON.stringify(after.roles.map((r) => r.id)) === JSON.stringify(roles), `roles: sent ${JSON.stringify(roles)}, got ${JSON.stringify(after.roles)}`)
      t.expect('response.echo', after.roles.every((r) => r.name !== '' && typeof r.description === 'string'), 'roles are not resolved to {id, name, description}')
      t.expect('response.echo', after.id === before.id && after.email === before.email, 'id or email changed')
    },
  },
  {
    title: 'updatedAt moves forward, createdAt stays, and the update persists',
    needs: ['writes'],
    async run(t) {
      const before = await snapshot(t)
      const lastName = `Persisted ${Date.now()}`
      const after = await update(t, { lastName })
      const [prev, next] = [Date.parse(before.updatedAt), Date.parse(after.updatedAt)]
      t.expect('update.timestamps', prev < Date.now() - 60_000 ? next > prev : next >= prev, `updatedAt went from ${before.updatedAt} to ${after.updatedAt}`)
      t.expect('update.timestamps', after.createdAt === before.createdAt, `createdAt changed from ${before.createdAt} to ${after.createdAt}`)
      const later = await update(t, { firstName: 'Later' })
      t.expect('update.persists', later.lastName === lastName, `lastName was ${later.lastName} after a later update`)
    },
  },
  {
    title: 'there is only one owner: another user cannot be made owner',
    needs: ['writes', 'peer'],
    async run(t) {
      const peer = t.account('peer').userId
      await snapshot(t, peer)
      const res = await t.send({ userId: peer, body: { type: 'owner' } })
      t.expect('owner.single', res.status === VALIDATION_STATUS, `making a second owner: expected ${VALIDATION_STATUS}, got ${res.status} ${snippet(res.text)}`)
      t.expect('owner.single', messages(res).includes('There can only be one owner'), `expected "There can only be one owner", got ${JSON.stringify(messages(res))}`)
    },
  },
  {
    title: 'disabling a user ends their sessions: their token stops working',
    needs: ['writes', 'disposable', 'peer', 'peer-token'],
    async run(t) {
      const peer = t.account('peer').userId
      expectStatus(t, await t.send({ as: 'peer', body: { firstName: 'Still here' } }), 'status.sessions', 200, "the peer's token before")
      const disabled = await update(t, { status: 'disabled' }, { userId: peer })
      t.expect('response.echo', disabled.status === 'disabled', `status came back as ${disabled.status}`)
      expectStatus(t, await t.send({ as: 'peer', body: { firstName: 'Gone' } }), 'status.sessions', 401, "the peer's token after it was disabled")
    },
  },
]

/** The gorules contract suite: the same checks for the mock, `apitwin serve` and a live server. */
export const gorulesSuite: Suite<R> = suiteOf(gorules, checks)
