import type { Account } from '../../fixtures/account.ts'

/**
 * What `verify` needs of a mock's named accounts, as `VerifyOptions` fields (tenant, role, peer and foreign only
 * where the API has them): the options a QA engineer would pass for these accounts.
 */
export function accountOptions(accounts: readonly Account[]) {
  const find = (label: Account['label']) => accounts.find((a) => a.label === label)
  const [actor, peer, foreign] = [find('actor'), find('peer'), find('foreign')]
  if (!actor) throw new Error('these accounts have no actor')
  return {
    token: actor.token,
    userId: String(actor.userId),
    email: actor.email,
    ...(actor.tenant !== undefined && { tenant: String(actor.tenant) }),
    ...(actor.role !== undefined && { role: actor.role }),
    ...(peer && { peerUserId: String(peer.userId), peerEmail: peer.email, peerToken: peer.token }),
    ...(foreign && { foreignUserId: String(foreign.userId), foreignTenant: String(foreign.tenant), foreignToken: foreign.token }),
  }
}

/** The same accounts as `apitwin verify` flags, after `--base-url`. */
export function accountArgs(baseUrl: string, accounts: readonly Account[]): string[] {
  const o = accountOptions(accounts)
  const flag = (name: string, value: string | undefined) => (value === undefined ? [] : [`--${name}`, value])
  return [
    '--base-url',
    baseUrl,
    '--token',
    o.token,
    '--user-id',
    o.userId,
    '--email',
    o.email,
    ...flag('tenant', o.tenant),
    ...flag('role', o.role),
    ...flag('peer-user-id', o.peerUserId),
    ...flag('peer-email', o.peerEmail),
    ...flag('peer-token', o.peerToken),
    ...flag('foreign-user-id', o.foreignUserId),
    ...flag('foreign-tenant', o.foreignTenant),
    ...flag('foreign-token', o.foreignToken),
  ]
}
