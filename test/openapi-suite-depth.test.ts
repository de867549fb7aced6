import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { afterEach, describe, expect, it } from 'vitest'
import { importOpenApi, type OpenApiContract } from '../contracts/openapi/contract.ts'
import type { Params, RequestLike } from '../handlers/twin-api.ts'
import { createTwin, type Twin } from '../handlers/twin.ts'
import { startServer, type RunningServer } from '../server/serve.ts'
import { verify, type VerifyOptions } from '../server/verify.ts'
import { brokenBodies, validBody } from '../suites/openapi-bodies.ts'
import { openApiSuite } from '../suites/openapi-suite.ts'
import { libraryDocument } from './helpers/library-document.ts'

// Issue 19, the derived suite's depth: every constraint broken once (nested ones, item counts, parameters), a
// format resting on its inferred premise; the lifecycle reading the list and working under an existing parent; what
// the suite cannot delete named in the report.
const require = createRequire(import.meta.url)
const galaxyFile = require.resolve('@scalar/galaxy/3.1.yaml')

const running: RunningServer[] = []
afterEach(async () => {
  for (const server of running.splice(0)) await server.close()
})

let libraryContract: OpenApiContract | undefined
const library = async () => (libraryContract ??= await importOpenApi(libraryDocument(), { name: 'library' }))
let galaxyContract: OpenApiContract | undefined
const galaxy = async () => (galaxyContract ??= await importOpenApi(readFileSync(galaxyFile, 'utf8'), { name: 'galaxy' }))

type Resolve = ReturnType<Twin['state']>['resolve']
type Breakage = (resolve: Resolve) => Resolve

/** The twin of `contract` over HTTP on an ephemeral port, its resolver wrapped by `breakage`; verify's options for it. */
async function served(contract: OpenApiContract, breakage?: Breakage): Promise<VerifyOptions> {
  const name = contract.name
  const twin = await createTwin({ apis: [], openapi: { [name]: contract } })
  const wrapped: Twin = breakage ? { ...twin, state: (api) => ({ ...twin.state(api), resolve: breakage(twin.state(api).resolve) }) } : twin
  const server = await startServer({ port: 0, twin: wrapped, log: false })
  running.push(server)
  const bearer = Object.values(twin.accounts(name)[0]?.credentials ?? {}).find((c) => /^Bearer /.test(c.value))?.value ?? ''
  return { api: name, openapi: [contract], baseUrl: `${server.url}/${name}`, token: bearer.replace(/^Bearer /, ''), seed: 1, maxCases: 100 }
}

/** A breakage that rewrites the JSON body of one operation's requests before the twin sees it. */
const rewritingBody =
  (operation: string, rewrite: (body: Record<string, unknown>) => Record<string, unknown>): Breakage =>
  (resolve) =>
  async (request: RequestLike, params: Params, key?: string) => {
    const text = await request.text()
    let fixed = text
    if (key === operation) {
      try {
        const body: unknown = JSON.parse(text)
        if (typeof body === 'object' && body !== null && !Array.isArray(body))
          fixed = JSON.stringify(rewrite(body as Record<string, unknown>))
      } catch {
        // Not JSON: the twin refuses it as it would.
      }
    }
    return resolve({ headers: request.headers, url: request.url, text: async () => fixed }, params, key)
  }

const rulesOf = (outcomes: Awaited<ReturnType<typeof verify>>['report']['outcomes'], kind: 'failures' | 'warnings') =>
  new Set(outcomes.flatMap((o) => o[kind].map((f) => f.rule)))

