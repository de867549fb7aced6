import { afterAll, describe, expect, it } from 'vitest'
import { apis, createTwin } from '../handlers/twin.ts'
import { startServer, type RunningServer } from '../server/serve.ts'

const running: RunningServer[] = []
afterAll(async () => {
  for (const server of running.splice(0)) await server.close()
})

/*
 * Laravel runs every rule of a field (no `bail`): the mock must list what Laravel lists, in rule order, where zod
 * alone stops at the first wrong type. Expected texts are Laravel 10's `lang/en/validation.php` as Laravel's
 * validator applies them (getSize: PHP's string length of the value; `confirmed` against an absent confirmation).
 */
async function errorsOf(api: 'flextell' | 'medibulut', body: Record<string, unknown>) {
  const twin = await createTwin({ apis: apis.filter((a) => a.name === api) })
  const actor = twin.accounts(api)[0]
  if (!actor) throw new Error(`no account for ${api}`)
  const path = api === 'flextell' ? `/flextell/api/v1/users/${actor.userId}` : `/medibulut/${actor.tenant}/users/${actor.userId}`
  const server = await startServer({ port: 0, twin, log: false })
  running.push(server)
  const response = await fetch(`${server.url}/${api}${path.replace(`/${api}`, '')}`, {
    method: api === 'flextell' ? 'PUT' : 'PATCH',
    headers: { authorization: `Bearer ${actor.token}`, 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(api === 'medibulut' ? { role_id: 'admin', ...body } : body),
  })
  expect(response.status).toBe(422)
  return ((await response.json()) as { errors: Record<string, string[]> }).errors
}

describe('Laravel reports every failing rule of a field', () => {
  it('null for string|min:8 is two messages, and an absent confirmation matches null', async () => {
    expect((await errorsOf('medibulut', { password: null }))['password']).toEqual([
      'The password field must be a string.',
      'The password field must be at least 8 characters.',
    ])
  })
  it('42 for string|min:8|confirmed: its text is two characters, and it is not confirmed', async () => {
    expect((await errorsOf('flextell', { password: 42 }))['password']).toEqual([
      'The password field must be a string.',
      'The password field must be at least 8 characters.',
      'The password field confirmation does not match.',
    ])
  })
  it('42 for email|max:255 fails email too; its two characters pass max', async () => {
    expect((await errorsOf('flextell', { email: 42 }))['email']).toEqual([
      'The email field must be a string.',
      'The email field must be a valid email address.',
    ])
  })
  it('an array is measured by its count', async () => {
    expect((await errorsOf('flextell', { name: Array.from({ length: 256 }, () => 'x') }))['name']).toEqual([
      'The name field must be a string.',
      'The name field must not have more than 255 items.',
    ])
    expect((await errorsOf('flextell', { name: ['x'] }))['name']).toEqual(['The name field must be a string.'])
  })
  it('a number is matched as its text by regex rules', async () => {
    expect((await errorsOf('medibulut', { mobile: 905551234567 }))['mobile']).toEqual([
      'The mobile field must be a string.',
      'The mobile field format is invalid.',
    ])
  })
})
