import type { OpenApiCollection } from '../contracts/openapi/collections.ts'
import type { OpenApiContract } from '../contracts/openapi/contract.ts'
import { jsonMedia, responseFor, successStatuses, type OpenApiOperation } from '../contracts/openapi/operations.ts'
import { isObject } from '../contracts/openapi/pointer.ts'
import type { OpenApiRuleId } from '../contracts/openapi/rules.ts'
import { objectShape, propertySchema, timestampRole } from '../contracts/openapi/schema-shape.ts'
import type { Check, CheckContext, Exchange, Suite } from './check.ts'
import { acceptedBodies, brokenBodies, validBody } from './openapi-bodies.ts'
import { needsCredentials } from './openapi-credentials.ts'
import { answersItem, idIn, itemIn, unknownParams } from './openapi-ids.ts'
import { openApiFieldProbes } from './openapi-field-probes.ts'
import { openApiProbes } from './openapi-probes.ts'
import { openApiReferenceTarget } from './openapi-reference.ts'
import { sendOperation, type AuthMode } from './openapi-request.ts'

type R = OpenApiRuleId
type Ctx = CheckContext<R>

export interface OpenApiSuiteOptions {
  /** Broken-body cases per operation, drawn in a seeded order (default 20; 0 leaves them out). */
  readonly maxCases?: number
  /** Seeds the valid bodies and the order the cases are drawn in: the same seed, the same requests. */
  readonly seed?: number
}

/**
 * The contract suite of an imported API, on the same engine as the four's: per operation the auth refusals (no
 * credentials, a wrong token, a wrong scheme → 401), each constraint of its JSON body broken once (refused with
 * the validation status), an unknown id (404 where declared); per collection, with writes, create → read → update →
 * read → delete → read. Each assertion names the rules of `contract.rules` it rests on, so provenance, premises,
 * readings and `--strict` work unchanged; each detail carries a curl line that reproduces the request.
 * @example const suite = openApiSuite(await importOpenApi(doc, { name: 'galaxy' }), { maxCases: 10, seed: 7 })
 */
export function openApiSuite(contract: OpenApiContract, { maxCases = 20, seed = 1 }: OpenApiSuiteOptions = {}): Suite<R> {
  const byKey = new Map(contract.operations.map((operation) => [operation.key, operation]))
  // Collections under other path parameters (nested ones, `/orgs/{org}/teams`) need ids a live server does not
  // publish: left to a later pass. Their operations still get the auth checks.
  const collections = contract.collections.filter((collection) => !collection.collectionPath.includes('{'))
  const roles = new Map<string, { collection: OpenApiCollection; role: string }>()
  for (const collection of collections)
    for (const [role, key] of Object.entries(collection.operations)) if (typeof key === 'string') roles.set(key, { collection, role })
  const checks: Check<R>[] = []
  for (const operation of contract.operations) {
    const role = roles.get(operation.key)
    checks.push(...authChecks(contract, operation, role?.collection))
    if (role?.role === 'create' || role?.role === 'replace' || role?.role === 'merge')
      checks.push(...brokenBodyChecks(contract, operation, role.collection, role.role, byKey, maxCases, seed))
    if (role && role.role !== 'list' && role.role !== 'create') {
      const check = unknownIdCheck(contract, operation, role.collection, role.role, seed)
      if (check) checks.push(check)
    }
  }
  for (const collection of collections) {
    const check = lifecycleCheck(contract, collection, byKey, seed)
    if (check) checks.push(check)
    checks.push(...acceptedBodyChecks(contract, collection, byKey, maxCases, seed))
  }
  const [first] = contract.operations
  return {
    api: contract.name,
    method: first?.method ?? 'GET',
    path: first?.path ?? '/',
    rules: contract.rules,
    checks,
    // Every 200 is scanned for credentials (the run's own above all); a field the document itself declares
    // (GitHub's temp_clone_token) is its business, not a leak.
    secrets: { rule: 'response.schema', allowKeys: declaredProperties(contract.document.root) },
    probeBody: undefined,
    // What makes each reading observable by verify (probe checks), diff and calibrate, as for the four.
    probes: [...openApiProbes(contract, seed), ...openApiFieldProbes(contract, seed)],
    reference: (readings, learned) => openApiReferenceTarget(contract, readings, learned),
  }
}

// --- auth -----------------------------------------------------------------------------------------------------

