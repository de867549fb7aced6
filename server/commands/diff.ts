import { writeFile } from 'node:fs/promises'
import { diff, type Difference, type DiffResult } from '../../suites/diff.ts'
import { referenceOf } from '../../suites/reference.ts'
import { apiNames, print, str, type Io } from '../args.ts'
import { commandLearned } from '../config.ts'
import { liveFromFlags, targetHelp } from '../live-target.ts'
import { UsageError } from '../usage-error.ts'
import { redact } from '../verify.ts'

export const diffHelp = `apitwin diff <api> — does the mock tell the truth about this server? (${apiNames})

Sends the same requests (the contract suite's checks and one probe per inferred rule) to a fresh in-process mock
and to the live server, each acting with its own accounts, and lists every difference in status, content type,
body shape (keys and JSON types) and error messages, grouped by the contract rule it concerns. Fields the live
server returns beyond the mock's are listed as extra (informational: docs show a minimum).

${targetHelp}
  --strict               exit 1 on any difference, inferred rules included
  --reporter R           default | json | junit
  --output FILE          write the report to FILE (stdout gets a one-line summary)

Exit status: 0 no documented rule differs (inferred differences are listed: make the mock follow the server with
"apitwin calibrate"), 1 a documented rule differs (any difference with --strict), 2 bad usage or an unreachable
target. By default only requests a conforming server must refuse are sent, so nothing changes on the target.`

const reporters = ['default', 'json', 'junit'] as const

