import type { IncomingHttpHeaders } from 'node:http'
import { originHost } from './host-check.ts'

/** Why a write to a control route is refused: the status and a message that says what to do instead. */
export interface Refusal {
  readonly status: 403 | 415
  readonly message: string
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i

/**
 * Whether a write to the control routes (switch a reading, set a fault, reset, clear the journal) may go ahead.
 * Only the control page itself (same origin) and clients outside a browser (curl, scripts, tests: no `Origin`)
 * may write: a page on any other origin, local ones included, is refused, so no site open in the same browser can
 * switch readings or reset data behind the user's back. Three checks, each enough against a browser on its own:
 * `Sec-Fetch-Site` (sent by current browsers, cannot be forged by a page), `Origin` against `Host` (sent by every
 * browser on a cross-origin write), and a JSON content type for a body (an HTML form can send only the three
 * "simple" types, so a form POST from another site never qualifies; a write without a body must not claim one).
 * @example writeRefusal({ host: '127.0.0.1:4010', origin: 'https://evil.example' }) // { status: 403, … }
 */
export function writeRefusal(headers: IncomingHttpHeaders): Refusal | undefined {
  const site = headers['sec-fetch-site']
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return {
      status: 403,
      message: `control writes are answered for the control page itself (same origin) or a client outside a browser; this request came from a ${site} page`,
    }
  }
  const origin = headers.origin
  if (origin !== undefined && (origin === 'null' || originHost(origin)?.toLowerCase() !== headers.host?.toLowerCase())) {
    return {
      status: 403,
      message: `control writes are answered for the control page itself (same origin) or a client outside a browser, not for a page of ${origin}`,
    }
  }
  const type = headers['content-type']
  const hasBody =
    (headers['content-length'] !== undefined && headers['content-length'] !== '0') || headers['transfer-encoding'] !== undefined
  if ((type !== undefined || hasBody) && !JSON_TYPE.test(type ?? '')) {
    return {
      status: 415,
      message: `a control write takes a JSON body (Content-Type: application/json) or none, got ${type === undefined ? 'a body without a type' : JSON.stringify(type)}`,
    }
  }
  return undefined
}