function authChecks(contract: OpenApiContract, operation: OpenApiOperation, collection: OpenApiCollection | undefined): Check<R>[] {
  if (!contract.rules['auth.required'] || !needsCredentials(operation)) return []
  const cases: Array<[Exclude<AuthMode, 'valid'>, string]> = [
    ['none', 'no credentials'],
    ['wrong-token', 'a wrong token'],
    ['wrong-scheme', 'the token in a wrong scheme'],
  ]
  return cases.map(([auth, what]): Check<R> => ({
    title: `${operation.key}: ${what} → 401 (auth)`,
    async run(t) {
      // An item path names an id that does not exist: a server that skips authentication still writes nothing.
      const params = unknownParams(contract, operation)
      const media = operation.requestBody && jsonMedia(operation.requestBody.content)
      const body = media ? (validBody(contract, media[1].schema, media[1].examples, 1) ?? {}) : undefined
      const { exchange, curl } = await sendOperation(t, operation, { params, body, auth })
      if (collection && collection.operations.create === operation.key) cleanupCreated(t, contract, collection, exchange)
      // Refused is what the document states; which 4xx is documented only where every secured operation declares
      // its 401, else the auth.status reading (a Spring server answering 403 is no failure).
      const refused = exchange.status >= 400 && exchange.status < 500
      if (!contract.rules['auth.status'] || !refused) {
        t.expect('auth.required', exchange.status === 401, `answered ${exchange.status} to a request with ${what}, not 401 — ${curl}`)
        return
      }
      const wanted = Number(t.reading('auth.status'))
      t.expect(
        ['auth.required', 'auth.status'],
        exchange.status === wanted,
        `answered ${exchange.status} to a request with ${what}, not ${wanted} — ${curl}`,
      )
    },
  }))
}

// --- broken bodies --------------------------------------------------------------------------------------------

function brokenBodyChecks(
  contract: OpenApiContract,
  operation: OpenApiOperation,
  collection: OpenApiCollection,
  role: string,
  byKey: ReadonlyMap<string, OpenApiOperation>,
  maxCases: number,
  seed: number,
): Check<R>[] {
  const media = operation.requestBody && jsonMedia(operation.requestBody.content)
  if (!media || maxCases <= 0) return []
  const valid = validBody(contract, media[1].schema, media[1].examples, seed)
  if (!valid) return []
  const cases = shuffled(brokenBodies(contract, media[1].schema, valid), seed).slice(0, maxCases)
  const create = collection.operations.create === undefined ? undefined : byKey.get(collection.operations.create)
  // An update needs an item of ours to send it to: made by the collection's create, so only with --allow-writes.
  const createMedia = create?.requestBody && jsonMedia(create.requestBody.content)
  if (
    role !== 'create' &&
    (!create || !answersItem(create) || !createMedia || !validBody(contract, createMedia[1].schema, createMedia[1].examples, seed))
  )
    return []
  return cases.map((broken): Check<R> => ({
    title: `${operation.key}: refuses ${broken.title} (${broken.kind})`,
    ...(role !== 'create' && { needs: ['writes'] as const }),
    async run(t) {
      // A format a server may leave unchecked (body.formats): nothing to ask where the reading says it is not checked.
      const format = broken.kind === 'format' && contract.rules['body.formats'] !== undefined
      if (format && t.readingOf('body.formats', broken.field) === 'unchecked') return
      let params: Record<string, string | number> | undefined
      if (role !== 'create' && create) {
        const created = await createItem(t, contract, collection, create, seed)
        if (!created) return
        params = { [collection.param]: created.id }
      }
      const { exchange, curl } = await sendOperation(t, operation, { ...(params && { params }), body: broken.body })
      if (role === 'create') cleanupCreated(t, contract, collection, exchange)
      if (
        !t.expect(
          format ? ['request.schema', 'body.formats'] : 'request.schema',
          exchange.status < 200 || exchange.status >= 300,
          `accepted (${exchange.status}) a body whose ${broken.title} — ${curl}`,
        )
      )
        return
      const wanted = validationStatus(t, contract)
      t.expect(
        ['request.schema', 'validation.status'],
        exchange.status === wanted,
        `refused ${broken.title} with ${exchange.status}, not ${wanted} — ${curl}`,
      )
    },
  }))
}

// --- accepted bodies ------------------------------------------------------------------------------------------

