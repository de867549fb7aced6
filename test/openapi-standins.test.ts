import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { afterAll, describe, expect, it } from 'vitest'
import { importOpenApi } from '../contracts/openapi/contract.ts'
import { verify } from '../server/verify.ts'

/*
 * Issue 19, item 4: servers written from one public OpenAPI document alone, by a writer who never saw apitwin
 * (test/standins-openapi/<name>.ts, each choice the document leaves open marked `assumed:` there). Default verify
 * must raise no false alarm against each, safe and with --allow-writes; each documented rule the writer can break
 * must fail on exactly that rule.
 */
interface OpenApiStandin {
  url: string
  token: string
  credentials: Record<string, string>
  close(): Promise<void>
}
interface OpenApiStandinModule {
  document: string
  breakable: readonly string[]
  start(options?: { breaks?: readonly string[] }): Promise<OpenApiStandin>
}

const require = createRequire(import.meta.url)
const names = ['galaxy', 'petstore-31', 'petstore-expanded'] as const

/**
 * Breaks that verify cannot see, each with why. The list may only shrink.
 */
const blind: Readonly<Record<string, string>> = {}

const running: OpenApiStandin[] = []
afterAll(async () => {
  for (const server of running.splice(0)) await server.close()
})

async function setUp(name: string, breaks: readonly string[] = []) {
  const module = (await import(`./standins-openapi/${name}.ts`)) as OpenApiStandinModule
  const contract = await importOpenApi(readFileSync(require.resolve(module.document), 'utf8'), { name })
  const server = await module.start({ breaks })
  running.push(server)
  return { module, contract, server }
}

async function verifyAgainst(name: string, breaks: readonly string[], allowWrites: boolean) {
  const { contract, server } = await setUp(name, breaks)
  const result = await verify({
    api: name,
    openapi: [contract],
    baseUrl: server.url,
    ...(server.token !== '' && { token: server.token }),
    credentials: server.credentials,
    allowWrites,
    seed: 1,
    maxCases: 20,
  })
  const failures = result.report.outcomes.flatMap((o) =>
    o.failures.map((f) => ({ rule: f.rule, line: `${f.rule} — ${o.title}: ${f.detail.slice(0, 240)}` })),
  )
  return { result, failures, token: server.token }
}

describe.concurrent('OpenAPI stand-ins written from the document alone', () => {
  for (const name of names) {
    it(`${name}: default verify raises no false alarm (safe and --allow-writes)`, { timeout: 120_000 }, async () => {
      for (const allowWrites of [false, true]) {
        const { result, failures, token } = await verifyAgainst(name, [], allowWrites)
        expect(failures.map((f) => f.line).join('\n'), `false alarms, allowWrites=${String(allowWrites)}`).toBe('')
        expect(result.exitCode).toBe(0)
        if (token !== '') expect(result.stdout).not.toContain(token)
      }
    })

    it(`${name}: each documented rule broken alone fails on exactly that rule`, { timeout: 300_000 }, async () => {
      const { module } = await setUp(name)
      const wrong: string[] = []
      for (const rule of module.breakable) {
        const { failures } = await verifyAgainst(name, [rule], true)
        const failed = [...new Set(failures.map((f) => f.rule))]
        if (blind[`${name} ${rule}`] !== undefined) {
          if (failed.length > 0) wrong.push(`${rule}: listed as blind, but failed on [${failed.join(', ')}]`)
          continue
        }
        if (failed.length !== 1 || failed[0] !== rule)
          wrong.push(`${rule}: failed on [${failed.join(', ')}]\n  ${failures.map((f) => f.line).join('\n  ')}`)
      }
      expect(wrong.join('\n'), 'breaks not caught on exactly their rule').toBe('')
    })
  }
})
