import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { importOpenApi, type OpenApiContract } from '../contracts/openapi/contract.ts'
import { createTwin, type Twin } from '../handlers/twin.ts'
import { startServer } from '../server/serve.ts'
import { verify } from '../server/verify.ts'
import { spawnServe } from './helpers/spawn-serve.ts'
import { startSpringGalaxy } from './helpers/spring-galaxy-server.ts'
import { runCli } from './helpers/run-cli.ts'

/*
 * Issue 21, item 4: calibrate learns an imported API's server as it learns the four's. A Galaxy server written as a
 * Spring Boot team would (test/helpers/spring-galaxy-server.ts) answers Spring's error body, 403 for a wrong token
 * (401 for none), takes a numeric string for habitabilityIndex but not for the physicalProperties numbers, checks
 * discoveredAt's date-time but not the callback URLs' uri. calibrate must find the per-field readings, learn the
 * body and the status, write them to the config; the twin must answer with them after a restart from the file;
 * nothing learned must leave the twin as it was; a conforming server must not be "learned" into anything.
 */
const require = createRequire(import.meta.url)
const galaxyFile = require.resolve('@scalar/galaxy/3.1.yaml')
const TOKEN = 'spring-galaxy-token-1'

const running: Array<{ close: () => Promise<void> }> = []
const folders: string[] = []
afterEach(async () => {
  for (const server of running.splice(0)) await server.close()
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true })
})

let galaxyContract: OpenApiContract | undefined
const galaxy = async () => (galaxyContract ??= await importOpenApi(readFileSync(galaxyFile, 'utf8'), { name: 'galaxy' }))

function tempConfig(content?: object): string {
  const dir = mkdtempSync(join(tmpdir(), 'apitwin-learn-'))
  folders.push(dir)
  const file = join(dir, 'apitwin.config.json')
  if (content) writeFileSync(file, JSON.stringify(content))
  return file
}

async function spring(): Promise<string> {
  const server = await startSpringGalaxy(TOKEN)
  running.push(server)
  return server.url
}

/** The twin's bearer token for Galaxy (one secret for every bearer scheme). */
function bearerOf(twin: Twin): string {
  const credentials = twin.accounts('galaxy')[0]?.credentials ?? {}
  return (
    Object.values(credentials)
      .find((c) => /^Bearer /.test(c.value))
      ?.value.replace(/^Bearer /, '') ?? ''
  )
}

interface Written {
  readings: Record<string, Record<string, string>>
  learned?: Record<string, Record<string, { statuses?: Record<string, number>; bodies?: Record<string, unknown>; messages?: object }>>
}

interface DiffJson {
  rules: Array<{ rule: string; provenance: string; differences: Array<{ check: string; aspect: string; live: string }> }>
}

/** One request to a server of Galaxy (the twin under /galaxy, the Spring server at its root). */
async function ask(base: string, method: string, path: string, { token, body }: { token?: string; body?: unknown } = {}) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(token !== undefined && { authorization: `Bearer ${token}` }),
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  })
  const text = await response.text()
  return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>) }
}

