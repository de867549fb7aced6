import { flextell, type FlextellRuleId } from '../contracts/flextell.ts'
import { suiteOf, type Check, type CheckContext, type Exchange, type Suite } from './check.ts'
import { expectPersists, expectStatus, pick, snippet, expectUpdated } from './assert.ts'
import { frameworks, emailOfLength } from './derive.ts'
import { emailRefused, passwordRefused, type WriteGuard } from './write-guard.ts'
import { derivedChecks, type DerivedApi } from './derived-checks.ts'
import { expectFieldAccepted, expectFieldRejected, laravelErrors, laravelExpected, type LaravelRuleIds } from './laravel.ts'

type R = FlextellRuleId
type T = CheckContext<R>

const limit: LaravelRuleIds<R> = { constraint: 'body.limits', status: 'validation.status', messages: 'validation.messages' }
const confirmed: LaravelRuleIds<R> = { ...limit, constraint: 'body.confirmed' }

/** An invalid field sent beside a value whose refusal rests on our reading, so no reading of the doc writes it. */
const NAME_ANCHOR = { name: 'n'.repeat(256) }
const BIO_ANCHOR = { bio: 'b'.repeat(1001) }
const tooLong = (value: unknown, max: number) => typeof value === 'string' && value.length > max

/** Documented refusals the write guard counts: a body with a password or a new email needs two. */
const writeGuard: WriteGuard = {
  refusals: (fields, target) => [
    ...('email' in fields && emailRefused(fields['email'], target, 255) ? ['email'] : []),
    ...(('password' in fields || 'password_confirmation' in fields) && passwordRefused(fields, 8, true) ? ['password'] : []),
    ...(tooLong(fields['name'], 255) ? ['name'] : []),
    ...(tooLong(fields['bio'], 1000) ? ['bio'] : []),
  ],
}

/** Fields the round trip writes and restores: everything writable except the password, which cannot be undone. */
const writable = [
  'name',
  'email',
  'phone',
  'title',
  'emergency_contact_name',
  'emergency_contact_surname',
  'emergency_contact_phone_number',
  'blood_group',
  'avatar_url',
  'is_active',
  'bio',
  'language',
] as const

/** The body's fields, every one derived: limits, types, enums, nulls. */
const derived: DerivedApi<R> = {
  snapshot,
  shape: flextell.body.shape,
  framework: frameworks.laravel,
  send: (t, fields) => t.send({ body: fields }),
  // Two invalid fields beside every case, neither the field under test: a server breaking one rule writes nothing.
  anchor: (field) =>
    field === 'email'
      ? { key: 'name', fields: { ...NAME_ANCHOR, ...BIO_ANCHOR }, rule: 'body.limits' }
      : field === 'name'
        ? { key: 'email', fields: { email: 'not-an-email', ...BIO_ANCHOR }, rule: 'body.limits' }
        : { key: 'email', fields: { email: 'not-an-email', ...NAME_ANCHOR }, rule: 'body.limits' },
  companions: (field, value) => (field === 'password' ? { password_confirmation: value } : {}),
  names: (res, key) => laravelErrors(res)?.[key] !== undefined,
  rules: (c) => (c.accepted && c.value === null ? 'body.nullable' : 'body.limits'),
  refusal: { status: 'validation.status', expected: (t) => Number(t.reading('validation.status')), names: 'validation.status' },
  messages: {
    rule: 'validation.messages',
    expected: (fields, key) => laravelExpected(flextell.body, fields, key),
    actual: (res, key) => (laravelErrors(res)?.[key] as string[] | undefined) ?? [],
  },
}

function expectMessage(t: T, res: Exchange, rule: R, message: string): boolean {
  const actual = (res.body as { message?: unknown } | undefined)?.message
  return t.expect(rule, actual === message, `expected message ${JSON.stringify(message)}, got ${snippet(res.text)}`)
}

/** A 200 through the contract's schema; returns the user it carries. */
async function update(t: T, body: Record<string, unknown>, options: { as?: 'actor' | 'peer'; userId?: number | string } = {}) {
  return expectUpdated(t, await t.send({ ...options, body }), flextell.responses[200], 'response.shape').data
}

/** Reads the actor's current state with an update that changes nothing, and restores it after the check. */
async function snapshot(t: T) {
  const before = await update(t, {})
  t.onCleanup(() => t.send({ body: { ...pick(before, writable), role_ids: before.roles.map((r) => r.id) } }))
  return before
}

