/**
 * The panel's style sheet, scoped to its shadow root so it neither takes the app's styles nor leaks into them.
 * Colours meet WCAG AA contrast (checked by axe-core in the e2e test); focus is always visible.
 */
export const PANEL_CSS = `
:host { all: initial; display: block; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1b1f24; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
.panel { background: #fff; padding: 16px 20px; max-width: 1200px; margin: 0 auto; }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 0 0 6px; }
h2 small, .meta, .why, .muted { color: #4b5563; font-weight: normal; }
h3 { font-size: 14px; margin: 14px 0 6px; text-transform: uppercase; letter-spacing: .04em; color: #374151; }
header.top { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; border-bottom: 1px solid #d0d7de; padding-bottom: 10px; margin-bottom: 12px; }
header.top .grow { flex: 1; }
section.api, section.journal { border: 1px solid #d0d7de; border-radius: 8px; padding: 12px 14px; margin: 0 0 14px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid #eaeef2; vertical-align: top; }
th { font-size: 12px; color: #374151; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
pre { white-space: pre-wrap; word-break: break-all; margin: 4px 0; background: #f6f8fa; padding: 6px; border-radius: 4px; }
.token { max-width: 22ch; display: inline-block; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; vertical-align: bottom; }
button, select, input { font: inherit; color: inherit; }
button { background: #f6f8fa; border: 1px solid #8c959f; border-radius: 6px; padding: 2px 10px; cursor: pointer; }
button:hover { background: #eaeef2; }
button.link { background: none; border: 0; padding: 0; color: #0550ae; text-decoration: underline; }
nav { margin: 0 0 8px; }
button.danger { border-color: #a40e26; color: #a40e26; }
table.readings { table-layout: fixed; }
table.readings th:nth-child(1) { width: 30%; } table.readings th:nth-child(2) { width: 34%; }
table.readings select { width: 100%; }
select, input { border: 1px solid #8c959f; border-radius: 4px; padding: 2px 4px; background: #fff; max-width: 100%; }
:focus-visible { outline: 3px solid #0969da; outline-offset: 1px; }
.badge { display: inline-block; font-size: 11.5px; padding: 0 6px; border-radius: 10px; background: #fff1c2; color: #6b4400; border: 1px solid #d4a72c; margin-left: 6px; }
.badge.on { background: #ffebe9; color: #a40e26; border-color: #ff8182; }
.fault { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; }
.status { min-height: 1.45em; margin: 0; color: #1a7f37; }
.status.error { color: #a40e26; }
.s2 { color: #1a7f37; } .s4 { color: #9a6700; } .s5, .sdropped { color: #a40e26; }
tr.fresh td { animation: fresh 1.2s ease-out; }
@keyframes fresh { from { background: #ddf4ff; } to { background: transparent; } }
.toggle { position: fixed; right: 16px; bottom: 16px; z-index: 2147483647; background: #0969da; color: #fff; border: 0; border-radius: 20px; padding: 8px 14px; box-shadow: 0 2px 8px rgba(0,0,0,.25); }
.toggle:hover { background: #0550ae; }
.drawer { position: fixed; right: 0; top: 0; bottom: 0; width: min(920px, 100vw); overflow: auto; z-index: 2147483646; box-shadow: -2px 0 12px rgba(0,0,0,.25); background: #fff; }
.drawer[hidden] { display: none; }
`
