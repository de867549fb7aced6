// The journal runs anywhere (the browser panel keeps one too), so it lives in handlers/; this keeps server imports.
export { JOURNAL_BODY_LIMIT, Journal, maskSecrets, type JournalEntry } from '../handlers/journal.ts'
