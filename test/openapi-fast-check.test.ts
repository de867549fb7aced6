import { Validator } from '@cfworker/json-schema'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { importOpenApi } from '../contracts/openapi/contract.ts'
import { fastCheck } from '../contracts/openapi/fast-check.ts'
import { toJsonSchema } from '../contracts/openapi/json-schema.ts'
import { jsonMedia } from '../contracts/openapi/operations.ts'
import { createFaker } from '../fixtures/faker.ts'
import { sampleSchema } from '../fixtures/openapi-sample.ts'

// The fast path in front of @cfworker/json-schema must never accept what the full validator refuses: checked on
// every request and response schema of three public documents, with drawn values and their mutations.
const require = createRequire(import.meta.url)
const files = [
  require.resolve('@scalar/galaxy/3.1.json'),
  require.resolve('@readme/oas-examples/3.0/json/petstore.json'),
  require.resolve('@readme/oas-examples/3.1/json/schema-types.json'),
  require.resolve('@readme/oas-examples/3.0/json/schema-types.json'),
]

function mutations(value: unknown): unknown[] {
  const out: unknown[] = [null, 0, 1.5, '', 'x', true, [], {}, [value]]
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const key of Object.keys(value)) {
      const { [key]: _removed, ...rest } = value as Record<string, unknown>
      out.push(
        rest,
        { ...value, [key]: null },
        { ...value, [key]: 42 },
        { ...value, [key]: 'text' },
        { ...value, [key]: [] },
        { ...value, extra: 1 },
      )
    }
  }
  if (Array.isArray(value)) out.push([...value, null], value.slice(1), [...value, ...value])
  return out
}

describe('fastCheck', () => {
  it.each(files)('agrees with the full validator whenever it says yes: %s', async (file) => {
    const contract = await importOpenApi(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>)
    let compared = 0
    for (const operation of contract.operations) {
      const media = [
        operation.requestBody && jsonMedia(operation.requestBody.content),
        ...Object.values(operation.responses).map((r) => jsonMedia(r.content)),
      ]
      for (const [index, entry] of media.entries()) {
        if (!entry || entry[1].schema === undefined) continue
        const view = index === 0 ? 'request' : 'response'
        const bundled = toJsonSchema(contract.document, entry[1].schema, view)
        const fast = fastCheck(bundled)
        if (!fast) continue
        const full = new Validator(bundled as Record<string, unknown>, '2020-12', false)
        for (let seed = 0; seed < 3; seed++) {
          const drawn = sampleSchema({ doc: contract.document, faker: createFaker(seed), view, useExamples: seed === 0 }, entry[1].schema)
          for (const value of [drawn, ...mutations(drawn)]) {
            if (value === undefined) continue
            compared++
            if (fast(value))
              expect(full.validate(value).valid, `${operation.key} ${view}: ${JSON.stringify(value).slice(0, 200)}`).toBe(true)
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(0)
  })
})
