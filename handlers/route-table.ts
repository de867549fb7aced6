/** One route of a table: a method and an OpenAPI path template, and what it leads to. */
export interface RouteEntry {
  readonly method: string
  readonly path: string
  /** What the resolver receives when this route matches (an operation key). */
  readonly operation: string
  /** The document's operationId, for discovery. */
  readonly operationId?: string | undefined
}

/** What a lookup finds: the operation and its path parameters; or the methods the path has; or nothing. */
export type RouteMatch =
  { readonly operation: string; readonly params: Record<string, string> } | { readonly allowed: readonly string[] } | undefined

interface Node {
  readonly literal: Map<string, Node>
  /** Segments holding a template (`{id}`, `{name}.{ext}`), tried after literals, the most literal text first. */
  readonly templates: Array<{
    readonly pattern: RegExp
    readonly names: readonly string[]
    /** The segment is one parameter and nothing else (`{id}`): its pattern takes any non-empty segment without a line break whole. */
    readonly whole: boolean
    readonly node: Node
    /** How much literal text the segment holds besides its parameters. */
    readonly fixed: number
  }>
  readonly methods: Map<string, string>
}

const node = (): Node => ({ literal: new Map(), templates: [], methods: new Map() })

/** The most path segments a request may have; a longer path is no route (nothing is declared that deep). */
const MAX_SEGMENTS = 64

/**
 * The routes of an API with many operations (an imported OpenAPI document): a tree of path segments, literals
 * before templates (`/users/me` wins over `/users/{id}`), built once, matched in time proportional to the path's
 * depth rather than to the number of operations (the GitHub description has 1,223). One table serves the Node
 * server and the MSW handlers alike. A trailing slash is ignored; a segment is matched percent-decoded.
 * @example
 * const table = new RouteTable([{ method: 'GET', path: '/pets/{id}', operation: 'GET /pets/{id}' }])
 * table.match('GET', '/pets/7') // { operation: 'GET /pets/{id}', params: { id: '7' } }
 */
export class RouteTable {
  readonly #root = node()
  readonly entries: readonly RouteEntry[]

  constructor(entries: readonly RouteEntry[]) {
    this.entries = entries
    for (const entry of entries) {
      let at = this.#root
      for (const segment of split(entry.path)) {
        if (!segment.includes('{')) {
          let child = at.literal.get(segment)
          if (!child) at.literal.set(segment, (child = node()))
          at = child
          continue
        }
        const names: string[] = []
        const source = segment
          .split(/(\{[^}]+\})/)
          .map((part) => {
            const name = /^\{([^}]+)\}$/.exec(part)?.[1]
            if (name === undefined) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')
            names.push(name)
            return '(.+?)'
          })
          .join('')
        // Shared only when the names match too: `{team_slug}` and `{enterprise-team}` at one place are two branches,
        // each handing its own parameter names to the operations below it.
        const existing = at.templates.find((t) => t.pattern.source === `^${source}$` && t.names.join('/') === names.join('/'))
        if (existing) at = existing.node
        else {
          const child = node()
          // The more literal text a template holds, the more specific it is: `{name}:deleteRevision` is tried before
          // `{name}`, which would otherwise take "x:deleteRevision" as a name (Google's custom methods).
          const fixed = segment.replace(/\{[^}]+\}/g, '').length
          at.templates.push({ pattern: new RegExp(`^${source}$`), names, whole: source === '(.+?)', node: child, fixed })
          at.templates.sort((a, b) => b.fixed - a.fixed)
          at = child
        }
      }
      if (!at.methods.has(entry.method)) at.methods.set(entry.method, entry.operation)
    }
  }

  /** The route for `method` and `path` (the path under the API's mount, no query). */
  match(method: string, path: string): RouteMatch {
    const segments = split(path)
    if (segments.length > MAX_SEGMENTS) return undefined
    // Template values as a flat stack of name, value pairs: a branch that fails truncates it (no object copied per
    // template tried, as every request on an item path tries one).
    const bound: string[] = []
    let found = walk(this.#root, segments, 0, bound, method)
    // A HEAD answered by the GET of its path: walked again as that GET, so its path parameters are bound.
    if (method === 'HEAD' && found !== undefined && !found.methods.has('HEAD') && found.methods.has('GET')) {
      bound.length = 0
      found = walk(this.#root, segments, 0, bound, 'GET')
    }
    if (!found) return undefined
    const operation = found.methods.get(method) ?? (method === 'HEAD' ? found.methods.get('GET') : undefined)
    if (operation === undefined) return { allowed: [...found.methods.keys()] }
    const params: Record<string, string> = {}
    for (let i = 0; i < bound.length; i += 2) params[bound[i] as string] = bound[i + 1] as string
    return { operation, params }
  }
}

/** The path's segments, a leading and a trailing slash ignored (`/a/b/` → a, b; `/` → none; `/a//b` keeps the ''). */
function split(path: string): string[] {
  const out: string[] = []
  const end = path.length > 0 && path.charCodeAt(path.length - 1) === 47 /* / */ ? path.length - 1 : path.length
  let start = path.length > 0 && path.charCodeAt(0) === 47 ? 1 : 0
  if (start >= end) return path.length > 1 ? [''] : out
  for (;;) {
    const at = path.indexOf('/', start)
    if (at === -1 || at >= end) {
      out.push(path.slice(start, end))
      return out
    }
    out.push(path.slice(start, at))
    start = at + 1
  }
}

/** Depth-first: a literal child first, then each template; the first node with the method wins, else the first with any. */
function walk(at: Node, segments: readonly string[], index: number, bound: string[], method: string): Node | undefined {
  if (index === segments.length) return at.methods.size > 0 ? at : undefined
  const raw = segments[index] as string
  const segment = raw.includes('%') ? decode(raw) : raw
  const literal = at.literal.get(segment)
  let fallback: Node | undefined
  if (literal) {
    const found = walk(literal, segments, index + 1, bound, method)
    if (found?.methods.has(method)) return found
    fallback = found
  }
  if (segment === '') return fallback
  const depth = bound.length
  for (const template of at.templates) {
    if (template.whole && !LINE_BREAK.test(segment)) bound.push(template.names[0] as string, segment)
    else {
      const match = template.pattern.exec(segment)
      if (!match) continue
      for (let i = 0; i < template.names.length; i++) bound.push(template.names[i] as string, match[i + 1] ?? '')
    }
    const found = walk(template.node, segments, index + 1, bound, method)
    if (found?.methods.has(method)) return found
    fallback ??= found
    bound.length = depth
  }
  return fallback
}

// What the patterns' `.` does not match: a segment holding one (decoded from %0A) is left to the pattern, which refuses it.
const LINE_BREAK = /[\n\r\u2028\u2029]/

function decode(raw: string): string {
  try {
    return decodeURIComponent(raw)
  } catch {
    return raw
  }
}
