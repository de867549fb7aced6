import { z } from 'zod'
import { medibulut, medibulutRoles, type MedibulutRuleId } from '../contracts/medibulut.ts'
import { expectBody, expectPersists, expectStatus, pick, snippet, expectUpdated } from './assert.ts'
import { frameworks } from './derive.ts'
import { emailRefused, passwordRefused, type WriteGuard } from './write-guard.ts'
import { derivedChecks, type DerivedApi } from './derived-checks.ts'
import { suiteOf, type Check, type CheckContext, type Exchange, type SendOptions, type Suite } from './check.ts'
import { expectFieldAccepted, expectFieldRejected, laravelErrors, laravelExpected, type LaravelRuleIds } from './laravel.ts'

type R = MedibulutRuleId
type T = CheckContext<R>

const rules = (constraint: R): LaravelRuleIds<R> => ({ constraint, status: 'validation.status', messages: 'validation.messages' })
const limits = rules('body.limits')
const formats = rules('body.formats')
// Two documented refusals: a server that breaks the email rule still refuses the status and writes nothing
// (default verify promises no change, and a stored "not-an-email" would lock the account out).
const BAD_EMAIL = { email: 'not-an-email', status: 2 }
const BAD_RATE = { bonus_rate: 'lots' }

/** Documented refusals the write guard counts: a body with a password or a new email needs two. */
const writeGuard: WriteGuard = {
  refusals: (fields, target) => [
    ...('email' in fields && emailRefused(fields['email'], target) ? ['email'] : []),
    // Only the confirmation is documented; "security criteria" (a minimum length) is our reading.
    ...(('password' in fields || 'password_confirmation' in fields) && passwordRefused(fields, 0, true) ? ['password'] : []),
    ...('status' in fields && fields['status'] !== 0 && fields['status'] !== 1 ? ['status'] : []),
    ...('bonus_rate' in fields && !/^-?\d+(?:\.\d+)?$/.test(String(fields['bonus_rate'])) ? ['bonus_rate'] : []),
  ],
}

/**
 * Sends a PATCH that states a role (the one required field), so each check varies only what it is about. The
 * role is the actor's own where known, else "admin": a request that must be refused writes nothing either way.
 */
const patch = (t: T, body: Record<string, unknown>, options: Omit<SendOptions, 'body'> = {}) =>
  t.send({ ...options, body: { role_id: t.target.accounts.actor.role ?? 'admin', ...body } })

const restorable = [
  'first_name',
  'last_name',
  'mobile',
  'phone',
  'identity_number',
  'color',
  'photo',
  'permissions',
  'service_ids',
  'authorized_users',
] as const

/** The fields the 422 example calls required: a server reading the doc that way refuses a PATCH without them. */
const createRequired = ['first_name', 'last_name', 'email', 'password', 'status']

/**
 * The 200 as documented: every field there, role_id of either JSON type. That role_id comes back as the slug (not
 * "2") is role.reading, our reading of a doc that shows both.
 */
const documented200 = z.object({ data: medibulut.responses[200].shape.data.extend({ role_id: z.union([z.string(), z.number()]) }) })

async function update(t: T, body: Record<string, unknown>) {
  const res = await patch(t, body)
  const demanded = createRequired.filter((field) => !(field in body) && laravelErrors(res)?.[field] !== undefined)
  // Every 200 check stands on the role-only reading; a server requiring the create fields is that reading's warning.
  t.given('required-fields', demanded.length === 0, `a PATCH without ${demanded.join(', ')} was refused: the server requires them`)
  const data = expectUpdated(t, res, documented200, 'response.shape').data
  t.expect(
    ['response.shape', 'role.reading'],
    typeof data.role_id === 'string' && Object.keys(medibulutRoles).includes(data.role_id),
    `role_id came back as ${JSON.stringify(data.role_id)}; expected a slug (${Object.keys(medibulutRoles).join(', ')})`,
  )
  return data
}

async function snapshot(t: T) {
  const before = await update(t, {})
  t.onCleanup(() => patch(t, { ...pick(before, restorable), bonus_rate: Number(before.bonus_rate), status: before.status }))
  return before
}

/**
 * A request outside the caller's tenant refused before validation (documented), with the status its reading gives:
 * `ofPathTenant` says whether the user named belongs to the path's tenant (binding-first answers 404 where not).
 */
