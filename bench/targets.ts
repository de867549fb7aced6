// One valid update per API against a running `apitwin serve`, shared by bench/put.ts and bench/profile.ts.

export interface Target {
  readonly label: string
  readonly method: string
  readonly url: string
  readonly token: string
  /** `[<id>]` is replaced by autocannon with a fresh id per request, so every update really writes. */
  readonly body: string
}

interface Discovery {
  apis: Array<{ name: string; accounts: Array<{ label: string; token: string; userId: number | string; tenant?: number | string }> }>
}

/** One valid update per API, for `apitwin serve --users users`: far-away users where the API lets the actor. */
export async function targets(origin: string, users: number): Promise<Target[]> {
  const { apis } = (await (await fetch(`${origin}/__twin/apis`)).json()) as Discovery
  const actor = (name: string) => {
    const found = apis.find((api) => api.name === name)?.accounts.find((a) => a.label === 'actor')
    if (!found) throw new Error(`no ${name} actor in /__twin/apis`)
    return found
  }
  // flextell: even ids (> 3) are in the actor's tenant 1; medibulut: the last user is in clinic 101 when
  // users - 3 is odd (see fixtures/medibulut.ts), else the one before it; rails-users and gorules let a user
  // update only their own profile / need the actor's UUID, so the actor updates itself.
  const flextellId = users % 2 === 0 ? users : users - 1
  const medibulutLast = (position: number) => {
    const i = position - 3
    return { id: i + 1 < 485 ? i + 1 : i + 4, clinic101: i % 2 === 0 }
  }
  const last = medibulutLast(users - 1)
  const medibulutId = last.clinic101 ? last.id : medibulutLast(users - 2).id
  return [
    {
      label: 'flextell',
      method: 'PUT',
      url: `${origin}/flextell/api/v1/users/${flextellId}`,
      token: actor('flextell').token,
      body: '{"title":"bench [<id>]","is_active":true}',
    },
    {
      label: 'rails-users',
      method: 'PUT',
      url: `${origin}/rails-users/users/${actor('rails-users').userId}`,
      token: actor('rails-users').token,
      body: '{"user":{"first_name":"Bench [<id>]"}}',
    },
    {
      label: 'medibulut',
      method: 'PATCH',
      url: `${origin}/medibulut/101/users/${medibulutId}`,
      token: actor('medibulut').token,
      body: '{"role_id":"admin","first_name":"Bench [<id>]"}',
    },
    {
      label: 'gorules',
      method: 'PUT',
      url: `${origin}/gorules/api/users/${actor('gorules').userId}`,
      token: actor('gorules').token,
      body: '{"firstName":"Bench [<id>]"}',
    },
  ]
}
