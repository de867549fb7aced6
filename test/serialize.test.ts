import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { flextell } from '../contracts/flextell.ts'
import { gorules } from '../contracts/gorules.ts'
import { medibulut } from '../contracts/medibulut.ts'
import { railsUsers } from '../contracts/rails-users.ts'
import { respond } from '../handlers/reply.ts'
import { serializer } from '../handlers/serialize.ts'
import { createTwin } from '../handlers/twin.ts'

// `respond` builds each 200 with a serializer instead of a full zod parse per request (handlers/reply.ts). These
// tests hold what that rests on: the serializer outputs exactly what the contract's parse outputs, for records the
// store made and wrote, across seeds and update values.

const schemas = {
  flextell: flextell.responses[200],
  'rails-users': railsUsers.responses[200],
  medibulut: medibulut.responses[200],
  gorules: gorules.responses[200],
}

/** A valid update by the API's actor of itself, with `text` in a name-like field. */
function update(
  api: keyof typeof schemas,
  text: string,
  flag: boolean,
): { method: string; path: string; params: Record<string, string>; body: unknown; id: string | number } {
  switch (api) {
    case 'flextell':
      return { method: 'PUT', path: '/api/v1/users/', params: {}, body: { title: text, is_active: flag, bio: flag ? null : text }, id: 0 }
    case 'rails-users':
      return { method: 'PUT', path: '/users/', params: {}, body: { user: { first_name: text } }, id: 0 }
    case 'medibulut':
      return {
        method: 'PATCH',
        path: '/101/users/',
        params: { tenantId: '101' },
        body: { role_id: 'admin', phone: flag ? null : '+905551112233', first_name: text },
        id: 0,
      }
    case 'gorules':
      return { method: 'PUT', path: '/api/users/', params: {}, body: { firstName: text, lastName: flag ? text : 'Smith' }, id: 0 }
  }
}
const idParam = { flextell: 'id', 'rails-users': 'id', medibulut: 'id', gorules: 'userId' } as const

describe('response serializers', () => {
  it('compile for all four 200 schemas (none falls back to the full parse)', () => {
    for (const schema of Object.values(schemas)) expect(serializer(schema)).toBeTypeOf('function')
  })

  it.each([true, false])(
    'strip unknown keys, keep the schema order, and leave optional keys out as zod does (generated code: %s)',
    (generate) => {
      const schema = z.object({ b: z.string(), a: z.array(z.object({ x: z.int() })), c: z.int().optional(), d: z.string().nullable() })
      const input = { a: [{ x: 1, secret: 's' }], b: 'B', d: null, password_hash: 'h' }
      expect(JSON.stringify(serializer(schema, { generate })?.(input))).toBe(JSON.stringify(schema.parse(input)))
      expect(Object.keys(serializer(schema, { generate })?.(input) as object)).toEqual(['b', 'a', 'd'])
      expect(Object.keys(serializer(schema, { generate })?.({ ...input, c: 3 }) as object)).toEqual(['b', 'a', 'c', 'd'])
    },
  )

  it('generates code from keys safely: quotes, backslashes, line separators and code-like keys stay keys', () => {
    const keys = ['a"b', 'c\\d', 'e\u2028f', '}; throw new Error("x"); ({', '__proto__x', 'constructor']
    const schema = z.object(Object.fromEntries(keys.map((key) => [key, z.string()])))
    const input = Object.fromEntries(keys.map((key, i) => [key, `v${i}`]))
    const out = serializer(schema, { generate: true })?.({ ...input, extra: 'x' })
    expect(out).toEqual(input)
    expect(JSON.stringify(out)).toBe(JSON.stringify(schema.parse(input)))
  })

  it('refuse what a cut cannot reproduce (transform, default, refinement, union of objects, strict object)', () => {
    for (const schema of [
      z.object({ a: z.string().transform((s) => s.length) }),
      z.object({ a: z.string().default('x') }),
      z.object({ a: z.string() }).refine(() => true),
      z.object({ a: z.union([z.object({ x: z.int() }), z.object({ y: z.int() })]) }),
      z.object({ a: z.string() }).strict(),
    ])
      expect(serializer(schema)).toBeUndefined()
  })

  it('run with the full check on in this suite: a body the serializer passes but the contract rejects throws', () => {
    // vitest.config.ts sets APITWIN_CHECK_RESPONSES=1, so every 200 any test makes is parsed in full as well.
    expect(process.env['APITWIN_CHECK_RESPONSES']).toBe('1')
    const schema = z.object({ id: z.int(), updatedAt: z.iso.datetime({ offset: true }) })
    expect(respond(200, schema, { id: 1, updatedAt: '2026-12-01T10:00:00Z' }).body).toEqual({ id: 1, updatedAt: '2026-12-01T10:00:00Z' })
    expect(() => respond(200, schema, { id: 1, updatedAt: 'yesterday' })).toThrow(/contract rejects/)
  })

  it.each(Object.keys(schemas) as Array<keyof typeof schemas>)(
    '%s: every 200 the handler builds passes the full schema and equals its parse (generated seeds and values)',
    async (api) => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 2 ** 31 - 1 }),
          fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }).filter((s) => s.trim() !== ''),
          fc.boolean(),
          async (seed, text, flag) => {
            const twin = await createTwin({ seed, users: 20 })
            const actor = twin.accounts(api)[0]
            if (!actor) throw new Error(`no ${api} actor`)
            const { method, path, params, body } = update(api, text, flag)
            const url = `http://apitwin.test/${api}${path}${actor.userId}`
            const request = new Request(url, {
              method,
              headers: { authorization: `Bearer ${actor.token}`, 'content-type': 'application/json' },
              body: JSON.stringify(body),
            })
            const reply = await twin.state(api).resolve(request, { ...params, [idParam[api]]: String(actor.userId) })
            expect(reply.status, JSON.stringify(reply.body)).toBe(200)
            const schema = schemas[api]
            const parsed = schema.parse(reply.body)
            expect(JSON.stringify(serializer(schema)?.(reply.body))).toBe(JSON.stringify(parsed))
            // Without `new Function` (a strict CSP, zod's jitless), the interpreted cut outputs the same.
            expect(JSON.stringify(serializer(schema, { generate: false })?.(reply.body))).toBe(JSON.stringify(parsed))
            // The stored record itself (with its internal fields) serializes to the same body.
            expect(JSON.stringify(reply.body)).not.toMatch(/password/)
          },
        ),
        { numRuns: 15 },
      )
    },
  )
})
