/**
 * A mistake the user can fix (a bad flag, a taken port, an unreachable target). The CLI prints its message as
 * one line, without a stack trace, and exits 2.
 */
export class UsageError extends Error {
  override name = 'UsageError'
}