describe('each constraint broken once, nested too', () => {
  it('breaks nested properties, array items and item counts, each constraint once, a format resting on request.format', async () => {
    const contract = await library()
    const create = contract.operations.find((op) => op.key === 'POST /authors/{authorId}/books')
    const schema = create?.requestBody?.content['application/json']?.schema
    const valid = validBody(contract, schema, [], 1)
    expect(valid).toBeDefined()
    const cases = brokenBodies(contract, schema, valid ?? {})
    const titles = cases.map((c) => `${c.field} ${c.kind}`)
    expect(titles).toEqual(
      expect.arrayContaining([
        'edition.year required',
        'edition.year minimum',
        'edition.year maximum',
        'edition.format enum',
        'edition.format enum-case',
        'edition.isbn pattern',
        'edition.apitwin_unknown_field additionalProperties',
        'tags minItems',
        'tags maxItems',
        'tags[0].label required',
        'tags[0].label maxLength',
        'title minLength',
        'contact format',
        'apitwin_unknown_field additionalProperties',
      ]),
    )
    // Each constraint once: no field and kind twice.
    expect(new Set(titles).size).toBe(titles.length)
    expect(cases.filter((c) => c.premise === 'request.format').map((c) => c.field)).toEqual(['contact'])
    // The document's own validator refuses every case.
    for (const c of cases) expect(contract.check(schema, 'request')(c.body).length, c.title).toBeGreaterThan(0)
  })

  it('breaks the nested constraints of Scalar Galaxy (an exclusive minimum, a required field of an array item)', async () => {
    const contract = await galaxy()
    const create = contract.operations.find((op) => op.key === 'POST /planets')
    const media = create?.requestBody?.content['application/json']
    const cases = brokenBodies(contract, media?.schema, validBody(contract, media?.schema, media?.examples ?? [], 1) ?? {})
    expect(cases.map((c) => `${c.field} ${c.kind}`)).toEqual(
      expect.arrayContaining(['physicalProperties.mass minimum', 'satellites[0].name required', 'satellites[0].type enum-case']),
    )
  })

  it('breaks query, header and path parameters, and --max-cases bounds the cases of each operation', async () => {
    const contract = await library()
    const titles = openApiSuite(contract, { maxCases: 100, seed: 1 }).checks.map((c) => c.title)
    expect(titles).toEqual(
      expect.arrayContaining([
        'GET /authors: refuses query parameter limit: 0, below its minimum 1 (minimum)',
        'GET /authors: refuses query parameter limit: 51, above its maximum 50 (maximum)',
        'GET /authors: refuses query parameter limit: a string instead of integer (type)',
        'GET /authors: refuses header parameter x-request-id: 9 characters, over maxLength 8 (maxLength)',
        'GET /authors: refuses header parameter x-request-id: a value that misses the pattern (pattern)',
        'GET /authors/{authorId}: refuses path parameter authorId: a string instead of integer (type)',
      ]),
    )
    const capped = openApiSuite(contract, { maxCases: 2, seed: 1 }).checks.map((c) => c.title)
    const perOperation = new Map<string, number>()
    for (const title of capped.filter((t) => t.includes(': refuses '))) {
      const key = `${title.slice(0, title.indexOf(':'))} ${title.includes('parameter') ? 'parameter' : 'body'}`
      perOperation.set(key, (perOperation.get(key) ?? 0) + 1)
    }
    expect(Math.max(...perOperation.values())).toBe(2)
    expect(openApiSuite(contract, { maxCases: 0 }).checks.some((c) => c.title.includes(': refuses '))).toBe(false)
  })

  it('a server that leaves a nested constraint unchecked fails on exactly request.schema', async () => {
    // Takes a book whose edition year is before printing: what the document's minimum forbids.
    const options = await served(
      await library(),
      rewritingBody('POST /authors/{authorId}/books', (body) => {
        const edition = body['edition']
        return typeof edition === 'object' && edition !== null && (edition as { year?: unknown }).year === 1449
          ? { ...body, edition: { ...edition, year: 1965 } }
          : body
      }),
    )
    const result = await verify(options)
    expect(result.exitCode).toBe(1)
    const failed = result.report.outcomes.filter((o) => o.status === 'fail')
    expect(failed.map((o) => o.title)).toEqual([
      'POST /authors/{authorId}/books: refuses edition.year: 1449, below its minimum 1450 (minimum)',
    ])
    expect(rulesOf(result.report.outcomes, 'failures')).toEqual(new Set(['request.schema']))
    expect(rulesOf(result.report.outcomes, 'warnings')).toEqual(new Set())
  })

  it('a server that takes any string as an email warns on body.formats (a failure only with --strict)', async () => {
    const options = await served(
      await library(),
      rewritingBody('POST /authors/{authorId}/books', (body) =>
        body['contact'] === 'not a valid value' ? { ...body, contact: 'frank@example.com' } : body,
      ),
    )
    const loose = await verify(options)
    expect(loose.exitCode, loose.stdout).toBe(0)
    // The field is in body.formats' list (per field, followed by the twin): the case rests there, not on request.format.
    expect(rulesOf(loose.report.outcomes, 'warnings')).toEqual(new Set(['body.formats']))
    const strict = await verify({ ...options, strict: true })
    expect(strict.exitCode).toBe(1)
    expect(rulesOf(strict.report.outcomes, 'failures')).toEqual(new Set(['body.formats']))
    const told = await verify({ ...options, strict: true, readings: { 'body.formats': 'unchecked:contact' } })
    expect(told.exitCode, told.stdout).toBe(0)
  })

  it('a server that clamps a query parameter warns on parameter.checks (a failure only with --strict)', async () => {
    const clamping: Breakage = (resolve) => async (request, params, key) => {
      if (key !== 'GET /authors' || request.url === undefined) return resolve(request, params, key)
      const url = new URL(request.url, 'http://twin.test')
      const limit = Number(url.searchParams.get('limit') ?? '20')
      if (url.searchParams.has('limit'))
        url.searchParams.set('limit', String(Number.isInteger(limit) ? Math.min(50, Math.max(1, limit)) : 20))
      return resolve({ headers: request.headers, url: `${url.pathname}${url.search}`, text: () => request.text() }, params, key)
    }
    const options = await served(await library(), clamping)
    const loose = await verify(options)
    expect(loose.exitCode, loose.stdout).toBe(0)
    expect(rulesOf(loose.report.outcomes, 'warnings')).toEqual(new Set(['parameter.checks']))
    const strict = await verify({ ...options, strict: true })
    expect(rulesOf(strict.report.outcomes, 'failures')).toEqual(new Set(['parameter.checks']))
    const told = await verify({ ...options, strict: true, readings: { 'parameter.checks': 'tolerated' } })
    expect(told.exitCode, told.stdout).toBe(0)
  })
})

