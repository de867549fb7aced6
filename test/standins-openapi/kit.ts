// Small shared toolkit for the hand-written OpenAPI stand-in servers: JSON values,
// a minimal schema checker (only the keywords our documents use), body reading and replies.
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
export type JsonObject = { [key: string]: Json }

export type StringFormat = 'date-time' | 'email' | 'uri' | 'uuid'

interface Common {
  /** Ignored (and never required) when validating a request body. */
  readOnly?: boolean
  nullable?: boolean
}
export type Schema =
  | (Common & { type: 'string'; enum?: readonly string[]; format?: StringFormat; pattern?: RegExp })
  | (Common & { type: 'integer'; format?: 'int32' | 'int64'; minimum?: number; maximum?: number })
  | (Common & {
      type: 'number'
      minimum?: number
      maximum?: number
      exclusiveMinimum?: number
      exclusiveMaximum?: number
    })
  | (Common & { type: 'boolean' })
  | (Common & { type: 'array'; items: Schema })
  | (Common & {
      type: 'object'
      properties?: Readonly<Record<string, Schema>>
      required?: readonly string[]
      /** false: no other property; a schema: every other property matches it; absent: anything. */
      additionalProperties?: boolean | Schema
    })
  | (Common & { type: 'lazy'; get: () => Schema })

const INT32_MIN = -2147483648
const INT32_MAX = 2147483647

/** A string value as it is, anything else as ''. */
export function text(value: Json | undefined): string {
  return typeof value === 'string' ? value : ''
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function formatOk(format: StringFormat, value: string): boolean {
  switch (format) {
    case 'date-time':
      return /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(value) && !Number.isNaN(Date.parse(value))
    case 'email':
      return /^[^\s@]+@[^\s@]+$/.test(value)
    case 'uri':
      if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(value)) return false
      try {
        new URL(value)
        return true
      } catch {
        return false
      }
    case 'uuid':
      return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)
  }
}

/**
 * Checks a value against a schema; returns the first problem found, or undefined.
 * In 'request' mode readOnly properties are neither required nor checked.
 */
export function check(schema: Schema, value: Json | undefined, mode: 'request' | 'response', at = 'body'): string | undefined {
  if (schema.type === 'lazy') return check(schema.get(), value, mode, at)
  if (value === undefined) return `${at} is missing`
  if (value === null) return schema.nullable ? undefined : `${at} must not be null`
  switch (schema.type) {
    case 'string':
      if (typeof value !== 'string') return `${at} must be a string`
      if (schema.enum && !schema.enum.includes(value)) return `${at} must be one of ${schema.enum.join(', ')}`
      if (schema.format && !formatOk(schema.format, value)) return `${at} must be a valid ${schema.format}`
      if (schema.pattern && !schema.pattern.test(value)) return `${at} must match ${String(schema.pattern)}`
      return undefined
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) return `${at} must be an integer`
      if (schema.format === 'int32' && (value < INT32_MIN || value > INT32_MAX)) return `${at} must be an int32`
      if (schema.format === 'int64' && !Number.isSafeInteger(value)) return `${at} is out of range`
      if (schema.minimum !== undefined && value < schema.minimum) return `${at} must be >= ${schema.minimum}`
      if (schema.maximum !== undefined && value > schema.maximum) return `${at} must be <= ${schema.maximum}`
      return undefined
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return `${at} must be a number`
      if (schema.minimum !== undefined && value < schema.minimum) return `${at} must be >= ${schema.minimum}`
      if (schema.maximum !== undefined && value > schema.maximum) return `${at} must be <= ${schema.maximum}`
      if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) return `${at} must be > ${schema.exclusiveMinimum}`
      if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum) return `${at} must be < ${schema.exclusiveMaximum}`
      return undefined
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `${at} must be a boolean`
    case 'array': {
      if (!Array.isArray(value)) return `${at} must be an array`
      for (const [i, item] of value.entries()) {
        const problem = check(schema.items, item, mode, `${at}[${i}]`)
        if (problem) return problem
      }
      return undefined
    }
    case 'object': {
      if (!isObject(value)) return `${at} must be an object`
      const properties = schema.properties ?? {}
      for (const name of schema.required ?? []) {
        const property = properties[name]
        if (mode === 'request' && property && isReadOnly(property)) continue
        if (!(name in value)) return `${at}.${name} is required`
      }
      for (const [name, item] of Object.entries(value)) {
        const property = properties[name]
        if (property) {
          if (mode === 'request' && isReadOnly(property)) continue
          const problem = check(property, item, mode, `${at}.${name}`)
          if (problem) return problem
        } else if (schema.additionalProperties === false) {
          return `${at}.${name} is not allowed`
        } else if (typeof schema.additionalProperties === 'object') {
          const problem = check(schema.additionalProperties, item, mode, `${at}.${name}`)
          if (problem) return problem
        }
      }
      return undefined
    }
  }
}

