import { readFile, writeFile } from 'node:fs/promises'
import { describeLearned, type LearnedByRule } from '../../contracts/learned.ts'
import { calibrate, type Calibration, type CalibrationResult } from '../../suites/calibrate.ts'
import { apiNames, print, str, type Io } from '../args.ts'
import { DEFAULT_CONFIG_FILE } from '../config.ts'
import { liveFromFlags, targetHelp } from '../live-target.ts'
import { UsageError } from '../usage-error.ts'
import { redact } from '../verify.ts'

export const calibrateHelp = `apitwin calibrate <api> — find which reading of each inferred rule a live server follows (${apiNames})

Asks the server one probe per inferred rule and compares its answer with the mock's under every reading of that
rule. A rule whose answer no reading gives is reported with what was seen, never guessed; a rule whose readings
all answer alike on this server is left as it is.

${targetHelp}
  --write FILE           merge the readings found into FILE's "readings" (created if missing; other keys kept),
                         the file serve, verify, diff and createTwin read (--config FILE)
  --json                 machine-readable result
  --no-learn             only choose among the readings; learn nothing of the server's own wording, bodies or
                         statuses (by default calibrate learns them from requests the server refused, so nothing
                         changed, with every account value and id replaced by a placeholder)

Then: apitwin serve --config FILE (a mock that behaves like this server), apitwin diff <api> --config FILE --strict.
Exit status: 0 every probed rule matched a reading, 1 a rule's answer matches no reading, 2 bad usage or an
unreachable target. Rules whose probe changes data run only with --allow-writes.`

/** `apitwin calibrate <api>`: 0 every probed rule matched a reading, 1 one matched none. */
export async function calibrateCommand(args: string[], io: Io): Promise<number> {
  const parsed = await liveFromFlags('calibrate', args, io, {
    write: { type: 'string' },
    json: { type: 'boolean' },
    'no-learn': { type: 'boolean' },
  })
  if (parsed.help) return print(io, calibrateHelp)
  const { values, api, target, suite } = parsed
  const result = await calibrate(suite, target, { learn: values['no-learn'] !== true })
  const file = str(values, 'write')
  if (file !== undefined) await mergeInto(file, api, result.readings, result.learned)
  const secrets = Object.values(target.accounts)
    .flatMap((a) => (a?.token ? [a.token] : []))
    .concat(parsed.secrets)
  const text = values['json'] ? `${JSON.stringify(result, null, 2)}\n` : render(api, result, file)
  io.stdout(redact(text, secrets))
  return result.rules.some((r) => r.status === 'uncovered') || result.remaining.length > 0 ? 1 : 0
}

function render(
  api: string,
  { rules, learned, remaining, leftBehind }: Pick<CalibrationResult, 'rules' | 'learned' | 'remaining' | 'leftBehind'>,
  file: string | undefined,
): string {
  const line = (r: Calibration): string => {
    switch (r.status) {
      case 'found':
        return `  ${r.rule} = ${r.value}${r.value === r.default ? ' (the default)' : ` (default ${r.default})`}${r.inferredFrom === undefined ? '' : `: not probed (it cannot be undone); the only reading under which ${r.inferredFrom}'s answer is explained`}${r.alike === undefined ? '' : `; ${r.alike.join(', ')} answer alike on this server`}`
      case 'indistinguishable':
        return `  ${r.rule}: ${r.values.join(', ')} all answer ${r.observed} on this server; left as it is`
      case 'uncovered':
        return `  ${r.rule}: NO READING answers as this server does — observed ${r.observed}; the readings answer ${Object.entries(
          r.readings,
        )
          .map(([v, k]) => `${v} → ${k}`)
          .join('; ')}`
      case 'skipped':
        return `  ${r.rule}: not probed (${r.reason})${r.candidates === undefined ? '' : `; unknown: ${r.candidates.length > 0 ? `still possible ${r.candidates.join(' or ')}` : 'no reading explains what the rules resting on it observed'}`}${/cannot be undone/.test(r.reason) ? `\n    to learn it, point calibrate at throwaway accounts: apitwin calibrate ${api} --allow-writes --disposable …` : ''}`
      case 'error':
        return `  ${r.rule}: the probe failed: ${r.reason}`
      case 'learned':
        return `  ${r.rule}: learned (no reading answers ${r.observed}; the mock answers it with what the server was seen to say)`
    }
  }
  const found = rules.filter((r) => r.status === 'found' || r.status === 'learned').length
  const pieces = Object.entries(learned).map(([rule, p]) => `  ${rule}: ${describeLearned(p)}; seen in ${p.seen[0] ?? 'a refusal'}`)
  return [
    `${api}: ${found} of ${rules.length} inferred rules calibrated`,
    ...rules.map(line),
    ...(pieces.length > 0
      ? [
          '',
          `learned from the server's refusals (${file === undefined ? 'not written: give --write FILE' : `written to ${file} "learned"."${api}"; review it there`}):`,
          ...pieces,
        ]
      : []),
    ...(remaining.length > 0
      ? [
          '',
          `still different after calibration (no reading and nothing learned covers it; diff shows each request):`,
          ...[...new Set(remaining.map((d) => d.rule))].map((rule) => {
            const first = remaining.find((d) => d.rule === rule)
            const count = remaining.filter((d) => d.rule === rule).length
            return `  ${rule}: ${first?.aspect ?? ''} — mock ${first?.mock.slice(0, 60) ?? ''} / server ${first?.live.slice(0, 60) ?? ''}${count > 1 ? ` (and ${count - 1} more)` : ''}`
          }),
        ]
      : []),
    ...(leftBehind.length > 0
      ? [
          '',
          'left changed on the server (a request put it back and the server refused; the answers after it came from the changed server):',
          ...leftBehind.map((what) => `  ${what}`),
        ]
      : []),
    '',
    file === undefined
      ? `Write them with --write ${DEFAULT_CONFIG_FILE}, then: apitwin serve --config ${DEFAULT_CONFIG_FILE}`
      : `readings written to ${file} ("readings"."${api}")`,
    '',
  ].join('\n')
}

/** Sets `readings[api]` in a JSON config file to its readings merged with `found`, keeping everything else. */
async function mergeInto(file: string, api: string, found: Readonly<Record<string, string>>, learned: LearnedByRule): Promise<void> {
  let config: Record<string, unknown> = {}
  try {
    config = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'ENOENT')
      throw new UsageError(
        `--write ${file}: ${code ? `cannot read it (${code})` : `not valid JSON (${(error as Error).message}); fix or remove it`}`,
      )
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config))
    throw new UsageError(`--write ${file}: the file is not a JSON object`)
  const readings = (typeof config['readings'] === 'object' && config['readings'] !== null ? config['readings'] : {}) as Record<
    string,
    Record<string, string>
  >
  config['readings'] = { ...readings, [api]: { ...readings[api], ...found } }
  // What was learned replaces what an earlier calibration learned for this API: it is what the server says now.
  const before = (typeof config['learned'] === 'object' && config['learned'] !== null ? config['learned'] : {}) as Record<string, unknown>
  const { [api]: _old, ...others } = before
  if (Object.keys(learned).length > 0 || Object.keys(others).length > 0 || 'learned' in config)
    config['learned'] = { ...others, ...(Object.keys(learned).length > 0 && { [api]: learned }) }
  await writeFile(file, `${JSON.stringify(config, null, 2)}\n`).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot write --write ${file}: ${error.code ?? error.message}`)
  })
}
