import { runCheck, type CheckContext, type Exchange, type Need, type SendOptions, type Suite } from './check.ts'
import { replaceWhole } from '../handlers/placeholders.ts'
import type { Target } from './target.ts'
import { MEDIBULUT_OPTIONAL } from '../contracts/medibulut.ts'
import { promotePeer } from './gorules.ts'

/**
 * A probe asks a server one question about one inferred rule — which of its readings does this server follow —
 * and answers with an *observation*: a small JSON value that differs between readings and does not depend on the
 * server's data (no ids, no emails, no timestamps). `calibrate` compares a live server's observation with the
 * mock's under each reading; the project's tests prove each reading of each rule observes differently.
 * A probe only sends requests a conforming server refuses, unless it `needs` writes (then it restores what it
 * changed) or a disposable target.
 */
export interface Probe {
  readonly rule: string
  readonly needs?: readonly Need[]
  /**
   * Readings of other rules under which this rule's readings can be told apart at all (rails-users' uniqueness
   * case is invisible while Devise downcases every email first). Elsewhere the readings look the same.
   */
  readonly given?: Readonly<Record<string, string>>
  observe(t: CheckContext<string>): Promise<Observation>
}
export type Observation = string | number | boolean | null | readonly Observation[] | { readonly [key: string]: Observation }

/** What a probe run gave: an observation, or why there is none. */
export type ProbeResult = { readonly observed: Observation } | { readonly skipped: string } | { readonly error: string }

/**
 * Runs one probe against a target, through the suite engine (accounts, needs, cleanups, timeouts).
 * @example await runProbe(suites.gorules, probes.gorules[0], target) // { observed: 400 }
 */
export async function runProbe(suite: Suite, probe: Probe, target: Target): Promise<ProbeResult> {
  let observed: Observation | undefined
  const outcome = await runCheck(
    suite,
    {
      title: `probe ${probe.rule}`,
      ...(probe.needs && { needs: probe.needs }),
      run: async (t) => void (observed = await probe.observe(t)),
    },
    target,
  )
  if (outcome.status === 'skip') return { skipped: outcome.skipReason ?? 'skipped' }
  const failure = outcome.failures[0]
  if (failure || observed === undefined) return { error: failure?.detail ?? 'the probe observed nothing' }
  return { observed }
}

/** A stable text of an observation (key order ignored), to compare two. */
export function observationKey(value: Observation | undefined): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : typeof v === 'object' && v !== null
        ? Object.fromEntries(
            Object.entries(v)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([k, x]) => [k, sort(x)]),
          )
        : v
  return JSON.stringify(sort(value)) ?? 'undefined'
}

// ---- what a probe looks at ----------------------------------------------------------------------------------

const UNKNOWN_ID = 987654321
const UNKNOWN_UUID = '00000000-0000-4000-8000-000000000000'
const keysOf = (body: unknown): string[] =>
  typeof body === 'object' && body !== null && !Array.isArray(body) ? Object.keys(body).sort() : []
const field = (body: unknown, key: string): unknown =>
  typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[key] : undefined
/** Laravel's `errors` keys. */
const laravelErrorKeys = (res: Exchange): string[] => keysOf(field(res.body, 'errors'))
/** Rails' `errors[].path`. */
const railsErrorPaths = (res: Exchange): string[] => {
  const errors = field(res.body, 'errors')
  return Array.isArray(errors) ? [...new Set(errors.map((e) => String(field(e, 'path'))))].sort() : []
}
/** Nest's `message`, always as a list. */
const nestMessages = (res: Exchange): string[] => {
  const message = field(res.body, 'message')
  return Array.isArray(message) ? message.map(String) : typeof message === 'string' ? [message] : []
}
/** A message as text: a string as sent, anything else as JSON ('' when absent), so two servers' answers compare. */
const textOf = (message: unknown): string =>
  message === undefined || message === null ? '' : typeof message === 'string' ? message : JSON.stringify(message)