/**
 * The positive cases of a collection's create: each documented example, each enum member, each bound reached, sent
 * with --allow-writes and deleted again. Only where the lifecycle runs (a create that answers the item and a DELETE),
 * so nothing is left behind.
 */
function acceptedBodyChecks(
  contract: OpenApiContract,
  collection: OpenApiCollection,
  byKey: ReadonlyMap<string, OpenApiOperation>,
  maxCases: number,
  seed: number,
): Check<R>[] {
  const create = collection.operations.create === undefined ? undefined : byKey.get(collection.operations.create)
  const media = create?.requestBody && jsonMedia(create.requestBody.content)
  const valid = media ? validBody(contract, media[1].schema, media[1].examples, seed) : undefined
  if (!create || !media || !valid || !answersItem(create) || collection.operations.delete === undefined || maxCases <= 0) return []
  return shuffled(acceptedBodies(contract, media[1].schema, media[1].examples, valid), seed)
    .slice(0, maxCases)
    .map((accepted): Check<R> => ({
      title: `${create.key}: accepts ${accepted.title} (positive)`,
      needs: ['writes'],
      async run(t) {
        const { exchange, curl } = await sendOperation(t, create, { body: accepted.body })
        cleanupCreated(t, contract, collection, exchange)
        t.expect(
          'request.schema',
          exchange.status >= 200 && exchange.status < 300,
          `refused (${exchange.status}) a body the document accepts, ${accepted.title} — ${curl}`,
        )
      },
    }))
}

// --- unknown ids ----------------------------------------------------------------------------------------------

function unknownIdCheck(
  contract: OpenApiContract,
  operation: OpenApiOperation,
  collection: OpenApiCollection,
  role: string,
  seed: number,
): Check<R> | undefined {
  if (!contract.rules['item.unknown'] || operation.responses['404'] === undefined) return undefined
  const putUnknown = contract.rules['put.unknown']
  // A PUT may create the item (a documented 201): then an unknown id is no refusal.
  if (role === 'replace' && putUnknown?.provenance.kind === 'documented') return undefined
  const media = operation.requestBody && jsonMedia(operation.requestBody.content)
  const body = media ? validBody(contract, media[1].schema, media[1].examples, seed) : undefined
  const params = unknownParams(contract, operation, true)
  if ((media && !body) || !params) return undefined
  return {
    title: `${operation.key}: an unknown ${collection.param} → 404`,
    // Under the `create` reading a PUT to an unknown id writes: only with --allow-writes, cleaned up after.
    ...(role === 'replace' && { needs: ['writes'] as const }),
    async run(t) {
      if (role === 'replace' && t.reading('put.unknown') !== '404') return
      const { exchange, curl } = await sendOperation(t, operation, { params, ...(body && { body }) })
      if (role === 'replace' && exchange.status >= 200 && exchange.status < 300)
        t.onCleanup(() => deleteItem(t, contract, collection, params[collection.param]))
      const rules: R[] = role === 'replace' ? ['item.unknown', 'put.unknown'] : ['item.unknown']
      t.expect(
        rules,
        exchange.status === 404,
        `answered ${exchange.status} for ${collection.param} ${String(params[collection.param])}, which names no item — ${curl}`,
      )
    },
  }
}

// --- the lifecycle of an item ---------------------------------------------------------------------------------

