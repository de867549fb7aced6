import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { importOpenApi } from '../contracts/openapi/contract.ts'
import { isPasswordHash, verifyPassword } from '../fixtures/password.ts'
import { projector, splitter } from '../handlers/openapi-project.ts'
import { spawnServe, type SpawnedServer } from './helpers/spawn-serve.ts'

// Issue 18 and the project standard: a writeOnly value (a password) is stored, but never in clear, and never leaves
// the twin — not in an answer, the control API, the --state file or the log. Over HTTP against `apitwin serve`.

const PASSWORD = 'correct-horse-battery-1'
const NEW_PASSWORD = 'staple-9-staple-9-staple'
const PIN = 918273645

/** A document whose item has writeOnly fields that a hash could never satisfy (maxLength 24, a pattern, a number). */
const vault = {
  openapi: '3.1.0',
  info: { title: 'Vault', version: '1' },
  paths: {
    '/accounts': {
      get: { responses: { '200': { description: 'list', content: { 'application/json': { schema: { type: 'array', items: ref() } } } } } },
      post: {
        requestBody: { required: true, content: { 'application/json': { schema: ref() } } },
        responses: { '201': { description: 'created', content: { 'application/json': { schema: ref() } } } },
      },
    },
    '/accounts/{id}': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
      get: { responses: { '200': { description: 'one', content: { 'application/json': { schema: ref() } } } } },
      patch: {
        requestBody: { content: { 'application/json': { schema: ref() } } },
        responses: { '200': { description: 'changed', content: { 'application/json': { schema: ref() } } } },
      },
    },
  },
  components: {
    schemas: {
      Account: {
        type: 'object',
        required: ['name'],
        additionalProperties: false,
        properties: {
          id: { type: 'integer', readOnly: true },
          name: { type: 'string' },
          password: { type: 'string', writeOnly: true, minLength: 12, maxLength: 24, pattern: '^[a-z0-9-]+$' },
          pin: { type: 'integer', writeOnly: true },
        },
      },
    },
  },
}
function ref() {
  return { $ref: '#/components/schemas/Account' }
}

let dir = ''
let doc = ''
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'apitwin-secrets-'))
  doc = join(dir, 'vault.json')
  await writeFile(doc, JSON.stringify(vault))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function call(server: SpawnedServer, method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  })
  return { status: response.status, text: await response.text() }
}

