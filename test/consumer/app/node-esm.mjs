// Plain Node ESM, no TypeScript, no loader: the package's built JS with msw/node, the way a backend test would.
import { setupServer } from 'msw/node'
import { defaultTwin, handlers } from 'apitwin'
import { handlers as flextellOnly } from 'apitwin/handlers/flextell'
import { openapi, startServer } from 'apitwin/node'

const server = setupServer(...handlers)
server.listen({ onUnhandledRequest: 'error' })
const twin = await defaultTwin()
const actor = twin.accounts('flextell')[0]
const res = await fetch(`http://app.test/flextell/api/v1/users/${actor.userId}`, {
  method: 'PUT',
  headers: { authorization: `Bearer ${actor.token}`, 'content-type': 'application/json' },
  body: JSON.stringify({ email: 'not-an-email' }),
})
const body = await res.json()
server.close()

const http = await startServer({ port: 0, log: () => {}, fastGlobals: false })
const discovery = await (await fetch(`${http.url}/__twin/apis`)).json()
await http.close()

console.log(
  JSON.stringify({
    status: res.status,
    emailError: body.errors?.email?.[0],
    flextellOnly: flextellOnly.length,
    served: discovery.apis.map((a) => a.name),
    openapi: openapi('flextell').openapi,
  }),
)