function lifecycleCheck(
  contract: OpenApiContract,
  collection: OpenApiCollection,
  byKey: ReadonlyMap<string, OpenApiOperation>,
  seed: number,
): Check<R> | undefined {
  const op = (role: keyof OpenApiCollection['operations']) =>
    collection.operations[role] === undefined ? undefined : byKey.get(collection.operations[role])
  const [create, read, replace, merge, remove] = [op('create'), op('read'), op('replace'), op('merge'), op('delete')]
  const media = create?.requestBody && jsonMedia(create.requestBody.content)
  if (
    !create ||
    !read ||
    !contract.rules['item.stored'] ||
    !answersItem(create) ||
    !media ||
    !validBody(contract, media[1].schema, media[1].examples, seed)
  )
    return undefined
  const update = replace ?? merge
  return {
    title: `${collection.name}: create → read → ${update ? 'update → read → ' : ''}${remove ? 'delete → read' : 'kept'} (lifecycle)`,
    // Without a DELETE the item stays: only against throwaway data (the mock, or --allow-writes --disposable).
    needs: remove ? ['writes'] : ['writes', 'disposable'],
    async run(t) {
      const { id, sent } = (await createItem(t, contract, collection, create, seed, { judged: true })) ?? {}
      if (id === undefined || sent === undefined || !addressable(contract, read, collection.param, id)) return
      const params = { [collection.param]: id }
      await readBack(t, contract, collection, read, params, sent, 'the create')
      if (update) {
        const media = update.requestBody && jsonMedia(update.requestBody.content)
        const changed = media && validBody(contract, media[1].schema, [], seed + 1)
        if (media && changed) {
          const { exchange, curl } = await sendOperation(t, update, { params, body: changed })
          // Accepting it rests on how the body applies too (merged into the item, the result must still be an item).
          const applies: R = update.method === 'PUT' ? 'put.mode' : 'patch'
          if (
            t.expect(
              contract.rules[applies] ? ['request.schema', applies] : 'request.schema',
              successStatuses(update).includes(exchange.status) ||
                (successStatuses(update).length === 0 && exchange.status < 300 && exchange.status >= 200),
              `refused (${exchange.status}) a body the document accepts — ${curl}`,
            )
          ) {
            await readBack(t, contract, collection, read, params, changed, `the ${update.method}`)
          }
        }
      }
      if (!remove) return
      const { exchange, curl } = await sendOperation(t, remove, { params })
      const wanted = expectedSuccess(t, contract, remove, 'delete.status', [200, 202, 204])
      if (
        !t.expect('delete.status', exchange.status === wanted, `answered ${exchange.status} to the delete, not ${wanted} — ${curl}`) &&
        (exchange.status < 200 || exchange.status >= 300)
      )
        return
      const after = await sendOperation(t, read, { params })
      const gone = Number(t.reading('delete.then'))
      t.expect(
        'delete.then',
        after.exchange.status === gone,
        `a read of the deleted item answered ${after.exchange.status}, not ${gone} — ${after.curl}`,
      )
    },
  }
}

/**
 * Creates an item with a valid body and registers its deletion; its id, or undefined when the create was refused
 * (judged under `create.status` when `judged`, else only the id must come back).
 */
async function createItem(
  t: Ctx,
  contract: OpenApiContract,
  collection: OpenApiCollection,
  create: OpenApiOperation,
  seed: number,
  { judged = false } = {},
): Promise<{ id: string | number; sent: Record<string, unknown> } | undefined> {
  const media = create.requestBody && jsonMedia(create.requestBody.content)
  const body = media ? validBody(contract, media[1].schema, media[1].examples, seed) : undefined
  if (!body) throw new Error(`${create.key}: no valid body could be drawn from the document`)
  const { exchange, curl } = await sendOperation(t, create, { body })
  cleanupCreated(t, contract, collection, exchange)
  const wanted = expectedSuccess(t, contract, create, 'create.status', [200, 201, 202])
  const ok2xx = exchange.status >= 200 && exchange.status < 300
  if (judged) t.expect('create.status', exchange.status === wanted, `answered ${exchange.status} to a create, not ${wanted} — ${curl}`)
  else t.expect('request.schema', ok2xx, `refused (${exchange.status}) a body the document accepts — ${curl}`)
  if (!ok2xx) return undefined
  const schema = jsonMedia(responseFor(create, exchange.status)?.content ?? {})?.[1].schema
  if (schema !== undefined) {
    const issues = contract.check(schema, 'response')(exchange.body)
    t.expect(
      'response.schema',
      issues.length === 0,
      `the create's ${exchange.status} body does not fit the document: ${issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.') || 'body'}: ${i.message}`)
        .join('; ')} — ${curl}`,
    )
  }
  const id = idIn(exchange.body, collection.idField)
  t.expect('item.stored', id !== undefined, `the create's answer carries no ${collection.idField} — ${curl}`)
  return id === undefined ? undefined : { id, sent: body }
}

