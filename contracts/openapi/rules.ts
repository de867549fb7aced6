import { documented, inferred, type Rule, type RuleBook } from '../provenance.ts'
import { bodyFields } from './body-fields.ts'
import type { OpenApiCollection } from './collections.ts'
import type { OpenApiDocument } from './document.ts'
import { jsonMedia, successStatuses, type OpenApiOperation } from './operations.ts'

/**
 * The rule ids an imported API may carry. Each is documented when the document states it for every operation it
 * concerns (never switchable), else inferred with its readings (switchable with `--reading <api>.<rule>=<value>`).
 */
export type OpenApiRuleId =
  | 'auth.required'
  | 'auth.status'
  | 'body.coercion'
  | 'body.formats'
  | 'create.status'
  | 'create.location'
  | 'put.unknown'
  | 'put.mode'
  | 'patch'
  | 'delete.status'
  | 'delete.then'
  | 'validation.status'
  | 'error.body'
  | 'body.unknown'
  | 'list.pagination'
  | 'response.schema'
  | 'request.schema'
  | 'request.format'
  | 'parameter.checks'
  | 'item.unknown'
  | 'item.stored'

/** Query parameters a list honours as pagination, by what they mean. */
export const PAGE_PARAMS = {
  limit: ['limit', 'per_page', 'perPage', 'page_size', 'pageSize', 'size', 'count', 'max'],
  page: ['page', 'page_number', 'pageNumber'],
  offset: ['offset', 'skip', 'start'],
} as const

/**
 * The rule book of an imported API: what the document states about its operations (documented, with the JSON
 * pointer it states it at) and what the twin infers where the document is silent (inferred, with readings).
 * @example openApiRules(operations, collections)['patch'].provenance.kind // 'inferred' unless every PATCH takes merge-patch+json
 */
