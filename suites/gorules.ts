import { gorules, type GorulesRuleId } from '../contracts/gorules.ts'
import { nestMessage } from '../contracts/nest.ts'
import { expectPersists, expectStatus, expectUpdated, snippet } from './assert.ts'
import { frameworks } from './derive.ts'
import { derivedChecks, type DerivedApi } from './derived-checks.ts'
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
  t.expect(
    'error.body',
    body?.statusCode === res.status && messages(res).length > 0,
    `expected {statusCode: ${res.status}, message, error?}, got ${snippet(res.text)}`,
  )
}

/** The validation status this server answers: NestJS's 400 by default, or the reading the user declared. */
const validationStatus = (t: T) => Number(t.reading('validation.status'))

/** Whether a class-validator refusal names `field` ("status must be …", "each value in roles must be …"). */
const names = (res: Exchange, field: string) =>
  messages(res).some((m) => m.startsWith(`${field} `) || m.startsWith(`each value in ${field} `))

/** The body's fields, derived from the contract: enums (wrong case and padding included), types, role UUIDs. */
const derived: DerivedApi<R> = {
  snapshot: (t) => snapshot(t, caseTarget(t)),
  shape: gorules.body.shape,
  framework: frameworks.nest,
  send: (t, fields) => t.send({ userId: caseTarget(t), body: fields }),
  anchor: (field) =>
    field === 'status'
      ? { key: 'type', fields: { type: 'superadmin' }, rule: 'body.enums' }
      : { key: 'status', fields: { status: 'deleted' }, rule: 'body.enums' },
  names,
  // "List of role IDs": that an id is a UUID is our reading; a malformed one is refused as malformed or as unknown.
  rules: (c): R[] => {
    if (c.field === 'status' || c.field === 'type') return ['body.enums']
    // A number or boolean for a name is refused by class-validator, but Fastify's ajv casts it: our reading.
    if (c.kind === 'type' && (typeof c.value === 'number' || typeof c.value === 'boolean')) return ['body.types', 'body.coercion']
    return ['body.types']
  },
  // "List of role IDs", UUIDs in every example: a malformed id is refused (documented), as malformed or as unknown
  // (roles.exist): which message names it is our reading, whether it is refused is not.
  // Under Fastify's ajv a lone string is wrapped in a list (body.coercion): refused still, as a malformed element.
  premises: (c): R[] =>
    c.field === 'roles' && c.kind === 'element'
      ? ['roles.exist']
      : c.field === 'roles' && c.kind === 'type' && typeof c.value === 'string'
        ? ['body.coercion']
        : [],
  refusal: { status: 'validation.status', expected: validationStatus, names: 'error.body' },
  messages: {
    rule: 'error.body',
    // class-validator's default wording of the contract's own issues, as the mock answers.
    expected: (fields, key) => {
      const parsed = gorules.body.safeParse(fields)
      return parsed.success ? undefined : parsed.error.issues.filter((i) => i.path[0] === key).map(nestMessage)[0]
    },
    actual: (res, key) => messages(res).filter((m) => m.startsWith(`${key} `) || m.startsWith(`each value in ${key} `)),
  },
}

async function update(t: T, body: Record<string, unknown>, options: Omit<SendOptions, 'body'> = {}) {
  // GoRules' contract has no password rule: nothing password-like is ever in its user either way.
  return expectUpdated(t, await t.send({ ...options, body }), gorules.responses[200], 'response.shape')
}

/**
 * A refusal the service makes (an unknown role, a second owner): refused at all on `rule` alone (a 200 breaks the
 * rule itself; its status and message would only repeat it), then the validation status and the service's text.
 */
function expectServiceRefusal(t: T, res: Exchange, rule: 'roles.exist' | 'owner.single', what: string, text: string): void {
  // The reading under which the service takes it (unknown ids dropped, a second owner saved): a 200.
  if (t.reading(rule) === { 'roles.exist': 'ignored', 'owner.single': 'unchecked' }[rule]) {
    t.expect(rule, res.status === 200, `${what}: the ${t.reading(rule)} reading takes it, got ${res.status} ${snippet(res.text)}`)
    return
  }
  if (!t.expect(rule, res.status >= 400 && res.status < 500, `${what}: expected a refusal, got ${res.status} ${snippet(res.text)}`)) return
  t.expect([rule, 'validation.status'], res.status === validationStatus(t), `${what}: expected ${validationStatus(t)}, got ${res.status}`)
  t.expect([rule, 'error.body'], messages(res).includes(text), `expected "${text}", got ${JSON.stringify(messages(res))}`)
}

