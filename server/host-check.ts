import { isIP } from 'node:net'

/**
 * Which `Host` headers the server answers, against DNS rebinding (a web page whose own host name is made to
 * resolve to 127.0.0.1 could otherwise read the seeded tokens): localhost and its subdomains, any IP address
 * (a page cannot be served from your IP by someone else), the `--host` the server binds and every
 * `--allowed-host`. The same test decides which browser origins may read the `/__twin` control routes.
 * @example const allowed = hostCheck(['127.0.0.1', 'mock.test']); allowed('mock.test:4010') // true
 */
export function hostCheck(extra: readonly string[]): (hostHeader: string | undefined) => boolean {
  const names = new Set(['localhost', ...extra.map((host) => normalise(host))])
  // A client sends the same Host on every request: remember the answers (bounded) instead of parsing each time.
  const known = new Map<string, boolean>()
  return (hostHeader) => {
    if (hostHeader === undefined) return true // HTTP/1.0 clients send none; browsers always do
    const cached = known.get(hostHeader)
    if (cached !== undefined) return cached
    const name = normalise(stripPort(hostHeader))
    const allowed = names.has(name) || name.endsWith('.localhost') || isIP(name) !== 0
    if (known.size >= 256) known.clear()
    known.set(hostHeader, allowed)
    return allowed
  }
}

function stripPort(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']') === -1 ? undefined : host.indexOf(']'))
  const colon = host.indexOf(':')
  // More than one colon and no brackets: a bare IPv6 address, which carries no port.
  return colon === -1 || host.indexOf(':', colon + 1) !== -1 ? host : host.slice(0, colon)
}

function normalise(host: string): string {
  return host
    .trim()
    .toLowerCase()
    .replace(/\.$/, '')
    .replace(/^\[(.*)\]$/, '$1')
}

/** The host part of an `Origin` header (`http://localhost:5173` → `localhost:5173`), or undefined. */
export function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host
  } catch {
    return undefined
  }
}