function isReadOnly(schema: Schema): boolean {
  return schema.type === 'lazy' ? isReadOnly(schema.get()) : schema.readOnly === true
}

/** Keeps only the properties a schema declares (recursively), dropping readOnly ones. */
export function pick(schema: Schema, value: Json): Json {
  if (schema.type === 'lazy') return pick(schema.get(), value)
  if (schema.type === 'array' && Array.isArray(value)) return value.map((item) => pick(schema.items, item))
  if (schema.type === 'object' && isObject(value)) {
    const out: JsonObject = {}
    for (const [name, item] of Object.entries(value)) {
      const property = schema.properties?.[name]
      if (property) {
        if (!isReadOnly(property)) out[name] = pick(property, item)
      } else if (schema.additionalProperties !== undefined && schema.additionalProperties !== false) {
        out[name] = item
      }
    }
    return out
  }
  return value
}

// ---- HTTP plumbing --------------------------------------------------------------------------

export const MAX_BODY = 1_000_000

export class TooLarge extends Error {}

export async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk))
    size += buffer.length
    if (size > MAX_BODY) throw new TooLarge('body too large')
    chunks.push(buffer)
  }
  return Buffer.concat(chunks)
}

/** The media type of a request, lower-cased, without parameters ('' when absent). */
export function mediaType(req: http.IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
}

export type ParsedJson = { ok: true; value: Json } | { ok: false; problem: string }

/** Parses a JSON request body; refuses other media types and malformed JSON. */
export function parseJson(req: http.IncomingMessage, body: Buffer): ParsedJson {
  if (body.length === 0) return { ok: false, problem: 'a JSON body is required' }
  const type = mediaType(req)
  if (type !== 'application/json') return { ok: false, problem: `unsupported content type '${type}'` }
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) as Json }
  } catch {
    return { ok: false, problem: 'the body is not valid JSON' }
  }
}

export function sendJson(res: http.ServerResponse, status: number, body: Json, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(text)),
  })
  res.end(text)
}

export function sendEmpty(res: http.ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, status === 204 || status === 304 ? headers : { ...headers, 'Content-Length': '0' })
  res.end()
}

/** Parses an integer path or query parameter; undefined when it is not one. */
export function parseInteger(text: string | undefined): number | undefined {
  if (text === undefined || !/^-?\d+$/.test(text)) return undefined
  const value = Number(text)
  return Number.isSafeInteger(value) ? value : undefined
}

export function checkBreaks(breakable: readonly string[], breaks: readonly string[] | undefined): Set<string> {
  for (const id of breaks ?? []) {
    if (!breakable.includes(id)) throw new Error(`this server cannot break '${id}'`)
  }
  return new Set(breaks ?? [])
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => Promise<void>

/** Listens on 127.0.0.1 with an ephemeral port; a thrown error becomes a bare 500. */
export async function listen(
  handler: Handler,
  onError: (res: http.ServerResponse, error: unknown) => void,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    handler(req, res, url).catch((error: unknown) => {
      if (res.headersSent) res.destroy()
      else onError(res, error)
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeAllConnections()
      }),
  }
}
