import { describe, expect, it, vi } from 'vitest'
import { FIXTURE_PASSWORD, verifyPassword } from '../fixtures/password.ts'
import { seedFlextell, type FlextellDb } from '../fixtures/flextell.ts'
import { resolveFlextell } from '../handlers/flextell.ts'
import { run } from '../handlers/reply.ts'
import { laravel } from '../contracts/laravel.ts'

// Mock-only behaviour (what the vendor's docs leave open, and what must never happen in the mock itself),
// exercised on the resolver directly: a Request in, a Response out.

async function call(db: FlextellDb, init: { token?: string; body?: string; id?: string; headers?: Record<string, string> }) {
  const headers = new Headers({ 'content-type': 'application/json', ...init.headers })
  if (init.token !== undefined) headers.set('authorization', `Bearer ${init.token}`)
  const request = new Request(`http://apitwin.test/flextell/api/v1/users/${init.id ?? '1'}`, {
    method: 'PUT',
    headers,
    body: init.body ?? '{}',
  })
  const response = await resolveFlextell(db, request, { id: init.id ?? '1' })
  return { status: response.status, body: response.body as Record<string, unknown> }
}

const actorToken = (db: FlextellDb) => db.accounts[0]?.token ?? ''

describe('flextell handler', () => {
  it('answers malformed JSON and non-object bodies with a Laravel-shaped 400, and loses nothing', async () => {
    const db = await seedFlextell()
    const before = structuredClone(db.users.get('id', 1))
    for (const body of ['{"name": "x"', '[1,2]', '"a string"', 'null']) {
      const res = await call(db, { token: actorToken(db), body })
      expect(res.status).toBe(400)
      expect(Object.keys(res.body)).toEqual(['message'])
    }
    expect(db.users.get('id', 1)).toEqual(before)
    expect((await call(db, { token: actorToken(db), body: '{"name":"Still Works"}' })).status).toBe(200)
  })

  it('stores a new password hashed, never in clear, and does not return it', async () => {
    const db = await seedFlextell()
    const res = await call(db, {
      token: actorToken(db),
      body: JSON.stringify({ password: 'brand-new-pass', password_confirmation: 'brand-new-pass' }),
    })
    expect(res.status).toBe(200)
    const stored = db.users.get('id', 1)
    expect(JSON.stringify(stored)).not.toContain('brand-new-pass')
    expect(await verifyPassword('brand-new-pass', stored?.password_hash ?? '')).toBe(true)
    expect(await verifyPassword(FIXTURE_PASSWORD, stored?.password_hash ?? '')).toBe(false)
    expect(JSON.stringify(res.body)).not.toMatch(/password|pbkdf2/)
  })

  it('refuses an X-Tenant that names no tenant of the caller with 403', async () => {
    const db = await seedFlextell()
    for (const tenant of ['2', 'abc', '-1', '']) {
      const res = await call(db, { token: actorToken(db), headers: { 'x-tenant': tenant } })
      expect(res).toEqual({ status: 403, body: { message: 'This action is unauthorized.' } })
    }
  })

  it('keeps the email index in step: the old address frees up, the new one is taken', async () => {
    const db = await seedFlextell()
    const oldEmail = db.users.get('id', 1)?.email ?? ''
    expect((await call(db, { token: actorToken(db), body: JSON.stringify({ email: 'Moved@Example.com' }) })).status).toBe(200)
    const peerToken = db.accounts[1]?.token ?? ''
    const taken = await call(db, { token: peerToken, id: '2', body: JSON.stringify({ email: 'moved@example.com' }) })
    expect(taken.status).toBe(422)
    expect((await call(db, { token: peerToken, id: '2', body: JSON.stringify({ email: oldEmail }) })).status).toBe(200)
  })

  it('does not touch updated_at when nothing changes, as Eloquent saves only dirty attributes', async () => {
    const db = await seedFlextell()
    const before = db.users.get('id', 1)
    const res = await call(db, { token: actorToken(db), body: JSON.stringify({ name: before?.name }) })
    expect((res.body['data'] as { updated_at: string }).updated_at).toBe(before?.updated_at)
  })

  it('turns an unexpected error into a dialect 500 instead of crashing, and logs the cause', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {})
    const response = await run(laravel, async () => {
      throw new Error('boom')
    })
    expect(response.status).toBe(500)
    expect(response.body).toEqual({ message: 'Server Error' })
    expect(logged).toHaveBeenCalledWith(new Error('boom'))
    logged.mockRestore()
  })
})
