/**
 * Every rule of a contract is either documented (the seed doc states it) or inferred (our reading of what the
 * vendor's stack does where the doc is silent or contradicts itself). `verify` fails on a broken documented rule
 * and only warns on a broken inferred one unless `--strict`, so staging runs stay free of false alarms.
 */
export type Provenance =
  | { readonly kind: 'documented'; readonly source: string }
  | { readonly kind: 'inferred'; readonly why: string }

export interface Rule {
  readonly text: string
  readonly provenance: Provenance
}

/**
 * A rule the seed doc states; `source` quotes or points at the doc.
 * @example documented('name: "Maximum string length: 255"', 'name is at most 255 characters')
 */
export function documented(source: string, text: string): Rule {
  return { text, provenance: { kind: 'documented', source } }
}

/**
 * A rule the doc does not state; `why` is the one-line reason we believe the vendor does this.
 * @example inferred('Laravel auth middleware answers this body', '401 body is {"message":"Unauthenticated."}')
 */
export function inferred(why: string, text: string): Rule {
  return { text, provenance: { kind: 'inferred', why } }
}

export type RuleBook = Readonly<Record<string, Rule>>
