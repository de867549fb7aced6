import type { OpenApiContract } from '../contracts/openapi/contract.ts'
import { isObject } from '../contracts/openapi/pointer.ts'
import type { ReadingChoice } from '../contracts/provenance.ts'
import { DEFAULT_SEED } from '../fixtures/faker.ts'
import { scopedKey, seedOpenApi, vouch, type OpenApiDb, type OpenApiRecord } from '../fixtures/openapi-seed.ts'
import { openApiErrors } from './openapi-errors.ts'
import { excused } from './openapi-leniency.ts'
import { projector, splitter, writeOnlyNames, type SecretSplit } from './openapi-project.ts'
import { openApiReadings, type OpenApiReadings } from './openapi-readings.ts'
import { hashSecrets, itemFields, resolveOpenApi, type PreparedOpenApi } from './openapi-resolver.ts'
import { RouteTable } from './route-table.ts'
import type { ApiSnapshot, TwinApi } from './twin-api.ts'

/** Where a snapshot keeps the ids deleted from a collection's seed: `<collection>#deleted`. */
const DELETED = '#deleted'

/**
 * An imported API as a `TwinApi`, the same kind of thing as the four: its route table (literals before
 * templates), its dialect (the document's error schema or problem+json), its rules with readings, and `start`,
 * which seeds the collections and returns the state the server, MSW and `--state` use.
 * @example const twin = await startTwin([openApiTwinApi(await importOpenApi(doc, { name: 'billing' }))])
 */
export function openApiTwinApi(contract: OpenApiContract): TwinApi {
  const routes = new RouteTable(
    contract.operations.map((operation) => ({
      method: operation.method,
      path: operation.path,
      operation: operation.key,
      operationId: operation.operationId,
    })),
  )
  const operations = new Map(contract.operations.map((operation) => [operation.key, operation]))
  const roles = new Map<string, PreparedOpenApi['roles'] extends ReadonlyMap<string, infer V> ? V : never>()
  for (const collection of contract.collections) {
    for (const [role, key] of Object.entries(collection.operations) as Array<[keyof typeof collection.operations, string]>)
      roles.set(key, { collection, role })
  }
  const collections = new Map(contract.collections.map((collection) => [collection.name, collection]))
  const shapes = itemFields(contract)
  const project = projector(contract.document)
  const split = splitter(contract.document)
  const defaults = openApiReadings(contract)
  let secretKeys: ReadonlySet<string> | undefined
  return {
    name: contract.name,
    title: contract.title,
    method: '*',
    path: '/*',
    routes,
    dialect: openApiErrors(contract, defaults.errorBody, DEFAULT_SEED).dialect,
    rules: contract.rules,
    secretKeys: () => (secretKeys ??= writeOnlyNames(contract.document)),
    async start(options, choice?: ReadingChoice) {
      // Checked before seeding: a wrong reading fails fast, naming the allowed values.
      const readings = openApiReadings(contract, choice)
      const seed = options.seed ?? DEFAULT_SEED
      const db = await seedOpenApi(
        contract,
        options,
        (collection, data) => split(collection.itemSchema, data).value as Record<string, unknown>,
      )
      // Said once per start, briefly: a large document (GitHub's) has dozens of examples that break their schemas.
      for (const problem of db.problems.slice(0, 3)) console.warn(`apitwin: ${contract.name}: ${problem}`)
      if (db.problems.length > 3)
        console.warn(
          `apitwin: ${contract.name}: and ${db.problems.length - 3} more examples that do not fit their schemas (drawn from the schemas instead)`,
        )
      const prepared: PreparedOpenApi = {
        contract,
        readings,
        errors: openApiErrors(contract, readings.errorBody, seed),
        seed,
        operations,
        roles,
        collections,
        shapes,
        project,
        split,
        answers: new Map(),
      }
      return {
        accounts: db.accounts,
        resolve: (request, params, operation) => resolveOpenApi(prepared, db, request, params, operation),
        // What a client needs to address the data: each collection's item path and the ids it holds now.
        controls: {
          collections: () => ({
            collections: contract.collections.map((collection) => ({
              name: collection.name,
              path: collection.itemPath,
              param: collection.param,
              parentParams: collection.parentParams,
              items: firstAndLast(db.collections.get(collection.name)?.all() ?? []).map((record) => ({
                scope: record.parent === '' ? [] : record.parent.split('/'),
                id: record.data[collection.idField],
              })),
            })),
          }),
        },
        snapshot: () => snapshot(db),
        // Synchronous unless a legacy file holds secrets in clear: a reading switch restores and swaps in one step.
        restore: (saved) => {
          const lenient = (name: string, data: unknown) => lenientOnly(contract, readings, name, data)
          const clean = withoutClearSecrets(saved, collections, split)
          if (!(clean instanceof Promise))
            try {
              restore(db, clean, collections, lenient)
              return Promise.resolve()
            } catch (error) {
              return Promise.reject(error instanceof Error ? error : new Error(String(error)))
            }
          return clean.then((hashed) => restore(db, hashed, collections, lenient))
        },
      }
    },
  }
}

