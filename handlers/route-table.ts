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
  readonly templates: Array<{ readonly pattern: RegExp; readonly names: readonly string[]; readonly node: Node; readonly fixed: number }>
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
          at.templates.push({ pattern: new RegExp(`^${source}$`), names, node: child, fixed })
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
    const params: Record<string, string> = {}
    const found = walk(this.#root, segments, 0, params, method)
    if (!found) return undefined
    const operation = found.methods.get(method) ?? (method === 'HEAD' ? found.methods.get('GET') : undefined)
    return operation === undefined ? { allowed: [...found.methods.keys()] } : { operation, params }
  }
}

function split(path: string): string[] {
  return path.split('/').filter((segment, index, all) => !(segment === '' && (index === 0 || index === all.length - 1)))
}

/** Depth-first: a literal child first, then each template; the first node with the method wins, else the first with any. */
function walk(at: Node, segments: readonly string[], index: number, params: Record<string, string>, method: string): Node | undefined {
  if (index === segments.length) return at.methods.size > 0 ? at : undefined
  const raw = segments[index] as string
  const segment = raw.includes('%') ? decode(raw) : raw
  const literal = at.literal.get(segment)
  let fallback: Node | undefined
  if (literal) {
    const found = walk(literal, segments, index + 1, params, method)
    if (found?.methods.has(method)) return found
    fallback = found
  }
  if (segment === '') return fallback
  for (const template of at.templates) {
    const match = template.pattern.exec(segment)
    if (!match) continue
    const saved = { ...params }
    template.names.forEach((name, i) => (params[name] = match[i + 1] ?? ''))
    const found = walk(template.node, segments, index + 1, params, method)
    if (found?.methods.has(method)) return found
    fallback ??= found
    for (const key of Object.keys(params)) delete params[key]
    Object.assign(params, saved)
  }
  return fallback
}

function decode(raw: string): string {
  try {
    return decodeURIComponent(raw)
  } catch {
    return raw
  }
}
