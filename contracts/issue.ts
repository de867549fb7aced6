import type { z } from 'zod'

/**
 * A validation failure before a dialect formats it: zod's own issues, plus the ones the handler adds for rules a
 * schema cannot see (a unique email, a role that must exist). A schema names a vendor rule that zod has no code
 * for by putting the rule's key in `message` (`z.int({ error: 'integer' })`); dialects read it from there.
 */
export type Issue = z.core.$ZodIssue | { code: 'custom'; path: PropertyKey[]; message: string }

/** The key a Laravel or Rails app files an error under: `role_ids.0`, `email`. */
export function issueKey(issue: Pick<Issue, 'path'>): string {
  return issue.path.map(String).join('.')
}
