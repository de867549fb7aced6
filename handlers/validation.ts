import type { Issue } from '../contracts/issue.ts'

/**
 * Orders issues by the body's field order, as Laravel and Rails report errors in the order their rules are
 * declared; issues the handler adds (unique, exists) then sit beside the schema's own for the same field.
 */
export function fieldOrder(issues: readonly Issue[], body: { readonly shape: object }): Issue[] {
  const order = Object.keys(body.shape)
  const rank = (issue: Issue) => {
    const index = order.indexOf(String(issue.path[0]))
    return index === -1 ? order.length : index
  }
  return issues.map((issue, index) => ({ issue, index }))
    .sort((a, b) => rank(a.issue) - rank(b.issue) || a.index - b.index)
    .map(({ issue }) => issue)
}

/** Whether applying `next` would change any attribute of `current` (compared as JSON values). */
export function hasChanges(current: object, next: object): boolean {
  return Object.entries(next).some(([key, value]) => JSON.stringify((current as Record<string, unknown>)[key]) !== JSON.stringify(value))
}