/** A message with the ids a request named replaced, so two servers' texts compare. */
const withoutIds = (message: unknown, ...ids: Array<string | number>): string =>
  ids.reduce<string>((text, id) => replaceWhole(text, String(id), '<id>'), textOf(message))
/** The error keys among `keys` (each probe looks only at its own fields, so other rules' readings cannot leak in). */
const only = (found: readonly string[], keys: readonly string[]) => found.filter((k) => keys.includes(k))
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The case of a taken address can only be told apart where the exact address is taken. */
const UNIQUE = { 'email.unique': 'enforced' } as const

/** A Laravel summary with its first message left out: "<first> (and 1 more error)", or Laravel 8's fixed text. */
const summaryForm = (message: unknown): string => textOf(message).replace(/^.*?(?= \(and \d+ more errors?\)$)/, '<first>')

/** `probe` with a typed context: the suites' ids stay strings at run time. */
const probe = (rule: string, observe: Probe['observe'], needs?: readonly Need[], given?: Probe['given']): Probe => ({
  rule,
  observe,
  ...(needs && { needs }),
  ...(given && { given }),
})

// ---- flextell -------------------------------------------------------------------------------------------------

const LONG = 'x'.repeat(256)
const flextellAnchor = { name: LONG } // always refused: name is at most 255 characters (documented)

const flextellProbes: readonly Probe[] = [
  probe('auth.body', async (t) => keysOf((await t.send({ as: 'anonymous' })).body)),
  probe('user.not-found', async (t) => (await t.send({ userId: UNKNOWN_ID })).status),
  probe('user.not-found-body', async (t) => {
    const res = await t.send({ userId: UNKNOWN_ID })
    // The not-found body is only judged on a 404: another status is user.not-found's finding.
    t.given('user.not-found', res.status === 404, `an unknown id answered ${res.status}, not 404`)
    return { status: res.status, message: withoutIds(field(res.body, 'message'), UNKNOWN_ID) }
  }),
  probe('tenant.not-found', async (t) => (await t.send({ userId: t.account('foreign').userId })).status, ['foreign']),
  probe('tenant.membership', async (t) => (await t.send({ headers: { 'x-tenant': String(t.account('foreign').tenant) } })).status, [
    'foreign',
  ]),
  probe('body.coercion', async (t) => only(laravelErrorKeys(await t.send({ body: { ...flextellAnchor, is_active: '1' } })), ['is_active'])),
  probe('validation.status', async (t) => (await t.send({ body: flextellAnchor })).status),
  probe('validation.messages', async (t) => field(field((await t.send({ body: flextellAnchor })).body, 'errors'), 'name') as Observation),
  // The summary's form, not the first message's wording (that is validation.messages).
  probe('validation.summary', async (t) =>
    summaryForm(field((await t.send({ body: { ...flextellAnchor, email: 'not-an-email' } })).body, 'message')),
  ),
  probe(
    'email.unique',
    async (t) => laravelErrorKeys(await t.send({ body: { ...flextellAnchor, email: t.account('peer').email } })).includes('email'),
    ['peer'],
  ),
  probe(
    'email.case-insensitive',
    async (t) =>
      laravelErrorKeys(await t.send({ body: { ...flextellAnchor, email: t.account('peer').email.toUpperCase() } })).includes('email'),
    ['peer'],
    UNIQUE,
  ),
  probe('roles.exist', async (t) =>
    laravelErrorKeys(await t.send({ body: { ...flextellAnchor, role_ids: [UNKNOWN_ID] } })).includes('role_ids.0'),
  ),
  // The anchor is refused after authorize(), so a server letting peers update each other answers 422 and writes nothing.
  // (After the validation probes, so a status difference it shows is theirs.) Whether the request reached validation (the anchor named), whatever status validation uses.
  probe(
    'authz.peer',
    async (t) => laravelErrorKeys(await t.send({ userId: t.account('peer').userId, body: flextellAnchor })).includes('name'),
    ['peer'],
  ),

  // A password without its confirmation (refused under password either way): is the confirmation required too?
  probe('body.confirmation', async (t) =>
    only(laravelErrorKeys(await t.send({ body: { ...flextellAnchor, password: 'Apitwin-probe-1' } })), ['password_confirmation']),
  ),
  // Which of a read-only key and an unknown one is refused: none (dropped), the read-only ones, or both.
  probe('body.read-only', async (t) =>
    only(
      laravelErrorKeys(await t.send({ body: { ...flextellAnchor, id: 1, created_at: '2020-01-01T00:00:00Z', favourite_colour: 'teal' } })),
      ['id', 'created_at', 'favourite_colour'],
    ),
  ),
  probe(
    'update.timestamps',
    async (t) => {
      // An update that changes nothing: does updated_at move? Laravel stamps to the second, so a stamp that is
      // already old answers at once; a fresh one (this update's, or a recent write's) needs a second look later.
      const stamp = (res: Exchange) => Date.parse(String(field(field(res.body, 'data'), 'updated_at')))
      const first = await t.send({ body: {} })
      const now = Date.parse(first.headers.get('date') ?? '') || Date.now()
      if (now - stamp(first) > 2_000) return false
      await sleep(1_100)
      return stamp(await t.send({ body: {} })) !== stamp(first)
    },
    ['writes'],
  ),
]

