import { laravelSummary } from '../contracts/laravel.ts'
import type { Json, Learned, LearnedPieces } from '../contracts/learned.ts'
import { orderedErrors } from './learned-order.ts'
import { fromPlaceholders, toPlaceholders, type Swaps } from './placeholders.ts'
import type { Reply } from './reply.ts'

/**
 * The texts of an error body, one slot at a time: a message, a field's list of errors (Laravel's `errors.email`,
 * Rails' `errors` entries of one path, NestJS's `message` entries of one property). `calibrate` pairs the mock's
 * and the server's slots of the same refusal; the mock replaces a slot's texts with what was learned for them.
 */
export interface Slot {
  /** Where the slot is: `message`, `errors.email`, `message[firstName]`, `errors[path=locale]`. */
  readonly id: string
  readonly texts: readonly string[]
}

type Mutable = { [key: string]: unknown }

interface Place extends Slot {
  set(texts: readonly string[]): void
}

/** The first word of a class-validator message names its property ("firstName must be a string"). */
const firstWord = (text: string) => /^\S+/.exec(text)?.[0] ?? ''
/**
 * The property a class-validator message is about: its first word, but for the messages that name it later ("each
 * value in roles must be a UUID", ArrayUnique's "All roles's elements must be unique").
 */
const nestProperty = (text: string) =>
  /^each value in (\S+) /.exec(text)?.[1] ?? /^All (\S+)'s elements /.exec(text)?.[1] ?? firstWord(text)

function placesOf(value: unknown, path = ''): Place[] {
  if (typeof value !== 'object' || value === null) return []
  if (Array.isArray(value)) return value.flatMap((item, i) => placesOf(item, `${path}[${i}]`))
  const object = value as Mutable
  const out: Place[] = []
  for (const [key, item] of Object.entries(object)) {
    const id = path === '' ? key : `${path}.${key}`
    if (typeof item === 'string') {
      out.push({ id, texts: [item], set: (texts) => void (texts.length === 1 ? (object[key] = texts[0]) : undefined) })
    } else if (Array.isArray(item) && item.length > 0 && item.every((x) => typeof x === 'string')) {
      // NestJS lists every property's messages under `message`: one slot per property. Elsewhere (Laravel's
      // errors.email) the list is one field's.
      out.push(
        ...groupPlaces(
          object,
          key,
          id,
          item,
          (text: string) => text,
          (text) => text,
          key === 'message' ? nestProperty : () => '',
        ),
      )
    } else if (
      Array.isArray(item) &&
      item.length > 0 &&
      item.every(
        (x) =>
          typeof x === 'object' &&
          x !== null &&
          typeof (x as Mutable)['path'] === 'string' &&
          typeof (x as Mutable)['message'] === 'string',
      )
    ) {
      const entries = item as Array<{ path: string; message: string }>
      out.push(
        ...groupPlaces(
          object,
          key,
          id,
          entries,
          (e) => e.message,
          (message, e) => ({ ...e, message }),
          (e) => `path=${e.path}`,
        ),
      )
    } else out.push(...placesOf(item, id))
  }
  return out
}

/** One place per group of a list (by property), rebuilt in the groups' order when a group's texts change. */
function groupPlaces<T>(
  object: Mutable,
  key: string,
  id: string,
  items: readonly T[],
  text: (item: T) => string,
  make: (text: string, like: T) => T,
  group: (item: T) => string,
): Place[] {
  const groups = new Map<string, T[]>()
  for (const item of items) groups.set(group(item), [...(groups.get(group(item)) ?? []), item])
  return [...groups].map(([name, members]) => ({
    id: `${id}[${name}]`,
    texts: members.map(text),
    set: (texts) => {
      const like = members[0]
      if (like === undefined) return
      groups.set(
        name,
        texts.map((t) => make(t, like)),
      )
      object[key] = [...groups.values()].flat()
    },
  }))
}

/**
 * The text slots of a body.
 * @example slotsOf({ message: 'x', errors: { email: ['a', 'b'] } }) // [{ id: 'message', texts: ['x'] }, { id: 'errors.email[a]', … }]
 */
export function slotsOf(body: unknown): Slot[] {
  return placesOf(body).map(({ id, texts }) => ({ id, texts }))
}

/** The key a slot's texts are learned under: its texts, with placeholders, as a JSON list. */
export function slotKey(texts: readonly string[], swaps: Swaps): string {
  return JSON.stringify(texts.map((t) => toPlaceholders(t, swaps)))
}

/**
 * The kind of value the request sent for a field's slot (`errors.status[]`, `errors[path=locale]`,
 * `message[firstName]`), as a key suffix: ` status:string`. A server words one refusal by what it was sent (Laravel's
 * `integer|in:0,1` says one thing for 2 and two for "x") where the mock may word both alike, so a text is learned
 * per kind of value. Empty where the slot names no field the body has.
 * @example kindOf('errors.status[]', { status: 'x' }) // ' status:string'
 */
export function kindOf(slotId: string, body: unknown): string {
  const field =
    /^errors\.([^[\]]+)(?:\[\])?$/.exec(slotId)?.[1] ?? /^errors\[path=(.+)\]$/.exec(slotId)?.[1] ?? /^message\[(.+)\]$/.exec(slotId)?.[1]
  if (field === undefined || typeof body !== 'object' || body === null) return ''
  const at = (root: unknown) =>
    field.split('.').reduce<unknown>((v, key) => (typeof v === 'object' && v !== null ? (v as Mutable)[key] : undefined), root)
  // Rails wraps the attributes (`{"user": {…}}`): a field not at the top is looked for one level down.
  const wrapped = Object.values(body as Mutable).filter((v) => typeof v === 'object' && v !== null && !Array.isArray(v))
  const value = [body, ...wrapped].map(at).find((v) => v !== undefined)
  if (value === undefined) return ''
  return ` ${field}:${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}`
}

