import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { replaceWhole } from '../handlers/placeholders.ts'
import { accountPlaceholders, sameLines, sameWording, valueNames } from '../suites/placeholders.ts'

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

describe('diff compares texts whose values collide with account values', () => {
  // The mock's accounts and a staging server's: the staging actor's id is 1 and its tenant is the foreign user's id.
  const mock = valueNames(
    {
      accounts: {
        actor: { label: 'actor', userId: '7', token: 't-m', email: 'a@mock.test', tenant: '3' },
        foreign: { label: 'foreign', userId: '9', token: 't-f', email: 'f@mock.test', tenant: '4' },
      },
    },
    { id: '9' },
  )
  const live = valueNames(
    {
      accounts: {
        actor: { label: 'actor', userId: '1', token: 't-l', email: 'a@live.test', tenant: '5' },
        foreign: { label: 'foreign', userId: '5', token: 't-g', email: 'f@live.test', tenant: '6' },
      },
    },
    { id: '5' },
  )

  it.each([
    ['a count equal to an id', 'The email is invalid. (and 1 more error)', 'The email is invalid. (and 1 more error)', true],
    ['each side its own foreign id, which is the live tenant too', 'No user with id 9 was found.', 'No user with id 5 was found.', true],
    ['each side its own actor', 'User 7 may not', 'User 1 may not', true],
    ['another count', 'The email is invalid. (and 2 more errors)', 'The email is invalid. (and 4 more errors)', false],
    ['ids standing for other names', 'User 7 may not', 'User 5 may not', false],
    ['other words', 'No user with id 9 was found.', 'No user with id 5 exists.', false],
    ['a value against plain text', 'No user with id 9 was found.', 'No user with id x was found.', false],
  ])('%s', (_, a, b, same) => {
    expect(sameWording(a, b, mock, live)).toBe(same)
  })

  it('pairs lines in any order, each once', () => {
    expect(sameLines(['id: User 7 may not', 'x: No user 9'], ['x: No user 5', 'id: User 1 may not'], mock, live)).toBe(true)
    expect(sameLines(['id: User 7 may not', 'x: User 7 may not'], ['id: User 1 may not', 'x: No user 5'], mock, live)).toBe(false)
  })
})
