import { railsUsers, type RailsUsersRuleId } from '../contracts/rails-users.ts'
import { expectBody, expectPersists, expectStatus, pick, snippet, expectUpdated } from './assert.ts'
import { frameworks } from './derive.ts'
import { derivedChecks, type DerivedApi } from './derived-checks.ts'
import { suiteOf, type Check, type CheckContext, type Exchange, type SendOptions, type Suite } from './check.ts'
import { emailRefused, passwordRefused, type WriteGuard } from './write-guard.ts'
import { expectRailsAccepted, expectRailsRejected, railsErrors, type RailsRuleIds } from './rails.ts'

type R = RailsUsersRuleId
type T = CheckContext<R>

const unauthenticated = { status: 'error', message: 'Not authenticated or insufficient permissions' }
const notFound = { status: 'error', message: 'User not found' }
/** A refusal whose message is Rails' default wording, which the doc does not show (validation.messages). */
const rule = (constraint: R): RailsRuleIds<R> => ({ constraint, shape: 'validation.shape', messages: 'validation.messages' })
/** A refusal whose message the doc's 422 example shows word for word. */
const shown = (constraint: R): RailsRuleIds<R> => ({ constraint, shape: 'validation.shape' })
// Two documented refusals: a server that breaks the email rule still refuses the locale and writes nothing
// (default verify promises no change, and a stored "not-an-email" would lock the account out).
const BAD_EMAIL = { email: 'not-an-email', locale: 'de' }
const BAD_TOKEN = { expo_push_token: 'not-an-expo-token' }
const expoToken = /^(?:ExponentPushToken|ExpoPushToken)\[[^\]]+\]$/

/** Documented refusals the write guard counts: a body with a password or a new email needs two. */
const writeGuard: WriteGuard = {
  fields: (body) => {
    const user = (body as { user?: unknown }).user
    return typeof user === 'object' && user !== null && !Array.isArray(user) ? (user as Record<string, unknown>) : undefined
  },
  refusals: (fields, target) => [
    ...('email' in fields && emailRefused(fields['email'], target) ? ['email'] : []),
    ...('password' in fields && passwordRefused(fields, 8, false) ? ['password'] : []),
    ...('locale' in fields && !['en', 'fr'].includes(String(fields['locale'])) ? ['locale'] : []),
    ...('expo_push_token' in fields && !(typeof fields['expo_push_token'] === 'string' && expoToken.test(fields['expo_push_token']))
      ? ['expo_push_token']
      : []),
  ],
}

/** Sends `user` wrapped as the API wants it: `{ "user": { … } }`. */
const sendUser = (t: T, user: Record<string, unknown>, options: Omit<SendOptions, 'body'> = {}) => t.send({ ...options, body: { user } })

/** Writable fields the round trip sets and restores; email and password are left to the mock (see below). */
const restorable = ['first_name', 'last_name', 'feature_flags', 'notifications', 'locale'] as const

async function update(t: T, user: Record<string, unknown>) {
  return expectUpdated(t, await sendUser(t, user), railsUsers.responses[200], 'response.shape').data
}

/**
 * The actor's current state, read with an update that permits nothing (strong parameters drop the unknown key),
 * and restored after the check. An app raising on unpermitted parameters refuses that key: restating the actor's
 * own e-mail changes nothing either (and sends no verification e-mail: the address did not change).
 */
async function snapshot(t: T) {
  let res = await sendUser(t, { apitwin_probe: true })
  const email = t.target.accounts.actor.email
  // (Looked for in the text: the errors' envelope is validation.shape's to judge, not the snapshot's.)
  if (res.status === 422 && res.text.includes('apitwin_probe') && email !== '') res = await sendUser(t, { email })
  const before = expectUpdated(t, res, railsUsers.responses[200], 'response.shape').data
  t.onCleanup(() => sendUser(t, pick(before, restorable)))
  return before
}

function expect404(t: T, res: Exchange, what: string, rules: R | readonly R[] = 'user.not-found'): void {
  const authorizedFirst = res.status === 401 && (res.body as { message?: unknown } | undefined)?.message === unauthenticated.message
  if (!t.expect('order.find-before-authorize', !authorizedFirst, `${what}: answered the own-profile 401 before looking the user up`)) return
  expectStatus(t, res, rules, 404, what)
  expectBody(t, res, rules, notFound)
}

