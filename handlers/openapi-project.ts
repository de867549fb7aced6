import type { OpenApiDocument } from '../contracts/openapi/document.ts'
import { deref, isObject } from '../contracts/openapi/pointer.ts'
import { objectShape } from '../contracts/openapi/schema-shape.ts'

const SECRET = /^(password|passwd|secret|client_?secret|password_?(hash|digest|confirmation))$/i

/** What a schema node says about its properties' sides: which are writeOnly, and the nested schemas to walk. */
interface Plan {
  readonly writeOnly: ReadonlySet<string>
  readonly nested: ReadonlyMap<string, unknown>
  readonly items: unknown
}

/**
 * The projection of a stored value for a response: writeOnly fields are removed at every depth the schema
 * describes, and so are optional password and secret fields (project rule: secrets never leave the mock). The
 * resolver keeps such values out of records already (`splitter`, hashed beside the record); this is the second
 * line, for values from anywhere else (an example, a drawn answer). The plan of each schema is worked out once.
 * @example projector(doc)(petSchema, { id: 1, name: 'Rex', secret: 'x' }) // { id: 1, name: 'Rex' } when secret is writeOnly
 */
export function projector(doc: OpenApiDocument): (schema: unknown, value: unknown) => unknown {
  return writeOnlyWalker(doc).project
}

/** A value with its write-only parts taken out, and those parts by JSON pointer (`/password`, `/keys/0/secret`). */
export interface SecretSplit {
  readonly value: unknown
  readonly secrets: ReadonlyArray<readonly [pointer: string, value: unknown]>
}

/**
 * The write-only parts of a value, as `projector` finds them, and the value without them: what the resolver hashes
 * and keeps beside a record, so the record itself never holds a password in clear.
 * @example splitter(doc)(userSchema, { name: 'Ada', password: 's3cret!!' }) // { value: { name: 'Ada' }, secrets: [['/password', 's3cret!!']] }
 */
export function splitter(doc: OpenApiDocument): (schema: unknown, value: unknown) => SecretSplit {
  return writeOnlyWalker(doc).split
}

/** Whether a write-only part is null: a null is no secret (merge-patch's "remove"), so it stays in the value. */
const isSecretValue = (value: unknown) => value !== null && value !== undefined