// ---- rails-users ----------------------------------------------------------------------------------------------

const railsAnchor = { locale: 'xx' } // always refused: locale is en or fr (documented)
const WRONG_TYPES: Readonly<Record<string, unknown>> = { first_name: 42, last_name: 42, feature_flags: 'beta', notifications: [1] }
const sendUser = (t: CheckContext<string>, user: unknown, options: Omit<SendOptions, 'body'> = {}) => t.send({ ...options, body: { user } })

const railsProbes: readonly Probe[] = [
  probe('order.find-before-authorize', async (t) => (await t.send({ userId: UNKNOWN_ID, body: { user: railsAnchor } })).status),
  // Whether a non-numeric id is looked up (the documented 404 body) or matches no route.
  probe(
    'path.id',
    async (t) => {
      const res = await t.send({ userId: 'not-a-number', body: { user: railsAnchor } })
      return { status: res.status, documented: field(res.body, 'message') === 'User not found' }
    },
    undefined,
    { 'order.find-before-authorize': 'find-first' },
  ),
  // A root-less body with an invalid attribute: refused as missing (require), ignored (fetch) or wrapped and
  // refused as invalid (wrap); nothing is written under any reading.
  // An empty "user" then tells require (400) from fetch (200, nothing to change), with or without the wrapper.
  probe('body.wrapped', async (t) => ({
    rootless: (await t.send({ body: railsAnchor })).status,
    empty: (await t.send({ body: { user: {} } })).status,
  })),
  // One request per attribute: a server whose strong parameters refuse a string for a list answers that refusal
  // alone, before its model runs, and would hide how it takes a number for a name sent beside it. The attributes
  // whose answer a reading changes: names (a number cast, or refused), a string for one list, a number in the other.
  // (A server raising on unpermitted parameters refuses the string for a list under either reading: given.)
  probe(
    'body.type-cast',
    async (t) => {
      const refused: string[] = []
      for (const [key, value] of Object.entries(WRONG_TYPES))
        refused.push(...only(railsErrorPaths(await sendUser(t, { ...railsAnchor, [key]: value })), [key]))
      return refused.sort()
    },
    undefined,
    { 'body.unpermitted': 'dropped' },
  ),
  probe('validation.messages', async (t) => {
    const errors = field((await sendUser(t, railsAnchor)).body, 'errors')
    return Array.isArray(errors)
      ? textOf(
          field(
            errors.find((e) => field(e, 'path') === 'locale'),
            'message',
          ),
        )
      : null
  }),
  probe('body.unpermitted', async (t) =>
    railsErrorPaths(await sendUser(t, { ...railsAnchor, apitwin_probe: 1 })).includes('apitwin_probe'),
  ),
  // Both names blank: which of them the server refuses, so calibrate can tell them apart field by field.
  probe('body.names', async (t) =>
    only(railsErrorPaths(await sendUser(t, { ...railsAnchor, first_name: '  ', last_name: '' })), ['first_name', 'last_name']),
  ),
  probe(
    'email.case-insensitive',
    async (t) => railsErrorPaths(await sendUser(t, { ...railsAnchor, email: t.account('peer').email.toUpperCase() })).includes('email'),
    ['peer'],
    { 'email.normalized': 'as-sent' },
  ),
  probe(
    'email.normalized',
    async (t) => {
      // Changes the actor's email (a verification mail goes out) and puts it back.
      const before = t.account('actor').email
      const [local, domain] = before.split('@')
      t.onCleanup(() => sendUser(t, { email: before }))
      const res = await sendUser(t, { email: `${local?.toUpperCase()}.PROBE@${domain}` })
      const stored = field(field(res.body, 'data'), 'email')
      return typeof stored === 'string' ? (stored === stored.toLowerCase() ? 'downcased' : 'as-sent') : res.status
    },
    ['writes', 'disposable', 'actor-email'],
  ),
]

