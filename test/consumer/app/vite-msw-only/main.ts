// Baseline: msw alone with one handler, to see what apitwin adds.
import { http, HttpResponse } from 'msw'
import { setupWorker } from 'msw/browser'

await setupWorker(http.put('*/flextell/api/v1/users/:id', () => HttpResponse.json({ success: 'ok' }))).start({ quiet: true })
document.body.textContent = 'mocking by hand'
