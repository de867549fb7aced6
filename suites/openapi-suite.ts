import type { OpenApiCollection } from '../contracts/openapi/collections.ts'
import type { OpenApiContract } from '../contracts/openapi/contract.ts'
import { jsonMedia, responseFor, successStatuses, validationStatusOf, type OpenApiOperation } from '../contracts/openapi/operations.ts'
import { deref, isObject, type JsonObject } from '../contracts/openapi/pointer.ts'
import { PAGE_PARAMS, type OpenApiRuleId } from '../contracts/openapi/rules.ts'
import { objectShape, propertySchema, timestampRole, typesOf } from '../contracts/openapi/schema-shape.ts'
import { createFaker } from '../fixtures/faker.ts'
import { validSample } from '../fixtures/openapi-seed.ts'
import type { Check, CheckContext, Exchange, Suite } from './check.ts'
import { acceptedBodies, breaches, brokenBodies, validBody } from './openapi-bodies.ts'
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
  // Nested collections (`/a/{aId}/b`) run under an existing parent the suite finds (its list) or makes (its create).
  // Collections under path parameters that name no collection of the document (GitHub's `/repos/{owner}/{repo}/…`)
  // need ids a live server does not publish: their operations get the auth and parameter checks only.
  const collections = contract.collections.filter((collection) => reachable(collection))
  const roles = new Map<string, { collection: OpenApiCollection; role: string }>()
  for (const collection of collections)
    for (const [role, key] of Object.entries(collection.operations)) if (typeof key === 'string') roles.set(key, { collection, role })
  const env: Env = { contract, byKey, seed }
  const checks: Check<R>[] = []
  for (const operation of contract.operations) {
    const role = roles.get(operation.key)
    checks.push(...authChecks(env, operation, role?.collection))
    if (operation.method === 'GET') checks.push(...parameterChecks(env, operation, maxCases))
    const read = readCheck(env, operation)
    if (read) checks.push(read)
    if (role?.role === 'create' || role?.role === 'replace' || role?.role === 'merge')
      checks.push(...brokenBodyChecks(env, operation, role.collection, role.role, maxCases))
    if (role && role.role !== 'list' && role.role !== 'create') {
      const check = unknownIdCheck(env, operation, role.collection, role.role)
      if (check) checks.push(check)
    }
    if (role && role.collection.parent !== undefined) {
      const check = unknownParentCheck(env, operation, role.collection, role.role)
      if (check) checks.push(check)
    }
  }
  for (const collection of collections) {
    const check = lifecycleCheck(env, collection)
    if (check) checks.push(check)
    checks.push(...acceptedBodyChecks(env, collection, maxCases))
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

/** What every check builder of the suite reads. */
interface Env {
  readonly contract: OpenApiContract
  readonly byKey: ReadonlyMap<string, OpenApiOperation>
  readonly seed: number
}

/** Path parameters naming a parent: `{ planetId: 3 }` for `/planets/{planetId}/moons`. */
type Params = Readonly<Record<string, string | number>>

function authChecks(env: Env, operation: OpenApiOperation, collection: OpenApiCollection | undefined): Check<R>[] {
  const { contract } = env
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
      const { exchange, curl } = await sendOperation(t, operation, { params, body, auth, query: requiredQuery(env, operation) ?? [] })
      if (collection && collection.operations.create === operation.key) cleanupCreated(t, env, collection, exchange, params)
      // Refused for its credentials is what the document states (401, or 403 as some stacks answer: a 404 for the
      // unknown id means authentication was skipped); which of the two is documented only where every secured
      // operation declares its 401, else the auth.status reading (a Spring server answering 403 is no failure).
      if (!contract.rules['auth.status']) {
        t.expect('auth.required', exchange.status === 401, `answered ${exchange.status} to a request with ${what}, not 401 — ${curl}`)
        return
      }
      if (
        !t.expect(
          'auth.required',
          exchange.status === 401 || exchange.status === 403,
          `answered ${exchange.status} to a request with ${what}, not 401 or 403 — ${curl}`,
        )
      )
        return
      const wanted = Number(t.reading('auth.status'))
      t.expect(
        ['auth.required', 'auth.status'],
        exchange.status === wanted,
        `answered ${exchange.status} to a request with ${what}, not ${wanted} — ${curl}`,
      )
    },
  }))
}

