// Your own API in the browser: an OpenAPI document (here @scalar/galaxy's, a parsed object: no file system, no
// `node:` import) becomes a stateful twin served by MSW's service worker. Two lines do it:
//   const twin = await createTwin({ apis: [], openapi: { galaxy } })
//   await setupWorker(...twinHandlers(twin)).start()
import galaxy from '@scalar/galaxy/3.1.json'
import { setupWorker } from 'msw/browser'
import { createTwin, twinHandlers } from 'apitwin'

const twin = await createTwin({ apis: [], openapi: { galaxy } })
await setupWorker(...twinHandlers(twin)).start({ quiet: true, serviceWorker: { url: `${import.meta.env.BASE_URL}mockServiceWorker.js` } })

const bearer = twin.accounts('galaxy')[0]?.credentials?.['bearerAuth']?.value ?? ''
const log: Array<{ step: string; status: number; body: unknown }> = []
async function call(step: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`/galaxy${path}`, {
    method,
    headers: { authorization: bearer, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  })
  const text = await response.text()
  const parsed: unknown = text === '' ? null : JSON.parse(text)
  log.push({ step, status: response.status, body: parsed })
  return parsed
}

const created = (await call('create', 'POST', '/planets', { name: 'Vulcan', type: 'terrestrial' })) as { id: number }
await call('read', 'GET', `/planets/${created.id}`)
await call('replace', 'PUT', `/planets/${created.id}`, { name: 'Vulcan Prime', type: 'terrestrial' })
const list = (await call('list', 'GET', '/planets?limit=50')) as { data: Array<{ name: string }> }
await call('invalid', 'POST', '/planets', { name: 42 })
await call('delete', 'DELETE', `/planets/${created.id}`)
await call('gone', 'GET', `/planets/${created.id}`)

document.querySelector('#planets')!.innerHTML = list.data.map((planet) => `<li>${planet.name.replace(/[<&]/g, '')}</li>`).join('')
document.querySelector('#log')!.textContent = JSON.stringify(log, null, 2)
document.body.dataset['ready'] = 'true'
