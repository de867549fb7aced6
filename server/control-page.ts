import { readFile } from 'node:fs/promises'

/**
 * The control page's security headers: its scripts come from this server only (no inline script, no CDN), it talks
 * to this origin only, and no other site may frame it (a framed page could be clicked through by the framing site).
 * Styles are inline because the panel puts its style sheet in its own shadow root.
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
}

/**
 * The HTML of `GET /__twin/`: a shell that loads the panel's modules (`/__twin/assets/page.js` and what it imports),
 * plain ES modules built with the package, so the page needs no build step, no bundler and no network.
 * @example controlPageHtml() // '<!doctype html>…'
 */
export function controlPageHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>apitwin control</title>
<link rel="icon" href="data:,">
<script type="module" src="./assets/page.js"></script>
</head>
<body>
<main id="apitwin-control" aria-busy="true"><noscript>The apitwin control page needs JavaScript; the same controls are a JSON API under /__twin/ (see the README).</noscript></main>
</body>
</html>
`
}

/** Built panel modules: `page.js`, `mount-panel.js`, … (lower-case names only, so no path can leave the folder). */
export const ASSET_NAME = /^[a-z][a-z0-9-]*\.js$/

/**
 * Where the built panel modules are: `dist/panel/` beside this file once built (`dist/server/` → `dist/panel/`);
 * when the server runs from its TypeScript sources (tests, tsx), the `dist/panel/` that `npm run build` made.
 */
export function panelFolder(): URL {
  return import.meta.url.endsWith('.ts') ? new URL('../dist/panel/', import.meta.url) : new URL('../panel/', import.meta.url)
}

/**
 * Reads the panel modules on first request and keeps them (they do not change while the server runs).
 * @example const assets = panelAssets(); await assets('page.js') // the module's text, or undefined
 */
export function panelAssets(folder: URL = panelFolder()): (name: string) => Promise<string | undefined> {
  const cache = new Map<string, Promise<string | undefined>>()
  return (name) => {
    if (!ASSET_NAME.test(name)) return Promise.resolve(undefined)
    let found = cache.get(name)
    if (!found) {
      found = readFile(new URL(name, folder), 'utf8').catch(() => undefined)
      cache.set(name, found)
    }
    return found
  }
}
