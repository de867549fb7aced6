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
  anchor(field: string): { readonly key: string; readonly fields: Readonly<Record<string, unknown>> }
  /** Fields a value needs beside it to be valid (a password's confirmation). */
  companions?(field: string, value: unknown): Readonly<Record<string, unknown>>
  /** Whether a refusal names `key`, in the API's error format. */
  names(res: Exchange, key: string): boolean
  /** The documented rule (first) and the premises a case rests on. */
  rules(c: FieldCase): Rules<R>
  /**
   * How the vendor answers a refused body: `status` is the rule naming the validation status and `expected` that
   * status (a reading where inferred); `names` the rule saying every failing field is named at once, which the
   * anchor technique rests on.
   */
  readonly refusal: { readonly status: R; readonly expected: (t: CheckContext<R>) => number; readonly names: R }
}

const list = <R extends string>(rules: Rules<R>): readonly R[] => (typeof rules === 'string' ? [rules] : rules)

/** Sends one case and judges it; a case never fails on a premise the server does not share, only warns. */
export async function runCase<R extends string>(t: CheckContext<R>, api: DerivedApi<R>, c: FieldCase): Promise<void> {
  const rules = list(api.rules(c))
  const value = { [c.field]: c.value, ...api.companions?.(c.field, c.value) }
  const sent = `${c.field} = ${snippet(JSON.stringify(c.value) ?? 'undefined')}`
  if (!c.accepted) {
    const res = await api.send(t, value)
    // Documented: the value is refused. Which status and how the error is filed are the framework's premises.
    t.expect(rules, res.status >= 400 && res.status < 500, `${c.field} ${c.what}: expected a refusal (4xx), got ${res.status} ${snippet(res.text)}`)
    const expected = api.refusal.expected(t)
    t.expect(api.refusal.status, res.status === expected, `${c.field} ${c.what}: expected the validation status ${expected}, got ${res.status} ${snippet(res.text)}`)
    t.expect([...rules, api.refusal.names], api.names(res, c.errorKey), `${c.field} ${c.what}: expected the refusal to name ${c.errorKey}, got ${res.status} ${snippet(res.text)}`)
    return
  }
  const anchor = api.anchor(c.field)
  const res = await api.send(t, { ...anchor.fields, ...value })
  // The anchor technique: a conforming server refuses the anchor and nothing else, and writes nothing.
  const refused = res.status >= 400 && res.status < 500 && api.names(res, anchor.key)
  if (!t.expect(api.refusal.names, refused, `${sent} beside an invalid ${anchor.key}: expected a refusal naming ${anchor.key}, got ${res.status} ${snippet(res.text)}`)) return
  t.expect(rules, !api.names(res, c.errorKey), `${c.field} ${c.what} was refused: ${snippet(res.text)}`)
}

function title(field: string, cases: readonly FieldCase[]): string {
  const pass = cases.filter((c) => c.accepted).map((c) => c.what)
  const refuse = cases.filter((c) => !c.accepted).map((c) => c.what)
  const part = (label: string, items: string[]) => (items.length === 0 ? [] : [`${label} ${items.slice(0, 3).join(', ')}${items.length > 3 ? ` (+${items.length - 3})` : ''}`])
  return `${field} (derived): ${[...part('accepts', pass), ...part('refuses', refuse)].join('; ')}`
}

/**
 * One check per body field, its cases derived from the contract's schema. Only requests a conforming server
 * must refuse are sent (accepted values ride beside an invalid anchor), so they run against live servers too.
 * @example derivedChecks({ shape: flextell.body.shape, framework: frameworks.laravel, … })
 */
export function derivedChecks<R extends string>(api: DerivedApi<R>, seed = 1): Check<R>[] {
  const cases = deriveCases(api.shape, api.framework, { skip: api.skip ?? [], seed })
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