describe('writeOnly values of an imported API', () => {
  it('are stored hashed beside the record, never returned, listed, journaled, logged or saved in clear', async () => {
    const state = join(dir, 'state.json')
    const server = await spawnServe(['--openapi', `vault=${doc}`, '--state', state])
    let output: string
    try {
      const created = await call(server, 'POST', '/vault/accounts', { name: 'Ada', password: PASSWORD, pin: PIN })
      expect(created.status, created.text).toBe(201)
      const { id } = JSON.parse(created.text) as { id: number }
      // The field's own constraints are checked on the value in clear, before it is hashed.
      expect((await call(server, 'PATCH', `/vault/accounts/${id}`, { password: 'Short' })).status).toBe(400)
      const changed = await call(server, 'PATCH', `/vault/accounts/${id}`, { name: 'Ada L', password: NEW_PASSWORD })
      expect(changed.status, changed.text).toBe(200)
      const answers = [
        created.text,
        changed.text,
        (await call(server, 'GET', `/vault/accounts/${id}`)).text,
        (await call(server, 'GET', '/vault/accounts')).text,
        (await call(server, 'GET', '/__twin/vault/collections')).text,
        (await call(server, 'GET', '/__twin/state')).text,
        (await call(server, 'GET', '/__twin/apis')).text,
      ]
      const journal = (await call(server, 'GET', '/__twin/requests')).text
      for (const text of [...answers, journal]) {
        expect(text).not.toContain(PASSWORD)
        expect(text).not.toContain(NEW_PASSWORD)
        expect(text).not.toContain(String(PIN))
        expect(text).not.toContain('pbkdf2')
      }
      expect(JSON.parse(changed.text)).toEqual({ id, name: 'Ada L' })
      // The journal still shows the request, with the writeOnly `pin` masked as the `password` is.
      expect(journal).toContain('"pin":"***"')
    } finally {
      await server.stop()
      output = server.output()
    }
    expect(output).not.toContain(PASSWORD)
    expect(output).not.toContain(String(PIN))
    const saved = await readFile(state, 'utf8')
    expect(saved).not.toContain(PASSWORD)
    expect(saved).not.toContain(NEW_PASSWORD)
    expect(saved).not.toContain(String(PIN))
    const record = (JSON.parse(saved) as { apis: { vault: { accounts: Array<{ data: object; secrets: Record<string, string> }> } } }).apis
      .vault.accounts[0]
    expect(record?.data).not.toHaveProperty('password')
    expect(Object.keys(record?.secrets ?? {})).toEqual(['/password', '/pin'])
    expect(isPasswordHash(record?.secrets['/password'])).toBe(true)
    expect(await verifyPassword(NEW_PASSWORD, record?.secrets['/password'] ?? '')).toBe(true)
    expect(await verifyPassword(String(PIN), record?.secrets['/pin'] ?? '')).toBe(true)
  }, 60_000)

  it('a state file written before (the password in clear in the record) still loads, and is saved hashed', async () => {
    const state = join(dir, 'old-state.json')
    const old = {
      apitwin: 1,
      seed: 1107,
      users: 25,
      apis: { vault: { accounts: [{ parent: '', data: { id: 26, name: 'Old', password: PASSWORD, pin: PIN } }] } },
    }
    await writeFile(state, JSON.stringify(old))
    const server = await spawnServe(['--quiet', '--openapi', `vault=${doc}`, '--state', state])
    try {
      const read = await call(server, 'GET', '/vault/accounts/26')
      expect(read.status, read.text).toBe(200)
      expect(JSON.parse(read.text)).toEqual({ id: 26, name: 'Old' })
      expect((await call(server, 'PATCH', '/vault/accounts/26', { name: 'Old, saved again' })).status).toBe(200)
    } finally {
      await server.stop()
    }
    const saved = await readFile(state, 'utf8')
    expect(saved).not.toContain(PASSWORD)
    expect(saved).not.toContain(String(PIN))
    expect(saved).toContain('Old, saved again')
    const record = (JSON.parse(saved) as { apis: { vault: { accounts: Array<{ secrets: Record<string, string> }> } } }).apis.vault
      .accounts[0]
    expect(await verifyPassword(PASSWORD, record?.secrets['/password'] ?? '')).toBe(true)
  }, 60_000)

  it('a state file whose secrets are not hashes is refused in one line', async () => {
    const state = join(dir, 'forged-state.json')
    const forged = {
      apitwin: 1,
      seed: 1107,
      users: 25,
      apis: { vault: { accounts: [{ parent: '', data: { id: 26, name: 'Forged' }, secrets: { '/password': PASSWORD } }] } },
    }
    await writeFile(state, JSON.stringify(forged))
    const error = await spawnServe(['--quiet', '--openapi', `vault=${doc}`, '--state', state]).then(
      async (server) => {
        await server.stop()
        return ''
      },
      (e: unknown) => (e as Error).message,
    )
    expect(error).toMatch(
      /apitwin: the state file .*forged-state\.json does not fit this apitwin's vault data \(.*secrets hold only hashes/,
    )
    expect(error).not.toContain(PASSWORD)
  }, 30_000)
})

describe('writeOnly fields under oneOf and anyOf', () => {
  it('are kept out of answers and split out of records, whichever branch the value matches', async () => {
    const login = {
      type: 'object',
      properties: {
        name: { type: 'string' },
        credentials: {
          oneOf: [
            { type: 'object', properties: { token: { type: 'string', writeOnly: true } } },
            { type: 'object', properties: { key: { type: 'string' }, pin: { type: 'integer', writeOnly: true } } },
          ],
        },
      },
      anyOf: [{ properties: { passphrase: { type: 'string', writeOnly: true } } }, { required: ['name'] }],
    }
    const contract = await importOpenApi({
      openapi: '3.1.0',
      info: { title: 'T', version: '1' },
      paths: {},
      components: { schemas: { login } },
    })
    const schema = { $ref: '#/components/schemas/login' }
    const value = { name: 'Ada', passphrase: PASSWORD, credentials: { key: 'k1', pin: PIN } }
    expect(projector(contract.document)(schema, value)).toEqual({ name: 'Ada', credentials: { key: 'k1' } })
    const { value: kept, secrets } = splitter(contract.document)(schema, value)
    expect(kept).toEqual({ name: 'Ada', credentials: { key: 'k1' } })
    expect(new Map(secrets)).toEqual(
      new Map<string, unknown>([
        ['/passphrase', PASSWORD],
        ['/credentials/pin', PIN],
      ]),
    )
  })
})
