import { describe, expect, it } from 'vitest'
import { describeLearned, validateLearned, type LearnedByRule } from '../contracts/learned.ts'
import { medibulut, PASSWORD_STRENGTHS } from '../contracts/medibulut.ts'
import type { ReadingChoice } from '../contracts/provenance.ts'
import { orderedErrors } from '../handlers/learned-order.ts'
import { apis, createTwin } from '../handlers/twin.ts'
import type { Pair } from '../suites/diff.ts'
import { orderLearner, totalOrder } from '../suites/learn-order.ts'
import { calibrate } from '../suites/calibrate.ts'
import { laravelRuleOf, rulesLearner } from '../suites/learn-rules.ts'
import { probes, runProbe } from '../suites/probes.ts'
import { referenceTarget } from '../suites/reference.ts'
import { suites } from '../suites/suites.ts'

/*
 * Issue 21, medibulut's stand-ins: what calibrate learns where no reading answers as the server does (a server's
 * own field order, its own max:N) and the readings added for them (body.ids exists, role.reading string).
 */

/** One PATCH as the actor against an in-process medibulut twin under `readings` and `learned`. */
async function patch(body: unknown, readings: ReadingChoice = {}, learned?: LearnedByRule) {
  const twin = await createTwin({
    apis: apis.filter((a) => a.name === 'medibulut'),
    readings: { medibulut: readings },
    ...(learned && { learned: { medibulut: learned } }),
  })
  const actor = twin.accounts('medibulut').find((a) => a.label === 'actor')
  if (!actor) throw new Error('no actor')
  const request = {
    headers: new Headers({ authorization: `Bearer ${actor.token}`, 'content-type': 'application/json' }),
    text: async () => JSON.stringify(body),
  }
  return twin.state('medibulut').resolve(request, { id: String(actor.userId), tenantId: String(actor.tenant ?? '') })
}
const errorsOf = (reply: { body: unknown }) => (reply.body as { errors?: Record<string, string[]> }).errors ?? {}
const messageOf = (reply: { body: unknown }) => (reply.body as { message?: string }).message

describe('body.ids exists: service ids checked with integer|exists:services,id', () => {
  it('0 and an unknown id are "The selected … is invalid.", 1.5 only "must be an integer" (exists skipped), 1 and 2 pass', async () => {
    const exists = { 'body.ids': 'exists' }
    expect(errorsOf(await patch({ role_id: 'admin', service_ids: [0, 987654321] }, exists))).toEqual({
      'service_ids.0': ['The selected service_ids.0 is invalid.'],
      'service_ids.1': ['The selected service_ids.1 is invalid.'],
    })
    expect(errorsOf(await patch({ role_id: 'admin', service_ids: [1.5] }, exists))).toEqual({
      'service_ids.0': ['The service_ids.0 field must be an integer.'],
    })
    const taken = await patch({ role_id: 'admin', service_ids: [1, 2] }, exists)
    expect(taken.status).toBe(200)
  })

  it('the default (positive) is unchanged: 0 is "must be an integer", an unknown positive id passes', async () => {
    expect(errorsOf(await patch({ role_id: 'admin', service_ids: [0] }))).toEqual({
      'service_ids.0': ['The service_ids.0 field must be an integer.'],
    })
    expect((await patch({ role_id: 'admin', service_ids: [987654321] })).status).toBe(200)
  })
})

describe('role.reading string: role_id is string|in:…', () => {
  it('2 is "must be a string" only, 5 fails string then in, "2" passes and is returned as the slug', async () => {
    const string = { 'role.reading': 'string' }
    expect(errorsOf(await patch({ role_id: 2 }, string))).toEqual({ role_id: ['The role id field must be a string.'] })
    expect(errorsOf(await patch({ role_id: 5 }, string))).toEqual({
      role_id: ['The role id field must be a string.', 'The selected role id is invalid.'],
    })
    const taken = await patch({ role_id: '2' }, string)
    expect(taken.status).toBe(200)
    expect((taken.body as { data: { role_id: string } }).data.role_id).toBe('admin')
  })
})

