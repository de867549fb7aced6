import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { defaultTwin, handlers, handlersByApi } from '../index.ts'

// The package's ready-made handlers, used the way a frontend's own test setup would.
const server = setupServer(...handlers)
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(async () => (await defaultTwin()).reset())
afterAll(() => server.close())

describe('exported handlers', () => {
  it('serve every API over the default twin, created on first use', async () => {
    const twin = await defaultTwin()
    const actor = twin.accounts('flextell')[0]
    const res = await fetch(`http://localhost:5173/flextell/api/v1/users/${actor?.userId}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${actor?.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Frontend' }),
    })
    expect(res.status).toBe(200)
    expect(((await res.json()) as { data: { title: string } }).data.title).toBe('Frontend')
  })

  it('expose the rails-users outbox in-process and over the control route', async () => {
    const twin = await defaultTwin()
    const actor = twin.accounts('rails-users')[0]
    await fetch(`http://app.test/rails-users/users/${actor?.userId}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${actor?.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ user: { email: 'new@example.com' } }),
    })
    expect(twin.state('rails-users').controls?.['outbox']?.()).toMatchObject({ emails: [{ to: 'new@example.com' }] })
    const viaRoute = (await (await fetch('http://app.test/__twin/rails-users/outbox')).json()) as { emails: unknown[] }
    expect(viaRoute.emails).toHaveLength(1)
  })

  it('come per API too', () => {
    expect(Object.keys(handlersByApi)).toEqual(['flextell', 'rails-users', 'medibulut', 'gorules'])
    expect(handlersByApi['gorules']).toHaveLength(2)
  })
})
