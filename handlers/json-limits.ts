/**
 * The shape limits every JSON body meets before it is parsed, beside the byte limit of the transport
 * (`--body-limit`). Chosen so that no value within them can make a step of the pipeline blow up, and far above
 * what a form or an API client sends:
 * - depth 64: V8 parses any depth, but the JSON Schema validator, the response serializer (`JSON.stringify`) and
 *   the journal recurse; 5,000 nested arrays stored through an imported API crashed `apitwin serve` on the way out;
 * - 1,000 elements per array and 1,000 keys per object, 10,000 values in all: the validator's `uniqueItems`
 *   compares every pair (20,000 objects took 54 s; 1,000 take 0.3 s), and each failing element is reported;
 * - 100,000 characters per string (or key): a document's `pattern` runs on every string it constrains.
 */
export const JSON_LIMITS = { depth: 64, elements: 1000, keys: 1000, values: 10_000, stringLength: 100_000 } as const

/** What `scanJson` found: the first limit passed (a sentence naming it), and whether a key may be `__proto__`. */
export interface JsonScan {
  readonly problem: string | undefined
  /** A key spelled `__proto__` or `constructor`, or with an escape that could spell one: look at the parsed value. */
  readonly suspectKeys: boolean
}

const OPEN_OBJECT = 123 // {
const CLOSE_OBJECT = 125 // }
const OPEN_ARRAY = 91 // [
const CLOSE_ARRAY = 93 // ]
const QUOTE = 34 // "
const BACKSLASH = 92 // \
const COMMA = 44 // ,
const COLON = 58 // :

/**
 * One linear pass over a JSON text, without parsing it: the depth, the elements or keys of each container, every
 * string's length, each checked against `JSON_LIMITS` as it is met (a hostile body stops being read at the first
 * limit). The text need not be valid JSON; `JSON.parse` judges that afterwards. Runs anywhere (no `node:`).
 * @example scanJson('[[[]]]').problem // undefined
 * @example scanJson('['.repeat(65) + ']'.repeat(65)).problem // 'the JSON body is nested more than 64 levels deep; …''
 */
export function scanJson(text: string): JsonScan {
  // Per open container: values met so far (commas + 1 once a value started), and whether one started.
  const counts: number[] = []
  const started: boolean[] = []
  const objects: boolean[] = []
  let values = 0
  let suspectKeys = false
  const length = text.length
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i)
    if (c === 32 || c === 10 || c === 13 || c === 9 || c === COLON) continue
    const depth = counts.length
    // A value (or, in an object, a key) starts here unless the character ends or separates.
    if (depth > 0 && c !== COMMA && c !== CLOSE_ARRAY && c !== CLOSE_OBJECT && !started[depth - 1]) {
      started[depth - 1] = true
      counts[depth - 1] = (counts[depth - 1] ?? 0) + 1
    }
    if (c === QUOTE) {
      const start = i + 1
      let escaped = false
      // Characters as decoded: an escape (`\n`, `\u00e9`) is one.
      let overhead = 0
      i++
      while (i < length) {
        const d = text.charCodeAt(i)
        if (d === BACKSLASH) {
          escaped = true
          const unicode = text.charCodeAt(i + 1) === 117 // u
          overhead += unicode ? 5 : 1
          i += unicode ? 6 : 2
          continue
        }
        if (d === QUOTE) break
        i++
      }
      const size = i - start - overhead
      if (size > JSON_LIMITS.stringLength)
        return {
          problem: `a string in the JSON body is ${size} characters long; at most ${JSON_LIMITS.stringLength} are accepted`,
          suspectKeys,
        }
      if (depth > 0 && objects[depth - 1] === true && (size === 9 || size === 11 || escaped)) {
        const raw = text.slice(start, i)
        if (escaped || raw === '__proto__' || raw === 'constructor') suspectKeys = true
      }
      continue
    }
    if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (depth + 1 > JSON_LIMITS.depth)
        return {
          problem: `the JSON body is nested more than ${JSON_LIMITS.depth} levels deep; at most ${JSON_LIMITS.depth} are accepted`,
          suspectKeys,
        }
      counts.push(0)
      started.push(false)
      objects.push(c === OPEN_OBJECT)
      continue
    }
    if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      values += counts.pop() ?? 0
      started.pop()
      objects.pop()
      continue
    }
    if (c === COMMA && depth > 0) {
      started[depth - 1] = false
      const count = counts[depth - 1] ?? 0
      const object = objects[depth - 1] === true
      const limit = object ? JSON_LIMITS.keys : JSON_LIMITS.elements
      if (count >= limit)
        return {
          problem: `${object ? 'an object' : 'an array'} in the JSON body has more than ${limit} ${object ? 'keys' : 'elements'}; at most ${limit} are accepted`,
          suspectKeys,
        }
      if (values + count >= JSON_LIMITS.values)
        return {
          problem: `the JSON body holds more than ${JSON_LIMITS.values} values; at most ${JSON_LIMITS.values} are accepted`,
          suspectKeys,
        }
      continue
    }
    // A literal (number, true, false, null): skip to its end so each character is not taken for a new value.
    while (i + 1 < length) {
      const d = text.charCodeAt(i + 1)
      if (d === COMMA || d === CLOSE_ARRAY || d === CLOSE_OBJECT || d === 32 || d === 10 || d === 13 || d === 9 || d === COLON) break
      i++
    }
  }
  return { problem: undefined, suspectKeys }
}

/**
 * The keys of a parsed value that could pollute a prototype when copied by assignment: an own `__proto__` (JSON.parse
 * makes it a plain key, but `target[key] = value` would set the prototype), or a `constructor` holding `prototype`.
 * Their paths, outermost first; empty when there are none. Bounded by `JSON_LIMITS.depth` (the scan came first).
 * @example pollutingKeys(JSON.parse('{"a":{"__proto__":{"x":1}}}')) // [['a', '__proto__']]
 */
export function pollutingKeys(value: unknown, at: readonly string[] = [], depth = 0): string[][] {
  if (typeof value !== 'object' || value === null || depth > JSON_LIMITS.depth) return []
  const found: string[][] = []
  if (Array.isArray(value)) {
    value.forEach((item, index) => found.push(...pollutingKeys(item, [...at, String(index)], depth + 1)))
    return found
  }
  for (const key of Object.keys(value)) {
    const inner = (value as Record<string, unknown>)[key]
    if (key === '__proto__' || (key === 'constructor' && typeof inner === 'object' && inner !== null && Object.hasOwn(inner, 'prototype')))
      found.push([...at, key])
    else found.push(...pollutingKeys(inner, [...at, key], depth + 1))
  }
  return found
}

/** `value` without the keys `pollutingKeys` finds, removed in place (the value was just parsed and is the caller's). */
export function dropPollutingKeys(value: unknown): void {
  for (const path of pollutingKeys(value)) {
    let parent: unknown = value
    for (const key of path.slice(0, -1)) parent = (parent as Record<string, unknown>)[key]
    delete (parent as Record<string, unknown>)[path.at(-1) as string]
  }
}
