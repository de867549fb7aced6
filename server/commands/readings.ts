import { contracts, type Contract } from '../../contracts/registry.ts'
import { apiNames, parse, print, str, type Io } from '../args.ts'
import { describeLearned, type Learned } from '../../contracts/learned.ts'
import { fieldGroups } from '../../contracts/provenance.ts'
import { commandLearned, commandReadings } from '../config.ts'
import { UsageError } from '../usage-error.ts'

export const readingsHelp = `apitwin readings [api] — list every inferred rule (${apiNames}) with why we inferred it, its readings,
which is the default and which the mock follows

  --reading API.RULE=VALUE  show the mock as it would run with this reading (repeatable), as serve takes it
  --config FILE             readings from a config file (default: ./apitwin.config.json when present)
  --json                    machine-readable: [{ api, rule, text, why, default, active, readings: {value: description},
                            learned? }]

A per-field reading (medibulut.body.formats=lenient:mobile) is listed as active with the fields it names; what
calibrate learned of a server's own wording, bodies and statuses ("learned" in the config file) is listed under its
rule as "learned", with the request that showed it.

Serve the mock under other readings with "apitwin serve --reading medibulut.tenant.forbidden=404", the
"readings" of apitwin.config.json, or createTwin({ readings }).`

interface Row {
  readonly api: string
  readonly rule: string
  readonly text: string
  readonly why: string
  readonly default: string
  readonly active: string
  readonly readings: Readonly<Record<string, string>>
  readonly learned?: Learned
}

/** `apitwin readings [api]`: every inferred rule with provenance, why, readings, default and active. */
export async function readingsCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { reading: { type: 'string', multiple: true }, config: { type: 'string' }, json: { type: 'boolean' } }, io.env)
  if (values['help']) return print(io, readingsHelp)
  if (positionals.length > 1) throw new UsageError(`apitwin readings takes at most one API, got ${positionals.length}: ${positionals.join(' ')}`)
  const only = positionals[0]
  const all = contracts as Readonly<Record<string, Contract>>
  if (only !== undefined && !all[only]) throw new UsageError(`unknown API "${only}"; choose one of: ${apiNames}`)
  const readings = await commandReadings({ config: str(values, 'config'), reading: values['reading'] }, io.env)
  const learned = await commandLearned(str(values, 'config'), io.env)
  const rows: Row[] = Object.entries(all).filter(([api]) => only === undefined || api === only).flatMap(([api, contract]) =>
    Object.entries(contract.rules).flatMap(([rule, { text, provenance }]) => {
      if (provenance.kind !== 'inferred') return []
      const pieces = learned[api]?.[rule]
      return [{ api, rule, text, why: provenance.why, default: provenance.readings.default, active: readings[api]?.[rule] ?? provenance.readings.default, readings: provenance.readings.options, ...(pieces && { learned: pieces }) }]
    }),
  )
  if (values['json']) return print(io, JSON.stringify(rows, null, 2))
  const lines = rows.flatMap((row, index) => [
    ...(index === 0 || rows[index - 1]?.api !== row.api ? [`${index === 0 ? '' : '\n'}${row.api}`] : []),
    `  ${row.rule} [inferred] — ${row.text}`,
    `    why: ${row.why}`,
    ...Object.entries(row.readings).sort(([a], [b]) => Number(b === row.default) - Number(a === row.default)).map(([value, description]) => {
      const marks = [value === row.default && 'default', value === row.active && 'active'].filter(Boolean).join(', ')
      return `    ${value === row.active ? '*' : ' '} ${row.api}.${row.rule}=${value}${marks ? ` (${marks})` : ''}: ${description}`
    }),
    // A per-field reading names its fields; the readings it combines are marked above only as the default is.
    ...(fieldGroups(row.active) ? [`    * ${row.api}.${row.rule}=${row.active} (active, field by field)`] : []),
    ...(row.learned ? [`    + learned: ${describeLearned(row.learned)}; seen in ${row.learned.seen[0] ?? 'a refusal'} (the config file's "learned")`] : []),
  ])
  return print(io, lines.join('\n'))
}