function writeOnlyWalker(doc: OpenApiDocument): {
  project: (schema: unknown, value: unknown) => unknown
  split: (schema: unknown, value: unknown) => SecretSplit
} {
  const plans = new Map<unknown, Plan | null>()
  const planOf = (schema: unknown): Plan | null => {
    const known = plans.get(schema)
    if (known !== undefined) return known
    plans.set(schema, null)
    const node = deref(doc.root, schema)
    const shape = objectShape(doc, schema)
    const writeOnly = new Set<string>()
    const nested = new Map<string, unknown>()
    for (const [name, property] of Object.entries(shape?.properties ?? {})) {
      const target = deref(doc.root, property)
      // A password or secret the document does not require in the answer is not returned either (project rule:
      // secrets never leave the mock); one the response schema requires stays, as the document demands.
      if (
        (isObject(property) && property['writeOnly'] === true) ||
        (isObject(target) && target['writeOnly'] === true) ||
        (SECRET.test(name) && !shape?.required.has(name))
      )
        writeOnly.add(name)
      else if (
        isObject(target) &&
        (isObject(target['properties']) ||
          target['items'] !== undefined ||
          Array.isArray(target['allOf']) ||
          Array.isArray(target['oneOf']) ||
          Array.isArray(target['anyOf']))
      )
        nested.set(name, property)
    }
    let items = isObject(node) ? node['items'] : undefined
    // A oneOf/anyOf's branches each say which of their fields are write-only: a name write-only in any branch is
    // kept out whichever branch the value matches (secrets never leave the mock).
    const branches = isObject(node)
      ? [node['oneOf'], node['anyOf']].flatMap((list) => (Array.isArray(list) ? (list as unknown[]) : []))
      : []
    for (const branch of branches) {
      const sub = planOf(branch)
      if (sub === null) continue
      for (const name of sub.writeOnly) {
        writeOnly.add(name)
        nested.delete(name)
      }
      for (const [name, child] of sub.nested) if (!writeOnly.has(name) && !nested.has(name)) nested.set(name, child)
      items ??= sub.items
    }
    const plan = writeOnly.size === 0 && nested.size === 0 && items === undefined ? null : { writeOnly, nested, items }
    plans.set(schema, plan)
    return plan
  }
  // `found` (with the value's `at` pointer) collects what is taken out, for `split`; responses pass none.
  const walk = (schema: unknown, value: unknown, depth: number, found?: Array<readonly [string, unknown]>, at = ''): unknown => {
    if (depth > 16 || typeof value !== 'object' || value === null) return value
    const plan = planOf(schema)
    if (plan === null) return value
    if (Array.isArray(value)) {
      if (plan.items === undefined) return value
      // Copied only once an item changes: a response's stored arrays (flextell's roles) mostly hold no secret, and a
      // copy here would copy the whole item around them too.
      let copy: unknown[] | undefined
      for (let index = 0; index < value.length; index++) {
        const item: unknown = value[index]
        const projected = walk(plan.items, item, depth + 1, found, found ? `${at}/${index}` : '')
        if (projected !== item) (copy ??= value.slice())[index] = projected
      }
      return copy ?? value
    }
    let out: Record<string, unknown> | undefined
    for (const name of plan.writeOnly) {
      if (!Object.hasOwn(value, name)) continue
      const secret = (value as Record<string, unknown>)[name]
      if (found && !isSecretValue(secret)) continue
      found?.push([`${at}/${name.replaceAll('~', '~0').replaceAll('/', '~1')}`, secret])
      out ??= { ...(value as Record<string, unknown>) }
      delete out[name]
    }
    for (const [name, child] of plan.nested) {
      const inner = (value as Record<string, unknown>)[name]
      if (typeof inner !== 'object' || inner === null) continue
      // The pointer is only for `split`; a response's projection does not build one per nested field.
      const projected = walk(child, inner, depth + 1, found, found ? `${at}/${name.replaceAll('~', '~0').replaceAll('/', '~1')}` : '')
      if (projected !== inner) (out ??= { ...(value as Record<string, unknown>) })[name] = projected
    }
    return out ?? value
  }
  return {
    project: (schema, value) => walk(schema, value, 0),
    split: (schema, value) => {
      const secrets: Array<readonly [string, unknown]> = []
      return { value: walk(schema, value, 0, secrets), secrets }
    },
  }
}

/**
 * Every property name the document marks writeOnly, anywhere (components, inline schemas): the keys the request
 * journal masks for this API beside the secret-looking names it always masks. One walk of the document, iterative
 * (a 13 MB description is deep), done when first asked.
 * @example writeOnlyNames(doc) // Set { 'pin', 'password' }
 */
export function writeOnlyNames(doc: OpenApiDocument): ReadonlySet<string> {
  const names = new Set<string>()
  const seen = new Set<object>()
  const stack: unknown[] = [doc.root]
  while (stack.length > 0) {
    const node = stack.pop()
    if (typeof node !== 'object' || node === null || seen.has(node)) continue
    seen.add(node)
    const properties = isObject(node) && !Array.isArray(node) ? node['properties'] : undefined
    if (isObject(properties))
      for (const [name, property] of Object.entries(properties)) {
        const target = deref(doc.root, property)
        if ((isObject(property) && property['writeOnly'] === true) || (isObject(target) && target['writeOnly'] === true)) names.add(name)
      }
    for (const child of Array.isArray(node) ? node : Object.values(node)) if (typeof child === 'object' && child !== null) stack.push(child)
  }
  return names
}