function expectRefused(t: T, res: Exchange, rule: 'tenant.not-found' | 'tenant.forbidden', what: string, ofPathTenant = true): void {
  t.expect(
    'tenant.isolation',
    res.status >= 400 && res.status < 500 && res.status !== 422,
    `${what}: expected a refusal before validation, got ${res.status} ${snippet(res.text)}`,
  )
  const reading = t.reading(rule)
  const status = reading === 'binding-first' ? (ofPathTenant ? 403 : 404) : Number(reading)
  expectStatus(t, res, rule, status, what)
}

/** Fields whose regex is our reading of a format the doc only names (E.164, hex_color). */
const formatted = new Set(['mobile', 'phone', 'color'])

/** The body under body.permissions = any: permissions need only be strings. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- needed: safeExtend refuses to widen a field's type (tsc infers never)
const openPermissions = medibulut.body.safeExtend({ permissions: z.array(z.string()).optional() } as Record<string, z.ZodType>)

/** The body's fields, derived from the contract; bonus_rate (a transform), phone and photo (unions of formats) stay hand-written. */
const derived: DerivedApi<R> = {
  snapshot,
  shape: medibulut.body.shape,
  framework: frameworks.laravel,
  skip: ['bonus_rate', 'password_confirmation'],
  send: (t, fields) => patch(t, fields),
  // Two invalid fields beside every case, neither the field under test: a server breaking one rule writes nothing.
  anchor: (field) =>
    field === 'email'
      ? { key: 'status', fields: { status: 2, ...BAD_RATE }, rule: 'body.limits' }
      : field === 'status'
        ? { key: 'email', fields: { email: 'not-an-email', ...BAD_RATE }, rule: 'body.limits' }
        : { key: 'email', fields: BAD_EMAIL, rule: 'body.limits' },
  companions: (field, value) => (field === 'password' ? { password_confirmation: value } : {}),
  names: (res, key) => laravelErrors(res)?.[key] !== undefined,
  rules: (c): R[] => {
    // Laravel's `required` refuses null as it refuses absence.
    if (c.field === 'role_id' && c.kind === 'null') return ['body.role-required']
    if (c.field === 'role_id')
      return (c.accepted && typeof c.value !== 'string') || /^\d$/.test(String(c.value)) ? ['body.role', 'role.reading'] : ['body.role']
    // The table states no nullability: only the example's nulls are the doc's, the rest is our reading (formats included).
    if (c.kind === 'null') return ['body.limits', 'body.nullable']
    // "Password is required to meet security criteria": at least 8 is Password::defaults, our reading; that 8 letters
    // pass rests on body.password-strength too (a server may also demand a digit, a symbol, both cases).
    if (c.field === 'password') return ['body.limits', 'body.formats', ...(c.accepted ? (['body.password-strength'] as const) : [])]
    // The doc names these formats without their rule; a lenient server takes any string, so every case rests on our reading.
    if (formatted.has(c.field)) return ['body.limits', 'body.formats']
    // The table gives no lengths: 255 is Laravel's string column.
    if (c.kind === 'limit' && typeof c.value === 'string') return ['body.limits', 'body.lengths']
    // "(…, etc.)": the list of permissions is open; only well-formed lists and the nine listed are the doc's.
    if (c.field === 'permissions' && !c.accepted && c.kind !== 'type') return ['body.limits', 'body.permissions']
    // "array of integers": positive ids are our reading, not the doc's.
    if (c.field === 'service_ids' && c.kind === 'element' && /below/.test(c.what)) return ['body.limits', 'body.ids']
    return ['body.limits']
  },
  refusal: { status: 'validation.status', expected: () => 422, names: 'validation.status' },
  messages: {
    rule: 'validation.messages',
    expected: (fields, key) => {
      const sent = { role_id: 'admin', ...fields }
      const listed = laravelExpected(medibulut.body, sent, key)
      // body.permissions: any — without the in: rule, a permission that is no string is "must be a string".
      const open = laravelExpected(openPermissions, sent, key)
      if (key.startsWith('permissions.') && open !== undefined && open !== listed) return [listed ?? open, open]
      // body.ids: exists — an integer id is judged by `exists` (0 is "The selected service_ids.0 is invalid.").
      const id = key.startsWith('service_ids.') ? (fields['service_ids'] as unknown[] | undefined)?.[Number(key.split('.')[1])] : undefined
      return Number.isInteger(id) && listed !== undefined ? [listed, `The selected ${key} is invalid.`] : listed
    },
    actual: (res, key) => (laravelErrors(res)?.[key] as string[] | undefined) ?? [],
  },
}