/** Reads the item and compares each field `sent` (under `item.stored: normalized`, the id only). */
async function readBack(
  t: Ctx,
  contract: OpenApiContract,
  collection: OpenApiCollection,
  read: OpenApiOperation,
  params: Readonly<Record<string, string | number>>,
  sent: Readonly<Record<string, unknown>>,
  after: string,
): Promise<void> {
  const { exchange, curl } = await sendOperation(t, read, { params })
  if (
    !t.expect(
      'item.stored',
      exchange.status === (successStatuses(read)[0] ?? 200),
      `a read after ${after} answered ${exchange.status} — ${curl}`,
    )
  )
    return
  const item = itemIn(exchange.body, collection.idField)
  const shape = objectShape(contract.document, collection.itemSchema)
  const compared =
    t.reading('item.stored') === 'normalized'
      ? []
      : Object.keys(sent).filter((key) => {
          const node = shape ? propertySchema(contract.document, shape, key) : {}
          // Write-only fields never come back; timestamps are the server's to set.
          return node['writeOnly'] !== true && timestampRole(key, node) === undefined && shape?.properties[key] !== undefined
        })
  const differ = compared.filter((key) => JSON.stringify(canonical(item?.[key])) !== JSON.stringify(canonical(sent[key])))
  t.expect(
    'item.stored',
    differ.length === 0,
    `a read after ${after} shows ${differ.map((key) => `${key} ${JSON.stringify(item?.[key])} (sent ${JSON.stringify(sent[key])})`).join(', ')} — ${curl}`,
  )
}

// --- helpers --------------------------------------------------------------------------------------------------

/** After a create a conforming server refused but this one took: delete what it made, pass or fail. */
function cleanupCreated(t: Ctx, contract: OpenApiContract, collection: OpenApiCollection, exchange: Exchange): void {
  if (exchange.status < 200 || exchange.status >= 300) return
  const id = idIn(exchange.body, collection.idField)
  if (id !== undefined) t.onCleanup(() => deleteItem(t, contract, collection, id))
}

async function deleteItem(
  t: Ctx,
  contract: OpenApiContract,
  collection: OpenApiCollection,
  id: string | number | undefined,
): Promise<void> {
  const remove =
    collection.operations.delete === undefined ? undefined : contract.operations.find((op) => op.key === collection.operations.delete)
  if (!remove || id === undefined) return
  await sendOperation(t, remove, { params: { [collection.param]: id } })
}

/** Every property name any schema of the document declares, found in one walk. */
function declaredProperties(root: unknown): string[] {
  const names = new Set<string>()
  const seen = new Set<object>()
  const walk = (node: unknown): void => {
    if (typeof node !== 'object' || node === null || seen.has(node)) return
    seen.add(node)
    if (Array.isArray(node)) {
      for (const item of node) walk(item)
      return
    }
    const properties = (node as Record<string, unknown>)['properties']
    if (isObject(properties)) for (const name of Object.keys(properties)) names.add(name)
    for (const value of Object.values(node)) walk(value)
  }
  walk(root)
  return [...names]
}

/** Object keys sorted, so two equal values compare equal whatever order a server writes their keys in. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical)
  if (isObject(value))
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical(value[key])]),
    )
  return value
}

/**
 * The 2xx a create or delete answers: the one its operation declares; among several (or none), the rule's reading
 * where the operation allows it, else the first declared.
 */
function expectedSuccess(
  t: Ctx,
  contract: OpenApiContract,
  operation: OpenApiOperation,
  rule: 'create.status' | 'delete.status',
  statuses: readonly number[],
): number {
  const declared = successStatuses(operation)
  if (contract.rules[rule]?.provenance.kind === 'documented') return declared.find((s) => statuses.includes(s)) ?? declared[0] ?? 200
  const [only] = declared
  if (declared.length === 1 && only !== undefined) return only
  const reading = Number(t.reading(rule))
  return declared.length === 0 || declared.includes(reading) ? reading : (declared[0] ?? reading)
}

/** Whether `id` is a value the read's path parameter takes (a document may bound ids below what a create draws). */
function addressable(contract: OpenApiContract, read: OpenApiOperation, param: string, id: string | number): boolean {
  const schema = read.parameters.find((p) => p.in === 'path' && p.name === param)?.schema
  return schema === undefined || contract.check(schema, 'request')(id).length === 0
}

/** The status a validation failure answers: the one the document states, else the reading the target follows. */
function validationStatus(t: Ctx, contract: OpenApiContract): number {
  const rule = contract.rules['validation.status']
  if (rule?.provenance.kind === 'documented') return /\b422\b/.test(rule.text) ? 422 : 400
  return Number(t.reading('validation.status'))
}

/** A seeded shuffle (mulberry32): the same seed draws the same cases in the same order. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let x = state
    x = Math.imul(x ^ (x >>> 15), x | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296
  }
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1))
    const a = out[i] as T
    out[i] = out[j] as T
    out[j] = a
  }
  return out
}
