import type { Account } from '../fixtures/account.ts'

export type AccountLabel = Account['label']

/**
 * Where a contract suite sends its requests: the in-process mock, `apitwin serve`, or a live server. A suite
 * only ever talks HTTP through this, so the same checks run against staging.
 */
export interface Target {
  /** For reports: "in-process mock", "http://127.0.0.1:4010", … */
  readonly label: string
  /** The API's base URL, without a trailing slash: `https://dev.flextell.ai`, `http://127.0.0.1:4010/flextell`. */
  readonly baseUrl: string
  readonly fetch: typeof fetch
  readonly accounts: Readonly<Partial<Record<AccountLabel, Account>>> & { readonly actor: Account }
  /** Success paths (200) change data: only with `--allow-writes` on a live server. */
  readonly allowWrites: boolean
  /** A mock we own: checks that cannot undo their writes (a password change) may run. */
  readonly disposable: boolean
  readonly timeoutMs: number
  /** Where apitwin's `/__twin` control routes live (the mock only): side effects such as sent emails. */
  readonly controlBase?: string
  /**
   * The readings the server follows where the user knows them (`--reading`, the config file), by rule id;
   * every other inferred rule is judged by its default reading.
   */
  readonly readings?: Readonly<Record<string, string>>
  /** Back to a known state before each check, where the target can do that. */
  reset?(): Promise<void>
}
