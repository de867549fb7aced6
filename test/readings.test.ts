import { describe, expect, it } from 'vitest'
import { contracts } from '../contracts/registry.ts'
import { validateReadings, type ReadingChoice } from '../contracts/provenance.ts'
import { medibulut } from '../contracts/medibulut.ts'
import { createTwin } from '../handlers/twin.ts'
import { observationKey, probes, runProbe, type ProbeResult } from '../suites/probes.ts'
import { suites } from '../suites/suites.ts'
import { mockTarget } from '../suites/targets.ts'

/** Every inferred rule with its readings, per API. */
const inferredRules = Object.entries(contracts).flatMap(([api, contract]) =>
  Object.entries(contract.rules).flatMap(([rule, { provenance }]) =>
    provenance.kind === 'inferred' ? [{ api, rule, readings: provenance.readings }] : [],
  ),
)

async function observe(api: string, rule: string, choice: ReadingChoice = {}): Promise<ProbeResult> {
  const probe = probes[api]?.find((p) => p.rule === rule)
  const suite = suites[api]
  if (!probe || !suite) throw new Error(`no probe for ${api} ${rule}`)
  const { target, close } = await mockTarget(api, { readings: { [api]: { ...probe.given, ...choice } } })
  try {
    return await runProbe(suite, probe, target)
  } finally {
    await close()
  }
}

describe('readings: every inferred rule has a probe', () => {
  it('one probe per inferred rule of every contract, and no probe for anything else', () => {
    const expected = inferredRules.map(({ api, rule }) => `${api} ${rule}`).sort()
    const actual = Object.entries(probes)
      .flatMap(([api, list]) => list.map((p) => `${api} ${p.rule}`))
      .sort()
    expect(actual).toEqual(expected)
  })
})

describe('readings: each alternative reading changes what the mock does', () => {
  for (const { api, rule, readings } of inferredRules) {
    const alternatives = Object.keys(readings.options).filter((value) => value !== readings.default)
    it(`${api} ${rule}: ${readings.default} (default) vs ${alternatives.join(', ')}`, async () => {
      const byDefault = await observe(api, rule)
      expect(byDefault, JSON.stringify(byDefault)).toHaveProperty('observed')
      const seen = new Map([[observationKey((byDefault as { observed: never }).observed), readings.default]])
      for (const value of alternatives) {
        const switched = await observe(api, rule, { [rule]: value })
        expect(switched, JSON.stringify(switched)).toHaveProperty('observed')
        const key = observationKey((switched as { observed: never }).observed)
        // Every reading is observably different from every other one, so calibrate can tell them apart.
        expect(seen.get(key), `${api} ${rule}=${value} observes ${key}, the same as ${seen.get(key)}`).toBeUndefined()
        seen.set(key, value)
      }
    })
  }
})

/** One PUT/PATCH against an in-process twin under `readings`, as the API's actor. */
async function update(
  api: string,
  choice: ReadingChoice,
  body: unknown,
  { as = 'actor', userId, params = {} }: { as?: string; userId?: string | number; params?: Record<string, string> } = {},
) {
  const twin = await createTwin({
    apis: (await import('../handlers/twin.ts')).apis.filter((a) => a.name === api),
    readings: { [api]: choice },
  })
  const account = twin.accounts(api).find((a) => a.label === as)
  if (!account) throw new Error(`no ${as} account`)
  const id = String(userId ?? account.userId)
  const request = {
    headers: new Headers({ authorization: `Bearer ${account.token}`, 'content-type': 'application/json' }),
    text: async () => JSON.stringify(body),
  }
  return twin.state(api).resolve(request, { id, userId: id, tenantId: String(account.tenant ?? ''), ...params })
}
const data = (reply: { body: unknown }) => (reply.body as { data: Record<string, unknown> }).data

