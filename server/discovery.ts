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
  /** Role ids a client may assign, where the API has a role table. */
  readonly roles?: readonly (string | number)[]
  /** The readings this mock follows where they differ from the defaults (`apitwin readings` lists them all). */
  readonly readings?: Readonly<Record<string, string>>
}

/**
 * The discovery document for a twin served at `origin`.
 * @example discovery(twin, 'http://127.0.0.1:4010').apis[0].baseUrl // 'http://127.0.0.1:4010/flextell'
 */
export function discovery(twin: Twin, origin: string): { apis: DiscoveredApi[] } {
  return {
    apis: twin.apis.map((api) => ({
      name: api.name,
      title: api.title,
      baseUrl: `${origin}/${api.name}`,
      method: api.method,
      path: api.path,
      accounts: twin.accounts(api.name),
      ...(twin.state(api.name).roles && { roles: twin.state(api.name).roles }),
      ...(twin.readings[api.name] && { readings: twin.readings[api.name] }),
    })),
  }
}