// --- broken parameters ----------------------------------------------------------------------------------------

/**
 * Each constraint of each query and path parameter of a read broken once (a required query parameter left out too):
 * GETs only, so a server that tolerates the value changes nothing. Path parameters name ids that do not exist, so
 * any refusal (400, 404, 422) holds; a query parameter's case rests on `parameter.checks` (servers clamp or ignore
 * them: GitHub's per_page=101), a format's on `request.format`.
 */
function parameterChecks(env: Env, operation: OpenApiOperation, maxCases: number): Check<R>[] {
  const { contract, seed } = env
  if (maxCases <= 0) return []
  const base = unknownParams(contract, operation, true)
  const query = requiredQuery(env, operation)
  const requiredHeaders = Object.fromEntries(requiredQuery(env, operation, 'header') ?? [])
  if (!base || !query) return []
  const cases: Array<{
    title: string
    kind: string
    params: Params
    query: Array<readonly [string, string]>
    headers?: Record<string, string>
    rules: R[]
  }> = []
  for (const parameter of operation.parameters) {
    // OpenAPI ignores header parameters named Accept, Content-Type or Authorization; cookies are left out.
    if (parameter.in === 'cookie' || parameter.schema === undefined) continue
    if (parameter.in === 'header' && ['accept', 'content-type', 'authorization'].includes(parameter.name)) continue
    const node = deref(contract.document.root, parameter.schema)
    if (!isObject(node) || typesOf(node).some((type) => type === 'array' || type === 'object')) continue
    const fits = contract.check(parameter.schema, 'request')
    const current =
      parameter.in === 'path'
        ? base[parameter.name]
        : parameter.in === 'query'
          ? query.find(([name]) => name === parameter.name)?.[1]
          : undefined
    const premise: R[] = parameter.in === 'path' || !contract.rules['parameter.checks'] ? [] : ['parameter.checks']
    if (parameter.in === 'header' && premise.length === 0) continue
    if (parameter.in === 'query' && parameter.required)
      cases.push({
        title: `query parameter ${parameter.name}: required parameter left out`,
        kind: 'required',
        params: base,
        query: query.filter(([name]) => name !== parameter.name),
        rules: ['request.schema', ...premise],
      })
    if (parameter.in === 'header' && parameter.required)
      cases.push({
        title: `header parameter ${parameter.name}: required parameter left out`,
        kind: 'required',
        params: base,
        query,
        headers: Object.fromEntries(Object.entries(requiredHeaders).filter(([name]) => name !== parameter.name)),
        rules: ['request.schema', ...premise],
      })
    for (const breach of breaches(contract, parameter.schema, current, { seed, path: [parameter.name] })) {
      const broken = breach.value
      if (breach.remove || (typeof broken !== 'string' && typeof broken !== 'number' && typeof broken !== 'boolean')) continue
      // A header value reaches the server trimmed (HTTP drops surrounding whitespace).
      const text = parameter.in === 'header' ? String(broken).trim() : String(broken)
      // What the server reads is text: `12345` is a fine string; only a value its schema refuses as read is a case.
      if (fits(asRead(node, text)).length === 0) continue
      cases.push({
        title: `${parameter.in} parameter ${parameter.name}: ${breach.title}`,
        kind: breach.kind,
        params: parameter.in === 'path' ? { ...base, [parameter.name]: text } : base,
        query: parameter.in === 'query' ? [...query.filter(([name]) => name !== parameter.name), [parameter.name, text]] : query,
        ...(parameter.in === 'header' && { headers: { ...requiredHeaders, [parameter.name]: text } }),
        rules: ['request.schema', ...premise, ...(breach.premise ? [breach.premise] : [])],
      })
    }
  }
  return shuffled(cases, seed)
    .slice(0, maxCases)
    .map((c): Check<R> => ({
      title: `${operation.key}: refuses ${c.title} (${c.kind})`,
      async run(t) {
        if (c.rules.includes('request.format') && t.reading('request.format') === 'annotation') return
        if (c.rules.includes('parameter.checks') && t.reading('parameter.checks') === 'tolerated') return
        const { exchange, curl } = await sendOperation(t, operation, {
          params: c.params,
          query: c.query,
          headers: c.headers ?? requiredHeaders,
        })
        t.expect(
          c.rules,
          exchange.status >= 400 && exchange.status < 500,
          `answered ${exchange.status} to a request whose ${c.title} — ${curl}`,
        )
      },
    }))
}