// ---- medibulut ------------------------------------------------------------------------------------------------

const medibulutAnchor = { status: 2 } // always refused: status is "1 for active, 0 for inactive" (documented)
const patch = (t: CheckContext<string>, body: Record<string, unknown>, options: Omit<SendOptions, 'body'> = {}) =>
  t.send({ ...options, body: { role_id: t.target.accounts.actor.role ?? 'admin', ...medibulutAnchor, ...body } })
const medibulutErrors = async (t: CheckContext<string>, body: Record<string, unknown>, keys: readonly string[] = Object.keys(body)) =>
  only(laravelErrorKeys(await patch(t, body)), keys)

const medibulutProbes: readonly Probe[] = [
  probe('auth.required', async (t) => (await t.send({ as: 'anonymous' })).status),
  probe('auth.body', async (t) => keysOf((await t.send({ as: 'anonymous' })).body)),
  probe('tenant.not-found', async (t) => (await patch(t, {}, { userId: t.account('foreign').userId })).status, ['foreign']),
  // Under the foreign tenant's path: its own user, and the caller (whom its scoped binding does not hold).
  probe(
    'tenant.forbidden',
    async (t) => {
      const params = { tenantId: String(t.account('foreign').tenant) }
      return {
        ofThatTenant: (await patch(t, {}, { userId: t.account('foreign').userId, params })).status,
        caller: (await patch(t, {}, { params })).status,
      }
    },
    ['foreign'],
  ),
  probe('user.not-found', async (t) => withoutIds(field((await patch(t, {}, { userId: UNKNOWN_ID })).body, 'message'), UNKNOWN_ID)),
  // status is the anchor, refused under both readings, so it is not looked at.
  probe('required-fields', async (t) => medibulutErrors(t, {}, ['first_name', 'last_name', 'email', 'password'])),
  // The id as a JSON number and as text: slug-only refuses both, string the number only, slug-or-id neither.
  probe('role.reading', async (t) => ({
    number: (await medibulutErrors(t, { role_id: 2 })).includes('role_id'),
    text: (await medibulutErrors(t, { role_id: '2' })).includes('role_id'),
  })),
  // status is looked at, so an invalid email is the anchor instead.
  probe('body.coercion', async (t) =>
    medibulutErrors(
      t,
      { email: 'not-an-email', password: 'apitwin-probe-1', password_confirmation: 'apitwin-probe-2', status: '1', service_ids: ['1'] },
      ['status', 'service_ids.0'],
    ),
  ),
  probe('body.range', async (t) => medibulutErrors(t, { bonus_rate: 101 }, ['bonus_rate'])),
  // Every field the readings name, so calibrate can tell them apart field by field; the confirmation alone in a
  // second request (beside a password, `confirmed` would name password whatever the confirmation's own rule).
  probe('body.formats', async (t) => [
    ...(await medibulutErrors(
      t,
      { color: 'red', mobile: '555', phone: '555', photo: 'apitwin-probe', password: 'short1', password_confirmation: 'short1' },
      ['color', 'mobile', 'phone', 'photo', 'password'],
    )),
    ...(await medibulutErrors(t, { password_confirmation: 42 })),
  ]),
  // Passwords of 9 characters, each missing one kind Laravel's Password builder may demand, confirmed (so `confirmed`
  // says nothing) beside the anchor (so nothing is written): which are refused tells the criteria apart. A password
  // without letters is refused by letters() and mixedCase(); a lowercase one by mixedCase() alone.
  probe('body.password-strength', async (t) => {
    const refused = async (password: string) =>
      (await medibulutErrors(t, { password, password_confirmation: password }, ['password'])).includes('password')
    return {
      letter: await refused('1234-5678'),
      case: await refused('abcd-1234'),
      symbol: await refused('Abcd12345'),
      number: await refused('Abcd-efgh'),
    }
  }),
  probe('body.lengths', async (t) => medibulutErrors(t, { first_name: LONG })),
  // A null for every optional field but the anchor, so calibrate can tell them apart field by field.
  probe('body.nullable', async (t) =>
    medibulutErrors(t, Object.fromEntries(MEDIBULUT_OPTIONAL.filter((key) => key !== 'status').map((key) => [key, null]))),
  ),
  probe('body.permissions', async (t) => medibulutErrors(t, { permissions: ['apitwin.probe'] }, ['permissions.0'])),
  // 0 tells a sign check (positive) from none; an unknown positive id tells an exists check from a sign check.
  probe('body.ids', async (t) => medibulutErrors(t, { service_ids: [0, UNKNOWN_ID] }, ['service_ids.0', 'service_ids.1'])),
  probe(
    'body.authorized-users',
    async (t) =>
      (await medibulutErrors(t, { authorized_users: [Number(t.account('foreign').userId)] }, ['authorized_users.0'])).includes(
        'authorized_users.0',
      ),
    ['foreign'],
  ),
  probe('email.unique', async (t) => (await medibulutErrors(t, { email: t.account('peer').email })).includes('email'), ['peer']),
  probe(
    'email.case-insensitive',
    async (t) => (await medibulutErrors(t, { email: t.account('peer').email.toUpperCase() })).includes('email'),
    ['peer'],
    UNIQUE,
  ),
  // An invalid address is refused under every reading of the other rules; only its wording differs.
  probe(
    'validation.messages',
    async (t) => field(field((await patch(t, { email: 'not-an-email' })).body, 'errors'), 'email') as Observation,
  ),
]