describe('stateful sequences: the list, nested collections, an unknown parent', () => {
  it('runs the whole lifecycle of a top-level and a nested collection against the twin over HTTP, clean', async () => {
    const options = await served(await library())
    const result = await verify({ ...options, allowWrites: true })
    expect(result.exitCode, result.stdout).toBe(0)
    expect(result.stdout).toMatch(/✓ authors: create → read → listed → update → read → delete → read → not listed \(lifecycle\)/)
    expect(result.stdout).toMatch(
      /✓ authors\.books: create → read → listed → update → read → delete → read → not listed under a authors item \(lifecycle\)/,
    )
    expect(result.stdout).toMatch(/✓ GET \/authors\/\{authorId\}\/books: an unknown authorId \(no such authors\) → 404/)
    expect(result.stdout).toMatch(
      /✓ GET \/authors\/\{authorId\}\/books\/\{bookId\}: an unknown bookId under an existing authors item → 404/,
    )
    expect(rulesOf(result.report.outcomes, 'warnings')).toEqual(new Set())
    // The lifecycle's list steps are asserted, under the rules they rest on.
    const lifecycle = result.report.outcomes.find((o) => o.title.startsWith('authors.books: create'))
    expect(lifecycle?.asserted).toEqual(expect.arrayContaining(['create.status', 'item.stored', 'delete.status', 'delete.then']))
  })

  it('a server whose list does not show a new item warns on item.stored; --strict fails on it alone', async () => {
    // Lists only the seeded authors (ids up to 25), as a server with a stale cache would.
    const stale: Breakage = (resolve) => async (request, params, key) => {
      const reply = await resolve(request, params, key)
      if (key !== 'GET /authors' || !Array.isArray(reply.body)) return reply
      return {
        ...reply,
        body: reply.body.filter((a: unknown) => typeof a === 'object' && a !== null && Number((a as { id?: unknown }).id) <= 25),
      }
    }
    const options = { ...(await served(await library(), stale)), allowWrites: true }
    const loose = await verify(options)
    expect(loose.exitCode, loose.stdout).toBe(0)
    expect(rulesOf(loose.report.outcomes, 'warnings')).toEqual(new Set(['item.stored']))
    expect(loose.stdout).toMatch(/GET \/authors does not show the created authors \d+/)
    const strict = await verify({ ...options, strict: true })
    expect(rulesOf(strict.report.outcomes, 'failures')).toEqual(new Set(['item.stored']))
  })

  it('a server whose list still shows a deleted item warns on delete.then; --strict fails on it alone', async () => {
    // A list behind a cache that only ever adds: an author deleted (and answered 404 by its read) stays listed.
    let cached: unknown[] = []
    const idOf = (item: unknown) => (typeof item === 'object' && item !== null ? (item as { id?: unknown }).id : undefined)
    const stale: Breakage = (resolve) => async (request, params, key) => {
      const reply = await resolve(request, params, key)
      if (key !== 'GET /authors' || !Array.isArray(reply.body)) return reply
      const fresh: unknown[] = reply.body
      cached = [...fresh, ...cached.filter((old) => !fresh.some((item) => idOf(item) === idOf(old)))]
      // Still a page of the size asked for: the cache keeps what was deleted, it does not break the paging.
      const limit = Number(new URL(request.url ?? '/', 'http://twin.test').searchParams.get('limit') ?? '20')
      return { ...reply, body: cached.slice(0, limit) }
    }
    const options = { ...(await served(await library(), stale)), allowWrites: true }
    const loose = await verify(options)
    expect(loose.exitCode, loose.stdout).toBe(0)
    expect(rulesOf(loose.report.outcomes, 'warnings')).toEqual(new Set(['delete.then']))
    expect(loose.stdout).toMatch(/GET \/authors still shows the deleted authors \d+/)
    cached = []
    const strict = await verify({ ...options, strict: true })
    expect(rulesOf(strict.report.outcomes, 'failures')).toEqual(new Set(['delete.then']))
  })

  it('a server that ignores the parent of a nested path fails on exactly item.unknown', async () => {
    // Answers every book path with a valid author id as if it named author 1: an unknown author's books are then
    // author 1's (an invalid id is still refused, as the document says).
    const unscoped: Breakage = (resolve) => async (request, params, key) =>
      resolve(
        request,
        key?.startsWith('GET /authors/{authorId}/books') && /^[1-9]\d*$/.test(params['authorId'] ?? '')
          ? { ...params, authorId: '1' }
          : params,
        key,
      )
    const result = await verify({ ...(await served(await library(), unscoped)), allowWrites: true })
    expect(result.exitCode).toBe(1)
    expect(rulesOf(result.report.outcomes, 'failures')).toEqual(new Set(['item.unknown']))
    expect(result.report.outcomes.filter((o) => o.status === 'fail').map((o) => o.title)).toEqual([
      'GET /authors/{authorId}/books: an unknown authorId (no such authors) → 404',
    ])
  })
})