const fieldRule: Readonly<Record<string, R>> = {
  email: 'body.email',
  password: 'body.password',
  locale: 'body.locale',
  expo_push_token: 'body.expo-push-token',
  feature_flags: 'body.arrays',
  notifications: 'body.arrays',
}

/** The attributes inside `user`, derived from the contract (Rails casts scalars, so no wrong-type refusals). */
const derived: DerivedApi<R> = {
  snapshot,
  shape: railsUsers.user.shape,
  framework: frameworks.rails,
  // Names are presence-validated (inferred, below); their derived cases would only be type casts.
  skip: ['first_name', 'last_name'],
  send: (t, fields) => sendUser(t, fields),
  // Two invalid fields beside every case, neither the field under test (see BAD_EMAIL).
  anchor: (field) =>
    field === 'email'
      ? { key: 'locale', fields: { locale: 'de', ...BAD_TOKEN }, rule: 'body.locale' }
      : field === 'locale'
        ? { key: 'email', fields: { email: 'not-an-email', ...BAD_TOKEN }, rule: 'body.email' }
        : { key: 'email', fields: BAD_EMAIL, rule: 'body.email' },
  names: (res, key) => (railsErrors(res) ?? []).some((e) => e.path === key),
  rules: (c) => fieldRule[c.field] ?? 'validation.shape',
  refusal: { status: 'validation.shape', expected: () => 422, names: 'validation.shape' },
}