/**
 * Makes the peer an owner for the rest of the check (undefined: the peer already is one, nothing sent) and registers
 * putting the peer back: as the actor (an admin manages users), else as the peer itself, since a server may keep an
 * owner's account from admins (authz.owner) or keep the role a token was issued with.
 * @example const res = await promotePeer(t) // 400 where the server keeps one owner
 */
export async function promotePeer<R extends string>(t: CheckContext<R>): Promise<Exchange | undefined> {
  const peer = t.account('peer')
  const typeIn = (res: Exchange) => (res.status === 200 ? (res.body as { type?: unknown } | undefined)?.type : undefined)
  const type =
    typeIn(await t.send({ userId: peer.userId, body: {} })) ?? (peer.token ? typeIn(await t.send({ as: 'peer', body: {} })) : undefined)
  if (type === 'owner') return undefined
  // Nothing to put back to: a promotion taken could not be undone.
  if (typeof type !== 'string') return t.skip("the peer's type could not be read (an empty update of the peer was not answered 200)")
  const res = await t.send({ userId: peer.userId, body: { type: 'owner' } })
  if (res.status < 300)
    t.onCleanup(async () => {
      const back = await t.send({ userId: peer.userId, body: { type }, restsOn: 'authz.owner' })
      return back.status < 300 || !peer.token ? back : t.send({ as: 'peer', body: { type } })
    })
  return res
}

/**
 * Whom the body's cases are sent to: the peer where there is one, as the admin manages users; a server may refuse
 * anyone a change of their own type or status (a 403 before the body's values would show), whatever its values.
 */
const caseTarget = (t: T): string | number | undefined => t.target.accounts.peer?.userId

/** A user's state (the actor's by default) read with an empty update, restored after the check. */
async function snapshot(t: T, userId?: string | number) {
  const options = userId === undefined ? {} : { userId }
  const before = await update(t, {}, options)
  t.onCleanup(() =>
    t.send({
      ...options,
      body: {
        firstName: before.firstName,
        lastName: before.lastName,
        status: before.status,
        type: before.type,
        roles: before.roles.map((r) => r.id),
      },
    }),
  )
  return before
}

