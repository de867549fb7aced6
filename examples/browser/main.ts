// A frontend working offline: flextell's PUT /api/v1/users/{id} answered by apitwin's MSW handlers in a service
// worker. Only flextell is imported, so only flextell is bundled.
import { setupWorker } from 'msw/browser'
import { defaultTwin, handlers, type FlextellUser } from 'apitwin/handlers/flextell'

const worker = setupWorker(...handlers)
await worker.start({ quiet: true, serviceWorker: { url: `${import.meta.env.BASE_URL}mockServiceWorker.js` } })

// The control panel, in development (or with ?panel): loaded on demand, so the app's own bundle carries none of it.
if (import.meta.env.DEV || new URLSearchParams(location.search).has('panel')) {
  const { controlHandlers, mountPanel } = await import('apitwin/panel')
  worker.use(...controlHandlers(await defaultTwin()))
  mountPanel()
}

const actor = (await defaultTwin()).accounts('flextell')[0]
if (!actor) throw new Error('the flextell twin has no actor account')
const form = document.querySelector<HTMLFormElement>('#profile')!
const status = document.querySelector<HTMLElement>('#status')!
const spinner = document.querySelector<HTMLElement>('#spinner')!
const slow = document.querySelector<HTMLInputElement>('#slow')!
const fail = document.querySelector<HTMLSelectElement>('#fail')!
const fields = ['name', 'email', 'title'] as const

/** The one documented call: PUT the changed fields; the mock answers as flextell (Laravel) would. */
async function put(body: Record<string, unknown>): Promise<Response> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${actor!.token}`,
    'content-type': 'application/json',
    accept: 'application/json',
  }
  if (slow.checked) headers['x-twin-delay'] = '1500'
  if (fail.value) headers['x-twin-fail'] = fail.value
  return fetch(`/flextell/api/v1/users/${actor!.userId}`, { method: 'PUT', headers, body: JSON.stringify(body) })
}

const input = (field: string) => form.elements.namedItem(field) as HTMLInputElement

function show(user: FlextellUser): void {
  for (const field of fields) input(field).value = String(user[field] ?? '')
}

function showErrors(errors: Readonly<Record<string, readonly string[]>>): void {
  for (const field of fields) {
    const messages = errors[field] ?? []
    input(field).setAttribute('aria-invalid', String(messages.length > 0))
    document.querySelector<HTMLElement>(`[data-error-for="${field}"]`)!.textContent = messages.join(' ')
  }
}

function setStatus(text: string, kind: 'ok' | 'failed' | ''): void {
  status.textContent = text
  status.className = kind
}

// flextell documents no GET: an update with no fields changes nothing and answers the current user (200).
const loaded = await put({})
show(((await loaded.json()) as { data: FlextellUser }).data)
document.body.dataset['ready'] = 'true'

/** Saves the form. Every failure ends in the status line, so the promise it returns never rejects. */
async function save(): Promise<void> {
  const body = Object.fromEntries(fields.map((f) => [f, input(f).value]))
  spinner.hidden = false
  setStatus('', '')
  try {
    const res = await put(body)
    if (res.status === 200) {
      show(((await res.json()) as { data: FlextellUser }).data)
      showErrors({})
      setStatus('Saved (200)', 'ok')
    } else if (res.status === 422) {
      const answer = (await res.json()) as { message: string; errors: Record<string, string[]> }
      showErrors(answer.errors)
      setStatus(`Not saved (422): ${answer.message}`, 'failed')
    } else {
      setStatus(`The server failed (${res.status}); try again`, 'failed')
    }
  } catch {
    setStatus('Network error: the request did not reach the server', 'failed')
  } finally {
    spinner.hidden = true
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault()
  void save() // never rejects (see save), so there is nothing to await or catch here
})
