// A user's own vitest file: the MSW handlers under setupServer, and apitwin's contract suite in the same run.
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { defaultTwin, handlers } from 'apitwin/handlers/medibulut'
import { describeContracts } from 'apitwin/vitest'

const server = setupServer(...handlers)
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(async () => (await defaultTwin()).reset())
afterAll(() => server.close())

it('answers a PATCH without role_id with the Laravel 422', async () => {
  const actor = (await defaultTwin()).accounts('medibulut')[0]!
  const res = await fetch(`http://localhost/medibulut/${actor.tenant}/users/${actor.userId}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${actor.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ color: '#c00' }),
  })
  expect(res.status).toBe(422)
  expect(await res.json()).toMatchObject({ errors: { role_id: ['The role id field is required.'] } })
})

describeContracts(['flextell'])
