import type { z } from 'zod'
import { snippet } from './assert.ts'
import type { Check, CheckContext, Exchange, Rules } from './check.ts'
import { deriveCases, type FieldCase, type Framework } from './derive.ts'

/** How one API takes a body and files its refusals, so derived cases can be sent and judged. */
export interface DerivedApi<R extends string> {
  readonly shape: Readonly<Record<string, z.ZodType>>
  readonly framework: Framework
  /** Fields left to hand-written checks (transforms, unions of formats, cross-field rules). */
  readonly skip?: readonly string[]
  /** Sends `fields` the way the API wants them (`{user: …}` for Rails, role_id restated for medibulut). */
  send(t: CheckContext<R>, fields: Readonly<Record<string, unknown>>): Promise<Exchange>
  /** An invalid field (never `field` itself) a conforming server refuses, so an accepted value writes nothing. */
  anchor(field: string): { readonly key: string; readonly fields: Readonly<Record<string, unknown>>; readonly rule: R }
  /** Cases to leave out: bounds the contract has but the doc does not (a conforming server may not share them). */
  keep?(c: FieldCase): boolean
  /** Fields a value needs beside it to be valid (a password's confirmation). */
  companions?(field: string, value: unknown): Readonly<Record<string, unknown>>
  /**
   * Reads the user's state and registers its restore (`t.onCleanup`): called once per check before the first case
   * sent without an anchor, so a server that wrongly takes the value does not keep it for the checks after.
   */
  snapshot?(t: CheckContext<R>): Promise<unknown>
  /** Whether a refusal names `key`, in the API's error format. */
  names(res: Exchange, key: string): boolean
  /** The rule under test (first) and the premises whether the case is refused at all rests on. */
  rules(c: FieldCase): Rules<R>
  /**
   * Premises only how a refusal is filed rests on (which key names it, its wording), never whether it comes: a
   * 200 where the doc asks for a refusal fails on `rules` alone, whatever these premises read.
   */
  premises?(c: FieldCase): readonly R[]
  /**
   * How the vendor answers a refused body: `status` is the rule naming the validation status and `expected` that
   * status (a reading where inferred); `names` the rule saying every failing field is named at once, which the
   * anchor technique rests on.
   */
  readonly refusal: { readonly status: R; readonly expected: (t: CheckContext<R>) => number; readonly names: R }
  /** The framework's default wording of a refusal (an inferred rule), computed from the contract's own issues. */
  readonly messages?: {
    readonly rule: R
    /**
     * The first message the framework files under `key` for a body of `fields`, if any; several when the message
     * depends on an inferred constraint's reading (Laravel files the first failing rule of a field).
     */
    expected(fields: Readonly<Record<string, unknown>>, key: string): string | readonly string[] | undefined
    /** What the server filed under `key`. */
    actual(res: Exchange, key: string): readonly string[]
  }
}

const list = <R extends string>(rules: Rules<R>): readonly R[] => (typeof rules === 'string' ? [rules] : rules)

/** The check contexts whose user state is already kept for restoring (one snapshot per check run). */
const snapshotted = new WeakSet<object>()

/**
 * Sends one case and judges it; a case never fails on a premise the server does not share, only warns.
 * @example await runCase(t, derived, { field: 'name', value: 'x'.repeat(256), accepted: false, kind: 'limit', what: '256 characters', errorKey: 'name' })
 */
