/**
 * A document's `pattern` as what JSON Schema says it is: an ECMAScript regular expression, compiled in Unicode mode.
 * Published documents carry Java and PCRE habits — identity escapes such as `\:`, `\_`, `\'`, `\-` outside a class —
 * which Unicode mode refuses although each means only its character (AWS's descriptions are full of them): those are
 * unescaped. A pattern still refused (`\p{Alnum}`, a POSIX class) is undefined, left unchecked: a twin that threw on
 * every request carrying the field would serve no one.
 * @example ecmaPattern('^[A-Za-z0-9\\-\\_\\.]*$') // '^[A-Za-z0-9\\-_.]*$'
 */
export function ecmaPattern(pattern: unknown): string | undefined {
  if (typeof pattern !== 'string') return undefined
  const known = patterns.get(pattern)
  if (known !== undefined || patterns.has(pattern)) return known
  const out = compiles(pattern) ? pattern : unescaped(pattern)
  const result = out !== undefined && compiles(out) ? out : undefined
  if (patterns.size < 10_000) patterns.set(pattern, result)
  return result
}

const patterns = new Map<string, string | undefined>()

// What Unicode mode lets a backslash escape besides letters and digits (ECMA-262's SyntaxCharacter and `/`).
const SYNTAX = new Set('^$\\.*+?()[]{}|/')

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u')
    return true
  } catch {
    return false
  }
}

/** `pattern` with each identity escape Unicode mode refuses written as its bare character. */
function unescaped(pattern: string): string {
  let out = ''
  let inClass = false
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i)
    if (c === '\\' && i + 1 < pattern.length) {
      const next = pattern.charAt(i + 1)
      i++
      const kept = /[A-Za-z0-9]/.test(next) || SYNTAX.has(next) || (inClass && next === '-')
      out += kept ? `\\${next}` : next
      continue
    }
    if (c === '[' && !inClass) inClass = true
    else if (c === ']' && inClass) inClass = false
    out += c
  }
  return out
}
