import { Faker, base, en } from '@faker-js/faker'
import { describe, expect, it } from 'vitest'
import { REFERENCE_DATE } from '../fixtures/faker.ts'
import { fixtureLocale } from '../fixtures/faker-locale.ts'

// The fixtures use a trimmed copy of faker's English locale (a smaller browser bundle); it must give exactly the
// data the whole locale gives, or a faker upgrade would silently change every seeded fixture.
const draw = (faker: Faker) => [
  faker.person.firstName(),
  faker.person.lastName(),
  faker.person.jobTitle(),
  faker.company.name(),
  faker.internet.email(),
  faker.location.city(),
  faker.lorem.sentence(),
  faker.color.rgb(),
  faker.image.avatar(),
  faker.internet.ipv4(),
  faker.date.past().toISOString(),
  faker.helpers.arrayElement(['a', 'b', 'c']),
  faker.string.uuid(),
]

describe('fixtures/faker-locale.ts', () => {
  it("is a verbatim copy of the parts of faker's en it holds (else re-run node scripts/faker-locale.mjs)", () => {
    for (const [module, definitions] of Object.entries(fixtureLocale)) {
      const full = (en as Record<string, Record<string, unknown> | undefined>)[module]
      for (const [key, value] of Object.entries(definitions)) expect(value, `${module}.${key}`).toEqual(full?.[key])
    }
  })

  it.each([1, 7, 1107, 424242])('draws the same values as the whole en locale for seed %i', (seed) => {
    const make = (locale: typeof en) => {
      const faker = new Faker({ locale: [locale, base], seed })
      faker.setDefaultRefDate(REFERENCE_DATE)
      return faker
    }
    const trimmed = make(fixtureLocale),
      whole = make(en)
    for (let i = 0; i < 50; i++) expect(draw(trimmed)).toEqual(draw(whole))
  })
})
