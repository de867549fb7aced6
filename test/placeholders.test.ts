import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { replaceWhole } from '../handlers/placeholders.ts'
import { accountPlaceholders } from '../suites/placeholders.ts'

// A staging server's accounts have small ids: 1, 2, 12, 21. diff replaces them in error texts only as whole values.
const small = accountPlaceholders({
  accounts: {
    actor: { label: 'actor', userId: '12', token: 'tok-actor-123456', email: 'qa@example.com', tenant: '1' },
    peer: { label: 'peer', userId: '21', token: 'tok-peer-654321', email: 'qa2@example.com', tenant: '1' },
    foreign: { label: 'foreign', userId: '1', token: 'tok-foreign-000', email: 'x@other.example', tenant: '2' },
  },
})

describe('diff replaces account values only where they stand whole', () => {
  it.each([
    ['The name field must not be greater than 255 characters.', 'The name field must not be greater than 255 characters.'],
    ['The bio field must not be greater than 1000 characters.', 'The bio field must not be greater than 1000 characters.'],
    ['No query results for model [App\\Models\\User] 987654321', 'No query results for model [App\\Models\\User] 987654321'],
    ['The bonus rate field must not be greater than 100.', 'The bonus rate field must not be greater than 100.'],
    ['Rate 12.5 and 1.2 and v2', 'Rate 12.5 and 1.2 and v2'],
    ['No query results for model [App\\Models\\User] 21', 'No query results for model [App\\Models\\User] <peer.userId>'],
    ['/users/12 of tenant 2', '/users/<actor.userId> of tenant <foreign.tenant>'],
    ['{"id":12}', '{"id":<actor.userId>}'],
    ['The email qa2@example.com has already been taken.', 'The email <peer.email> has already been taken.'],
    ['ids 12,21', 'ids <actor.userId>,<peer.userId>'],
  ])('%s', (text, expected) => {
    expect(small(text)).toBe(expected)
  })

  it('never replaces a value inside a longer number (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 99 }),
        fc.integer({ min: 0, max: 99_999 }),
        fc.integer({ min: 0, max: 99_999 }),
        (id, before, after) => {
          const number = `${before}${id}${after}`
          if (number === String(id)) return
          expect(replaceWhole(`limit ${number} chars`, String(id), '<id>')).toBe(`limit ${number} chars`)
        },
      ),
    )
  })
})