/** A query or path value as a server reads it: text, a number where the schema says number, a boolean. */
function asRead(node: JsonObject, text: string): unknown {
  const types = typesOf(node)
  if ((types.includes('integer') || types.includes('number')) && text.trim() !== '' && Number.isFinite(Number(text))) return Number(text)
  if (types.includes('boolean') && (text === 'true' || text === 'false')) return text === 'true'
  return text
}

/**
 * Values for the operation's required query (or header) parameters, which a request needs to be answered at all;
 * undefined when one cannot be drawn.
 */
function requiredQuery(
  env: Env,
  operation: OpenApiOperation,
  where: 'query' | 'header' = 'query',
): Array<readonly [string, string]> | undefined {
  const out: Array<readonly [string, string]> = []
  for (const parameter of operation.parameters) {
    if (parameter.in !== where || !parameter.required) continue
    const value = parameter.schema === undefined ? 'apitwin' : validSample(env.contract, createFaker(env.seed), parameter.schema, 'request')
    const scalar = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
    // An array of scalars goes as the form style sends it by default: the name repeated (explode), else comma-joined.
    if (Array.isArray(value) && value.length > 0 && value.every(scalar) && where === 'query') {
      if (parameter.explode === false) out.push([parameter.name, value.map(String).join(',')])
      else for (const item of value) out.push([parameter.name, String(item)])
      continue
    }
    if (!scalar(value)) return undefined
    out.push([parameter.name, String(value)])
  }
  return out
}

// --- broken bodies --------------------------------------------------------------------------------------------

