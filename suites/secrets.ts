/**
 * What a credential looks like in a response body: a password-like key, or a value shaped like a password hash or
 * a bearer token the run knows. A 200 body must carry none of them, whatever the API (issue 9, item 4).
 */

// Keys that name a secret. `expo_push_token` (a device address the user sends) is allowed per suite.
const secretKey =
  /pass(?:word|wd)|secret|digest|hash|credential|api[_-]?key|private[_-]?key|(?:^|[_-])token$|^token|remember[_-]?token|otp[_-]?secret|salt$/i

// The same in camelCase (`legacyPw`, `rememberToken`, `passwordHash`), where an underscore would mark the word.
const camelSecretKey = /[a-z](?:Pw|Pwd|Token|Hash|Digest|Secret|Salt)$/
// `pw`/`pwd` as a word of their own: `pw`, `legacy_pw`, `pwd_hash`.
const shortPasswordKey = /(?:^|[_-])pwd?(?:[_-]|$)/i

// An unsalted digest: md5 (32), sha1 (40), sha256 (64), sha512 (128) hex. Ids (`id`, `*_id`, `uuid`) may be dashless
// UUIDs of 32 hex and are left out; a value needs a letter and a digit, so plain numbers never match.
const hexDigest = /^(?:[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}|[0-9a-f]{128})$/i
const idKey = /(?:^|[_-])(?:id|uuid|guid)$|[a-z](?:Id|Uuid)$|^(?:id|uuid|guid)$/i
const looksLikeDigest = (value: string, key: string) =>
  hexDigest.test(value) && /[a-f]/i.test(value) && /\d/.test(value) && !idKey.test(key)

// bcrypt, argon2, scrypt, PBKDF2 (Django/passlib), Laravel-style "$y$", unix crypt sha256/512.
const hashValue = /^(?:\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}|\$argon2(?:id|i|d)\$|\$scrypt\$|pbkdf2[_:$]|\$[156y]\$[^$]+\$)/

export interface SecretFinding {
  readonly path: string
  readonly why: string
}

export interface SecretScan {
  /** Keys a suite knows are not credentials although they look like it (`expo_push_token`). */
  readonly allowKeys?: readonly string[]
  /** Exact values that must never come back: tokens of the run's accounts, passwords the check sent. */
  readonly knownSecrets?: readonly string[]
}

/**
 * Every credential-looking key or value in `body`, with its JSON path.
 * @example findSecrets({ data: { password_digest: '$2a$12$…' } }) // [{ path: 'data.password_digest', why: 'a password-like key' }, …]
 */
export function findSecrets(body: unknown, scan: SecretScan = {}, path = ''): SecretFinding[] {
  const allow = new Set(scan.allowKeys ?? [])
  const known = (scan.knownSecrets ?? []).filter((s) => s.length >= 8)
  const found: SecretFinding[] = []
  const walk = (value: unknown, at: string, key = ''): void => {
    if (typeof value === 'string') {
      if (hashValue.test(value)) found.push({ path: at || '(body)', why: 'a value shaped like a password hash' })
      // A field the document declares (a git `sha`) holds the API's own hex values: only hash shapes count there.
      else if (!allow.has(key) && looksLikeDigest(value, key))
        found.push({ path: at || '(body)', why: 'a value shaped like an unsalted hex digest (md5/sha1/sha256)' })
      else if (known.some((s) => value.includes(s))) found.push({ path: at || '(body)', why: 'a token or password this run sent' })
      return
    }
    if (Array.isArray(value)) return value.forEach((v, i) => walk(v, `${at}[${i}]`, key))
    if (typeof value !== 'object' || value === null) return
    for (const [key, v] of Object.entries(value)) {
      const here = at ? `${at}.${key}` : key
      const credentialKey = secretKey.test(key) || camelSecretKey.test(key) || shortPasswordKey.test(key)
      // A link is no credential (GitHub's emoji map has keys `hash` and `salt` whose values are image URLs).
      const link = typeof v === 'string' && /^https?:\/\//.test(v)
      if (!allow.has(key) && credentialKey && !link && v !== null && v !== undefined && v !== '')
        found.push({ path: here, why: 'a password-like key' })
      walk(v, here, key)
    }
  }
  walk(body, path)
  return found
}
