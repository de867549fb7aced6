import { Ajv2020 } from 'ajv/dist/2020.js'
import { Validator } from '@seriousme/openapi-schema-validator'
import addFormats from 'ajv-formats'
import { describe, expect, it } from 'vitest'
import { runCheck } from '../suites/check.ts'
import { suites } from '../suites/suites.ts'
import { mockTarget } from '../suites/targets.ts'
import { openapi } from '../server/openapi.ts'

// Every response the mock gives while its contract suite runs is held against the OpenAPI document with a
// standard JSON Schema 2020-12 validator (Ajv, as OpenAPI 3.1 uses), so the document and the mock cannot drift.
interface Operation {
  responses: Record<string, { content?: { 'application/json'?: { schema: object } } }>
}

describe.each(Object.keys(suites))('OpenAPI document of %s', (api) => {
  it('describes every status and body the mock answers during its contract suite', async () => {
    const doc = openapi(api) as unknown as { paths: Record<string, Record<string, Operation>> }
    const operation = Object.values(Object.values(doc.paths)[0] ?? {})[0]
    if (!operation) throw new Error(`the document of ${api} has no operation`)
    const ajv = new Ajv2020({ strict: false, allErrors: true })
    addFormats.default(ajv)
    const owned = await mockTarget(api)
    const seen: Array<{ method: string; url: string; status: number; body: unknown }> = []
    const target = {
      ...owned.target,
      fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
        const response = await owned.target.fetch(input, init)
        const url = String(input instanceof Request ? input.url : input)
        if (url.startsWith(owned.target.baseUrl)) {
          const text = await response.clone().text()
          seen.push({ method: init?.method ?? 'GET', url, status: response.status, body: text === '' ? undefined : JSON.parse(text) })
        }
        return response
      },
    }
    const suite = suites[api]!
    try {
      for (const check of suite.checks) {
        await target.reset?.()
        await runCheck(suite, check, target, { strict: false })
      }
    } finally {
      await owned.close()
    }
    const problems: string[] = []
    const statuses = new Set<number>()
    for (const exchange of seen) {
      statuses.add(exchange.status)
      const schema = operation.responses[String(exchange.status)]?.content?.['application/json']?.schema
      if (!schema) {
        problems.push(`${exchange.method} ${exchange.url} answered ${exchange.status}, which the document does not list`)
        continue
      }
      const validate = ajv.compile(schema)
      if (!validate(exchange.body))
        problems.push(
          `${exchange.method} ${exchange.url} ${exchange.status}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(exchange.body).slice(0, 300)}`,
        )
    }
    expect(problems).toEqual([])
    // The suite reaches the success path and at least one refusal, or this test would prove little.
    expect(statuses.has(200)).toBe(true)
    expect([...statuses].some((s) => s >= 400)).toBe(true)
    expect(seen.length).toBeGreaterThan(20)
  }, 60_000)
})

describe('OpenAPI document shape', () => {
  it.each([undefined, ...Object.keys(suites)])('is a valid OpenAPI 3.1 document (%s), by the OpenAPI meta-schema', async (api) => {
    const result = await new Validator().validate(JSON.parse(JSON.stringify(openapi(api))) as Parameters<Validator['validate']>[0])
    expect(result.errors ?? []).toEqual([])
    expect(result.valid).toBe(true)
  })

  const op = (api: string) =>
    Object.values(
      Object.values(
        (
          openapi(api, { baseUrl: 'http://127.0.0.1:4011/' }) as unknown as {
            paths: Record<
              string,
              Record<
                string,
                {
                  parameters: Array<{ name: string; schema: { type?: string } }>
                  requestBody: { required: boolean; content: { 'application/json': { schema: { required?: string[] } } } }
                }
              >
            >
          }
        ).paths,
      )[0] ?? {},
    )[0]!

  it("points servers at the API's base under the served origin", () => {
    expect(openapi('flextell', { baseUrl: 'http://127.0.0.1:4011/' }).servers[0]?.url).toBe('http://127.0.0.1:4011/flextell')
    expect(openapi(undefined, { baseUrl: 'http://127.0.0.1:4011' }).servers[0]?.url).toBe('http://127.0.0.1:4011')
  })

  it('types path ids and X-Tenant as the docs do', () => {
    expect(op('flextell').parameters.map((p) => [p.name, p.schema.type])).toEqual([
      ['id', 'integer'],
      ['x-tenant', 'number'],
    ])
    expect(op('rails-users').parameters.map((p) => [p.name, p.schema.type])).toEqual([['id', 'integer']])
  })

  it("requires a body exactly where an empty one is refused, and medibulut's role_id", () => {
    expect(Object.fromEntries(Object.keys(suites).map((api) => [api, op(api).requestBody.required]))).toEqual({
      flextell: false,
      'rails-users': true,
      medibulut: true,
      gorules: false,
    })
    expect(op('medibulut').requestBody.content['application/json'].schema.required).toEqual(['role_id'])
  })
})
