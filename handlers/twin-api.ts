import type { StandardSchemaV1 } from '@standard-schema/spec'
import type { LearnedByRule } from '../contracts/learned.ts'
import type { ReadingChoice, RuleBook } from '../contracts/provenance.ts'
import type { Account, SeedOptions } from '../fixtures/account.ts'
import { LazyCollection } from '../fixtures/lazy-collection.ts'
import type { Dialect, Reply } from './reply.ts'
import type { RouteTable } from './route-table.ts'

/** Path parameters as a router hands them over (MSW, Hono): name → raw string. */
export type Params = Readonly<Record<string, string | undefined>>

/**
 * The part of a Fetch `Request` a resolver reads. A real `Request` fits (MSW, a browser); the HTTP server passes
 * a view over Node's request instead, because building a full `Request` costs more than the whole pipeline.
 */
export interface RequestLike {
  readonly headers: Pick<Headers, 'get'>
  text(): Promise<string>
  /** The URL as requested (absolute from a Fetch `Request`, path and query from node:http): an imported API reads its query. */
  readonly url?: string
}

/** One API's live state: its seeded data and the resolver over it. */
export interface ApiState {
  readonly accounts: readonly Account[]
  /**
   * The whole endpoint: a request in, a reply out, whatever the transport (MSW, browser, node:http). An API with
   * a route table (`TwinApi.routes`) is also told which of its operations the router matched. Needs no `this`.
   */
  readonly resolve: (request: RequestLike, params: Params, operation?: string) => Promise<Reply>
  /**
   * Read-only views of the mock's side effects, served at `GET /__twin/<api>/<name>` (server and MSW alike) and
   * callable in-process: e.g. rails-users' `outbox`.
   */
  readonly controls?: Readonly<Record<string, () => unknown>>
  /**
   * The records that exist now, collection by collection (JSON-safe): what `apitwin serve --state` saves. Only
   * records, never assumptions about how they were seeded.
   */
  snapshot(): ApiSnapshot
  /** Replaces the records of every collection `snapshot` names; the accounts (tokens) come back with them. */
  restore(snapshot: ApiSnapshot): Promise<void>
}

/** One API's saved records: collection name → records. */
export type ApiSnapshot = Readonly<Record<string, readonly unknown[]>>

/** What every mocked API declares; per-API code supplies only these. */
export interface TwinApi {
  /** The slug used in folders, URLs and the CLI. */
  readonly name: string
  readonly title: string
  /** The endpoint's method; `*` for an API of many operations (see `routes`). */
  readonly method: string
  /** The endpoint path, OpenAPI style: `/api/v1/users/{id}`; `/*` for an API of many operations. */
  readonly path: string
  /**
   * Present for an API of many operations (one imported from OpenAPI): its routes, matched by the server and the
   * MSW handlers alike; the matched operation is passed to `resolve`.
   */
  readonly routes?: RouteTable
  /** The error bodies of the vendor's stack, for answers the server gives before the resolver (404, 405, 413). */
  readonly dialect: Dialect
  /** The contract's rules; the inferred ones carry the readings `start` accepts. */
  readonly rules: RuleBook
  /**
   * Body keys whose values the journal masks beyond the secret-looking names it always masks: an imported API's
   * writeOnly properties (a `pin`, an `ssn`). Asked for when the journal is read, not per request.
   */
  readonly secretKeys?: () => ReadonlySet<string>
  /**
   * Seeds fresh data and returns the state over it, following `readings` (each inferred rule's default where
   * unnamed; an unknown rule or value throws naming the allowed ones). Called again on every reset. `learned`: what
   * calibrate learned for this API; pieces that change what the API accepts (`rules`) are the resolver's to follow.
   */
  start(options: SeedOptions, readings?: ReadingChoice, learned?: LearnedByRule): Promise<ApiState>
}

/** `/users/{id}` → `/users/:id`, the form MSW and Hono route on. */
export function routePath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1')
}

/**
 * A `TwinApi` from its contract, its seeding function and its resolver: the part every API shares. `prepare`
 * turns a reading choice into what the resolver reads (the chosen readings, the dialect built from them) once per
 * start, so no request pays for it. The state's `snapshot`/`restore` are built here once for every API, from the
 * db's collections.
 * @example export const flextellApi = defineApi(flextell, seedFlextell, flextellReadings, resolveFlextell, { dialect: laravel })
 */
export function defineApi<Db extends { readonly accounts: readonly Account[] }, Prepared>(
  contract: Pick<TwinApi, 'name' | 'title' | 'method' | 'path' | 'rules'>,
  seed: (options: SeedOptions, readings: Prepared) => Promise<Db>,
  prepare: (choice?: ReadingChoice, learned?: LearnedByRule) => Prepared,
  resolve: (db: Db, request: RequestLike, params: Params, readings: Prepared) => Promise<Reply>,
  { dialect, controls }: { readonly dialect: Dialect; readonly controls?: (db: Db) => Readonly<Record<string, () => unknown>> },
): TwinApi {
  return {
    name: contract.name,
    title: contract.title,
    method: contract.method,
    path: contract.path,
    dialect,
    rules: contract.rules,
    async start(options, choice, learned) {
      // Checked before seeding: a wrong reading fails fast, with the allowed values in the message.
      const readings = prepare(choice, learned)
      const db = await seed(options, readings)
      const collections = collectionsOf(db)
      return {
        accounts: db.accounts,
        resolve: (request, params) => resolve(db, request, params, readings),
        ...(controls && { controls: controls(db) }),
        // A lazily seeded collection saves only what changed since the seed, so 100,000 users make a small file.
        snapshot: () => Object.fromEntries(collections.map(([name, collection]) => [name, collection.changed()])),
        async restore(snapshot) {
          for (const [name, collection] of collections) {
            const records = snapshot[name]
            if (Array.isArray(records)) collection.restore(records)
          }
        },
      }
    },
  }
}

type AnyCollection = LazyCollection<StandardSchemaV1, string>

/** The db's collections by property name (users, tokens, …): what a snapshot holds. */
function collectionsOf(db: object): Array<readonly [string, AnyCollection]> {
  return Object.entries(db).filter((entry): entry is [string, AnyCollection] => entry[1] instanceof LazyCollection)
}
