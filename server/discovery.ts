import type { Account } from '../fixtures/account.ts'
import type { Twin } from '../handlers/twin.ts'

/** One entry of `GET /__twin/apis`: everything a client or `verify` needs to call that API. */
export interface DiscoveredApi {
  readonly name: string
  readonly title: string
  readonly baseUrl: string
  readonly method: string
  readonly path: string
  readonly accounts: readonly Account[]
  /** The roles a client can assign in an update (flextell `role_ids`, medibulut `role_id`, gorules `roles`); absent where the body takes none. */
  readonly roles?: readonly unknown[]
  /** Where the mock's sent e-mails are listed (rails-users' verification e-mails); absent where the API sends none. */
  readonly outbox?: string
  /** Every read-only control route of the API: name → URL (`GET`). */
  readonly controls: Readonly<Record<string, string>>
  /** An API imported from OpenAPI: every operation it answers (method, path under `baseUrl`, operationId). */
  readonly operations?: ReadonlyArray<{ readonly method: string; readonly path: string; readonly operationId?: string }>
  /** The readings this mock was started with (`--reading`, the config file); every other rule follows its default (`apitwin readings` lists them all). */
  readonly readings?: Readonly<Record<string, string>>
}

/**
 * The discovery document for a twin served at `origin`.
 * @example discovery(twin, 'http://127.0.0.1:4010').apis[0].baseUrl // 'http://127.0.0.1:4010/flextell'
 */
export function discovery(twin: Twin, origin: string): { apis: DiscoveredApi[] } {
  return {
    apis: twin.apis.map((api) => {
      const controls = twin.state(api.name).controls ?? {}
      const urls = Object.fromEntries(Object.keys(controls).map((name) => [name, `${origin}/__twin/${api.name}/${name}`]))
      const roles = controls['roles']?.() as { roles?: readonly unknown[] } | undefined
      return {
        name: api.name,
        title: api.title,
        baseUrl: `${origin}/${api.name}`,
        method: api.method,
        path: api.path,
        accounts: twin.accounts(api.name),
        ...(roles?.roles && { roles: roles.roles }),
        ...(urls['outbox'] && { outbox: urls['outbox'] }),
        controls: urls,
        ...(api.routes && {
          operations: api.routes.entries.map(({ method, path, operationId }) => ({
            method,
            path,
            ...(operationId !== undefined && { operationId }),
          })),
        }),
        ...(twin.readings[api.name] && { readings: twin.readings[api.name] }),
      }
    }),
  }
}
