import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { importOpenApi, type OpenApiContract } from '../contracts/openapi/contract.ts'
import { startServer, type RunningServer } from '../server/serve.ts'
import { verify } from '../server/verify.ts'
import { buildRequest, checkAnswer, responseAjv, type CollectionIds, type DiscoveredOpenApi } from './helpers/openapi-requests.ts'

// Scale: the whole GitHub REST description (@octokit/openapi, 13 MB, 1,223 operations) imports without eager
// dereferencing and answers every operation as its document allows. Import time and RSS: `npm run bench`.
const require = createRequire(import.meta.url)
const file = require.resolve('@octokit/openapi/generated/api.github.com.json')

describe('the GitHub REST description', () => {
  let contract: OpenApiContract
  let server: RunningServer
  let api: DiscoveredOpenApi
  beforeAll(async () => {
    contract = await importOpenApi(readFileSync(file, 'utf8'), { name: 'github' })
    server = await startServer({ port: 0, log: false, apis: [], openapi: { github: contract } })
    const { apis } = (await (await fetch(`${server.url}/__twin/apis`)).json()) as { apis: DiscoveredOpenApi[] }
    api = apis[0] as DiscoveredOpenApi
  }, 60_000)
  afterAll(() => server?.close())

  it('imports every operation and infers its collections', () => {
    expect(contract.operations.length).toBeGreaterThan(1000)
    expect(contract.collections.length).toBeGreaterThan(50)
  })

  it('answers every operation with a status, content type and body the document allows', async () => {
    const ajv = responseAjv()
    const ids = ((await (await fetch(api.controls['collections'] as string)).json()) as { collections: CollectionIds[] }).collections
    const problems: string[] = []
    let successes = 0
    // Deletes last, so an item another operation names still exists when it is asked for (no reset per operation:
    // re-seeding 119 collections 1,223 times would take minutes).
    const ordered = [...contract.operations].sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'))
    for (const operation of ordered) {
      const { url, init } = buildRequest(contract, api, ids, operation)
      const response = await fetch(url, init)
      const text = await response.text()
      if (response.status < 300) successes++
      problems.push(...checkAnswer(contract, ajv, operation, response.status, response.headers.get('content-type'), text))
    }
    expect(problems).toEqual([])
    // Valid requests: nearly every one succeeds. The rest are honest refusals: a delete of a parent (an org) before
    // its children, a create whose example key is already seeded (409), a pattern faker cannot draw for a path.
    expect(successes / contract.operations.length).toBeGreaterThan(0.95)
  }, 240_000)

  // Issue 19: the suite derived from the largest public document runs against a local twin in under a minute.
  it('verify github: the derived suite is clean against its in-process twin, in under a minute', async () => {
    const started = performance.now()
    const result = await verify({ api: 'github', openapi: [contract], seed: 1 })
    const failed = result.report.outcomes
      .filter((o) => o.status === 'fail')
      .map((o) => `${o.title}: ${o.failures.map((f) => f.detail).join('; ')}`)
    expect(failed).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(result.report.outcomes.length).toBeGreaterThan(50)
    expect(performance.now() - started).toBeLessThan(60_000)
  }, 120_000)
})