/** `apitwin diff <api>`: 0 no documented difference, 1 one (or any with --strict). */
export async function diffCommand(args: string[], io: Io): Promise<number> {
  const parsed = await liveFromFlags('diff', args, io, {
    strict: { type: 'boolean' },
    reporter: { type: 'string' },
    output: { type: 'string' },
  })
  if (parsed.help) return print(io, diffHelp)
  const { values, api, target, readings, suite } = parsed
  const reporter = str(values, 'reporter') ?? 'default'
  if (!(reporters as readonly string[]).includes(reporter))
    throw new UsageError(`--reporter must be one of ${reporters.join(', ')}, got "${reporter}"`)
  // The mock mirrors what the live run may do: the same writes, no disposable-only checks, no control routes.
  const learned = (await commandLearned(str(values, 'config'), io.env, { [api]: suite.rules }))[api]
  const mock = { ...(await referenceOf(suite, readings, learned)), allowWrites: target.allowWrites, disposable: false }
  const result = await diff(suite, target, mock)
  const strict = values['strict'] === true
  const documented = result.differences.filter((d) => d.provenance === 'documented')
  const exitCode = documented.length > 0 || (strict && result.differences.length > 0) ? 1 : 0
  const secrets = [...Object.values(target.accounts), ...Object.values(mock.accounts)]
    .flatMap((a) => (a?.token ? [a.token] : []))
    .concat(parsed.secrets)
  const rendered = redact(
    reporter === 'json'
      ? renderJson(result, readings, strict)
      : reporter === 'junit'
        ? renderJunit(result, strict)
        : renderTable(result, readings, io.stdoutIsTTY === true && !io.env['NO_COLOR']),
    secrets,
  )
  const output = str(values, 'output')
  if (output !== undefined) {
    await writeFile(output, rendered).catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot write --output ${output}: ${error.code ?? error.message}`)
    })
    io.stdout(`${redact(summaryLine(result), secrets)}\nreport written to ${output}\n`)
  } else io.stdout(rendered)
  return exitCode
}

/** Differences by rule, documented rules first. */
function byRule(result: DiffResult): Array<[string, Difference[]]> {
  const groups = new Map<string, Difference[]>()
  for (const d of result.differences) groups.set(d.rule, [...(groups.get(d.rule) ?? []), d])
  return [...groups].sort(([, a], [, b]) => Number(a[0]?.provenance === 'inferred') - Number(b[0]?.provenance === 'inferred'))
}

export function summaryLine(result: DiffResult): string {
  const rules = byRule(result)
  const documented = rules.filter(([, ds]) => ds[0]?.provenance === 'documented').length
  return `${result.api}: mock vs ${result.target}: ${result.compared} requests compared, ${result.differences.length} differences in ${rules.length} rules (${documented} documented, ${rules.length - documented} inferred), ${result.extras.length} extra fields, ${result.skipped.length} checks skipped`
}

function renderTable(result: DiffResult, readings: Readonly<Record<string, string>>, colour: boolean): string {
  const paint = (code: string, text: string) => (colour ? `\x1b[${code}m${text}\x1b[0m` : text)
  const cut = (text: string, n = 110) => (text.length > n ? `${text.slice(0, n - 1)}…` : text)
  const lines: string[] = [
    `${result.api}: the mock${
      Object.keys(readings).length
        ? ` (readings ${Object.entries(readings)
            .map(([r, v]) => `${r}=${v}`)
            .join(', ')})`
        : ''
    } vs ${result.target}`,
    '',
  ]
  for (const [rule, ds] of byRule(result)) {
    const first = ds[0]
    if (!first) continue
    const tag = first.provenance === 'documented' ? paint('31', '[documented]') : paint('33', '[inferred]')
    lines.push(`${tag} ${paint('1', rule)} — ${first.text}`)
    if (first.why) lines.push(`    why: ${first.why}`)
    lines.push(`    ${'aspect'.padEnd(15)}${'mock'.padEnd(40)}live`)
    for (const d of ds) {
      lines.push(`    ${d.aspect.padEnd(15)}${cut(d.mock, 38).padEnd(40)}${cut(d.live, 80)}`)
      lines.push(paint('2', `      ${cut(`${d.check} — ${d.request}`, 120)}`))
    }
    lines.push('')
  }
  if (result.differences.length === 0) lines.push(paint('32', 'no differences: the mock answers as this server does'), '')
  if (result.extras.length > 0) {
    const unique = [...new Map(result.extras.map((e) => [e.path, e])).values()]
    lines.push(
      `extra fields the server returns beyond the mock's (informational): ${unique.map((e) => `${e.path} (${e.type})`).join(', ')}`,
      '',
    )
  }
  for (const s of result.skipped) lines.push(paint('2', `- ${s.check} (skipped: ${s.reason})`))
  if (result.leftBehind.length > 0)
    lines.push(
      '',
      paint('33', 'left changed on the server (later answers may differ for it):'),
      ...result.leftBehind.map((l) => `  ${l.what} (${l.check})`),
    )
  return [...lines, '', summaryLine(result), ''].join('\n')
}

function renderJson(result: DiffResult, readings: Readonly<Record<string, string>>, strict: boolean): string {
  const rules = byRule(result).map(([rule, ds]) => ({
    rule,
    provenance: ds[0]?.provenance,
    text: ds[0]?.text,
    why: ds[0]?.why,
    differences: ds,
  }))
  return `${JSON.stringify({ api: result.api, target: result.target, readings, strict, summary: summaryLine(result), compared: result.compared, rules, extras: result.extras, skipped: result.skipped, leftBehind: result.leftBehind }, null, 2)}\n`
}

const xml = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`)

function renderJunit(result: DiffResult, strict: boolean): string {
  const rules = byRule(result)
  const failing = rules.filter(([, ds]) => strict || ds[0]?.provenance === 'documented')
  const cases = rules.map(([rule, ds]) => {
    const detail = xml(ds.map((d) => `${d.aspect}: mock ${d.mock} / live ${d.live} (${d.check})`).join('\n'))
    const fails = strict || ds[0]?.provenance === 'documented'
    return `    <testcase classname="apitwin.diff.${xml(result.api)}" name="${xml(`${rule} [${ds[0]?.provenance}]`)}">${fails ? `\n      <failure message="${xml(`${ds.length} differences`)}">${detail}</failure>` : `\n      <system-out>${detail}</system-out>`}\n    </testcase>`
  })
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="apitwin diff" tests="${rules.length}" failures="${failing.length}">`,
    `  <testsuite name="${xml(`${result.api}: mock vs ${result.target}`)}" tests="${rules.length}" failures="${failing.length}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n')
}