describe("a learned field order: the server's rules() order", () => {
  const order: LearnedByRule = {
    'validation.messages': { order: ['role_id', 'status'], seen: ['PATCH as actor {"role_id":"string","status":"number"}'] },
  }

  it('the errors and the summary follow it; without it the field table order stands', async () => {
    const body = { role_id: 'superuser', status: 2 }
    const plain = await patch(body)
    expect(Object.keys(errorsOf(plain))).toEqual(['status', 'role_id'])
    expect(messageOf(plain)).toBe('The selected status is invalid. (and 1 more error)')
    const learned = await patch(body, {}, order)
    expect(Object.keys(errorsOf(learned))).toEqual(['role_id', 'status'])
    expect(messageOf(learned)).toBe('The selected role id is invalid. (and 1 more error)')
  })

  it('is checked in the config file and said by `readings`', () => {
    expect(validateLearned(medibulut.rules, order)).toEqual([])
    expect(validateLearned(medibulut.rules, { 'validation.messages': { order: 'role_id', seen: [] } })).toEqual([
      'validation.messages.order: must be a list of fields',
    ])
    expect(describeLearned(order['validation.messages'] ?? { seen: [] })).toBe('the field order (role_id, status)')
  })

  it('an element goes with its field; a field the order does not name stays after the key before it', () => {
    expect(
      Object.keys(
        orderedErrors({ email: [], service_ids: [], 'service_ids.0': [], color: [], status: [] }, ['status', 'service_ids', 'email']),
      ),
    ).toEqual(['status', 'service_ids', 'service_ids.0', 'color', 'email'])
  })

  it('the order of the request: errors listed as the body sent the fields, for any body', async () => {
    const byRequest: LearnedByRule = { 'validation.messages': { order: ['<request>'], seen: [] } }
    expect(Object.keys(errorsOf(await patch({ role_id: 'superuser', status: 2 }, {}, byRequest)))).toEqual(['role_id', 'status'])
    const reversed = await patch({ status: 2, role_id: 'superuser' }, {}, byRequest)
    expect(Object.keys(errorsOf(reversed))).toEqual(['status', 'role_id'])
    expect(messageOf(reversed)).toBe('The selected status is invalid. (and 1 more error)')
  })

  it('a server listing fields in the order each request sent them (no single rules() order) is learned as <request>', () => {
    const learner = orderLearner()
    const pair = (sent: Record<string, unknown>, live: readonly string[], mock: readonly string[]) =>
      ({
        check: 'c',
        request: `PATCH ${Object.keys(sent).join(',')}`,
        mock: { options: { body: sent }, exchange: { status: 422, body: { errors: Object.fromEntries(mock.map((f) => [f, ['x']])) } } },
        live: { options: { body: sent }, exchange: { status: 422, body: { errors: Object.fromEntries(live.map((f) => [f, ['x']])) } } },
        charge: () => 'validation.messages',
      }) as unknown as Pair
    learner.add(pair({ email: 1, name: 1 }, ['email', 'name'], ['name', 'email']))
    learner.add(pair({ name: 1, email: 1 }, ['name', 'email'], ['name', 'email']))
    expect(learner.result()?.order).toEqual(['<request>'])
  })

  it("the order learned puts each field after those the server listed first, else keeps the mock's; a cycle is none", () => {
    expect(totalOrder(['a', 'b', 'c'], new Set(['c a']))).toEqual(['b', 'c', 'a'])
    expect(totalOrder(['a', 'b'], new Set(['a b', 'b a']))).toBeUndefined()
  })
})

describe("a learned max: the server's own max:N", () => {
  const max: LearnedByRule = { 'body.lengths': { rules: { first_name: ['max:100'] }, seen: ['PATCH as actor {"first_name":"string"}'] } }

  it("is read off Laravel's own message, in either wording, and nothing else", () => {
    expect(laravelRuleOf('first_name', 'The first name field must not be greater than 100 characters.')).toBe('max:100')
    expect(laravelRuleOf('first_name', 'The first name must not be greater than 100 characters.')).toBe('max:100')
    expect(laravelRuleOf('last_name', 'The first name field must not be greater than 100 characters.')).toBeUndefined()
  })

  it("the mock refuses past it with Laravel's message and takes up to it; the default stays 255", async () => {
    expect(errorsOf(await patch({ role_id: 'admin', first_name: 'x'.repeat(101) }, {}, max))).toEqual({
      first_name: ['The first name field must not be greater than 100 characters.'],
    })
    expect((await patch({ role_id: 'admin', first_name: 'x'.repeat(100) }, {}, max)).status).toBe(200)
    expect((await patch({ role_id: 'admin', first_name: 'x'.repeat(255) })).status).toBe(200)
    expect(describeLearned(max['body.lengths'] ?? { seen: [] })).toBe('1 field rule (first_name max:100)')
  })
})