const checks: Check<R>[] = [
  {
    title: 'no Authorization header is the documented 401',
    async run(t) {
      const res = await sendUser(t, { first_name: 'Nobody' }, { as: 'anonymous' })
      expectStatus(t, res, 'auth.required', 401, 'no token')
      expectBody(t, res, 'auth.required', unauthenticated)
    },
  },
  {
    title: 'an unknown bearer token is the documented 401',
    async run(t) {
      const res = await sendUser(t, { first_name: 'Nobody' }, { as: { token: 'apitwin-not-a-real-token' } })
      expectStatus(t, res, 'auth.required', 401, 'an unknown token')
      expectBody(t, res, 'auth.required', unauthenticated)
    },
  },
  {
    title: "another user's profile is the documented 401: users update only their own",
    needs: ['peer'],
    async run(t) {
      const res = await sendUser(t, { first_name: 'Intruder' }, { userId: t.account('peer').userId })
      expectStatus(t, res, 'auth.own-profile', 401, "the peer's id with the actor's token")
      expectBody(t, res, 'auth.own-profile', unauthenticated)
    },
  },
  {
    title: 'an unknown user id is the documented 404',
    async run(t) {
      expect404(t, await sendUser(t, { first_name: 'Ghost' }, { userId: '987654321' }), 'id 987654321')
      // "id integer": whether a non-numeric id reaches the controller is our reading of the routes (path.id).
      const res = await sendUser(t, { first_name: 'Ghost' }, { userId: 'not-a-number' })
      if (t.reading('path.id') === 'find') expect404(t, res, 'id not-a-number', ['user.not-found', 'path.id'])
      else expectStatus(t, res, 'path.id', 404, 'id not-a-number (no route)')
    },
  },
  {
    title: 'a body without a non-empty "user" object is 400 (params.require)',
    async run(t) {
      const reading = t.reading('body.wrapped')
      // The root-less body carries an invalid locale: a server that wraps it (ParamsWrapper) refuses it and writes nothing.
      for (const body of [{ first_name: 'Unwrapped', locale: 'xx' }, { user: {} }, { user: 'Ada' }]) {
        const res = await t.send({ body })
        const wraps = reading === 'wrap' || reading === 'wrap-fetch'
        const fetches = reading === 'fetch' || reading === 'wrap-fetch'
        const expected = wraps && !('user' in body) ? 422 : fetches && typeof body.user !== 'string' ? 200 : 400
        t.expect(
          'body.wrapped',
          res.status === expected,
          `${JSON.stringify(body)}: expected ${expected}, got ${res.status} ${snippet(res.text)}`,
        )
        if (expected === 400)
          expectBody(t, res, 'body.wrapped', { status: 'error', message: 'param is missing or the value is empty: user' })
      }
    },
  },
  ...derivedChecks(derived),
  {
    title: 'a password of 7 characters is refused with the documented message',
    async run(t) {
      expectRailsRejected(
        t,
        await sendUser(t, { password: '1234567', locale: 'de' }),
        'password',
        'Password is too short (minimum is 8 characters)',
        shown('body.password'),
      )
    },
  },
  {
    title: 'an email another user holds is refused, whatever its case',
    needs: ['peer'],
    async run(t) {
      const peer = t.account('peer')
      expectRailsRejected(
        t,
        await sendUser(t, { email: peer.email, locale: 'de' }),
        'email',
        'Email has already been taken',
        shown('email.unique'),
      )
      // Case-insensitivity is Devise's default, not the doc's: a case-sensitive server only earns a warning, and the
      // invalid locale beside the address keeps such a server from moving the peer's address onto the actor.
      const upper = await sendUser(t, { email: peer.email.toUpperCase(), locale: 'de', ...BAD_TOKEN })
      t.expect(
        ['email.unique', 'email.case-insensitive'],
        upper.status === 422 && (railsErrors(upper) ?? []).some((e) => e.path === 'email' && e.message === 'Email has already been taken'),
        `${peer.email.toUpperCase()}: expected 422 "Email has already been taken", got ${upper.status} ${snippet(upper.text)}`,
      )
    },
  },
  {
    title: 'the user\'s own email is not "already taken"',
    needs: ['actor-email'],
    async run(t) {
      expectRailsAccepted(
        t,
        await sendUser(t, { email: t.account('actor').email, locale: 'de' }),
        'email',
        'locale',
        rule('email.unique'),
        'body.locale',
      )
    },
  },
  {
    title: 'a number for a string attribute is cast, a string for a list dropped (Rails type casting)',
    async run(t) {
      for (const [path, value] of [
        ['first_name', 42],
        ['feature_flags', 'affiliate'],
      ] as const) {
        const res = await sendUser(t, { [path]: value, ...BAD_EMAIL })
        // Raising on unpermitted parameters, permit refuses a string for a list before the model could cast it.
        if (path === 'feature_flags' && t.reading('body.unpermitted') === 'refused')
          expectRailsRejected(t, res, path, 'Feature flags is not permitted', {
            ...rule('body.type-cast'),
            constraint: ['body.type-cast', 'body.unpermitted'],
          })
        else if (t.readingOf('body.type-cast', path) === 'cast')
          expectRailsAccepted(
            t,
            res,
            path,
            'email',
            { ...rule('body.type-cast'), ...(path === 'feature_flags' && { alone: ['body.type-cast', 'body.unpermitted'] as const }) },
            'body.email',
          )
        else
          expectRailsRejected(t, res, path, `${path === 'first_name' ? 'First name' : 'Feature flags'} is invalid`, rule('body.type-cast'))
      }
    },
  },
  {
    title: 'an attribute the API does not take is dropped (strong parameters)',
    async run(t) {
      const res = await sendUser(t, { apitwin_probe: 1, ...BAD_EMAIL })
      if (t.reading('body.unpermitted') === 'dropped')
        expectRailsAccepted(t, res, 'apitwin_probe', 'email', rule('body.unpermitted'), 'body.email')
      else expectRailsRejected(t, res, 'apitwin_probe', 'Apitwin probe is not permitted', rule('body.unpermitted'))
    },
  },
  {
    title: 'feature_flags and notifications stay lists of strings, whatever a client sends',
    needs: ['writes'],
    async run(t) {
      await snapshot(t)
      for (const [path, value] of [
        ['feature_flags', 'affiliate'],
        ['notifications', [1, true]],
      ] as const) {
        const res = await sendUser(t, { [path]: value })
        // A refusal is the strict reading of body.type-cast, judged by the check above.
        if (res.status !== 200) continue
        const stored = ((res.body as { data?: Record<string, unknown> } | undefined)?.data ?? {})[path]
        t.expect(
          'body.arrays',
          Array.isArray(stored) && stored.every((v) => typeof v === 'string'),
          `${path}: sent ${JSON.stringify(value)}, the 200 shows ${JSON.stringify(stored)}; expected a list of strings ("array [string]")`,
        )
      }
    },
  },
  {
    title: 'first_name and last_name cannot be blank',
    async run(t) {
      // An invalid email beside them: a server without presence validations (the other reading) writes nothing.
      for (const [path, value, message] of [
        ['first_name', '  ', "First name can't be blank"],
        ['last_name', '', "Last name can't be blank"],
      ] as const) {
        const res = await sendUser(t, { [path]: value, ...BAD_EMAIL })
        // body.names is read per field: a model may validate one name's presence and not the other's.
        if (t.readingOf('body.names', path) === 'none') expectRailsAccepted(t, res, path, 'email', rule('body.names'), 'body.email')
        else expectRailsRejected(t, res, path, message, rule('body.names'))
      }
    },
  },
  {
    title: 'every failing field is listed in the documented 422 envelope',
    async run(t) {
      const res = await sendUser(t, { email: 'not-an-email', password: 'short', locale: 'de' })
      expectStatus(t, res, 'validation.shape', 422, 'three invalid fields')
      t.matches('validation.shape', railsUsers.responses[422], res.body, 'body')
      const paths = (railsErrors(res) ?? []).map((e) => e.path)
      // A field missing from the list is its own rule broken (the envelope itself held above).
      for (const [path, constraint] of [
        ['email', 'body.email'],
        ['password', 'body.password'],
        ['locale', 'body.locale'],
      ] as const) {
        t.expect(
          paths.length > 0 ? constraint : ['validation.shape', constraint],
          paths.includes(path),
          `errors name ${JSON.stringify(paths)}; expected ${path} among them`,
        )
      }
    },
  },
  {
    title: '200 round trip: every writable field is stored and returned in the documented envelope',
    needs: ['writes'],
    async run(t) {
      await snapshot(t)
      const sent = {
        first_name: 'Apitwin',
        last_name: `Roundtrip ${Date.now()}`,
        feature_flags: ['affiliate'],
        notifications: ['email_new_transaction', 'push_new_transaction'],
        locale: 'fr',
      }
      // expo_push_token is left to its derived check: a server refusing it would fail this round trip for its rule.
      const after = await update(t, sent)
      for (const [field, value] of Object.entries(sent)) {
        const actual = after[field as keyof typeof after]
        t.expect(
          'response.echo',
          JSON.stringify(actual) === JSON.stringify(value),
          `${field}: sent ${JSON.stringify(value)}, got ${JSON.stringify(actual)}`,
        )
      }
    },
  },
  {
    title: 'an update persists: a later update sees it',
    needs: ['writes'],
    async run(t) {
      await snapshot(t)
      const lastName = `Persisted ${Date.now()}`
      await expectPersists(t, 'last_name', lastName, await update(t, { last_name: lastName }), () => update(t, { locale: 'en' }))
    },
  },
  {
    title: 'changing the email sends one verification email to the new address',
    // A live server would mail a real inbox and mark the account unverified, so this runs on the mock only.
    needs: ['writes', 'disposable', 'controls'],
    async run(t) {
      const outbox = async () =>
        ((await (await t.target.fetch(`${t.target.controlBase}/__twin/rails-users/outbox`)).json()) as { emails: Array<{ to: string }> })
          .emails
      const before = (await outbox()).length
      const after = await update(t, { email: 'Moved.Here@Example.com' })
      t.expect('email.normalized', after.email === 'moved.here@example.com', `email came back as ${after.email}`)
      const sent = (await outbox()).slice(before)
      t.expect(
        'email.verification',
        sent.length === 1 && sent[0]?.to === after.email,
        `outbox gained ${JSON.stringify(sent)}; expected one email to ${after.email}`,
      )
      await update(t, { email: after.email, first_name: 'Same Email' })
      t.expect(
        'email.verification',
        (await outbox()).length === before + 1,
        'an update that keeps the email sent another verification email',
      )
    },
  },
  {
    title: 'a new password is accepted and never returned',
    needs: ['writes', 'disposable'],
    async run(t) {
      t.secret('n3w-password')
      expectStatus(t, await sendUser(t, { password: 'n3w-password' }), 'response.shape', 200, 'a password change')
    },
  },
]

/** The rails-users contract suite: the same checks for the mock, `apitwin serve` and a live server. */
export const railsUsersSuite: Suite<R> = suiteOf(railsUsers, checks, {
  secrets: { rule: 'response.no-password', allowKeys: ['expo_push_token'] },
  probeBody: { user: BAD_EMAIL },
  derived,
  writeGuard,
})