export function openApiRules(
  operations: readonly OpenApiOperation[],
  collections: readonly OpenApiCollection[],
  document?: OpenApiDocument,
): RuleBook {
  const byKey = new Map(operations.map((operation) => [operation.key, operation]))
  const role = (name: keyof OpenApiCollection['operations']) =>
    collections.flatMap((c) => {
      const op = c.operations[name] && byKey.get(c.operations[name])
      return op ? [op] : []
    })
  const rules: Record<string, Rule> = {}

  rules['request.schema'] = documented(
    '#/paths (parameters, requestBody)',
    "parameters, bodies and content types are validated against the document's JSON Schema; a request that fails is refused",
  )
  rules['response.schema'] = documented(
    '#/paths (responses)',
    'every answer has a status, content type and body the document declares for the operation',
  )
  // JSON Schema 2020-12 makes `format` an annotation unless a validator opts in (ajv without ajv-formats, many
  // frameworks): a server that takes any string where the document says `email` still follows the document.
  // Body fields have their own per-field rule (body.formats); this one covers parameters and fields it does not list.
  rules['request.format'] = inferred(
    'format is an annotation in JSON Schema 2020-12 unless the validator asserts it; the document cannot say which',
    'a parameter (or a body field body.formats does not list) that misses its format (email, uuid, date-time, uri, …) is refused',
    [
      ['checked', 'a value that misses its format is refused like any other invalid value'],
      ['annotation', 'format is not checked: any string of the right type is taken'],
    ],
  )
  // Query parameters out of bounds are often clamped or ignored (GitHub's per_page=101 answers 100 items).
  if (operations.some((operation) => operation.method === 'GET' && operation.parameters.some((p) => p.in === 'query' || p.in === 'header')))
    rules['parameter.checks'] = inferred(
      'the document does not say whether a query or header parameter outside its schema is refused or clamped, ignored, defaulted',
      'a query or header parameter that breaks its schema (type, enum, bounds, pattern, a required one left out) is refused',
      [
        ['refused', 'refused like an invalid body (4xx)'],
        ['tolerated', 'clamped, ignored or defaulted: the request is answered as if the parameter were valid'],
      ],
    )
  const secured = operations.filter(
    (operation) => operation.security.length > 0 && operation.security.every((alternative) => alternative.length > 0),
  )
  if (secured.length > 0) {
    // What the document states is that credentials are required; which 4xx refuses them it states only where an
    // operation declares its 401 (Galaxy's POST /planets declares 400 and 403, no 401).
    const every401 = secured.every((operation) => operation.responses['401'] !== undefined)
    rules['auth.required'] = documented(
      '#/components/securitySchemes and security',
      every401
        ? 'an operation that requires security answers 401 without valid credentials'
        : 'an operation that requires security refuses a request without valid credentials (a 4xx; nothing changes)',
    )
    if (!every401)
      rules['auth.status'] = inferred(
        'not every secured operation declares its 401; RFC 9110 answers missing or wrong credentials 401',
        'a request without valid credentials answers 401',
        [
          ['401', '401 Unauthorized (with WWW-Authenticate), credentials missing or wrong'],
          ['403', "403 Forbidden, credentials missing or wrong (Spring Security's Http403ForbiddenEntryPoint, many gateways)"],
        ],
      )
  }

  // Only where the document declares the 404 itself: a derived suite then holds an unknown id to it.
  const itemOps = [...role('read'), ...role('replace'), ...role('merge'), ...role('delete')].filter(
    (op) => op.responses['404'] !== undefined,
  )
  if (itemOps.length > 0)
    rules['item.unknown'] = documented(
      itemOps.map((op) => `${op.pointer}/responses/404`).join(', '),
      'an item operation on an id that does not exist answers 404 where the operation declares 404',
    )

  const creates = role('create')
  if (creates.length > 0 && role('read').length > 0) {
    rules['item.stored'] = inferred(
      'the document does not say that what a write accepted is what a read returns',
      'a read of an item returns the values a create or update accepted, as sent',
      [
        ['stored', 'each field sent is read back as sent'],
        ['normalized', 'the server may normalize what it stores (trims, case, rounding): only the id is read back as sent'],
      ],
    )
  }
  const replaces = role('replace')
  const merges = role('merge')
  const deletes = role('delete')
  const stated = (ops: readonly OpenApiOperation[], statuses: readonly number[]) =>
    ops.length > 0 && ops.every((op) => successStatuses(op).filter((s) => statuses.includes(s)).length === 1)
  // A rule is listed only where the document has an operation it concerns: no PATCH, no patch reading.
  if (creates.length > 0)
    rules['create.status'] = stated(creates, [200, 201, 202])
      ? documented(creates.map((op) => `${op.pointer}/responses`).join(', '), 'a create answers the one 2xx status its operation declares')
      : inferred(
          'a create declares no single 2xx status; REST frameworks answer 201 Created',
          'a create the document does not give one status answers 201',
          [
            ['201', '201 Created'],
            ['200', '200 OK'],
          ],
        )
  if (creates.length > 0)
    rules['create.location'] = creates.every((op) => successStatuses(op).some((s) => op.responses[String(s)]?.headers.includes('location')))
      ? documented("Location header of each create's response", 'a create answers a Location header naming the new item')
      : inferred('the document declares no Location header on a create', 'a create answers without a Location header', [
          ['none', 'no Location header'],
          ['location', "Location: the new item's URL (Rails, Spring's ResponseEntity.created)"],
        ])

  if (replaces.length > 0)
    rules['put.unknown'] = replaces.some((op) => successStatuses(op).includes(201))
      ? documented(replaces.map((op) => `${op.pointer}/responses/201`).join(', '), 'a PUT on an unknown id creates the item (201)')
      : inferred('PUT on an id that does not exist: the document declares no 201', 'a PUT on an unknown id answers 404', [
          ['404', '404: the item must exist'],
          ['create', 'the item is created with that id (201 when declared, else the declared 2xx)'],
        ])

  if (replaces.length > 0) {
    rules['put.mode'] = inferred(
      'HTTP says PUT replaces the item; many frameworks (Laravel, Rails) apply only the fields sent',
      'a PUT replaces the item: fields not sent are dropped (required ones keep their value)',
      [
        ['replace', 'the body is the new item; optional fields not sent are removed'],
        ['merge', 'the fields sent replace theirs; others stay (a partial update)'],
      ],
    )
  }
  if (merges.length > 0)
    rules['patch'] = merges.every(
      (op) => op.requestBody && Object.keys(op.requestBody.content).every((type) => type.startsWith('application/merge-patch+json')),
    )
      ? documented(
          merges.map((op) => `${op.pointer}/requestBody/content`).join(', '),
          'PATCH bodies are JSON Merge Patch (RFC 7396): null removes a field',
        )
      : inferred('the document does not say how a PATCH body applies', 'a PATCH merges the fields sent into the item', [
          ['merge', 'the fields sent replace theirs; others stay; null is stored as null'],
          ['merge-patch', 'JSON Merge Patch (RFC 7396): objects merge recursively, null removes the field'],
          ['replace', 'the body replaces the item, as PUT does'],
        ])

  if (deletes.length > 0)
    rules['delete.status'] = stated(deletes, [200, 202, 204])
      ? documented(deletes.map((op) => `${op.pointer}/responses`).join(', '), 'a DELETE answers the one 2xx status its operation declares')
      : inferred('a DELETE declares no single 2xx status', 'a DELETE answers 204 No Content', [
          ['204', '204 No Content'],
          ['200', '200 with the deleted item (or an empty body)'],
        ])
  if (deletes.length > 0)
    rules['delete.then'] = inferred('the document does not say what a deleted item answers', 'a read of a deleted item answers 404', [
      ['404', '404 Not Found, like an id that never existed'],
      ['410', '410 Gone for an id that was deleted'],
    ])

  const declares = (status: string) => operations.filter((op) => op.responses[status] !== undefined).length
  const d400 = declares('400')
  const d422 = declares('422')
  rules['validation.status'] =
    d400 > 0 && d422 === 0
      ? documented('responses 400 (no operation declares 422)', 'a request that fails validation answers 400')
      : d422 > 0 && d400 === 0
        ? documented('responses 422 (no operation declares 400)', 'a request that fails validation answers 422')
        : inferred(
            d400 + d422 === 0 ? 'the document declares no validation failure' : 'the document declares both 400 and 422',
            'a request that fails validation answers 400',
            [
              ['400', '400 Bad Request'],
              ['422', '422 Unprocessable Content'],
            ],
          )

  const errorSchema = operations.some((op) =>
    Object.entries(op.responses).some(
      ([status, response]) => (status.startsWith('4') || status === 'default') && jsonMedia(response.content)?.[1].schema !== undefined,
    ),
  )
  rules['error.body'] = errorSchema
    ? inferred(
        'the document declares an error schema but not what fills it',
        "errors answer the document's own error schema, message fields filled",
        [
          ['document', 'the declared error schema, with message-like fields (message, detail, error) saying what failed'],
          ['problem', 'RFC 9457 application/problem+json {type, title, status, detail, errors}'],
        ],
      )
    : inferred('the document declares no error body', 'errors answer RFC 9457 application/problem+json', [
        ['problem', 'RFC 9457 application/problem+json {type, title, status, detail, errors}'],
        ['plain', 'application/json {"message": "…"}'],
      ])

  rules['body.unknown'] = inferred(
    'the schemas do not say (no additionalProperties) whether unknown fields are refused',
    'unknown body fields are ignored (not stored); readOnly fields sent by a client are ignored',
    [
      ['ignored', 'unknown and readOnly fields are dropped'],
      ['refused', 'unknown and readOnly fields are a validation error'],
    ],
  )

  const fields = document ? bodyFields(document, operations) : []
  const numbers = fields.filter((f) => f.kind !== 'format').map((f) => f.path)
  const formats = fields.filter((f) => f.kind === 'format').map((f) => f.path)
  // Per field: a server's DTO or schema settings decide it field by field (a Jackson double coerces, a hand-written
  // check does not), so calibrate fills them one field at a time (`coerced:habitabilityIndex`).
  if (numbers.length > 0)
    rules['body.coercion'] = inferred(
      'the document types these fields as numbers; Fastify (ajv coerceTypes) and Spring (Jackson) take a numeric string too',
      'a numeric string sent for a number or integer field is refused',
      [
        ['strict', "the document's type: a numeric string for a number is a validation error"],
        ['coerced', 'a numeric string is taken as its number (and stored as one)'],
      ],
      { fields: numbers },
    )
  if (formats.length > 0)
    rules['body.formats'] = inferred(
      'JSON Schema 2020-12 makes format an annotation; many validators (ajv without ajv-formats) do not check it',
      'a string that does not fit its format (email, uri, date-time, uuid, …) is refused',
      [
        ['checked', 'a value that misses its format is a validation error'],
        ['unchecked', 'any string is taken (and stored as sent)'],
      ],
      { fields: formats },
    )

  const lists = role('list')
  if (
    lists.some((op) =>
      op.parameters.some(
        (p) => p.in === 'query' && Object.values(PAGE_PARAMS).some((names) => (names as readonly string[]).includes(p.name)),
      ),
    )
  ) {
    rules['list.pagination'] = inferred(
      'the document declares pagination parameters but not their arithmetic',
      'a list honours its declared limit/page/offset parameters (pages from 1)',
      [
        ['honoured', 'limit (per_page, …) caps the page; page counts from 1; offset skips'],
        ['ignored', 'every item comes back whatever the parameters'],
      ],
    )
  }
  return rules
}