const checks: Check<R>[] = [
  {
    title: 'no Authorization header is refused with 401',
    async run(t) {
      const res = await patch(t, { first_name: 'Nobody' }, { as: 'anonymous', params: { tenantId: t.account('actor').tenant ?? '' } })
      expectStatus(t, res, 'auth.required', 401, 'no token')
      expectBody(t, res, 'auth.body', { message: 'Unauthenticated.' })
    },
  },
  {
    title: 'an unknown bearer token is refused with 401',
    async run(t) {
      const res = await patch(
        t,
        { first_name: 'Nobody' },
        { as: { token: '1|AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }, params: { tenantId: t.account('actor').tenant ?? '' } },
      )
      expectStatus(t, res, 'auth.required', 401, 'an unknown token')
    },
  },
  {
    title: "an unknown user id is 404 with Laravel's model-not-found message",
    async run(t) {
      const res = await patch(t, BAD_EMAIL, { userId: 987654321 })
      expectStatus(t, res, 'user.not-found', 404, 'an unknown id')
      expectBody(t, res, 'user.not-found', { message: 'No query results for model [App\\Models\\User] 987654321' })
    },
  },
  {
    title: "tenancy: a user of another tenant is not reachable through this tenant's path",
    needs: ['foreign'],
    async run(t) {
      expectRefused(
        t,
        await patch(t, { first_name: 'Cross' }, { userId: t.account('foreign').userId }),
        'tenant.not-found',
        "the foreign user under the actor's tenant",
      )
    },
  },
  {
    title: "tenancy: a token cannot act under another tenant's path",
    needs: ['foreign'],
    async run(t) {
      const foreign = t.account('foreign')
      const tenantId = foreign.tenant ?? ''
      expectRefused(
        t,
        await patch(t, { first_name: 'Cross' }, { userId: foreign.userId, params: { tenantId } }),
        'tenant.forbidden',
        "the foreign user under its own tenant, with the actor's token",
      )
      expectRefused(
        t,
        await patch(t, { first_name: 'Cross' }, { params: { tenantId } }),
        'tenant.forbidden',
        'the actor under the foreign tenant',
        false,
      )
    },
  },
  {
    title: 'tenancy: a token of the other tenant cannot reach this tenant',
    needs: ['foreign', 'foreign-token'],
    async run(t) {
      const res = await patch(
        t,
        { first_name: 'Cross' },
        { as: 'foreign', userId: t.account('actor').userId, params: { tenantId: t.account('actor').tenant ?? '' } },
      )
      expectRefused(t, res, 'tenant.forbidden', "the actor, with the foreign token, under the actor's tenant")
    },
  },
  {
    title: 'role_id is required',
    async run(t) {
      const res = await t.send({ body: { first_name: 'No Role' } })
      expectFieldRejected(t, res, 'role_id', 'The role id field is required.', rules('body.role-required'))
    },
  },
  {
    title: 'only role_id is required: first_name, last_name, email, password and status may be left out',
    async run(t) {
      // A status outside "1 for active, 0 for inactive" is refused under every reading, so nothing is written.
      const res = await patch(t, { status: 2 })
      expectFieldRejected(t, res, 'status', 'The selected status is invalid.', limits)
      const required = ['first_name', 'last_name', 'email', 'password'].filter((field) => laravelErrors(res)?.[field] !== undefined)
      t.expect('required-fields', required.length === 0, `the server also requires ${required.join(', ')} (the 422 example's reading)`)
    },
  },
  ...derivedChecks(derived),
  {
    title: 'bonus_rate is a number or a numeric string, a percentage from 0 to 100',
    async run(t) {
      for (const rate of [0, 15, 100])
        expectFieldAccepted(t, await patch(t, { ...BAD_EMAIL, bonus_rate: rate }), 'bonus_rate', 'email', limits, 'body.limits')
      // The doc's own example sends "15.00": a numeric string is documented, whatever body.coercion reads.
      expectFieldAccepted(t, await patch(t, { ...BAD_EMAIL, bonus_rate: '15.00' }), 'bonus_rate', 'email', limits, 'body.limits')
      expectFieldRejected(
        t,
        await patch(t, { bonus_rate: 101 }),
        'bonus_rate',
        'The bonus rate field must not be greater than 100.',
        rules('body.range'),
      )
      expectFieldRejected(
        t,
        await patch(t, { bonus_rate: -1 }),
        'bonus_rate',
        'The bonus rate field must be at least 0.',
        rules('body.range'),
      )
      expectFieldRejected(t, await patch(t, { bonus_rate: 'lots' }), 'bonus_rate', 'The bonus rate field must be a number.', limits)
    },
  },
  {
    title: 'status takes Laravel\'s loose "1" and "0"',
    async run(t) {
      const loose = t.readingOf('body.coercion', 'status') === 'laravel'
      for (const status of ['1', '0']) {
        const res = await patch(t, { ...BAD_EMAIL, ...BAD_RATE, status })
        if (loose) expectFieldAccepted(t, res, 'status', 'email', rules('body.coercion'), 'body.limits')
        else
          expectFieldRejected(t, res, 'status', 'The selected status is invalid.', {
            ...rules('body.coercion'),
            constraint: 'body.coercion',
          })
      }
    },
  },
  {
    title: 'authorized_users may name users of the same tenant only',
    needs: ['peer', 'foreign'],
    async run(t) {
      // Ids given on the command line arrive as strings; the API takes integers.
      expectFieldAccepted(
        t,
        await patch(t, { ...BAD_EMAIL, authorized_users: [Number(t.account('peer').userId)] }),
        'authorized_users.0',
        'email',
        rules('body.authorized-users'),
        'body.limits',
      )
      const res = await patch(t, { authorized_users: [Number(t.account('foreign').userId)], ...BAD_EMAIL })
      expectFieldRejected(t, res, 'authorized_users.0', 'The selected authorized_users.0 is invalid.', rules('body.authorized-users'))
    },
  },
  {
    title: 'mobile and phone carry a country code; phone may be empty',
    async run(t) {
      expectFieldAccepted(
        t,
        await patch(t, { ...BAD_EMAIL, mobile: '+905555555554', phone: '' }),
        'mobile',
        'email',
        formats,
        'body.limits',
      )
      expectFieldRejected(
        t,
        await patch(t, { mobile: '5555555554', ...BAD_EMAIL }),
        'mobile',
        'The mobile field format is invalid.',
        formats,
      )
    },
  },
  {
    title: 'photo is an image URL or a base64-encoded image',
    async run(t) {
      for (const photo of ['https://example.com/me.png', 'data:image/png;base64,iVBORw0KGgo=', null]) {
        expectFieldAccepted(t, await patch(t, { ...BAD_EMAIL, photo }), 'photo', 'email', formats, 'body.limits')
      }
      expectFieldRejected(t, await patch(t, { photo: 'not a photo', ...BAD_EMAIL }), 'photo', undefined, formats)
    },
  },
  {
    title: 'email must be an address no other user holds',
    needs: ['peer'],
    async run(t) {
      expectFieldRejected(t, await patch(t, BAD_EMAIL), 'email', 'The email field must be a valid email address.', formats)
      // An invalid status beside the address: a server without (case-insensitive) uniqueness writes nothing.
      const taken = await patch(t, { email: t.account('peer').email, status: 2 })
      expectFieldRejected(t, taken, 'email', 'The email has already been taken.', rules('email.unique'))
      // The case of a taken address is only judged where the exact address is taken.
      if (laravelErrors(taken)?.['email'] === undefined) return
      expectFieldRejected(
        t,
        await patch(t, { email: t.account('peer').email.toUpperCase(), status: 2, ...BAD_RATE }),
        'email',
        'The email has already been taken.',
        { ...rules('email.case-insensitive'), constraint: 'email.case-insensitive' },
      )
    },
  },
  {
    title: 'a password must be confirmed',
    async run(t) {
      expectFieldRejected(
        t,
        await patch(t, { password: 'Correct-horse-1', password_confirmation: 'Correct-horse-2', status: 2 }),
        'password',
        'The password field confirmation does not match.',
        rules('body.confirmed'),
      )
    },
  },
  {
    title: 'the summary reads "(and 1 more error)" for two errors and "(and 5 more errors)" for six',
    async run(t) {
      // Every field the 422 example calls required is sent valid, so both readings of the doc count the same errors.
      const password = 'Apitwin-summary-1'
      const complete = {
        first_name: 'Adı',
        last_name: 'Soyadı',
        email: `apitwin-summary-${Date.now()}@example.com`,
        password,
        password_confirmation: password,
        status: 1,
      }
      const cases = [
        // Only documented constraints, so the count does not depend on how strict our reading of a format is.
        { body: { ...complete, status: 2 }, fields: ['status'] },
        { body: { ...complete, status: 2, role_id: 'superuser' }, fields: ['status', 'role_id'] },
        {
          body: {
            ...complete,
            ...BAD_EMAIL,
            status: 2,
            bonus_rate: 'lots',
            role_id: 'superuser',
            authorized_users: ['x'],
            service_ids: ['y'],
          },
          fields: ['email', 'status', 'bonus_rate', 'role_id', 'authorized_users.0', 'service_ids.0'],
        },
      ]
      for (const { body, fields } of cases) {
        const res = await patch(t, body)
        const errors = laravelErrors(res) ?? {}
        const ruleOf = (field: string): R => (field === 'role_id' ? 'body.role' : 'body.limits')
        // Not refused at all: a constraint broke (the first field's), not the status or the summary.
        if (
          !t.expect(
            ruleOf(fields[0] ?? ''),
            res.status >= 400 && res.status < 500,
            `${fields.join(', ')} invalid: expected a refusal, got ${res.status} ${snippet(res.text)}`,
          )
        )
          continue
        if (
          !t.expect(
            'validation.status',
            res.status === 422,
            `expected 422 naming ${fields.join(', ')}, got ${res.status} ${snippet(res.text)}`,
          )
        )
          continue
        // A field missing from the errors is its own rule broken, not the summary's.
        const named = fields.map((f) =>
          t.expect(['validation.status', ruleOf(f)], errors[f] !== undefined, `expected errors["${f}"], got ${snippet(res.text)}`),
        )
        if (named.includes(false)) continue
        // The summary is judged by the server's own messages: their wording is Laravel's (inferred), the count documented.
        const messages = Object.values(errors).flat()
        const more = messages.length - 1
        const summary = `${String(messages[0])}${more > 0 ? ` (and ${more} more ${more === 1 ? 'error' : 'errors'})` : ''}`
        t.expect(
          'validation.summary',
          (res.body as { message?: unknown }).message === summary,
          `expected message ${JSON.stringify(summary)}, got ${snippet(res.text)}`,
        )
      }
    },
  },
  {
    title: '200 round trip: every field is stored and returned; bonus_rate as a two-decimal string, role_id as its slug',
    needs: ['writes', 'actor-role'],
    async run(t) {
      const before = await snapshot(t)
      const sent = {
        first_name: 'Adı',
        last_name: `Soyadı ${Date.now()}`,
        mobile: '+905555555554',
        phone: '',
        identity_number: '12345678901',
        color: '#c00',
        photo: 'https://example.com/avatar.png',
        permissions: ['appointments.manage', 'reports.view'],
        service_ids: [1, 2],
      }
      const after = await update(t, { ...sent, bonus_rate: 12.5, status: before.status })
      for (const [field, value] of Object.entries(sent)) {
        const actual = after[field as keyof typeof after]
        // Laravel's ConvertEmptyStringsToNull (in every app's middleware) stores "" as null: an echo either way.
        t.expect(
          'response.echo',
          JSON.stringify(actual) === JSON.stringify(value) || (value === '' && actual === null),
          `${field}: sent ${JSON.stringify(value)}, got ${JSON.stringify(actual)}`,
        )
      }
      t.expect(
        'response.echo',
        after.bonus_rate === '12.50',
        `bonus_rate: sent 12.5, got ${JSON.stringify(after.bonus_rate)}; expected "12.50"`,
      )
      t.expect(
        ['response.echo', 'role.reading'],
        after.role_id === t.account('actor').role,
        `role_id: sent ${t.account('actor').role}, got ${after.role_id}`,
      )
    },
  },
  {
    title: 'an update persists: a later update sees it',
    needs: ['writes', 'actor-role'],
    async run(t) {
      await snapshot(t)
      const lastName = `Persisted ${Date.now()}`
      await expectPersists(t, 'last_name', lastName, await update(t, { last_name: lastName }), () => update(t, { color: '#0a0' }))
    },
  },
  {
    title: 'a new password is accepted and never returned',
    needs: ['writes', 'disposable', 'actor-role'],
    async run(t) {
      // Every kind of character, so the change passes under each body.password-strength reading.
      t.secret('N3w-password')
      expectStatus(
        t,
        await patch(t, { password: 'N3w-password', password_confirmation: 'N3w-password' }),
        'response.shape',
        200,
        'a password change',
      )
    },
  },
]

/** The medibulut contract suite: the same checks for the mock, `apitwin serve` and a live server. */
export const medibulutSuite: Suite<R> = suiteOf(medibulut, checks, {
  secrets: { rule: 'response.no-password' },
  probeBody: { role_id: 'admin', ...BAD_EMAIL },
  derived,
  writeGuard,
})
