import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { describeLearned, mergeLearned, validateLearned, type LearnedByRule } from '../contracts/learned.ts'
import { gorules } from '../contracts/gorules.ts'
import { CAUSE_HEADER } from '../handlers/causes.ts'
import { apis, createTwin } from '../handlers/twin.ts'
import { applyLearned } from '../handlers/learned-replies.ts'
import { startServer, type RunningServer } from '../server/serve.ts'
import { calibrate } from '../suites/calibrate.ts'
import { referenceTarget } from '../suites/reference.ts'
import { suites } from '../suites/suites.ts'
import type { Target } from '../suites/target.ts'
import { runCli } from './helpers/run-cli.ts'

/*
 * Issue 21: one status, several bodies, by cause. A server often answers one status two ways for two causes the
 * mock answers alike (a missing token and a bad one; Rails' routing 404 and the controller's "User not found"; a
 * NestJS service's BadRequestException string beside the ValidationPipe's list). calibrate learns each way for the
 * cause the mock gives the refusal (the reference mock tells it in a header), and the mock answers by cause.
 */

const servers: RunningServer[] = []
const folders: string[] = []
afterAll(async () => {
  for (const server of servers.splice(0)) await server.close()
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/**
 * A "live" server: the reference mock under `readings`, each refusal rewritten by `answer` from its cause. The
 * cause header is dropped, as a real server has none.
 */
async function liveFrom(
  api: string,
  readings: Readonly<Record<string, string>>,
  answer: (cause: string | null, body: Record<string, unknown>, status: number) => { status: number; body: unknown } | undefined,
): Promise<Target> {
  const mock = await referenceTarget(api, readings)
  return {
    ...mock,
    label: `staging ${api}`,
    fetch: async (input, init) => {
      const response = await mock.fetch(input, init)
      const body = (await response.json()) as Record<string, unknown>
      const rewritten = answer(response.headers.get(CAUSE_HEADER), body, response.status)
      return Response.json(rewritten?.body ?? body, { status: rewritten?.status ?? response.status })
    },
  }
}

const distinctRules = (remaining: ReadonlyArray<{ rule: string }>) => [...new Set(remaining.map((d) => d.rule))]

describe('learned pieces by cause', () => {
  it("the mock answers a piece learned for its refusal's cause first, the per-status piece for any other cause", () => {
    const learned = mergeLearned({
      'error.body': {
        bodies: { 401: { statusCode: '<status>', message: '<mock.message>', error: 'Unauthorized' } },
        causes: {
          'auth.missing': { bodies: { 401: { statusCode: '<status>', message: '<mock.message>' } }, seen: ['PUT as anonymous'] },
          'roles.exist': { bodies: { 400: { statusCode: '<status>', message: '<mock.message[0]>' } }, seen: [] },
        },
        seen: [],
      },
    })
    const unauthorized = { status: 401, body: { statusCode: 401, message: 'Unauthorized' } }
    expect(applyLearned({ ...unauthorized, cause: 'auth.missing' }, learned, []).body).toEqual({ statusCode: 401, message: 'Unauthorized' })
    expect(applyLearned({ ...unauthorized, cause: 'auth.invalid' }, learned, []).body).toEqual({
      statusCode: 401,
      message: 'Unauthorized',
      error: 'Unauthorized',
    })
    // One text where the mock lists them: the first of the list.
    const roles = { status: 400, body: { statusCode: 400, message: ['Role x does not exist'], error: 'Bad Request' }, cause: 'roles.exist' }
    expect(applyLearned(roles, learned, []).body).toEqual({ statusCode: 400, message: 'Role x does not exist' })
    expect(applyLearned({ ...roles, cause: 'validation' }, learned, []).body).toEqual(roles.body)
  })

  it('a config file\'s "causes" are checked, described, and listed by `apitwin readings`', async () => {
    const good: LearnedByRule = {
      'error.body': {
        causes: { 'auth.invalid': { bodies: { 401: { message: '<mock.message>' } }, seen: ['PUT as a raw token'] } },
        seen: [],
      },
    }
    expect(validateLearned(gorules.rules, good)).toEqual([])
    expect(validateLearned(gorules.rules, { 'error.body': { causes: [], seen: [] } })).toEqual([
      'error.body.causes: must be an object: cause → learned pieces',
    ])
    expect(validateLearned(gorules.rules, { 'error.body': { causes: { route: { bodies: [] } }, seen: [] } })).toEqual([
      'error.body.causes.route.bodies: must be an object',
      'error.body.causes.route.seen: must be a list of requests',
    ])
    expect(describeLearned(good['error.body'] ?? { seen: [] })).toBe('for auth.invalid: 1 error body (401)')
    const dir = mkdtempSync(join(tmpdir(), 'apitwin-causes-'))
    folders.push(dir)
    const file = join(dir, 'apitwin.config.json')
    writeFileSync(file, JSON.stringify({ learned: { gorules: good } }))
    const listed = await runCli(['readings', 'gorules', '--config', file])
    expect(listed.code, listed.stderr).toBe(0)
    expect(listed.stdout).toContain('+ learned: for auth.invalid: 1 error body (401)')
  })

  it('gorules: a missing token and a bad one answered with two 401 bodies are learned per cause; a restart from the file keeps them', async () => {
    // Nest's bare UnauthorizedException for a missing header (the mock's own body), the app's text for a bad token.
    const live = await liveFrom('gorules', {}, (cause) =>
      cause === 'auth.invalid'
        ? { status: 401, body: { statusCode: 401, message: 'Invalid or expired personal access token', error: 'Unauthorized' } }
        : undefined,
    )
    const result = await calibrate(suites['gorules'] ?? expect.fail('no gorules suite'), live)
    expect(distinctRules(result.remaining)).toEqual([])
    const pieces = result.learned['error.body']
    expect(pieces?.bodies?.['401'], 'two bodies for one status: none holds for every cause').toBeUndefined()
    expect(pieces?.causes?.['auth.invalid']?.bodies?.['401']).toEqual({
      statusCode: '<status>',
      message: '<mock.message>',
      error: 'Unauthorized',
    })
    expect(pieces?.causes?.['auth.invalid']?.messages).toEqual({ '["Unauthorized"]': ['Invalid or expired personal access token'] })
    expect(pieces?.causes?.['auth.invalid']?.seen[0]).toMatch(/as a raw token/)

    const served = await startServer({ port: 0, log: false, learned: { gorules: result.learned } })
    servers.push(served)
    const ask = async (authorization?: string) => {
      const response = await fetch(`${served.url}/gorules/api/users/00000000-0000-4000-8000-000000000000`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', ...(authorization !== undefined && { authorization }) },
        body: '{}',
      })
      return { status: response.status, body: (await response.json()) as unknown, cause: response.headers.get(CAUSE_HEADER) }
    }
    expect(await ask()).toEqual({ status: 401, body: { statusCode: 401, message: 'Unauthorized' }, cause: null })
    expect(await ask('Bearer not-a-token')).toEqual({
      status: 401,
      body: { statusCode: 401, message: 'Invalid or expired personal access token', error: 'Unauthorized' },
      cause: null,
    })
  }, 60_000)

  it("gorules: a service's BadRequestException with one message beside the ValidationPipe's list is learned for roles.exist", async () => {
    const live = await liveFrom('gorules', {}, (cause, body, status) =>
      cause === 'roles.exist' && Array.isArray(body['message'])
        ? { status, body: { ...body, message: `Unknown role id(s): ${String(body['message'][0]).split(' ')[1]}` } }
        : undefined,
    )
    const result = await calibrate(suites['gorules'] ?? expect.fail('no gorules suite'), { ...live, allowWrites: true })
    expect(distinctRules(result.remaining)).toEqual([])
    const scoped = Object.values(result.learned).flatMap((pieces) => Object.entries(pieces.causes ?? {}))
    expect(scoped.map(([cause, pieces]) => [cause, pieces.bodies?.['400']?.['message']])).toContainEqual([
      'roles.exist',
      '<mock.message[0]>',
    ])
  }, 60_000)

  it('gorules: a refusal naming the id the request sent is learned with a placeholder: another id gets its own, with the learned status', async () => {
    // The varied stand-in's wording and status: 422 "Unknown role id(s): <id>" where the mock says 400 "Role <id> does not exist".
    const live = await liveFrom('gorules', {}, (cause, body) =>
      cause === 'roles.exist' && Array.isArray(body['message'])
        ? {
            status: 422,
            body: {
              statusCode: 422,
              message: `Unknown role id(s): ${String(body['message'][0]).split(' ')[1]}`,
              error: 'Unprocessable Entity',
            },
          }
        : undefined,
    )
    const result = await calibrate(suites['gorules'] ?? expect.fail('no gorules suite'), { ...live, allowWrites: true })
    expect(distinctRules(result.remaining)).toEqual([])
    expect(JSON.stringify(result.learned), 'no id the probe sent is learned literally').not.toContain(
      '00000000-0000-4000-8000-000000000000',
    )
    const twin = await createTwin({ apis: apis.filter((a) => a.name === 'gorules'), learned: { gorules: result.learned } })
    const served = await startServer({ port: 0, twin, log: false, fastGlobals: false })
    servers.push(served)
    const actor = twin.accounts('gorules').find((a) => a.label === 'actor') ?? expect.fail('no actor')
    const other = '5b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e'
    const response = await fetch(`${served.url}/gorules/api/users/${String(actor.userId)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${actor.token}` },
      body: JSON.stringify({ roles: [other] }),
    })
    expect({ status: response.status, body: (await response.json()) as unknown }).toEqual({
      status: 422,
      body: { statusCode: 422, message: `Unknown role id(s): ${other}`, error: 'Unprocessable Entity' },
    })
  }, 60_000)

  it("rails-users: Rails' routing 404 beside the controller's documented 404 is learned for the route alone", async () => {
    const live = await liveFrom('rails-users', { 'path.id': 'constraint' }, (cause, _body, status) =>
      cause === 'route' ? { status, body: { status, error: 'Not Found' } } : undefined,
    )
    const result = await calibrate(suites['rails-users'] ?? expect.fail('no rails-users suite'), live)
    expect(result.readings['path.id']).toBe('constraint')
    expect(distinctRules(result.remaining)).toEqual([])
    const bodies = Object.values(result.learned).map((pieces) => pieces.bodies?.['404'])
    expect(
      bodies.filter((b) => b !== undefined),
      'the documented 404 keeps its body',
    ).toEqual([])
    const route = Object.values(result.learned).flatMap((pieces) => pieces.causes?.['route']?.bodies?.['404'] ?? [])
    expect(route[0]).toEqual({ status: '<status>', error: 'Not Found' })
  }, 60_000)
})