/** A Laravel body whose `message` summarises its `errors` (the first one and "(and N more errors)"). */
export function isLaravelSummary(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const body = value as Mutable
  const errors = body['errors']
  if (typeof body['message'] !== 'string' || typeof errors !== 'object' || errors === null || Array.isArray(errors)) return false
  const all = Object.values(errors as Mutable)
    .flat()
    .map(String)
  return all.length > 0 && body['message'] === laravelSummary(all)
}

/**
 * The message a refusal leads with: its `message` (or the first of a list), else an RFC 9457 `detail` (an imported
 * API's twin words its errors there). What a learned status is keyed by, with the status it replaces.
 * @example leadingMessage({ type: 'about:blank', status: 401, detail: 'No credentials' }) // 'No credentials'
 */
export function leadingMessage(body: unknown): string {
  const slots = slotsOf(body)
  const slot = slots.find((s) => s.id === 'message' || s.id.startsWith('message[')) ?? slots.find((s) => s.id === 'detail')
  return slot?.texts[0] ?? ''
}

/** Where a learned body takes what differs per reply: the request's path (`<path>`), the time of the reply (`<now>`). */
export interface ReplyContext {
  /** The request's path within the API (`/planets/7`), for a body that echoes it (Spring's `path`). */
  readonly path?: string
  /** The request's parsed body, for texts learned per kind of value (`kindOf`). */
  readonly sent?: unknown
}

/**
 * The mock's error reply answered as the server was seen to answer: its status (where learned for the mock's status
 * and message), its texts slot by slot, then the server's body for that status; each from what was learned for the
 * reply's cause first (`causes`), else what holds for every cause. `swaps` are the request's path ids and the
 * accounts, so a text learned on one request fits another; `context` the request's path and parsed body.
 * A success reply is never touched.
 * @example applyLearned({ status: 401, body: { statusCode: 401, message: 'Unauthorized' } }, learned, swaps)
 */
export function applyLearned(reply: Reply, learned: Learned, swaps: Swaps, context: ReplyContext = {}): Reply {
  if (reply.status < 400 || typeof reply.body !== 'object' || reply.body === null) return reply
  const body = structuredClone(reply.body) as Mutable
  const wasSummary = isLaravelSummary(body)
  const message = leadingMessage(body)
  // What was learned for this refusal's cause comes first; what holds for every cause after it.
  const scoped = reply.cause === undefined ? undefined : learned.causes?.[reply.cause]
  const tables = scoped === undefined ? [learned] : [scoped, learned]
  const first = <T>(pick: (pieces: LearnedPieces) => T | undefined): T | undefined =>
    tables.reduce<T | undefined>((found, pieces) => found ?? pick(pieces), undefined)
  const statusKey = `${reply.status} ${toPlaceholders(message, swaps)}`
  const status = first((p) => p.statuses?.[statusKey]) ?? reply.status
  // The server's field order first: the summary recomputed below leads with its first field's error.
  if (wasSummary && learned.order) body['errors'] = orderedErrors(body['errors'] as Mutable, learned.order, context.sent)
  for (const place of placesOf(body)) {
    if (wasSummary && place.id === 'message') continue
    const key = slotKey(place.texts, swaps)
    const kind = kindOf(place.id, context.sent)
    const found = first((p) => p.messages?.[key + kind] ?? p.messages?.[key])
    if (found !== undefined) place.set(found.map((t) => fromPlaceholders(t, swaps)))
  }
  // A summary is the first error and a count: recomputed from the errors as the server words them.
  if (wasSummary)
    body['message'] = laravelSummary(
      Object.values(body['errors'] as Mutable)
        .flat()
        .map(String),
    )
  const template = first((p) => p.bodies?.[String(status)])
  const out = template === undefined ? body : fill(template, status, body, swaps, context)
  // A 401's challenge belongs to the 401: a status learned in its place does not carry it.
  const headers =
    status === reply.status || reply.headers?.['www-authenticate'] === undefined
      ? reply.headers
      : Object.fromEntries(Object.entries(reply.headers).filter(([name]) => name !== 'www-authenticate'))
  return { ...reply, status, body: out, ...(headers && { headers }) }
}

function fill(template: Readonly<Record<string, Json>>, status: number, mock: Mutable, swaps: Swaps, context: ReplyContext): Mutable {
  const out: Mutable = {}
  for (const [key, value] of Object.entries(template)) {
    if (value === '<status>') out[key] = status
    else if (value === '<now>') out[key] = new Date().toISOString()
    else if (typeof value === 'string' && value.endsWith('<path>') && context.path !== undefined)
      out[key] = `${value.slice(0, -'<path>'.length)}${context.path}`
    else if (typeof value === 'string' && /^<mock\.[^>]+>$/.test(value)) {
      const from = mockValue(mock, value.slice(6, -1))
      if (from !== undefined) out[key] = from
    } else out[key] = typeof value === 'string' ? fromPlaceholders(value, swaps) : value
  }
  return out
}

/** The mock's value under `KEY`, or with `KEY[0]` the first text of its list there (its only text if it is one). */
function mockValue(mock: Mutable, name: string): unknown {
  if (!name.endsWith('[0]')) return mock[name]
  const from = mock[name.slice(0, -3)]
  return Array.isArray(from) ? (from[0] as unknown) : from
}