describe('ids left behind', () => {
  it('names what it could not delete (no DELETE) in the default, json and junit reports, without the token', async () => {
    const options = { ...(await served(await library())), allowWrites: true, disposable: true }
    const plain = await verify(options)
    expect(plain.exitCode, plain.stdout).toBe(0)
    expect(plain.stdout).toMatch(
      /left behind on http:\/\/127\.0\.0\.1:\d+\/library \(the API has no way to delete them; remove them by hand\):/,
    )
    expect(plain.stdout).toMatch(/ {2}notes id=\d+ at \/notes\/\d+ \(the document has no DELETE for it\)/)
    // What it could delete, it did: no author or book of the run's is named.
    expect(plain.stdout).not.toMatch(/left behind: authors/)
    const json = JSON.parse((await verify({ ...options, reporter: 'json' })).stdout) as { leftBehind: string[] }
    expect(json.leftBehind.length).toBeGreaterThan(0)
    expect(json.leftBehind.every((line) => /^notes id=\d+ at \/notes\/\d+/.test(line))).toBe(true)
    const junit = (await verify({ ...options, reporter: 'junit' })).stdout
    expect(junit).toMatch(/<system-out>left behind on .*\n {2}notes id=\d+ at \/notes\/\d+/)
    for (const out of [plain.stdout, JSON.stringify(json), junit]) expect(out).not.toContain(options.token)
  })

  it('leaves nothing behind on Scalar Galaxy, whose every collection has a DELETE', async () => {
    const options = { ...(await served(await galaxy())), allowWrites: true }
    const count = async () => {
      const res = await fetch(`${options.baseUrl}/planets?limit=1000`)
      return ((await res.json()) as { data: unknown[] }).data.length
    }
    const before = await count()
    const result = await verify(options)
    expect(result.exitCode, result.stdout).toBe(0)
    expect(result.report.outcomes.flatMap((o) => o.leftBehind ?? [])).toEqual([])
    expect(result.stdout).not.toContain('left behind')
    expect(await count()).toBe(before)
  })
})