const checks: Check<R>[] = [
  ...derivedChecks(derived),
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
    title: 'roles must name existing roles',
    // Checked after the DTO (an anchor would stop it earlier), so a server that drops unknown ids would write:
    // the check runs with --allow-writes only, and restores the roles.
    needs: ['writes'],
    async run(t) {
      await snapshot(t)
      const res = await t.send({ body: { roles: [UNKNOWN_UUID] } })
      expectServiceRefusal(t, res, 'roles.exist', 'an unknown role id', `Role ${UNKNOWN_UUID} does not exist`)
    },
  },
  {
    title: 'properties the DTO does not declare are stripped (whitelist)',
    async run(t) {
      // An invalid status beside the unknown property: nothing is written whichever reading the server follows.
      const res = await t.send({ body: { apitwinUnknown: 1, status: 'deleted' } })
      const about = messages(res).filter((m) => m.includes('apitwinUnknown'))
      if (t.reading('body.whitelist') === 'stripped')
        t.expect('body.whitelist', about.length === 0, `the unknown property was refused: ${JSON.stringify(about)}`)
      else
        t.expect(
          ['body.whitelist', 'error.body'],
          about.includes('property apitwinUnknown should not exist'),
          `expected "property apitwinUnknown should not exist", got ${JSON.stringify(messages(res))}`,
        )
    },
  },
  {
    title: 'a member cannot update another user',
    needs: ['peer', 'peer-token'],
    async run(t) {
      // An invalid status beside the name: a server without a roles guard (the none reading) refuses it and writes nothing.
      const hijack = { firstName: 'Hijack', status: 'deleted' }
      const res = await t.send({ as: 'peer', userId: t.account('actor').userId, body: hijack })
      const judged = (r: Exchange) => messages(r).some((m) => m.includes('status'))
      // Where the body is judged before the guard (order.validation: first), the invalid status is refused as such and
      // the guard cannot show without a write.
      if (t.reading('order.validation') === 'first') {
        t.expect(
          ['authz.admin', 'order.validation'],
          judged(res),
          `expected the invalid status refused first, got ${res.status} ${snippet(res.text)}`,
        )
        return
      }
      // The same body to an unknown user tells that order from no guard at all: the lookup refuses it first there.
      const unknown = await t.send({ as: 'peer', userId: UNKNOWN_UUID, body: hijack })
      if (!t.given('order.validation', !judged(unknown), `an unknown user's update was refused for its body first: ${unknown.status}`))
        return
      if (t.reading('authz.admin') === 'none') {
        t.expect(
          ['authz.admin', 'validation.status'],
          res.status === validationStatus(t),
          `no roles guard: expected the validation status ${validationStatus(t)} for the invalid status, got ${res.status}`,
        )
        return
      }
      const expected = Number(t.reading('authz.admin'))
      expectStatus(t, res, 'authz.admin', expected, "the actor's profile with the peer's (member) token")
      expectErrorBody(t, res)
    },
  },
  {
    title: "a number sent for a name is refused, or stored as its string (Fastify's ajv), never as a number",
    needs: ['writes'],
    async run(t) {
      await snapshot(t)
      const res = await t.send({ body: { firstName: 42 } })
      if (res.status >= 400 && res.status < 500) {
        if (
          !t.expect(
            'body.coercion',
            t.readingOf('body.coercion', 'firstName') === 'class-validator',
            `firstName 42 was refused (${res.status}): the server follows gorules.body.coercion=class-validator`,
          )
        )
          return
        t.expect(
          ['body.coercion', 'validation.status'],
          res.status === validationStatus(t),
          `firstName 42: expected the validation status ${validationStatus(t)}, got ${res.status}`,
        )
        return
      }
      const stored = (res.body as { firstName?: unknown } | undefined)?.firstName
      // "firstName: string": whatever a server casts, a name it returns is a string.
      if (
        !t.expect(
          'body.types',
          res.status === 200 && typeof stored === 'string',
          `firstName 42: got ${res.status} with firstName ${JSON.stringify(stored)}; a name is a string ("42" under Fastify's ajv)`,
        )
      )
        return
      t.expect(
        'body.coercion',
        t.readingOf('body.coercion', 'firstName') === 'ajv',
        `firstName 42 was stored as ${JSON.stringify(stored)}: the server follows gorules.body.coercion=ajv`,
      )
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
      t.expect(
        'response.echo',
        after.firstName === sent.firstName && after.lastName === sent.lastName,
        `names came back as ${after.firstName} ${after.lastName}`,
      )
      t.expect(
        'response.echo',
        JSON.stringify(after.roles.map((r) => r.id)) === JSON.stringify(roles),
        `roles: sent ${JSON.stringify(roles)}, got ${JSON.stringify(after.roles)}`,
      )
      t.expect(
        'response.echo',
        after.roles.every((r) => r.name !== '' && typeof r.description === 'string'),
        'roles are not resolved to {id, name, description}',
      )
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
      t.expect(
        'update.timestamps',
        prev < Date.now() - 60_000 ? next > prev : next >= prev,
        `updatedAt went from ${before.updatedAt} to ${after.updatedAt}`,
      )
      t.expect(
        'update.timestamps',
        after.createdAt === before.createdAt,
        `createdAt changed from ${before.createdAt} to ${after.createdAt}`,
      )
      await expectPersists(t, 'lastName', lastName, after, () => update(t, { firstName: 'Later' }))
    },
  },
  {
    title: 'there is only one owner: another user cannot be made owner',
    // The peer's token: a server that takes a second owner may keep it from admins (authz.owner), so the peer may
    // have to step down themself. Without it the write might not be undone; the owner.single probe still asks.
    needs: ['writes', 'peer', 'peer-token'],
    async run(t) {
      const res = await promotePeer(t)
      if (res === undefined) return t.skip('the peer is an owner already: give a peer account that is not')
      expectServiceRefusal(t, res, 'owner.single', 'making a second owner', 'There can only be one owner')
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
      expectStatus(
        t,
        await t.send({ as: 'peer', body: { firstName: 'Gone' } }),
        'status.sessions',
        401,
        "the peer's token after it was disabled",
      )
    },
  },
]

/** The gorules contract suite: the same checks for the mock, `apitwin serve` and a live server. */
export const gorulesSuite: Suite<R> = suiteOf(gorules, checks, {
  secrets: { rule: 'response.shape' },
  probeBody: { status: 'deleted' },
  derived,
})
