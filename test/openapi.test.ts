import { describe, expect, it } from 'vitest'
import { main } from '../server/cli.ts'
import { openapi } from '../server/openapi.ts'

/** The parts of an OpenAPI document this test walks. */
interface Schema {
  readonly properties?: Record<string, Schema>
  readonly anyOf?: readonly Schema[]
  readonly items?: Schema
  readonly enum?: readonly unknown[]
  readonly minLength?: number
}
interface Operation {
  readonly requestBody?: { readonly content: Record<string, { readonly schema: Schema }> }
  readonly responses: Record<string, unknown>
  readonly parameters: ReadonlyArray<{ readonly name: string; readonly in: string }>
  readonly 'x-apitwin-rules': Record<string, { readonly provenance: { readonly kind: string } }>
}

describe('apitwin openapi', () => {
  it('documents flextell from its contract: limits, enums, responses and rule provenance', () => {
    const doc = openapi('flextell') as unknown as { openapi: string; paths: Record<string, { put?: Operation }> }
    expect(doc.openapi).toBe('3.1.0')
    const put = doc.paths['/api/v1/users/{id}']?.put
    if (!put) throw new Error('no PUT /api/v1/users/{id} in the document')
    const body = put.requestBody?.content['application/json']?.schema
    expect(body?.properties?.['name']).toEqual({ type: 'string', maxLength: 255 })
    expect(body?.properties?.['password']?.minLength).toBe(8)
    expect(body?.properties?.['language']?.anyOf?.[0]?.items?.enum).toEqual(['Turkish', 'English', 'Other'])
    expect(Object.keys(put.responses)).toEqual(['200', '400', '401', '403', '404', '422'])
    expect(put.parameters.map((p) => `${p.in}:${p.name}`)).toEqual(['path:id', 'header:x-tenant'])
    expect(put['x-apitwin-rules']['email.unique']?.provenance.kind).toBe('inferred')
    expect(put['x-apitwin-rules']['body.limits']?.provenance.kind).toBe('documented')
  })

  it('prints JSON from the CLI and refuses an unknown API with exit 2', async () => {
    let out = ''
    let err = ''
    const io = { stdout: (t: string) => void (out += t), stderr: (t: string) => void (err += t), env: {} }
    expect(await main(['openapi'], io)).toBe(0)
    expect(Object.keys((JSON.parse(out) as { paths: object }).paths)).toContain('/flextell/api/v1/users/{id}')
    expect(await main(['openapi', 'nope'], io)).toBe(2)
    expect(err).toMatch(/unknown API "nope"/)
  })
})
