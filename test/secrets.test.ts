import { describe, expect, it } from 'vitest'
import { findSecrets } from '../suites/secrets.ts'

const paths = (body: unknown) => findSecrets(body).map((f) => f.path)

describe('findSecrets: every credential a 200 could leak, and nothing else', () => {
  it('finds unsalted hex digests under any key', () => {
    const md5 = '5f4dcc3b5aa765d61d8327deb882cf99'
    const sha1 = '5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8'
    const sha256 = '5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8'
    expect(paths({ data: { note: md5, extra: sha1, profile: { x: sha256 } } })).toEqual(['data.note', 'data.extra', 'data.profile.x'])
    expect(findSecrets({ n: sha256 })[0]?.why).toMatch(/hex digest/)
  })

  it('finds credential-looking keys: pw, legacy_pw, *_hash, *_digest, token, api_key, secret, camelCase ones', () => {
    const body = {
      pw: 'x',
      legacy_pw: 'x',
      pwd: 'x',
      password_hash: 'x',
      remember_digest: 'x',
      token: 'x',
      api_key: 'x',
      secret: 'x',
      legacyPw: 'x',
      rememberToken: 'x',
      passwordHash: 'x',
      apiKey: 'x',
    }
    expect(paths(body)).toEqual(Object.keys(body))
  })

  it('leaves ids, UUIDs, colours, numbers, timestamps and ordinary words alone', () => {
    const body = {
      id: 'c0ffee00c0ffee00c0ffee00c0ffee00',
      user_id: '5f4dcc3b5aa765d61d8327deb882cf99',
      orgId: '0123456789abcdef0123456789abcdef',
      uuid: '3b241101-e2bb-4255-8caf-4136c566a962',
      roles: [{ id: '7f1c2d6e-1234-4abc-9def-0123456789ab' }],
      color: '#1a2b3c',
      color2: '1a2b3c',
      phone: '12345678901234567890123456789012',
      typePower: 'x',
      pwa_enabled: true,
      created_at: '2026-12-01T16:41:59Z',
      name: 'abcdefabcdefabcdefabcdefabcdefab',
      expo_push_token: null,
    }
    expect(paths(body)).toEqual([])
  })
})