describe("a learned digits:N: the server's own digits rule (identity_number digits:11)", () => {
  const digits: LearnedByRule = {
    'body.lengths': { rules: { identity_number: ['digits:11'] }, seen: ['PATCH as actor {"identity_number":"string"}'] },
  }

  it("is read off Laravel's own message, in either wording; a field keeps a max and a digits rule side by side", () => {
    expect(laravelRuleOf('identity_number', 'The identity number field must be 11 digits.')).toBe('digits:11')
    expect(laravelRuleOf('identity_number', 'The identity number must be 11 digits.')).toBe('digits:11')
    expect(laravelRuleOf('identity_number', 'The first name field must be 11 digits.')).toBeUndefined()
    const learner = rulesLearner()
    const refusal = (text: string) => ({ status: 422, body: { message: text, errors: { identity_number: [text] } } })
    const pair = (live: string) =>
      ({
        request: 'PATCH',
        mock: { exchange: refusal('The identity number field must not be greater than 255 characters.') },
        live: { exchange: refusal(live) },
        charge: () => 'body.lengths',
      }) as unknown as Pair
    learner.add(pair('The identity number field must be 11 digits.'))
    learner.add(pair('The identity number field must not be greater than 20 characters.'))
    expect(learner.result().byRule.get('body.lengths')?.rules).toEqual({ identity_number: ['digits:11', 'max:20'] })
  })

  it('the mock refuses anything but 11 digits with that message, in place of max:255; null still clears; the default is unchanged', async () => {
    const refused = { identity_number: ['The identity number field must be 11 digits.'] }
    expect(errorsOf(await patch({ role_id: 'admin', identity_number: '1234567890' }, {}, digits))).toEqual(refused)
    expect(errorsOf(await patch({ role_id: 'admin', identity_number: 'x'.repeat(256) }, {}, digits))).toEqual(refused)
    expect(
      errorsOf(await patch({ role_id: 'admin', identity_number: '1234567890a' }, { 'validation.messages': 'laravel9' }, digits)),
    ).toEqual({
      identity_number: ['The identity number must be 11 digits.'],
    })
    // A number is refused by `string` alone: only a string's digits text was ever seen.
    expect(errorsOf(await patch({ role_id: 'admin', identity_number: 42 }, {}, digits))).toEqual({
      identity_number: ['The identity number field must be a string.'],
    })
    expect((await patch({ role_id: 'admin', identity_number: '12345678901' }, {}, digits)).status).toBe(200)
    expect((await patch({ role_id: 'admin', identity_number: null }, {}, digits)).status).toBe(200)
    expect((await patch({ role_id: 'admin', identity_number: 'free text' })).status).toBe(200)
    expect(describeLearned(digits['body.lengths'] ?? { seen: [] })).toBe('1 field rule (identity_number digits:11)')
  })
})

describe('body.password-strength: what "the required security criteria" demand beyond 8 characters', () => {
  const password = (value: string) => ({ role_id: 'admin', password: value, password_confirmation: value })

  it("letters-numbers refuses a password without a digit or without a letter, in Laravel's words (either wording)", async () => {
    const strength = { 'body.password-strength': 'letters-numbers' }
    expect(errorsOf(await patch(password('abcdefgh'), strength))).toEqual({
      password: ['The password field must contain at least one number.'],
    })
    expect(errorsOf(await patch(password('12345678'), strength))).toEqual({
      password: ['The password field must contain at least one letter.'],
    })
    expect(errorsOf(await patch(password('abcdefgh'), { ...strength, 'validation.messages': 'laravel9' }))).toEqual({
      password: ['The password must contain at least one number.'],
    })
    expect((await patch(password('abcd1234'), strength)).status).toBe(200)
  })

  it("lists every criterion missed after the minimum, in Password's order; a non-string is judged by string|min only", async () => {
    const all = { 'body.password-strength': 'mixed-case-numbers-symbols' }
    expect(errorsOf(await patch(password('abcdefg'), all))).toEqual({
      password: [
        'The password field must be at least 8 characters.',
        'The password field must contain at least one uppercase and one lowercase letter.',
        'The password field must contain at least one symbol.',
        'The password field must contain at least one number.',
      ],
    })
    expect(errorsOf(await patch({ role_id: 'admin', password: 42, password_confirmation: 42 }, all))['password']).toEqual([
      'The password field must be a string.',
      'The password field must be at least 8 characters.',
    ])
    expect((await patch(password('Abcd-1234'), all)).status).toBe(200)
  })

  it('the default (min) takes 8 letters, as before', async () => {
    expect((await patch(password('abcdefgh'))).status).toBe(200)
    expect(medibulut.rules['body.password-strength'].provenance).toMatchObject({ kind: 'inferred', readings: { default: 'min' } })
  })

  it("the probe tells every reading apart, and calibrate picks a server's criteria from it", async () => {
    const probe = (probes['medibulut'] ?? []).find((p) => p.rule === 'body.password-strength') ?? expect.fail('no probe')
    const suite = suites['medibulut'] ?? expect.fail('no medibulut suite')
    const seen = new Set<string>()
    for (const reading of PASSWORD_STRENGTHS) {
      const result = await runProbe(suite, probe, await referenceTarget('medibulut', { 'body.password-strength': reading }))
      seen.add(JSON.stringify(result))
    }
    expect(seen.size).toBe(PASSWORD_STRENGTHS.length)
    const server = { 'body.password-strength': 'letters-numbers' }
    const live = { ...(await referenceTarget('medibulut', server)), label: 'staging medibulut' }
    const result = await calibrate(suite, live, { learn: false })
    expect(result.readings).toMatchObject(server)
    expect(result.remaining).toEqual([])
  }, 120_000)
})