// ---- gorules --------------------------------------------------------------------------------------------------

const gorulesAnchor = { status: 'apitwin-probe' } // always refused: not a documented status
/** A gorules refusal that came before the body was judged: a guard's or the lookup's 403 or 404 (under any reading). */
const refusedBeforeBody = (status: number) => status === 403 || status === 404

const gorulesProbes: readonly Probe[] = [
  probe('error.body', async (t) => keysOf((await t.send({ as: 'anonymous' })).body)),
  probe('user.not-found', async (t) => (await t.send({ userId: UNKNOWN_UUID })).status),
  probe('path.uuid', async (t) => (await t.send({ userId: 'not-a-uuid' })).status),
  // A member updating another user. A roles guard answers before validation (Nest's guards run before its pipes),
  // so the anchor shows it without a write; a server that validates first answers the anchor's refusal, and only
  // an empty update (a write where no guard stops it) tells its guard from none.
  probe(
    'authz.admin',
    async (t) => {
      const anchored = await t.send({ as: 'peer', userId: t.account('actor').userId, body: gorulesAnchor })
      if (refusedBeforeBody(anchored.status)) return anchored.status
      if (!t.target.allowWrites)
        t.skip(`the body was judged first (${anchored.status}): the guard shows only to an empty update, with --allow-writes`)
      return (await t.send({ as: 'peer', userId: t.account('actor').userId, body: {} })).status
    },
    ['peer-token'],
  ),
  // An invalid body to an unknown user, and from a member to another user: which step refused each, not its status
  // (user.not-found's, authz.admin's and validation.status' to tell).
  probe(
    'order.validation',
    async (t) => {
      const step = ({ status }: Exchange, before: string) =>
        refusedBeforeBody(status) ? before : status >= 400 && status < 500 ? 'the body' : status
      return {
        unknown: step(await t.send({ userId: UNKNOWN_UUID, body: gorulesAnchor }), 'the lookup'),
        member: step(await t.send({ as: 'peer', userId: t.account('actor').userId, body: gorulesAnchor }), 'the guard'),
      }
    },
    ['peer-token'],
    { 'authz.admin': '403' },
  ),
  probe('body.whitelist', async (t) =>
    nestMessages(await t.send({ body: { ...gorulesAnchor, apitwinProbe: 1 } })).some((m) => m.includes('apitwinProbe')),
  ),
  // Whether a number for a name is refused (named in the refusal), the anchor refused either way.
  probe('body.coercion', async (t) =>
    nestMessages(await t.send({ body: { ...gorulesAnchor, firstName: 42 } })).some((m) => m.includes('firstName')),
  ),
  probe('validation.status', async (t) => (await t.send({ body: gorulesAnchor })).status),
  probe(
    'roles.exist',
    async (t) => {
      const before = (await t.send({ body: {} })).body
      const roles = field(before, 'roles')
      t.onCleanup(() => t.send({ body: { roles: Array.isArray(roles) ? roles.map((r) => field(r, 'id')) : [] } }))
      return (await t.send({ body: { roles: [UNKNOWN_UUID] } })).status === 200
    },
    ['writes'],
  ),
  // The peer is made owner where its token is known, as the suite's check does (a server may refuse an admin any
  // change of their own type, whatever its owners); else the actor makes itself owner.
  probe(
    'owner.single',
    async (t) => {
      if (t.target.accounts.peer?.token) {
        const promoted = await promotePeer(t)
        if (promoted === undefined) return t.skip('the peer is an owner already: give a peer account that is not')
        return promoted.status === 200
      }
      const type = field((await t.send({ body: {} })).body, 'type')
      if (type === 'owner') return 'the actor is the owner; probe with an admin'
      t.onCleanup(() => t.send({ body: { type } }))
      return (await t.send({ body: { type: 'owner' } })).status === 200
    },
    ['writes'],
  ),
  // Whether an admin may update the owner. No account need be the owner: the peer is made one (a server that keeps
  // one owner refuses it, hence `given`), put back by the actor or, where admins may not, by the peer itself.
  probe(
    'authz.owner',
    async (t) => {
      if (field((await t.send({ body: {} })).body, 'type') !== 'admin') t.skip("the actor is not an admin: give an admin's token")
      const promoted = await promotePeer(t)
      if (promoted !== undefined && promoted.status !== 200)
        t.skip(`the server keeps one owner (a second is answered ${promoted.status}): give the owner as the peer`)
      return (await t.send({ userId: t.account('peer').userId, body: {} })).status
    },
    ['writes', 'peer', 'peer-token'],
    { 'owner.single': 'unchecked' },
  ),
  probe(
    'status.sessions',
    async (t) => {
      // Disables the peer, then asks whether the peer's token still works: cannot be undone on a live server.
      await t.send({ userId: t.account('peer').userId, body: { status: 'disabled' } })
      return (await t.send({ as: 'peer', body: {} })).status
    },
    ['peer-token', 'disposable'],
  ),
]

/** One probe per inferred rule, per API. */
export const probes: Readonly<Record<string, readonly Probe[]>> = {
  flextell: flextellProbes,
  'rails-users': railsProbes,
  medibulut: medibulutProbes,
  gorules: gorulesProbes,
}

/**
 * The probes of a suite: its own (an imported API's), else the registry's for its API.
 * @example probesOf(suites.gorules).map((p) => p.rule) // ['validation.status', …]
 */
export function probesOf(suite: Suite): readonly Probe[] {
  return suite.probes ?? probes[suite.api] ?? []
}