function brokenBodyChecks(
  env: Env,
  operation: OpenApiOperation,
  collection: OpenApiCollection,
  role: string,
  maxCases: number,
): Check<R>[] {
  const { contract, seed } = env
  const media = operation.requestBody && jsonMedia(operation.requestBody.content)
  if (!media || maxCases <= 0) return []
  const valid = validBody(contract, media[1].schema, media[1].examples, seed)
  if (!valid) return []
  const cases = shuffled(brokenBodies(contract, media[1].schema, valid, seed), seed).slice(0, maxCases)
  const create = opOf(env, collection, 'create')
  // An update needs an item of ours to send it to: made by the collection's create, so only with --allow-writes.
  if (role !== 'create' && (!create || !answersItem(create) || !bodyFor(env, create))) return []
  return cases.map((broken): Check<R> => ({
    title: `${operation.key}: refuses ${broken.title} (${broken.kind})`,
    ...(role !== 'create' && { needs: ['writes'] as const }),
    async run(t) {
      // A format a server may leave unchecked: per field where body.formats lists it (the twin follows that), else
      // request.format. Nothing to ask where the reading says the format is not checked.
      const format = formatPremise(contract, broken)
      if (format === 'body.formats' && t.readingOf('body.formats', broken.field) === 'unchecked') return
      if (format === 'request.format' && t.reading('request.format') === 'annotation') return
      const scope = await parentScope(t, env, collection)
      let params: Params = scope
      if (role !== 'create' && create) {
        const created = await createItem(t, env, collection, create, scope)
        if (!created) return
        params = { ...scope, [collection.param]: created.id }
      }
      const { exchange, curl } = await sendOperation(t, operation, { params, body: broken.body })
      if (role === 'create') cleanupCreated(t, env, collection, exchange, scope)
      // A format a server may take as an annotation: accepting it is a warning on its premise, not a failure.
      const rules: R[] = format ? ['request.schema', format] : ['request.schema']
      if (
        !t.expect(
          rules,
          exchange.status < 200 || exchange.status >= 300,
          `accepted (${exchange.status}) a body whose ${broken.title} — ${curl}`,
        )
      )
        return
      const wanted = validationStatusOf(operation, validationStatus(t, contract))
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
function acceptedBodyChecks(env: Env, collection: OpenApiCollection, maxCases: number): Check<R>[] {
  const { contract, seed } = env
  const create = opOf(env, collection, 'create')
  const media = create?.requestBody && jsonMedia(create.requestBody.content)
  const valid = media ? validBody(contract, media[1].schema, media[1].examples, seed) : undefined
  if (!create || !media || !valid || !answersItem(create) || collection.operations.delete === undefined || maxCases <= 0) return []
  return shuffled(acceptedBodies(contract, media[1].schema, media[1].examples, valid), seed)
    .slice(0, maxCases)
    .map((accepted): Check<R> => ({
      title: `${create.key}: accepts ${accepted.title} (positive)`,
      needs: ['writes'],
      async run(t) {
        const scope = await parentScope(t, env, collection)
        const { exchange, curl } = await sendOperation(t, create, { params: scope, body: accepted.body })
        cleanupCreated(t, env, collection, exchange, scope)
        t.expect(
          'request.schema',
          exchange.status >= 200 && exchange.status < 300,
          `refused (${exchange.status}) a body the document accepts, ${accepted.title} — ${curl}`,
        )
      },
    }))
}

// --- unknown ids ----------------------------------------------------------------------------------------------

/** An item operation on an id that names nothing (under an existing parent, for a nested collection) → 404. */
function unknownIdCheck(env: Env, operation: OpenApiOperation, collection: OpenApiCollection, role: string): Check<R> | undefined {
  const { contract } = env
  if (!contract.rules['item.unknown'] || operation.responses['404'] === undefined) return undefined
  const putUnknown = contract.rules['put.unknown']
  // A PUT may create the item (a documented 201): then an unknown id is no refusal.
  if (role === 'replace' && putUnknown?.provenance.kind === 'documented') return undefined
  const body = bodyFor(env, operation)
  const unknown = unknownParams(contract, operation, true)
  const query = requiredQuery(env, operation)
  if ((operation.requestBody && jsonMedia(operation.requestBody.content) && !body) || !unknown || !query) return undefined
  return {
    title: `${operation.key}: an unknown ${collection.param}${collection.parent === undefined ? '' : ` under an existing ${collection.parent} item`} → 404`,
    // Under the `create` reading a PUT to an unknown id writes: only with --allow-writes, cleaned up after.
    ...(role === 'replace' && { needs: ['writes'] as const }),
    async run(t) {
      if (role === 'replace' && t.reading('put.unknown') !== '404') return
      const scope = await parentScope(t, env, collection)
      const params = { ...unknown, ...scope }
      const { exchange, curl } = await sendOperation(t, operation, { params, query, ...(body && { body }) })
      if (role === 'replace' && exchange.status >= 200 && exchange.status < 300)
        t.onCleanup(() => deleteItem(t, env, collection, scope, params[collection.param]))
      const rules: R[] = role === 'replace' ? ['item.unknown', 'put.unknown'] : ['item.unknown']
      t.expect(
        rules,
        exchange.status === 404,
        `answered ${exchange.status} for ${collection.param} ${String(params[collection.param])}, which names no item — ${curl}`,
      )
    },
  }
}

/**
 * Any operation of a nested collection under a parent that does not exist → 404, where the operation declares 404:
 * the path names an item (the parent) that is not there, whatever comes after it.
 */
function unknownParentCheck(env: Env, operation: OpenApiOperation, collection: OpenApiCollection, role: string): Check<R> | undefined {
  const { contract } = env
  if (!contract.rules['item.unknown'] || operation.responses['404'] === undefined) return undefined
  const body = bodyFor(env, operation)
  const params = unknownParams(contract, operation, true)
  const query = requiredQuery(env, operation)
  if ((operation.requestBody && jsonMedia(operation.requestBody.content) && !body) || !params || !query) return undefined
  const writes = role === 'create' || role === 'replace' || role === 'merge'
  return {
    title: `${operation.key}: an unknown ${collection.parentParams.join(', ')} (no such ${collection.parent ?? 'parent'}) → 404`,
    // A server that takes a create under a parent it does not have would write: only with --allow-writes.
    ...(writes && { needs: ['writes'] as const }),
    async run(t) {
      const { exchange, curl } = await sendOperation(t, operation, { params, query, ...(body && { body }) })
      if (role === 'create') cleanupCreated(t, env, collection, exchange, params)
      t.expect(
        'item.unknown',
        exchange.status === 404,
        `answered ${exchange.status} under ${collection.parentParams.map((p) => `${p} ${String(params[p])}`).join(', ')}, which names no ${collection.parent ?? 'parent'} — ${curl}`,
      )
    },
  }
}

// --- the lifecycle of an item ---------------------------------------------------------------------------------

function lifecycleCheck(env: Env, collection: OpenApiCollection): Check<R> | undefined {
  const { contract, seed } = env
  const [create, read, replace, merge, remove, list] = (['create', 'read', 'replace', 'merge', 'delete', 'list'] as const).map((role) =>
    opOf(env, collection, role),
  )
  if (!create || !read || !contract.rules['item.stored'] || !answersItem(create) || !bodyFor(env, create)) return undefined
  const update = replace ?? merge
  const nested = collection.parent === undefined ? '' : ` under a ${collection.parent} item`
  return {
    title: `${collection.name}: create → read${list ? ' → listed' : ''} → ${update ? 'update → read → ' : ''}${remove ? `delete → read${list ? ' → not listed' : ''}` : 'kept'}${nested} (lifecycle)`,
    // Without a DELETE the item stays: only against throwaway data (the mock, or --allow-writes --disposable).
    needs: remove ? ['writes'] : ['writes', 'disposable'],
    async run(t) {
      const scope = await parentScope(t, env, collection)
      const { id, sent } = (await createItem(t, env, collection, create, scope, { judged: true })) ?? {}
      if (id === undefined || sent === undefined || !addressable(contract, read, collection.param, id)) return
      const params = { ...scope, [collection.param]: id }
      await readBack(t, env, collection, read, params, sent, 'the create')
      const listedAfterCreate = list ? await listed(t, env, collection, list, scope, id) : undefined
      if (listedAfterCreate)
        t.expect(
          listedAfterCreate.rules,
          listedAfterCreate.found,
          `${list?.key ?? 'the list'} does not show the created ${collection.name} ${String(id)} (${listedAfterCreate.pages} page(s) read) — ${listedAfterCreate.curl}`,
        )
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
            await readBack(t, env, collection, read, params, changed, `the ${update.method}`)
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
      // Only where the list showed it before: the same walk then tells "gone" from "on a page not read".
      if (list && listedAfterCreate?.found) {
        const again = await listed(t, env, collection, list, scope, id)
        if (again)
          t.expect('delete.then', !again.found, `${list.key} still shows the deleted ${collection.name} ${String(id)} — ${again.curl}`)
      }
    },
  }
}

/** Pages a list is walked through at most, looking for one item: enough for a staging server's test data. */
const MAX_PAGES = 20

/**
 * Whether the collection's list (under `scope`) shows the item `id`: walked page by page with the document's own
 * pagination parameters at their largest allowed size. Undefined when the list cannot tell (refused, no items in
 * its answer): nothing to judge. The rules a miss rests on: what a create stored is what a read (a list) returns,
 * and, past the first page, how the server pages.
 */
async function listed(
  t: Ctx,
  env: Env,
  collection: OpenApiCollection,
  list: OpenApiOperation,
  scope: Params,
  id: string | number,
): Promise<{ found: boolean; rules: R[]; pages: number; curl: string } | undefined> {
  const { contract } = env
  const declared = (names: readonly string[]) => list.parameters.find((p) => p.in === 'query' && names.includes(p.name))
  const limit = declared(PAGE_PARAMS.limit)
  const page = declared(PAGE_PARAMS.page)
  const offset = declared(PAGE_PARAMS.offset)
  const size = limit ? pageSize(contract, limit.schema) : undefined
  const base = (requiredQuery(env, list) ?? []).filter(([name]) => name !== limit?.name && name !== page?.name && name !== offset?.name)
  for (let n = 0; n < MAX_PAGES; n++) {
    const query: Array<readonly [string, string]> = [...base]
    if (limit && size !== undefined) query.push([limit.name, String(size)])
    if (page) query.push([page.name, String(n + 1)])
    else if (offset && size !== undefined) query.push([offset.name, String(n * size)])
    else if (n > 0) break
    const sent = await sendOperation(t, list, { params: scope, query })
    const curl = sent.curl
    if (sent.exchange.status < 200 || sent.exchange.status >= 300) return undefined
    const ids = idsIn(sent.exchange.body, collection.idField)
    if (ids === undefined) return undefined
    const rules: R[] = ['item.stored', ...(n > 0 && contract.rules['list.pagination'] ? (['list.pagination'] as const) : [])]
    if (ids.some((one) => String(one) === String(id))) return { found: true, rules, pages: n + 1, curl }
    if (ids.length === 0 || (size !== undefined && ids.length < size) || (!page && !offset))
      return { found: false, rules, pages: n + 1, curl }
  }
  // Not found within the pages read: too long a list to tell, nothing judged.
  return undefined
}

/** The largest page a limit parameter allows, at most 100 (a staging list is walked, not downloaded). */
function pageSize(contract: OpenApiContract, schema: unknown): number {
  const node = deref(contract.document.root, schema)
  const max = isObject(node) && typeof node['maximum'] === 'number' ? node['maximum'] : 100
  return Math.max(1, Math.min(100, Math.floor(max)))
}

/** The ids of the items in a list answer: an array of items, or the one array property of a wrapper holding them. */
function idsIn(body: unknown, idField: string): Array<string | number> | undefined {
  const of = (items: readonly unknown[]) => items.map((item) => idIn(item, idField)).filter((v): v is string | number => v !== undefined)
  if (Array.isArray(body)) return of(body)
  if (!isObject(body)) return undefined
  const arrays = Object.values(body).filter((value): value is unknown[] => Array.isArray(value))
  const holding = arrays.filter((items) => items.length > 0 && of(items).length === items.length)
  if (holding.length === 1) return of(holding[0] ?? [])
  // An empty page: the one array there is, when it is the only one.
  return arrays.length === 1 && arrays[0]?.length === 0 ? [] : undefined
}

/**
 * The path parameters naming an existing parent of a nested collection, outermost first: the first item each
 * ancestor's list shows, else (with --allow-writes) one the suite creates and deletes again. Skips the check when
 * neither is possible. Empty for a top-level collection.
 */
async function parentScope(t: Ctx, env: Env, collection: OpenApiCollection): Promise<Params> {
  const scope: Record<string, string | number> = {}
  for (const ancestor of ancestorsOf(env.contract, collection)) {
    const list = opOf(env, ancestor, 'list')
    const read = opOf(env, ancestor, 'read')
    let id: string | number | undefined
    if (list) {
      const { exchange } = await sendOperation(t, list, { params: scope, query: requiredQuery(env, list) ?? [] })
      if (exchange.status >= 200 && exchange.status < 300)
        id = idsIn(exchange.body, ancestor.idField)?.find((one) => !read || addressable(env.contract, read, ancestor.param, one))
    }
    const create = opOf(env, ancestor, 'create')
    if (id === undefined && t.target.allowWrites && create && answersItem(create) && bodyFor(env, create)) {
      id = (await createItem(t, env, ancestor, create, scope))?.id
    }
    if (id === undefined)
      t.skip(
        `needs an existing ${ancestor.name} to work under: ${list ? `${list.key} showed none` : `no list of ${ancestor.name}`}${create ? '; pass --allow-writes to create one' : ''}`,
      )
    scope[ancestor.param] = id
  }
  return scope
}

/** The parents of a nested collection, outermost first. */
function ancestorsOf(contract: OpenApiContract, collection: OpenApiCollection): OpenApiCollection[] {
  const chain: OpenApiCollection[] = []
  let current = contract.collections.find((c) => c.name === collection.parent)
  while (current) {
    chain.unshift(current)
    const parent = current.parent
    current = parent === undefined ? undefined : contract.collections.find((c) => c.name === parent)
  }
  return chain
}

/** Every path parameter of the collection names an item of a parent collection: the suite can find or make them. */
function reachable(collection: OpenApiCollection): boolean {
  const names = [...collection.collectionPath.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] ?? '')
  return names.every((name) => collection.parentParams.includes(name))
}

/** An operation of a collection by role. */
function opOf(env: Env, collection: OpenApiCollection, role: keyof OpenApiCollection['operations']): OpenApiOperation | undefined {
  const key = collection.operations[role]
  return key === undefined ? undefined : env.byKey.get(key)
}

/** A valid JSON body for an operation, or undefined when it takes none or none can be drawn. */
function bodyFor(env: Env, operation: OpenApiOperation, salt = 0): Record<string, unknown> | undefined {
  const media = operation.requestBody && jsonMedia(operation.requestBody.content)
  return media ? validBody(env.contract, media[1].schema, media[1].examples, env.seed + salt) : undefined
}

/**
 * Creates an item with a valid body (under `scope`) and registers its deletion; its id, or undefined when the create
 * was refused (judged under `create.status` when `judged`, else only the id must come back).
 */
async function createItem(
  t: Ctx,
  env: Env,
  collection: OpenApiCollection,
  create: OpenApiOperation,
  scope: Params,
  { judged = false } = {},
): Promise<{ id: string | number; sent: Record<string, unknown> } | undefined> {
  const { contract } = env
  const body = bodyFor(env, create)
  if (!body) throw new Error(`${create.key}: no valid body could be drawn from the document`)
  const { exchange, curl } = await sendOperation(t, create, { params: scope, body })
  cleanupCreated(t, env, collection, exchange, scope)
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
  // A Location header where the rule is documented (every create declares one) or the user's reading says the
  // server sends one; an inferred rule's default reading asks for none, whatever one operation declares.
  const location = contract.rules['create.location']
  if (
    location &&
    (location.provenance.kind === 'documented'
      ? responseFor(create, exchange.status)?.headers.includes('location') === true
      : t.reading('create.location') === 'location')
  )
    t.expect(
      'create.location',
      (exchange.headers.get('location') ?? '') !== '',
      `the create's ${exchange.status} answer has no Location header — ${curl}`,
    )
  const id = idIn(exchange.body, collection.idField)
  t.expect('item.stored', id !== undefined, `the create's answer carries no ${collection.idField} — ${curl}`)
  return id === undefined ? undefined : { id, sent: body }
}

/** Reads the item and compares each field `sent` (under `item.stored: normalized`, the id only). */
async function readBack(
  t: Ctx,
  env: Env,
  collection: OpenApiCollection,
  read: OpenApiOperation,
  params: Params,
  sent: Readonly<Record<string, unknown>>,
  after: string,
): Promise<void> {
  const { contract } = env
  const { exchange, curl } = await sendOperation(t, read, { params })
  if (
    !t.expect(
      'item.stored',
      exchange.status === (successStatuses(read)[0] ?? 200),
      `a read after ${after} answered ${exchange.status} — ${curl}`,
    )
  )
    return
  const schema = jsonMedia(responseFor(read, exchange.status)?.content ?? {})?.[1].schema
  if (schema !== undefined) {
    const issues = contract.check(schema, 'response')(exchange.body)
    t.expect(
      'response.schema',
      issues.length === 0,
      `a read after ${after}: its ${exchange.status} body does not fit the document: ${issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.') || 'body'}: ${i.message}`)
        .join('; ')} — ${curl}`,
    )
  }
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

/**
 * After a create the server took (a conforming one may have refused it): delete what it made, pass or fail; where
 * the collection has no DELETE, say in the report what stays (a target that resets, the mock, keeps nothing).
 */
function cleanupCreated(t: Ctx, env: Env, collection: OpenApiCollection, exchange: Exchange, scope: Params): void {
  if (exchange.status < 200 || exchange.status >= 300) return
  const id = idIn(exchange.body, collection.idField)
  if (id === undefined) {
    if (t.target.reset === undefined)
      t.leftBehind(
        `${collection.name}: an item whose answer (${exchange.status}) named no ${collection.idField}, under ${pathOf(collection.collectionPath, scope)}`,
      )
    return
  }
  if (collection.operations.delete === undefined) {
    if (t.target.reset === undefined)
      t.leftBehind(
        `${collection.name} ${collection.idField}=${String(id)} at ${pathOf(collection.itemPath, { ...scope, [collection.param]: id })} (the document has no DELETE for it)`,
      )
    return
  }
  t.onCleanup(() => deleteItem(t, env, collection, scope, id))
}

/** Deletes an item the suite made; one it could not delete (not 2xx, 404 or 410) is reported as left behind. */
async function deleteItem(t: Ctx, env: Env, collection: OpenApiCollection, scope: Params, id: string | number | undefined): Promise<void> {
  const remove = opOf(env, collection, 'delete')
  if (!remove || id === undefined) return
  const params = { ...scope, [collection.param]: id }
  const { exchange } = await sendOperation(t, remove, { params })
  if (
    (exchange.status < 200 || exchange.status >= 300) &&
    exchange.status !== 404 &&
    exchange.status !== 410 &&
    t.target.reset === undefined
  )
    t.leftBehind(
      `${collection.name} ${collection.idField}=${String(id)} at ${pathOf(collection.itemPath, params)} (its DELETE answered ${exchange.status})`,
    )
}

/** A path template with the values filled in, for a report line. */
function pathOf(template: string, values: Params): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    values[name] === undefined ? whole : encodeURIComponent(String(values[name])),
  )
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

/** The rule a broken format rests on: body.formats where it lists the field, else request.format; none for others. */
function formatPremise(
  contract: OpenApiContract,
  broken: { readonly kind: string; readonly field: string; readonly premise?: string },
): R | undefined {
  if (broken.kind !== 'format') return undefined
  const perField = contract.rules['body.formats']
  if (perField?.provenance.kind === 'inferred' && perField.provenance.readings.fields?.includes(broken.field)) return 'body.formats'
  return broken.premise === undefined ? undefined : 'request.format'
}

/**
 * A read without path parameters, sent with valid credentials and its required parameters, answers a body the
 * document declares for its status. GETs change nothing, so this runs without --allow-writes; only a 2xx is judged
 * (drawn parameters a server refuses are no finding), and only where the operation declares a 2xx at all.
 */
function readCheck(env: Env, operation: OpenApiOperation): Check<R> | undefined {
  if (operation.method !== 'GET' || operation.parameters.some((p) => p.in === 'path')) return undefined
  const query = requiredQuery(env, operation)
  const headers = requiredQuery(env, operation, 'header')
  if (!query || !headers || successStatuses(operation).length === 0) return undefined
  return {
    title: `${operation.key}: answers a body the document declares (read)`,
    async run(t) {
      const { exchange, curl } = await sendOperation(t, operation, { query, headers: Object.fromEntries(headers) })
      if (exchange.status < 200 || exchange.status >= 300) return
      const response = responseFor(operation, exchange.status)
      if (
        !t.expect(
          'response.schema',
          response !== undefined,
          `answered ${exchange.status}, which ${operation.key} does not declare — ${curl}`,
        )
      )
        return
      const schema = jsonMedia(response?.content ?? {})?.[1].schema
      if (schema === undefined) return
      const issues = env.contract.check(schema, 'response')(exchange.body)
      t.expect(
        'response.schema',
        issues.length === 0,
        `the ${exchange.status} body does not fit the document: ${issues
          .slice(0, 3)
          .map((i) => `${i.path.join('.') || 'body'}: ${i.message}`)
          .join('; ')} — ${curl}`,
      )
    },
  }
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