describe('calibrate learns an imported API (issue 21, item 4)', () => {
  it('learns a Spring Boot Galaxy server: per-field coercion and formats, its error body, 403 for a wrong token', async () => {
    const baseUrl = await spring()
    const live = ['--openapi', `galaxy=${galaxyFile}`, '--base-url', baseUrl, '--token', TOKEN, '--allow-writes']
    // Before: diff names each behaviour under its rule, none documented (no false alarm), so exit 0.
    const before = await runCli(['diff', 'galaxy', ...live, '--reporter', 'json'])
    expect(before.code, before.stdout).toBe(0)
    const named = (JSON.parse(before.stdout) as DiffJson).rules
    expect(named.filter((r) => r.provenance === 'documented')).toEqual([])
    expect(named.map((r) => r.rule)).toEqual(expect.arrayContaining(['auth.status', 'error.body', 'body.coercion', 'body.formats']))

    const config = tempConfig({ $schema: 'kept' })
    const calibrated = await runCli(['calibrate', 'galaxy', ...live, '--write', config])
    expect(calibrated.stderr).toBe('')
    expect(calibrated.stdout).not.toContain(TOKEN)
    expect(calibrated.stdout).toContain('body.coercion = coerced:habitabilityIndex (default strict)')
    expect(calibrated.stdout).toContain('body.formats = unchecked:failureCallbackUrl,successCallbackUrl (default checked)')
    expect(calibrated.stdout).toMatch(/auth\.status: learned \(no reading answers \{"none":401,"wrong":403\}/)
    expect(calibrated.stdout).toMatch(
      /error\.body: learned \(no reading answers \{"keys":\["error","message","path","status","timestamp"\]/,
    )
    // What remains is named, and it is data, not dialect: the first planet of GET /planets?limit=1 holds optional
    // fields on the twin (drawn from the schema) that the server's seeded planets leave out. diff compares the
    // shapes of two data sets there; no reading or learned piece should make a mock copy a server's data.
    expect(calibrated.code, calibrated.stdout).toBe(1)
    const remaining = calibrated.stdout.slice(calibrated.stdout.indexOf('still different after calibration'))
    // The lifecycle's list reads compare the same two data sets, charged to the rules those checks rest on.
    const lines = remaining.split('\n').filter((line) => line.startsWith('  '))
    expect(lines.length).toBeGreaterThan(0)
    for (const line of lines)
      expect(line).toMatch(/^ {2}(\(unattributed\)|item\.stored|delete\.then): body shape — mock data: array.* \/ server data\[\]\./)

    const written = JSON.parse(readFileSync(config, 'utf8')) as Written & { $schema: string }
    expect(written.$schema).toBe('kept')
    expect(written.readings['galaxy']).toMatchObject({
      'body.coercion': 'coerced:habitabilityIndex',
      'body.formats': 'unchecked:failureCallbackUrl,successCallbackUrl',
      'validation.status': '400',
    })
    expect(written.readings['galaxy']).not.toHaveProperty('auth.status')
    const learned = written.learned?.['galaxy']
    expect(learned?.['auth.status']?.statuses).toEqual({
      '401 The credentials sent are not valid; GET /__twin/apis lists the ones this twin takes.': 403,
    })
    const spring403 = { timestamp: '<now>', status: '<status>', error: 'Forbidden', message: '<mock.detail>', path: '<path>' }
    expect(learned?.['auth.status']?.bodies?.['403']).toEqual(spring403)
    expect(learned?.['error.body']?.bodies?.['400']).toEqual({ ...spring403, error: 'Bad Request' })
    // No secret or account value is kept: not the token, not an id the requests named (they are placeholders).
    expect(JSON.stringify(written)).not.toContain(TOKEN)
    expect(JSON.stringify(learned)).toContain('<param.planetId>')

    // diff --strict under the file: only the data difference calibrate named.
    const after = await runCli(['diff', 'galaxy', ...live, '--config', config, '--strict', '--reporter', 'json'])
    expect(after.code).toBe(1)
    const left = (JSON.parse(after.stdout) as DiffJson).rules
    // Body shapes of list data only (the pagination probe's, the lifecycle's list reads), never a field of another type.
    for (const rule of left)
      for (const difference of rule.differences) {
        expect(`${rule.rule}: ${difference.check} (${difference.aspect})`).toMatch(/ \(body shape\)$/)
        expect(difference.live).not.toMatch(/: (string|number|object|array) \(mock:/)
      }
    expect(left.map((r) => r.rule)).toContain('(unattributed)')

    // apitwin readings lists the per-field readings and what was learned.
    const listed = await runCli(['readings', 'galaxy', '--openapi', `galaxy=${galaxyFile}`, '--config', config])
    expect(listed.code).toBe(0)
    expect(listed.stdout).toContain('* galaxy.body.coercion=coerced:habitabilityIndex (active, field by field)')
    expect(listed.stdout).toMatch(
      /auth\.status \[inferred\][^]*?\+ learned: 1 status \(403\), 2 error bodies \(401, 403\), 2 message texts/,
    )

    // After a restart from the file (`apitwin serve --config`, its own process) the twin answers as the server does;
    // a twin without the file as before.
    const file = JSON.parse(readFileSync(config, 'utf8')) as object
    writeFileSync(config, JSON.stringify({ ...file, apis: { galaxy: { openapi: galaxyFile } } }))
    const served = await spawnServe(['--config', config, '--quiet'])
    running.push({ close: async () => void (await served.stop()) })
    const plain = await startServer({ port: 0, log: false, apis: [], openapi: { galaxy: await galaxy() } })
    running.push(plain)
    const [twin, before2] = [`${served.url}/galaxy`, `${plain.url}/galaxy`]
    // The twin's credentials depend on the document and the seed only: both servers take the same token.
    const twinToken = () => own
    const own = bearerOf(await createTwin({ apis: [], openapi: { galaxy: await galaxy() } }))
    const planet = { name: 'Kepler', habitabilityIndex: '0.5' }
    const cases: Array<[string, string, string | undefined, unknown]> = [
      ['wrong token', 'PUT /planets/1', 'wrong-token-0000', { name: 'Kepler' }],
      ['no token', 'POST /planets', undefined, { name: 'Kepler' }],
      ['a numeric string where coerced', 'POST /planets', 'valid', planet],
      ['a numeric string where strict', 'POST /planets', 'valid', { name: 'Kepler', physicalProperties: { mass: '0.5' } }],
      ['an unchecked uri', 'POST /planets', 'valid', { name: 'Kepler', successCallbackUrl: 'not a url' }],
      ['a checked date-time', 'POST /planets', 'valid', { name: 'Kepler', discoveredAt: 'yesterday' }],
      ['an unknown planet', 'GET /planets/987654321', undefined, undefined],
    ]
    for (const [what, operation, token, body] of cases) {
      const [method = 'GET', path = '/'] = operation.split(' ')
      const theirs = await ask(baseUrl, method, path, { token: token === 'valid' ? TOKEN : token, body })
      const mine = await ask(twin, method, path, { token: token === 'valid' ? twinToken() : token, body })
      expect([what, mine.status], JSON.stringify(mine.body)).toEqual([what, theirs.status])
      if (theirs.status >= 400) {
        expect(Object.keys(mine.body ?? {}).sort(), what).toEqual(['error', 'message', 'path', 'status', 'timestamp'])
        expect({ ...mine.body, timestamp: 'T' }, what).toEqual({ ...theirs.body, timestamp: 'T' })
        expect(Date.parse(String(mine.body?.['timestamp'])), what).not.toBeNaN()
      } else expect(mine.body?.['habitabilityIndex'] ?? 'not sent', what).toEqual(theirs.body?.['habitabilityIndex'] ?? 'not sent')
    }
    // Nothing learned, nothing changed: the default twin keeps 401, its own error body, the document's types.
    expect((await ask(before2, 'PUT', '/planets/1', { token: 'wrong-token-0000', body: { name: 'Kepler' } })).status).toBe(401)
    const strict = await ask(before2, 'POST', '/planets', { token: twinToken(), body: planet })
    expect(strict.status).toBe(400)
    expect(Object.keys(strict.body ?? {}).sort()).toEqual(['detail', 'status', 'title', 'type'])
  }, 120_000)

  it('learns nothing from a conforming server: calibrate against the twin itself keeps every default and writes no "learned"', async () => {
    const contract = await galaxy()
    const twin = await createTwin({ apis: [], openapi: { galaxy: contract } })
    const server = await startServer({ port: 0, twin, log: false })
    running.push(server)
    const token = bearerOf(twin)
    const config = tempConfig()
    const live = ['--openapi', `galaxy=${galaxyFile}`, '--base-url', `${server.url}/galaxy`, '--token', token, '--allow-writes']
    const calibrated = await runCli(['calibrate', 'galaxy', ...live, '--write', config])
    expect(calibrated.code, calibrated.stdout).toBe(0)
    expect(calibrated.stdout).not.toContain('learned from')
    const written = JSON.parse(readFileSync(config, 'utf8')) as Written
    expect(written.learned).toBeUndefined()
    const defaults = Object.fromEntries(
      Object.entries(contract.rules).flatMap(([id, rule]) =>
        rule.provenance.kind === 'inferred' ? [[id, rule.provenance.readings.default]] : [],
      ),
    )
    for (const [rule, value] of Object.entries(written.readings['galaxy'] ?? {})) expect([rule, value]).toEqual([rule, defaults[rule]])
    const after = await runCli(['diff', 'galaxy', ...live, '--config', config, '--strict'])
    expect(after.code, after.stdout).toBe(0)
  }, 120_000)

  it('raises no false alarm against the Spring Boot Galaxy server: what differs from the defaults only warns', async () => {
    const baseUrl = await spring()
    const result = await verify({
      api: 'galaxy',
      openapi: [await galaxy()],
      baseUrl,
      token: TOKEN,
      allowWrites: true,
      seed: 1,
      maxCases: 100,
    })
    const failed = result.report.outcomes
      .filter((o) => o.status === 'fail')
      .map((o) => `${o.title}: ${o.failures.map((f) => `${f.rule} ${f.detail.slice(0, 160)}`).join('; ')}`)
    expect(failed).toEqual([])
    expect(result.exitCode).toBe(0)
    const warned = new Set(result.report.outcomes.flatMap((o) => o.warnings.map((w) => w.rule)))
    // parameter.checks: the server clamps an out-of-range limit instead of refusing it (Spring's own default binding).
    expect([...warned].sort()).toEqual(['auth.status', 'body.coercion', 'body.formats', 'error.body', 'parameter.checks'])
  }, 120_000)

  it('keeps across a restart (--state) a planet the twin took only because a format is unchecked', async () => {
    const contract = await galaxy()
    const readings = { galaxy: { 'body.formats': 'unchecked:successCallbackUrl' } }
    const twin = await createTwin({ apis: [], openapi: { galaxy: contract }, readings })
    const headers = new Headers({ authorization: `Bearer ${bearerOf(twin)}`, 'content-type': 'application/json' })
    const sent = { name: 'Kepler', successCallbackUrl: 'not a url' }
    const created = await twin
      .state('galaxy')
      .resolve({ headers, text: async () => JSON.stringify(sent), url: 'http://twin/galaxy/planets' }, {}, 'POST /planets')
    expect(created.status).toBe(201)
    const id = String((created.body as { id: number }).id)
    // What --state writes is JSON, read back by a fresh start under the same readings.
    const saved = JSON.parse(JSON.stringify(twin.state('galaxy').snapshot())) as ReturnType<ReturnType<Twin['state']>['snapshot']>
    const restarted = await createTwin({ apis: [], openapi: { galaxy: contract }, readings })
    await restarted.state('galaxy').restore(saved)
    const read = await restarted
      .state('galaxy')
      .resolve({ headers, text: async () => '', url: `http://twin/galaxy/planets/${id}` }, { planetId: id }, 'GET /planets/{planetId}')
    expect(read.status).toBe(200)
    expect(read.body).toMatchObject(sent)
    // Under the default reading the document's check holds: the same saved record is refused, not served.
    const strict = await createTwin({ apis: [], openapi: { galaxy: contract } })
    await expect(strict.state('galaxy').restore(saved)).rejects.toThrow(/does not match format \\"uri\\"/)
  })

  // A twin switched to each lenient reading plays the server: verify warns on that rule alone (fails with --strict),
  // and is clean when told the reading; per-field values included.
  const switched = [
    ['auth.status', '403'],
    ['body.coercion', 'coerced'],
    ['body.formats', 'unchecked'],
    ['body.formats', 'unchecked:discoveredAt'],
  ] as const
  for (const [rule, value] of switched) {
    it(`against a galaxy twin switched to ${rule}=${value}: exit 0 warning on ${rule}, --strict exit 1 naming it, --reading clean`, async () => {
      const contract = await galaxy()
      const twin = await createTwin({ apis: [], openapi: { galaxy: contract }, readings: { galaxy: { [rule]: value } } })
      const server = await startServer({ port: 0, twin, log: false })
      running.push(server)
      const token = bearerOf(twin)
      const options = {
        api: 'galaxy',
        openapi: [contract],
        baseUrl: `${server.url}/galaxy`,
        token,
        allowWrites: true,
        seed: 1,
        maxCases: 100,
      }
      const loose = await verify(options)
      expect(loose.exitCode, loose.stdout).toBe(0)
      expect(new Set(loose.report.outcomes.flatMap((o) => o.warnings.map((w) => w.rule)))).toEqual(new Set([rule]))
      const strict = await verify({ ...options, strict: true })
      expect(strict.exitCode).toBe(1)
      expect(new Set(strict.report.outcomes.flatMap((o) => o.failures.map((f) => f.rule)))).toEqual(new Set([rule]))
      const told = await verify({ ...options, strict: true, readings: { [rule]: value } })
      expect(told.exitCode, told.stdout).toBe(0)
    }, 60_000)
  }
})