export async function runCase<R extends string>(t: CheckContext<R>, api: DerivedApi<R>, c: FieldCase): Promise<void> {
  const rules = list(api.rules(c))
  // How the refusal is filed rests on the case's own premises too, the deepest, so a miss is charged to them; whether
  // it comes, on `rules` alone (premises are judged per case, not per check).
  const filed = (...framework: R[]): R[] => [...rules, ...framework, ...(api.premises?.(c) ?? [])]
  const value = { [c.field]: c.value, ...api.companions?.(c.field, c.value) }
  const sent = `${c.field} = ${snippet(JSON.stringify(c.value) ?? 'undefined')}`
  if (!c.accepted) {
    // A refusal that rests on our reading carries an invalid anchor too: a server following another reading writes nothing.
    // Without --allow-writes it always does: a server breaking the rule under test must still write nothing.
    const anchored = t.provenance(rules) === 'inferred' || !t.target.allowWrites
    if (!anchored && api.snapshot && !snapshotted.has(t)) {
      snapshotted.add(t)
      await api.snapshot(t)
    }
    const res = await api.send(t, anchored ? { ...api.anchor(c.field).fields, ...value } : value)
    // Documented: the value is refused. Which status and how the error is filed are the framework's premises.
    if (
      !t.expect(
        rules,
        res.status >= 400 && res.status < 500,
        `${c.field} ${c.what}: expected a refusal (4xx), got ${res.status} ${snippet(res.text)}`,
      )
    )
      return
    const expected = api.refusal.expected(t)
    t.expect(
      [...rules, api.refusal.status],
      res.status === expected,
      `${c.field} ${c.what}: expected the validation status ${expected}, got ${res.status} ${snippet(res.text)}`,
    )
    // The anchor named but not the field: the envelope held, the field's own rule broke.
    const anchorNamed = anchored && Object.keys(api.anchor(c.field).fields).some((key) => api.names(res, key))
    if (
      !t.expect(
        anchorNamed ? filed() : filed(api.refusal.names),
        api.names(res, c.errorKey),
        `${c.field} ${c.what}: expected the refusal to name ${c.errorKey}, got ${res.status} ${snippet(res.text)}`,
      )
    )
      return
    const message = api.messages?.expected(value, c.errorKey)
    const wanted = typeof message === 'string' ? [message] : (message ?? [])
    if (api.messages && wanted.length > 0) {
      const actual = api.messages.actual(res, c.errorKey)
      t.expect(
        filed(api.refusal.names, api.messages.rule),
        wanted.some((m) => actual.includes(m)),
        `${c.field} ${c.what}: expected the message ${wanted.map((m) => JSON.stringify(m)).join(' or ')}, got ${snippet(JSON.stringify(actual))}`,
      )
    }
    return
  }
  const anchor = api.anchor(c.field)
  const res = await api.send(t, { ...anchor.fields, ...value })
  // A server that took the anchor wrote an invalid value no snapshot of this check restores.
  if (res.status >= 200 && res.status < 300) t.leftChanged()
  // The anchor technique: a conforming server refuses the anchor and nothing else, and writes nothing.
  // Not refused at all: the anchor's own rule broke (and the request may have written); else the envelope.
  if (
    !t.expect(
      anchor.rule,
      res.status >= 400 && res.status < 500,
      `${sent} beside an invalid ${anchor.key}: the invalid ${anchor.key} was accepted, ${res.status} ${snippet(res.text)}`,
    )
  )
    return
  // The field named and the anchor not: the server refused the field (and stopped there); the case's rules answer.
  if (api.names(res, c.errorKey) && !api.names(res, anchor.key)) {
    t.expect(rules, false, `${c.field} ${c.what} was refused: ${snippet(res.text)}`)
    return
  }
  // Another anchor named but not this one: its own rule broke; none named: the envelope.
  const otherNamed = Object.keys(anchor.fields).some((key) => key !== anchor.key && api.names(res, key))
  if (
    !t.expect(
      otherNamed ? anchor.rule : api.refusal.names,
      api.names(res, anchor.key),
      `${sent} beside an invalid ${anchor.key}: expected a refusal naming ${anchor.key}, got ${res.status} ${snippet(res.text)}`,
    )
  )
    return
  t.expect(rules, !api.names(res, c.errorKey), `${c.field} ${c.what} was refused: ${snippet(res.text)}`)
}

function title(field: string, cases: readonly FieldCase[]): string {
  const pass = cases.filter((c) => c.accepted).map((c) => c.what)
  const refuse = cases.filter((c) => !c.accepted).map((c) => c.what)
  const part = (label: string, items: string[]) =>
    items.length === 0 ? [] : [`${label} ${items.slice(0, 3).join(', ')}${items.length > 3 ? ` (+${items.length - 3})` : ''}`]
  return `${field} (derived): ${[...part('accepts', pass), ...part('refuses', refuse)].join('; ')}`
}

/**
 * One check per body field, its cases derived from the contract's schema. Only requests a conforming server
 * must refuse are sent (accepted values ride beside an invalid anchor), so they run against live servers too.
 * @example derivedChecks({ shape: flextell.body.shape, framework: frameworks.laravel, … })
 */
export function derivedChecks<R extends string>(api: DerivedApi<R>, seed = 1): Check<R>[] {
  const cases = deriveCases(api.shape, api.framework, { skip: api.skip ?? [], seed }).filter((c) => api.keep?.(c) ?? true)
  const fields = [...new Set(cases.map((c) => c.field))]
  return fields.map((field) => {
    const mine = cases.filter((c) => c.field === field)
    return {
      title: title(field, mine),
      async run(t) {
        for (const c of mine) await runCase(t, api, c)
      },
    }
  })
}