/** The first five and the last five records: seeded ones to address, and the newest created ones. */
function firstAndLast<T>(records: readonly T[]): readonly T[] {
  return records.length <= 10 ? records : [...records.slice(0, 5), ...records.slice(-5)]
}

function snapshot(db: OpenApiDb): ApiSnapshot {
  const out: Record<string, readonly unknown[]> = {}
  for (const [name, store] of db.collections) {
    out[name] = store.changed()
    const deleted = store.deletedKeys()
    if (deleted.length > 0) out[`${name}${DELETED}`] = deleted
  }
  return out
}

/**
 * A saved state with no write-only value in clear: a file written before apitwin kept them hashed beside the record
 * holds them in `data` as sent; they are hashed and moved to `secrets` here, so the file still loads (and the next
 * save no longer holds them).
 */
function withoutClearSecrets(
  saved: ApiSnapshot,
  collections: ReadonlyMap<string, { readonly itemSchema: unknown }>,
  split: (schema: unknown, value: unknown) => SecretSplit,
): ApiSnapshot | Promise<ApiSnapshot> {
  const clear = [...collections].some(([name, collection]) => {
    const records = saved[name]
    return (
      Array.isArray(records) &&
      records.some(
        (record: unknown) =>
          isObject(record) && isObject(record['data']) && split(collection.itemSchema, record['data']).secrets.length > 0,
      )
    )
  })
  return clear ? hashClearSecrets(saved, collections, split) : saved
}

async function hashClearSecrets(
  saved: ApiSnapshot,
  collections: ReadonlyMap<string, { readonly itemSchema: unknown }>,
  split: (schema: unknown, value: unknown) => SecretSplit,
): Promise<ApiSnapshot> {
  const out: Record<string, readonly unknown[]> = { ...saved }
  for (const [name, collection] of collections) {
    const records = saved[name]
    if (!Array.isArray(records)) continue
    out[name] = await Promise.all(
      records.map(async (record: unknown) => {
        if (!isObject(record) || !isObject(record['data'])) return record
        const found = split(collection.itemSchema, record['data'])
        if (found.secrets.length === 0) return record
        const kept = isObject(record['secrets']) ? record['secrets'] : {}
        return { ...record, data: found.value, secrets: { ...kept, ...(await hashSecrets(found.secrets)) } }
      }),
    )
  }
  return out
}

/**
 * Whether a saved record the store's own check refuses fits once the readings excuse it: a format they leave
 * unchecked (the twin took it under `body.formats: unchecked`). Such a record is restored on its own, vouched for,
 * so a restart with --state keeps what the twin accepted.
 */
function lenientOnly(contract: OpenApiContract, readings: OpenApiReadings, name: string, data: unknown): boolean {
  const collection = contract.collections.find((c) => c.name === name)
  if (readings.unchecked.size === 0 || !collection || typeof data !== 'object' || data === null) return false
  const issues = contract.check(collection.itemSchema, 'response')(data)
  return issues.length > 0 && excused(issues, readings).length === 0
}

function restore(
  db: OpenApiDb,
  saved: ApiSnapshot,
  collections: ReadonlyMap<string, { readonly idField: string }>,
  lenient: (name: string, data: unknown) => boolean,
): void {
  for (const [name, store] of db.collections) {
    const all = saved[name]
    if (!Array.isArray(all)) continue
    const excusedRecords = all.filter(
      (r): r is OpenApiRecord => typeof r === 'object' && r !== null && lenient(name, (r as OpenApiRecord).data),
    )
    const records = all.filter((r) => !excusedRecords.includes(r as OpenApiRecord))
    const deleted = saved[`${name}${DELETED}`]
    store.restore(records, Array.isArray(deleted) ? deleted.filter((key): key is string => typeof key === 'string') : [])
    // One write each, vouched for just before it: the store checks a vouched record once and takes the verdict.
    const idField = collections.get(name)?.idField
    for (const record of excusedRecords) {
      const existing = store.get('key', scopedKey(record.parent, record.data[idField ?? 'id']))
      vouch(record.data)
      if (existing) store.update(existing, (draft) => void Object.assign(draft, record))
      else store.create(record)
    }
    // Created records move the id counter past themselves, so the next create does not collide.
    for (const record of all as OpenApiRecord[]) {
      const id = idField === undefined ? undefined : record.data?.[idField]
      if (typeof id === 'number' && id >= (db.counters.get(name) ?? 1)) db.counters.set(name, Math.floor(id) + 1)
    }
  }
}
