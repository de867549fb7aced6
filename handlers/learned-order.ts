/** A learned order that is no list of fields: the order the request sent them in (`order: ["<request>"]`). */
export const REQUEST_ORDER = '<request>'

/**
 * A Laravel 422's `errors` in a learned field order (issue 21, suites/learn-order.ts): the server validates its
 * fields in its own `rules()` order, so its errors and its summary's first message follow that order. A key's
 * field is its first segment (`service_ids.0` goes with `service_ids`); a field the order does not name stays right
 * after the key the mock put before it; `["<request>"]` is the order of the fields in the request (`sent`). The
 * object is not changed.
 * @example orderedErrors({ email: ['…'], role_id: ['…'] }, ['role_id', 'email']) // { role_id: ['…'], email: ['…'] }
 */
export function orderedErrors(
  errors: Readonly<Record<string, unknown>>,
  learned: readonly string[],
  sent?: unknown,
): Record<string, unknown> {
  const order =
    learned[0] === REQUEST_ORDER ? (typeof sent === 'object' && sent !== null && !Array.isArray(sent) ? Object.keys(sent) : []) : learned
  let rank = -1
  const ranked = Object.keys(errors).map((key, index) => {
    const at = order.indexOf(key.split('.')[0] ?? key)
    if (at !== -1) rank = at
    return { key, rank, index }
  })
  ranked.sort((a, b) => a.rank - b.rank || a.index - b.index)
  return Object.fromEntries(ranked.map(({ key }) => [key, errors[key]]))
}
