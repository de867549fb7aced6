import { bodyFields, withValueAt } from '../contracts/openapi/body-fields.ts'
import type { OpenApiContract } from '../contracts/openapi/contract.ts'
import { jsonMedia, type OpenApiOperation } from '../contracts/openapi/operations.ts'
import type { CheckContext } from './check.ts'
import { validBody } from './openapi-bodies.ts'
import { needsCredentials } from './openapi-credentials.ts'
import { answersItem, idIn, unknownParams } from './openapi-ids.ts'
import { sendOperation } from './openapi-request.ts'
import type { Probe } from './probes.ts'

/** Fields asked per probe: each is one create (and its delete) on a live server. */
const MAX_FIELDS = 12

/** A string that fits no format (email, uri, date-time, uuid, date, ipv4, …): spaces and no scheme. */
const NOT_A_FORMAT = 'not a valid value'

/**
 * The probes of the inferred rules whose answer a server gives per request or per field: `auth.status` (which 4xx
 * refuses credentials, missing and wrong apart), `body.coercion` (is a numeric string taken for each number field)
 * and `body.formats` (is each format checked). The field probes create one item per field on the first collection
 * whose create names such fields and answers the item (so it can be deleted again): they need writes. Each
 * observes the fields the server refused, sorted, so calibrate can fill a per-field reading field by field.
 * @example openApiFieldProbes(contract).map((p) => p.rule) // ['auth.status', 'body.coercion', 'body.formats']
 */
export function openApiFieldProbes(contract: OpenApiContract, seed = 1): Probe[] {
  const out: Probe[] = []
  const inferred = (rule: string) => contract.rules[rule]?.provenance.kind === 'inferred'
  const byKey = new Map(contract.operations.map((operation) => [operation.key, operation]))

  if (inferred('auth.status')) {
    // A read where there is one: a server that skips authentication still changes nothing; else an unknown id.
    const secured = contract.operations.filter(needsCredentials)
    const operation = secured.find((op) => op.method === 'GET') ?? secured[0]
    if (operation)
      out.push({
        rule: 'auth.status',
        observe: async (t) => {
          const params = unknownParams(contract, operation)
          const media = operation.requestBody && jsonMedia(operation.requestBody.content)
          const body = media ? (validBody(contract, media[1].schema, media[1].examples, seed) ?? {}) : undefined
          const status = async (auth: 'none' | 'wrong-token') =>
            (await sendOperation(t, operation, { params, ...(body !== undefined && { body }), auth })).exchange.status
          const seen = { none: await status('none'), wrong: await status('wrong-token') }
          // Which 4xx refuses rests on a refusal at all (auth.required, documented): a server that lets either in is
          // that rule's finding, not a reading of this one.
          if (![seen.none, seen.wrong].every((s) => s >= 400 && s < 500))
            t.skip(`${operation.key} answered ${seen.none} without credentials and ${seen.wrong} with a wrong token: auth.required decides`)
          return seen
        },
      })
  }

  // Top-level collections whose create answers the item and which can delete it again; the valid body (a draw from
  // the schema, the costly part on a large document) only for one that names fields of the rule.
  const writable = contract.collections.flatMap((collection) => {
    const create = collection.operations.create === undefined ? undefined : byKey.get(collection.operations.create)
    const remove = collection.operations.delete === undefined ? undefined : byKey.get(collection.operations.delete)
    const media = create?.requestBody && jsonMedia(create.requestBody.content)
    if (collection.collectionPath.includes('{') || !create || !remove || !media || !answersItem(create)) return []
    return [
      { collection, create, remove, schema: media[1].schema, examples: media[1].examples, fields: bodyFields(contract.document, [create]) },
    ]
  })
  const fieldProbe = (rule: 'body.coercion' | 'body.formats', kinds: ReadonlyArray<string>, spoil: (valid: unknown) => unknown) => {
    if (!inferred(rule)) return
    for (const { collection, create, remove, schema, examples, fields } of writable) {
      if (!fields.some((field) => kinds.includes(field.kind))) continue
      const valid = validBody(contract, schema, examples, seed)
      if (!valid) continue
      const check = contract.check(schema, 'request')
      // Each field with a body that breaks the document only there: the spoilt value, all else valid.
      const cases = fields
        .filter((field) => kinds.includes(field.kind))
        .flatMap((field) => {
          const value = spoil(field.kind === 'format' ? undefined : valueFitting(check, valid, field.path))
          if (value === undefined) return []
          const body = withValueAt(valid, field.path, value)
          return check(body).length > 0 ? [{ field: field.path, body }] : []
        })
        .slice(0, MAX_FIELDS)
      if (cases.length === 0) continue
      out.push({
        rule,
        needs: ['writes'],
        observe: async (t) => {
          const refused: string[] = []
          for (const { field, body } of cases) {
            const { exchange } = await sendOperation(t, create, { body })
            if (exchange.status >= 200 && exchange.status < 300)
              cleanup(t, remove, collection.param, idIn(exchange.body, collection.idField))
            else refused.push(field)
          }
          return refused.sort()
        },
      })
      return
    }
  }
  // A number the field takes sent as its decimal text; a string fitting no format.
  fieldProbe('body.coercion', ['number', 'integer'], (fitting) => (typeof fitting === 'number' ? String(fitting) : undefined))
  fieldProbe('body.formats', ['format'], () => NOT_A_FORMAT)
  return out
}

/** For a numeric field: a value the document accepts there (the body stays valid), else undefined. */
function valueFitting(check: (value: unknown) => readonly unknown[], valid: Readonly<Record<string, unknown>>, path: string): unknown {
  return [1, 0.5, 2, 10, 0.25, 100].find((n) => check(withValueAt(valid, path, n)).length === 0)
}

function cleanup(t: CheckContext<string>, remove: OpenApiOperation, param: string, id: string | number | undefined): void {
  if (id !== undefined) t.onCleanup(() => sendOperation(t, remove, { params: { [param]: id } }))
}
