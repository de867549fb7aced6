/** What a test needs to call one API of a running server: its accounts and how to address and wrap a body. */
export interface Discovered {
  readonly name: string
  readonly baseUrl: string
  readonly method: string
  readonly path: string
  readonly accounts: ReadonlyArray<{
    label: string
    userId: number | string
    token: string
    email: string
    tenant?: number | string
    role?: string
  }>
}

export type Account = Discovered['accounts'][number]

export async function discover(url: string): Promise<Record<string, Discovered>> {
  const { apis } = (await (await fetch(`${url}/__twin/apis`)).json()) as { apis: Discovered[] }
  return Object.fromEntries(apis.map((api) => [api.name, api]))
}

export function account(api: Discovered, label: 'actor' | 'peer' | 'foreign'): Account {
  const found = api.accounts.find((a) => a.label === label)
  if (!found) throw new Error(`${api.name} has no ${label} account`)
  return found
}

/** The path (under the server) of `api`'s endpoint for `target`'s user. */
export function userPath(api: Discovered, target: Account): string {
  const path = api.path
    .replace('{id}', String(target.userId))
    .replace('{userId}', String(target.userId))
    .replace('{tenantId}', String(target.tenant))
  return `/${api.name}${path}`
}

/** `fields` as the API expects them: rails-users wraps them in `user`, medibulut restates the role. */
export function bodyFor(api: Discovered, target: Account, fields: Record<string, unknown>): Record<string, unknown> {
  if (api.name === 'rails-users') return { user: fields }
  if (api.name === 'medibulut') return { role_id: target.role, ...fields }
  return fields
}

/** A fetch of `api`'s endpoint as `actor`, for `target`'s user. */
export function update(
  url: string,
  api: Discovered,
  actor: Account,
  target: Account,
  fields: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${url}${userPath(api, target)}`, {
    method: api.method,
    headers: { authorization: `Bearer ${actor.token}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(bodyFor(api, target, fields)),
  })
}
