import type { z } from 'zod'
import { flextell } from './flextell.ts'
import { gorules } from './gorules.ts'
import { medibulut } from './medibulut.ts'
import { railsUsers } from './rails-users.ts'
import type { RuleBook } from './provenance.ts'

/** The shape every API contract has; the OpenAPI document and the discovery route read only this. */
export interface Contract {
  readonly name: string
  readonly title: string
  readonly seed: string
  readonly method: string
  readonly path: string
  readonly params: z.ZodObject
  readonly headers: z.ZodObject
  readonly body: z.ZodType
  readonly responses: Readonly<Record<number, z.ZodType>>
  readonly rules: RuleBook
}

/** Every contract by API slug. */
export const contracts = { flextell, 'rails-users': railsUsers, medibulut, gorules } as const satisfies Record<string, Contract>
