import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { setupServer } from 'msw/node'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { twinHandlers } from '../handlers/msw.ts'
import { createTwin, type Twin } from '../handlers/twin.ts'
import { openapi } from '../server/openapi.ts'

// Each seed doc's own example request, sent verbatim, must succeed against the mock: a client written from the
// docs starts exactly there. (Only rails-users' email is un-obfuscated; the doc page shows "[email protected]".)
const examples = {
  // 000: the curl example's --data
  flextell: {
    name: '<string>',
    email: 'jsmith@example.com',
    password: '<string>',
    password_confirmation: '<string>',
    phone: '<string>',
    title: '<string>',
    emergency_contact_name: '<string>',
    emergency_contact_surname: '<string>',
    emergency_contact_phone_number: '<string>',
    blood_group: '<string>',
    avatar_url: '<string>',
    is_active: true,
    bio: '<string>',
    language: ['Turkish'],
    role_ids: [123],
  },
  // 001: the Example of each field of "userobject"
  'rails-users': {
    user: {
      first_name: 'John',
      last_name: 'Doe',
      email: 'john.doe@example.com',
      password: 'newsecurepassword123',
      feature_flags: ['affiliate'],
      notifications: ['email_new_transaction', 'push_new_transaction'],
      locale: 'en',
      expo_push_token: 'ExponentPushToken[xxxxxxxxxxxxxxxxxxxxxx]',
    },
  },
  // 002: the "Body" example (bonus_rate a string, as the doc sends it)
  medibulut: {
    id: 485,
    email: 'usertemp@medibulut.com',
    first_name: 'Adı',
    last_name: 'Soyadı',
    name: null,
    identity_number: null,
    mobile: '+905555555554',
    phone: '',
    role_id: 'admin',
    status: 1,
    color: '#c00',
    bonus_rate: '15.00',
    photo: null,
    authorized_users: [11],
    permissions: [
      'appointments.manage',
      'patients.manage',
      'patient-groups.manage',
      'services.manage',
      'users.manage',
      'reports.view',
      'finance.manage',
      'settings.manage',
      'working-hours.manage',
    ],
    service_ids: [],
  },
  // 003: the curl example's --data
  gorules: {
    firstName: '<string>',
    lastName: '<string>',
    status: 'active',
    type: 'invited',
    roles: ['3c90c3cc-0d44-4b50-8888-8dd25736052a'],
  },
} as const

let twin: Twin
const server = setupServer()
beforeAll(async () => {
  twin = await createTwin()
  server.use(...twinHandlers(twin))
  server.listen({ onUnhandledRequest: 'error' })
})
beforeEach(() => twin.reset())
afterAll(() => server.close())

function actor(api: string) {
  const account = twin.accounts(api)[0]
  if (!account) throw new Error(`no actor for ${api}`)
  return account
}

async function send(method: string, url: string, token: string, body: unknown) {
  const res = await fetch(`http://docs.example${url}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

describe("the seed docs' example requests replay against the mock", () => {
  it('flextell (000): PUT /api/v1/users/{id}', async () => {
    const res = await send('PUT', `/flextell/api/v1/users/${actor('flextell').userId}`, actor('flextell').token, examples.flextell)
    expect(res.status).toBe(200)
    expect(res.body['data']).toMatchObject({ name: '<string>', email: 'jsmith@example.com', language: ['Turkish'], roles: [{ id: 123 }] })
  })

  it('rails-users (001): PUT /users/{id}', async () => {
    const res = await send('PUT', `/rails-users/users/${actor('rails-users').userId}`, actor('rails-users').token, examples['rails-users'])
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      status: 'success',
      message: 'User updated successfully',
      data: { id: 1, first_name: 'John', roles: [], status: 'active', locale: 'en' },
    })
  })

  it('medibulut (002): PATCH /:tenantId/users/:id with the documented body, answered as documented', async () => {
    const res = await send('PATCH', '/medibulut/101/users/485', actor('medibulut').token, examples.medibulut)
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ data: examples.medibulut })
  })

  it('gorules (003): PUT /api/users/{userId}', async () => {
    const res = await send('PUT', `/gorules/api/users/${actor('gorules').userId}`, actor('gorules').token, examples.gorules)
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      firstName: '<string>',
      type: 'invited',
      status: 'active',
      isService: false,
      roles: [{ id: '3c90c3cc-0d44-4b50-8888-8dd25736052a' }],
    })
    expect(Object.keys(res.body).sort()).toEqual([
      'createdAt',
      'email',
      'firstName',
      'id',
      'isService',
      'lastName',
      'roles',
      'status',
      'type',
      'updatedAt',
    ])
  })
})

describe("apitwin's OpenAPI document takes each seed doc's example request (a proxy such as Prism validating with it must too)", () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true })
  addFormats.default(ajv)
  // OpenAPI's "password" format is a UI hint, not a constraint.
  ajv.addFormat('password', true)
  for (const [api, body] of Object.entries(examples)) {
    it(api, () => {
      const doc = openapi(api) as unknown as {
        paths: Record<string, Record<string, { requestBody: { content: { 'application/json': { schema: object } } } }>>
      }
      const [operation] = Object.values(doc.paths).flatMap((item) => Object.values(item))
      const validate = ajv.compile(operation?.requestBody.content['application/json'].schema ?? false)
      expect(validate(body), JSON.stringify(validate.errors)).toBe(true)
    })
  }

  it('rails-users\' password carries the format its doc states ("passwordstring (password)")', () => {
    const doc = openapi('rails-users') as unknown as {
      paths: Record<
        string,
        {
          put: {
            requestBody: { content: { 'application/json': { schema: { properties: { user: { properties: { password: object } } } } } } }
          }
        }
      >
    }
    expect(doc.paths['/users/{id}']?.put.requestBody.content['application/json'].schema.properties.user.properties.password).toMatchObject({
      type: 'string',
      format: 'password',
    })
  })
})
