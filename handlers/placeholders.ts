/**
 * Whole values of one server (account ids, e-mails, tokens, the request's path ids) swapped for placeholders and
 * back, so texts of two servers compare and a learned text fits another request. Only whole values are replaced:
 * a value inside a longer number or word is another value (tenant `2` is not in "255 characters").
 */

const WORD = '[A-Za-z0-9_]'
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * Every whole occurrence of `value` in `text` replaced: not touching a letter, digit or underscore on either
 * side, nor a decimal point that continues a number ("2" is not in "1.2" or "2.5").
 * @example replaceWhole('user 21 of 121 (21.5)', '21', '<id>') // 'user <id> of 121 (21.5)'
 */
export function replaceWhole(text: string, value: string, placeholder: string): string {
  if (value === '') return text
  return text.replace(new RegExp(`(?<!${WORD})(?<!\\d\\.)${escape(value)}(?!${WORD})(?!\\.\\d)`, 'g'), () => placeholder)
}

/** Value → placeholder pairs, applied in order (the caller puts the longest, or the most specific, first). */
export type Swaps = ReadonlyArray<readonly [string, string]>

/**
 * `text` with each swap's value replaced by its placeholder.
 * @example toPlaceholders('No user 12', [['12', '<param.id>']]) // 'No user <param.id>'
 */
export function toPlaceholders(text: string, swaps: Swaps): string {
  return swaps.reduce((out, [value, placeholder]) => replaceWhole(out, value, placeholder), text)
}

/**
 * `text` with each placeholder replaced by its value (a placeholder without a value is left as it is).
 * @example fromPlaceholders('No user <param.id>', [['7', '<param.id>']]) // 'No user 7'
 */
export function fromPlaceholders(text: string, swaps: Swaps): string {
  return swaps.reduce((out, [value, placeholder]) => out.split(placeholder).join(value), text)
}

/** Swaps sorted longest value first, so an e-mail is replaced before an id inside it. */
export function swapsOf(pairs: Iterable<readonly [string | number | undefined, string]>): Swaps {
  return [...pairs]
    .filter((pair): pair is readonly [string | number, string] => pair[0] !== undefined && String(pair[0]).length > 0)
    .map(([value, placeholder]) => [String(value), placeholder] as const)
    .sort(([a], [b]) => b.length - a.length)
}

/**
 * A path parameter's placeholder: `<param.id>` for an id (digits or a UUID), `<param.id:text>` for anything else, so
 * a server answering `/users/abc` (no route) and `/users/12` (no user) differently keeps both texts apart.
 * @example paramPlaceholder('id', '12') // '<param.id>'
 */
export function paramPlaceholder(name: string, value: string): string {
  return /^\d+$|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value) ? `<param.${name}>` : `<param.${name}:text>`
}

const ID_LIKE = /^(?:\d{4,}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i
/** At most this many of a body's values are looked at: the cost of a hostile body stays bounded. */
const BODY_LEAVES = 64

/**
 * The id-like values a request body carries (UUIDs, numbers of four or more digits), by where they were sent:
 * `<body.roles.0>`. A refusal that names what the request sent ("Role 3c90… not found") is learned with the
 * placeholder, so it fits the next request's id, and a status learned for it is keyed by its wording, not its id.
 * @example bodyIdSwaps({ roles: ['3c90c3cc-0d44-4b50-8888-8dd25736052a'] }) // [['3c90…', '<body.roles.0>']]
 */
export function bodyIdSwaps(body: unknown): Swaps {
  const pairs: Array<readonly [string, string]> = []
  let seen = 0
  const walk = (value: unknown, path: string): void => {
    if (++seen > BODY_LEAVES) return
    if (Array.isArray(value)) value.forEach((item, index) => walk(item, `${path}.${index}`))
    else if (typeof value === 'object' && value !== null) for (const [key, item] of Object.entries(value)) walk(item, `${path}.${key}`)
    else if ((typeof value === 'string' || (typeof value === 'number' && Number.isSafeInteger(value))) && ID_LIKE.test(String(value)))
      pairs.push([String(value), `<body${path}>`])
  }
  if (typeof body === 'object' && body !== null) walk(body, '')
  return swapsOf(pairs)
}
