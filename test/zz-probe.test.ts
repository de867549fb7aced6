import { it } from 'vitest'
import { apis, createTwin } from '../handlers/twin.ts'
import { startServer } from '../server/serve.ts'
const API = process.env.API ?? 'medibulut'
const WRITER = process.env.WRITER ?? 'lenient'
const BODIES = JSON.parse(process.env.BODIES ?? '[]') as unknown[]
it('probe', async () => {
  const mod = (await import(`./standins/${WRITER}/${API}.ts`)) as { start(): Promise<any> }
  const live = await mod.start()
  const twin = await createTwin({ apis: apis.filter((a) => a.name === API), readings: JSON.parse(process.env.READINGS ?? '{}') })
  const mock = await startServer({ port: 0, twin, log: false })
  const a = twin.accounts(API)[0]!
  const paths: Record<string, (x: any) => string> = { medibulut: (x) => `/${x.tenant}/users/${x.userId}`, flextell: (x) => `/api/v1/users/${x.userId}`, 'rails-users': (x) => `/users/${x.userId}`, gorules: (x) => `/api/users/${x.userId}` }
  const method = API === 'medibulut' ? 'PATCH' : 'PUT'
  for (const body of BODIES) {
    const h = (t: string, tenant?: unknown) => ({ authorization: `Bearer ${t}`, 'content-type': 'application/json', accept: 'application/json', ...(API === 'flextell' && tenant !== undefined ? { 'x-tenant': String(tenant) } : {}) })
    const l = await fetch(`${live.url}${paths[API]!(live.accounts.actor)}`, { method, headers: h(live.accounts.actor.token, live.accounts.actor.tenant), body: JSON.stringify(body) })
    const m = await fetch(`${mock.url}/${API}${paths[API]!(a)}`, { method, headers: h(a.token!, a.tenant), body: JSON.stringify(body) })
    console.log(JSON.stringify(body), '\n live', l.status, await l.text(), '\n mock', m.status, await m.text())
  }
  await live.close(); await mock.close()
})