const checks: Check<R>[] = [
  {
    title: 'no Authorization header is refused with 401',
    async run(t) {
      const res = await t.send({ as: 'anonymous', body: { name: 'Nobody' } })
      expectStatus(t, res, 'auth.required', 401, 'no token')
      expectMessage(t, res, 'auth.body', 'Unauthenticated.')
    },
  },
  {
    title: 'an unknown bearer token is refused with 401',
    async run(t) {
      for (const token of ['apitwin-not-a-real-token', '1|AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']) {
        const res = await t.send({ as: { token }, body: { name: 'Nobody' } })
        expectStatus(t, res, 'auth.required', 401, 'an unknown token')
        expectMessage(t, res, 'auth.body', 'Unauthenticated.')
      }
    },
  },
  {
    title: 'authentication comes before the lookup: no token and an unknown id is 401',
    async run(t) {
      expectStatus(t, await t.send({ as: 'anonymous', userId: 987654321 }), 'auth.required', 401, 'no token, unknown id')
    },
  },
  {
    title: "an unknown user id is 404 with Laravel's model-not-found message",
    async run(t) {
      for (const id of ['987654321', 'not-a-number']) {
        const res = await t.send({ userId: id, body: { email: 'not-an-email', ...NAME_ANCHOR } })
        if (
          !t.expect(
            'user.not-found',
            res.status >= 400 && res.status < 500 && res.status !== 422,
            `id ${id}: expected a 404 before validation, got ${res.status}`,
          )
        )
          continue
        // The body of another status is not the model-not-found body: it rests on the 404.
        if (!expectStatus(t, res, 'user.not-found', 404, `id ${id}`)) continue
        expectMessage(t, res, 'user.not-found-body', `No query results for model [App\\Models\\User] ${id}`)
      }
    },
  },
  {
    title: 'tenant isolation: the actor cannot reach a user of another tenant',
    needs: ['foreign'],
    async run(t) {
      const res = await t.send({ userId: t.account('foreign').userId, body: { title: 'cross-tenant write' } })
      t.expect('tenant.isolation', res.status >= 400 && res.status < 500, `expected a refusal, got ${res.status} ${snippet(res.text)}`)
      expectStatus(t, res, 'tenant.not-found', 404, 'a user of another tenant')
    },
  },
  {
    title: 'tenant isolation: a user of another tenant cannot reach the actor',
    needs: ['foreign', 'foreign-token'],
    async run(t) {
      const res = await t.send({ as: 'foreign', userId: t.account('actor').userId, body: { title: 'cross-tenant write' } })
      t.expect('tenant.isolation', res.status >= 400 && res.status < 500, `expected a refusal, got ${res.status} ${snippet(res.text)}`)
      expectStatus(t, res, 'tenant.not-found', 404, 'the actor seen from another tenant')
    },
  },
  {
    title: 'X-Tenant naming another tenant does not widen the scope',
    needs: ['foreign'],
    async run(t) {
      const foreign = t.account('foreign')
      const res = await t.send({
        userId: foreign.userId,
        headers: { 'x-tenant': String(foreign.tenant) },
        body: { title: 'cross-tenant write' },
      })
      t.expect('tenant.isolation', res.status >= 400 && res.status < 500, `expected a refusal, got ${res.status} ${snippet(res.text)}`)
      expectStatus(t, res, 'tenant.membership', 403, 'X-Tenant of a tenant the caller is not in')
    },
  },
  {
    title: "X-Tenant naming the caller's own tenant is accepted",
    async run(t) {
      const tenant = t.account('actor').tenant
      const res = await t.send({
        headers: tenant === undefined ? {} : { 'x-tenant': String(tenant) },
        body: { email: 'not-an-email', ...NAME_ANCHOR },
      })
      expectFieldRejected(t, res, 'email', undefined, limit)
    },
  },
  ...derivedChecks(derived),
  {
    title: 'is_active takes Laravel\'s loose booleans (1, 0, "1", "0")',
    async run(t) {
      const loose = t.readingOf('body.coercion', 'is_active') === 'laravel'
      for (const value of [1, 0, '1', '0']) {
        const res = await t.send({ body: { is_active: value, ...NAME_ANCHOR } })
        if (loose) expectFieldAccepted(t, res, 'is_active', 'name', { ...limit, constraint: 'body.coercion' }, 'body.limits')
        else
          expectFieldRejected(t, res, 'is_active', 'The is active field must be true or false.', { ...limit, constraint: 'body.coercion' })
      }
    },
  },
  {
    title: 'role_ids must name existing roles',
    async run(t) {
      // An invalid name beside it: a server that ignores unknown ids (the other reading) still writes nothing.
      const res = await t.send({ body: { role_ids: [987654321], ...NAME_ANCHOR } })
      t.expect(
        'roles.exist',
        res.status >= 400 && res.status < 500 && laravelErrors(res)?.['role_ids.0'] !== undefined,
        `expected a refusal with errors["role_ids.0"], got ${res.status} ${snippet(res.text)}`,
      )
      expectFieldRejected(t, res, 'role_ids.0', 'The selected role_ids.0 is invalid.', { ...limit, constraint: 'roles.exist' })
    },
  },
  {
    title: 'a password whose confirmation differs is refused',
    async run(t) {
      const res = await t.send({ body: { password: 'correct-horse-1', password_confirmation: 'correct-horse-2', ...NAME_ANCHOR } })
      t.expect('body.confirmed', res.status >= 400 && res.status < 500, `expected a refusal, got ${res.status}`)
      expectFieldRejected(t, res, 'password', 'The password field confirmation does not match.', confirmed)
      const missing = await t.send({ body: { password: 'correct-horse-1', ...NAME_ANCHOR } })
      expectFieldRejected(t, missing, 'password', 'The password field confirmation does not match.', confirmed)
    },
  },
  {
    title: 'every failing field is reported at once, summarised as "(and N more errors)"',
    async run(t) {
      const res = await t.send({ body: { name: 'n'.repeat(256), email: 'not-an-email', bio: 'b'.repeat(1001) } })
      for (const field of ['name', 'email', 'bio']) expectFieldRejected(t, res, field, undefined, limit)
      const messages = Object.values(laravelErrors(res) ?? {}).flat()
      expectMessage(t, res, 'validation.summary', `${String(messages[0])} (and ${messages.length - 1} more errors)`)
      // Judged by the server's own messages: their wording is validation.messages, the summary's form this rule.
      const single = await t.send({ body: { name: 'n'.repeat(256) } })
      expectMessage(t, single, 'validation.summary', String(Object.values(laravelErrors(single) ?? {}).flat()[0]))
      const two = await t.send({ body: { name: 'n'.repeat(256), bio: 'b'.repeat(1001) } })
      expectMessage(t, two, 'validation.summary', `${String(Object.values(laravelErrors(two) ?? {}).flat()[0])} (and 1 more error)`)
    },
  },
  {
    title: 'an email another user holds is refused, whatever its case',
    needs: ['peer'],
    async run(t) {
      const peer = t.account('peer')
      for (const [email, rules] of [
        [peer.email, ['email.unique']],
        [peer.email.toUpperCase(), ['email.unique', 'email.case-insensitive']],
      ] as const) {
        // The anchor: a server without (case-insensitive) uniqueness must not move the peer's address onto the actor.
        const res = await t.send({ body: { email, ...NAME_ANCHOR, ...BIO_ANCHOR } })
        // The case of a taken address is only judged where the exact address is taken.
        if (
          !t.expect(
            rules,
            res.status >= 400 && res.status < 500 && laravelErrors(res)?.['email'] !== undefined,
            `email ${email}: expected a refusal naming email, got ${res.status} ${snippet(res.text)}`,
          )
        )
          break
        expectFieldRejected(t, res, 'email', 'The email has already been taken.', {
          ...limit,
          constraint: rules[rules.length - 1] ?? 'email.unique',
        })
      }
    },
  },
  {
    title: 'the user\'s own email is not "already taken"',
    needs: ['actor-email'],
    async run(t) {
      const res = await t.send({ body: { email: t.account('actor').email, name: 'n'.repeat(256) } })
      expectFieldAccepted(t, res, 'email', 'name', { ...limit, constraint: 'email.unique' }, 'body.limits')
    },
  },
  {
    title: '200 round trip: every writable field at its limit is stored and returned',
    needs: ['writes'],
    async run(t) {
      const before = await snapshot(t)
      const sent = {
        name: 'N'.repeat(255),
        email: emailOfLength(254, `rt${Date.now()}`), // RFC 5321's longest address: a strict server refuses 255 whatever its max
        phone: '1'.repeat(20),
        title: 'T'.repeat(255),
        emergency_contact_name: 'E'.repeat(255),
        emergency_contact_surname: 'S'.repeat(255),
        emergency_contact_phone_number: '2'.repeat(20),
        blood_group: 'AB+'.padEnd(10, '!'),
        avatar_url: `https://example.com/${'a'.repeat(980)}`,
        is_active: before.is_active ?? true,
        bio: 'B'.repeat(1000),
        language: ['Turkish', 'Other'],
        role_ids: before.roles.map((r) => r.id),
      }
      const after = await update(t, sent)
      for (const [field, value] of Object.entries(sent)) {
        const actual = field === 'role_ids' ? after.roles.map((r) => r.id) : after[field as keyof typeof after]
        t.expect(
          'response.echo',
          JSON.stringify(actual) === JSON.stringify(value),
          `${field}: sent ${snippet(JSON.stringify(value))}, got ${snippet(JSON.stringify(actual))}`,
        )
      }
      t.expect('response.echo', after.id === before.id, `id changed from ${before.id} to ${after.id}`)
    },
  },
  {
    title: 'an update persists: a later update sees it',
    needs: ['writes'],
    async run(t) {
      await snapshot(t)
      const title = `apitwin persisted ${Date.now()}`
      await expectPersists(t, 'title', title, await update(t, { title }), () => update(t, { bio: 'apitwin second write' }))
    },
  },
  {
    title: 'updated_at moves forward and created_at stays',
    needs: ['writes'],
    async run(t) {
      const before = await snapshot(t)
      const after = await update(t, { title: `apitwin touched ${Date.now()}` })
      const [prev, next] = [Date.parse(before.updated_at), Date.parse(after.updated_at)]
      // A value older than a minute must move; a fresher one may share its second with this write.
      t.expect(
        'update.timestamps',
        prev < Date.now() - 60_000 ? next > prev : next >= prev,
        `updated_at went from ${before.updated_at} to ${after.updated_at}`,
      )
      t.expect(
        'update.timestamps',
        after.created_at === before.created_at,
        `created_at changed from ${before.created_at} to ${after.created_at}`,
      )
    },
  },
  {
    title: 'id, created_at and unknown fields are never written',
    needs: ['writes'],
    async run(t) {
      const before = await snapshot(t)
      const res = await t.send({
        body: {
          id: 424242,
          created_at: '2001-01-01T00:00:00Z',
          deleted_at: '2001-01-01T00:00:00Z',
          tenant_id: 999,
          favourite_colour: 'teal',
          title: 'apitwin read-only probe',
        },
      })
      // Dropping them (validated() only) is our reading; a server that refuses them ("prohibited") stops here with a warning.
      if (
        !t.given(
          'body.read-only',
          res.status === 200,
          `an update with read-only fields: expected 200 with them dropped, got ${res.status} ${snippet(res.text)}`,
        )
      )
        return
      const after = flextell.responses[200].parse(res.body).data
      t.expect(
        'body.read-only',
        after.id === before.id && after.created_at === before.created_at && after.deleted_at === before.deleted_at,
        `a read-only field changed: ${snippet(JSON.stringify(pick(after, ['id', 'created_at', 'deleted_at'])))}`,
      )
      t.expect(
        'body.read-only',
        !('favourite_colour' in after) && !('tenant_id' in (res.body as { data: object }).data),
        'an unknown field was stored and returned',
      )
    },
  },
  {
    title: 'the actor can update a peer of the same tenant',
    needs: ['writes', 'peer'],
    async run(t) {
      const peer = t.account('peer')
      const res = await t.send({ userId: peer.userId, body: {} })
      // Who may update whom inside a tenant is not documented: the 200 rests on our reading alone.
      if (!expectStatus(t, res, 'authz.peer', 200, 'an update of a peer in the same tenant')) return
      t.matches('response.shape', flextell.responses[200], res.body, 'body')
    },
  },
  {
    title: 'a new password is accepted and never returned',
    needs: ['writes', 'disposable'],
    async run(t) {
      t.secret('n3w-password')
      const res = await t.send({ body: { password: 'n3w-password', password_confirmation: 'n3w-password' } })
      expectStatus(t, res, 'response.shape', 200, 'a password change')
    },
  },
]

/** The flextell contract suite: the same checks for the mock, `apitwin serve` and a live server. */
export const flextellSuite: Suite<R> = suiteOf(flextell, checks, {
  secrets: { rule: 'response.no-password' },
  probeBody: { email: 'not-an-email', ...NAME_ANCHOR },
  derived,
  writeGuard,
})
