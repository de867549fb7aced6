import { describe, expect, it } from 'vitest'
import { railsUsers } from '../contracts/rails-users.ts'
import { validateReadings } from '../contracts/provenance.ts'
import { calibrate } from '../suites/calibrate.ts'
import { referenceTarget } from '../suites/reference.ts'
import { suites } from '../suites/suites.ts'
import type { Target } from '../suites/target.ts'

/*
 * Issue 21, rails-users read field by field: a model may validate the presence of first_name and not of last_name
 * (body.names), refuse a number for a name while casting list items (body.type-cast), and an app raising on
 * unpermitted parameters refuses a string sent for a list in strong parameters, alone, before the model runs.
 */

async function put(target: Target, user: unknown): Promise<{ status: number; paths: string[]; messages: string[] }> {
  const actor = target.accounts.actor
  const response = await target.fetch(`${target.baseUrl}/users/${actor.userId}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${actor.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ user }),
  })
  const body = (await response.json()) as { errors?: Array<{ path: string; message: string }> }
  return { status: response.status, paths: (body.errors ?? []).map((e) => e.path), messages: (body.errors ?? []).map((e) => e.message) }
}

const BAD_EMAIL = { email: 'not-an-email' }

describe('rails-users readings field by field', () => {
  it('body.names names fields: last_name may be blank while first_name may not', async () => {
    expect(validateReadings(railsUsers.rules, { 'body.names': 'none:last_name' })).toEqual([])
    const mock = await referenceTarget('rails-users', { 'body.names': 'none:last_name' })
    expect((await put(mock, { ...BAD_EMAIL, first_name: '  ', last_name: '' })).paths).toEqual(['first_name', 'email'])
    // The default still requires both.
    const plain = await referenceTarget('rails-users')
    expect((await put(plain, { ...BAD_EMAIL, first_name: '  ', last_name: '' })).paths).toEqual(['first_name', 'last_name', 'email'])
  })

  it('raising on unpermitted parameters refuses a string for a list in strong parameters, alone, whatever body.type-cast says', async () => {
    for (const cast of ['cast', 'strict']) {
      const mock = await referenceTarget('rails-users', { 'body.unpermitted': 'refused', 'body.type-cast': cast })
      expect(await put(mock, { ...BAD_EMAIL, feature_flags: 'beta' }), cast).toEqual({
        status: 422,
        paths: ['feature_flags'],
        messages: ['Feature flags is not permitted'],
      })
      // A list for a string is no permitted scalar either; a list of scalars is permitted and goes to the model.
      expect((await put(mock, { ...BAD_EMAIL, first_name: ['Ada'] })).paths).toEqual(['first_name'])
      expect((await put(mock, { ...BAD_EMAIL, notifications: [1] })).paths).toEqual(
        cast === 'cast' ? ['email'] : ['email', 'notifications'],
      )
    }
    // Under the default (unpermitted parameters logged and dropped) the string is dropped, as before.
    expect((await put(await referenceTarget('rails-users'), { ...BAD_EMAIL, feature_flags: 'beta' })).paths).toEqual(['email'])
  })

  it('calibrate finds per-field readings a single probe request would hide behind a refusal in strong parameters', async () => {
    const server = {
      'body.unpermitted': 'refused',
      'body.type-cast': 'strict:first_name,notifications',
      'body.names': 'none:last_name',
    }
    const live = { ...(await referenceTarget('rails-users', server)), label: 'staging rails-users' }
    const result = await calibrate(suites['rails-users'] ?? expect.fail('no rails-users suite'), live, { learn: false })
    expect(result.readings).toMatchObject(server)
    expect(result.remaining).toEqual([])
  }, 60_000)
})