describe('readings: the defaults follow the vendor framework', () => {
  it('flextell body.coercion laravel: is_active "1" is stored true and role_ids ["121"] as [121]; strict refuses both', async () => {
    const loose = await update('flextell', {}, { is_active: '0', role_ids: ['121'] })
    expect(loose.status).toBe(200)
    expect(data(loose)).toMatchObject({ is_active: false, roles: [{ id: 121, name: 'Admin' }] })
    const strict = await update('flextell', { 'body.coercion': 'strict' }, { is_active: '1', role_ids: ['121'] })
    expect(strict.status).toBe(422)
    expect(Object.keys((strict.body as { errors: object }).errors).sort()).toEqual(['is_active', 'role_ids.0'])
  })

  it('medibulut body.coercion laravel: status "1", bonus_rate "15.5" and authorized_users ["11"] are stored cast', async () => {
    const reply = await update('medibulut', {}, { role_id: 'admin', status: '0', bonus_rate: '15.5', authorized_users: ['11'] })
    expect(reply.status, JSON.stringify(reply.body)).toBe(200)
    expect(data(reply)).toMatchObject({ status: 0, bonus_rate: '15.50', authorized_users: [11] })
  })

  it('medibulut: bonus_rate "15.00" (the doc\'s own example) passes under body.coercion strict too; body.range any stores -1 as "-1.00"', async () => {
    const strict = await update('medibulut', { 'body.coercion': 'strict' }, { role_id: 'admin', bonus_rate: '15.00' })
    expect(strict.status, JSON.stringify(strict.body)).toBe(200)
    expect(data(strict)).toMatchObject({ bonus_rate: '15.00' })
    const refused = await update('medibulut', {}, { role_id: 'admin', bonus_rate: -1 })
    expect(refused.status).toBe(422)
    const any = await update('medibulut', { 'body.range': 'any' }, { role_id: 'admin', bonus_rate: -1 })
    expect(any.status, JSON.stringify(any.body)).toBe(200)
    expect(data(any)).toMatchObject({ bonus_rate: '-1.00' })
  })

  it('per-field readings (issue 21): medibulut body.formats=lenient:mobile checks color but not mobile; body.coercion=strict:status takes "1" in service_ids only', async () => {
    const formats = await update('medibulut', { 'body.formats': 'lenient:mobile' }, { role_id: 'admin', mobile: '555', color: 'red' })
    expect(formats.status).toBe(422)
    expect(Object.keys((formats.body as { errors: object }).errors)).toEqual(['color'])
    const coercion = await update('medibulut', { 'body.coercion': 'strict:status' }, { role_id: 'admin', status: '1', service_ids: ['1'] })
    expect(coercion.status).toBe(422)
    expect(Object.keys((coercion.body as { errors: object }).errors)).toEqual(['status'])
    const railsCast = await update(
      'rails-users',
      { 'body.type-cast': 'strict:feature_flags' },
      { user: { first_name: 42, feature_flags: 'beta' } },
    )
    expect(railsCast.status).toBe(422)
    expect((railsCast.body as { errors: Array<{ path: string }> }).errors.map((e) => e.path)).toEqual(['feature_flags'])
    const none = await update('medibulut', { 'body.nullable': 'none' }, { role_id: 'admin', phone: null })
    expect(Object.keys((none.body as { errors: object }).errors)).toEqual(['phone'])
    expect((await update('medibulut', { 'body.nullable': 'none' }, { role_id: 'admin', phone: '' })).status).toBe(200)
  })

  it('per-field readings are checked: a field the rule does not have, a rule that is one choice for the API', () => {
    expect(validateReadings(medibulut.rules, { 'body.formats': 'lenient:mobile,color' })).toEqual([])
    expect(validateReadings(medibulut.rules, { 'body.formats': 'lenient:nickname' })[0]).toMatch(
      /"nickname" is not a field of this rule; choose among mobile, phone, color, photo, password/,
    )
    expect(validateReadings(medibulut.rules, { 'body.formats': 'loose:mobile' })[0]).toMatch(/"loose" is not a reading/)
    expect(validateReadings(medibulut.rules, { 'tenant.forbidden': '404:status' })[0]).toMatch(
      /names fields, but tenant.forbidden is one choice for the whole API/,
    )
  })

  it('rails-users body.type-cast cast: 42 → "42", true → "t" (ActiveModel::Type::String), a scalar for a list is dropped', async () => {
    const reply = await update('rails-users', {}, { user: { first_name: 42, last_name: true, feature_flags: 'x' } })
    expect(reply.status, JSON.stringify(reply.body)).toBe(200)
    expect(data(reply)).toMatchObject({ first_name: '42', last_name: 't' })
    expect(data(reply)['feature_flags']).not.toEqual('x')
    const strict = await update('rails-users', { 'body.type-cast': 'strict' }, { user: { first_name: 42 } })
    expect(strict.body).toMatchObject({ errors: [{ path: 'first_name', message: 'First name is invalid' }] })
  })

  it('gorules body.coercion: class-validator refuses firstName: 42; ajv (Fastify\'s coerceTypes) stores "42" and wraps a lone role id', async () => {
    const strict = await update('gorules', {}, { firstName: 42 })
    expect(strict.status).toBe(400)
    expect(strict.body).toMatchObject({ message: ['firstName must be a string'] })
    const ajv = await update(
      'gorules',
      { 'body.coercion': 'ajv' },
      { firstName: 42, lastName: true, roles: '3c90c3cc-0d44-4b50-8888-8dd25736052a' },
    )
    expect(ajv.status, JSON.stringify(ajv.body)).toBe(200)
    expect(ajv.body).toMatchObject({ firstName: '42', lastName: 'true', roles: [{ id: '3c90c3cc-0d44-4b50-8888-8dd25736052a' }] })
  })

  it('gorules validation.status: 400 by default (NestJS), 422 as the other reading; body.whitelist rejected names the property', async () => {
    expect((await update('gorules', {}, { status: 'Active' })).body).toMatchObject({ statusCode: 400, error: 'Bad Request' })
    expect((await update('gorules', { 'validation.status': '422' }, { status: 'Active' })).status).toBe(422)
    expect((await update('gorules', { 'body.whitelist': 'rejected' }, { nickname: 'x' })).body).toMatchObject({
      message: ['property nickname should not exist'],
    })
  })

  it('flextell validation.messages laravel9 and validation.summary given-data reword the 422', async () => {
    const reply = await update(
      'flextell',
      { 'validation.messages': 'laravel9', 'validation.summary': 'given-data' },
      { name: 'x'.repeat(256), email: 'nope' },
    )
    expect(reply.body).toEqual({
      message: 'The given data was invalid.',
      errors: { name: ['The name must not be greater than 255 characters.'], email: ['The email must be a valid email address.'] },
    })
  })

  it('flextell body.read-only prohibited: "The id field is prohibited."', async () => {
    const reply = await update('flextell', { 'body.read-only': 'prohibited' }, { id: 9 })
    expect(reply.body).toMatchObject({ errors: { id: ['The id field is prohibited.'] } })
  })

  it('medibulut required-fields create-rules and role.reading slug-only', async () => {
    const reply = await update('medibulut', { 'required-fields': 'create-rules', 'role.reading': 'slug-only' }, { role_id: 2 })
    expect(reply.body).toMatchObject({
      message: 'The first name field is required. (and 5 more errors)',
      errors: { first_name: ['The first name field is required.'], role_id: ['The selected role id is invalid.'] },
    })
  })

  it('gorules updatedAt keeps milliseconds: two updates 15 ms apart differ', async () => {
    const twin = await createTwin({ apis: (await import('../handlers/twin.ts')).apis.filter((a) => a.name === 'gorules') })
    const actor = twin.accounts('gorules').find((a) => a.label === 'actor')
    if (!actor) throw new Error('no actor')
    const put = (body: unknown) =>
      twin.state('gorules').resolve(
        {
          headers: new Headers({ authorization: `Bearer ${actor.token}`, 'content-type': 'application/json' }),
          text: async () => JSON.stringify(body),
        },
        { userId: String(actor.userId) },
      )
    const first = (await put({ firstName: 'A' })).body as { updatedAt: string; roles: unknown[] }
    await new Promise((resolve) => setTimeout(resolve, 15))
    const second = (await put({ firstName: 'B' })).body as { updatedAt: string }
    expect(first.updatedAt).toMatch(/\.\d{3}Z$/)
    expect(second.updatedAt).not.toBe(first.updatedAt)
    expect(first.roles.length).toBeGreaterThan(0)
  })

  it('an unknown rule, value or API is refused naming what is allowed', async () => {
    await expect(createTwin({ readings: { medibulut: { 'tenant.forbidden': '418' } } })).rejects.toThrow(
      /tenant.forbidden: "418" is not a reading; choose one of 403, 404/,
    )
    await expect(createTwin({ readings: { medibulut: { 'tenant.forbiden': '404' } } })).rejects.toThrow(
      /"tenant.forbiden" is not an inferred rule; rules with readings: .*tenant.forbidden/,
    )
    await expect(createTwin({ readings: { medibulot: {} } })).rejects.toThrow(/unknown APIs: medibulot/)
  })
})
