import type { Finding, Outcome } from '../suites/check.ts'

export type ReporterName = 'default' | 'junit' | 'json'
export const reporterNames: readonly ReporterName[] = ['default', 'junit', 'json']

export interface Report {
  readonly api: string
  readonly target: string
  readonly strict: boolean
  readonly outcomes: readonly Outcome[]
  /** With `--coverage`: each rule of the contract and the checks that asserted it in this run. */
  readonly coverage?: readonly CoverageRow[]
}

export interface CoverageRow {
  readonly rule: string
  readonly provenance: 'documented' | 'inferred'
  readonly checks: readonly string[]
}

/** The rule → checks table `--coverage` prints; an uncovered documented rule is marked so it stands out. */
export function coverageTable(rows: readonly CoverageRow[]): string {
  const width = Math.max(...rows.map((r) => r.rule.length))
  const lines = rows.map(
    (r) =>
      `  ${r.rule.padEnd(width)}  ${r.provenance.padEnd(10)}  ${r.checks.length === 0 ? (r.provenance === 'documented' ? 'NOT COVERED' : 'not covered') : `${r.checks.length} check${r.checks.length === 1 ? '' : 's'}: ${r.checks.slice(0, 2).join(' | ')}${r.checks.length > 2 ? ' | …' : ''}`}`,
  )
  return ['coverage (rule → checks that asserted it):', ...lines].join('\n')
}

export function summarize(report: Report) {
  const count = (status: Outcome['status']) => report.outcomes.filter((o) => o.status === status).length
  return { passed: count('pass'), warned: count('warn'), failed: count('fail'), skipped: count('skip'), total: report.outcomes.length }
}

export function summaryLine(report: Report): string {
  const s = summarize(report)
  return `${report.api} against ${report.target}: ${s.passed} passed, ${s.warned} warned, ${s.failed} failed, ${s.skipped} skipped${report.strict ? ' (strict)' : ''}`
}

/** Everything the run made on the target and could not remove, check by check (a create on an API with no DELETE). */
export function leftBehind(report: Report): string[] {
  return report.outcomes.flatMap((o) => o.leftBehind ?? [])
}

/** The closing lines about what stays on the target, so a user can remove it by hand; none when nothing stays. */
function leftLines(report: Report): string[] {
  const left = leftBehind(report)
  if (left.length === 0) return []
  return ['', `left behind on ${report.target} (the API has no way to delete them; remove them by hand):`, ...left.map((l) => `  ${l}`)]
}

function findingLine(f: Finding): string {
  const why = f.provenance.kind === 'inferred' ? ` — inferred: ${f.provenance.why}` : ''
  // The premises the assertion rested on, so a warning shows what it would have failed on had they held.
  const premises = f.restsOn && f.restsOn.length > 1 ? ` [rests on ${f.restsOn.join(' + ')}]` : ''
  return `    [${f.provenance.kind}] ${f.rule} (${f.text}): ${f.detail}${premises}${why}`
}

function renderDefault(report: Report): string {
  const mark = { pass: '✓', warn: '!', fail: '✗', skip: '-' } as const
  const lines = report.outcomes.flatMap((o) => [
    `${mark[o.status]} ${o.title}${o.status === 'skip' ? ` (skipped: ${o.skipReason})` : ` (${o.ms.toFixed(0)}ms)`}`,
    ...o.failures.map(findingLine),
    ...o.warnings.map(findingLine),
    ...(o.leftBehind ?? []).map((l) => `    left behind: ${l}`),
  ])
  return [
    ...lines,
    ...(report.coverage ? ['', coverageTable(report.coverage)] : []),
    ...leftLines(report),
    '',
    summaryLine(report),
    '',
  ].join('\n')
}

const xml = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`)

function renderJunit(report: Report): string {
  const s = summarize(report)
  const time = (report.outcomes.reduce((sum, o) => sum + o.ms, 0) / 1000).toFixed(3)
  const cases = report.outcomes.map((o) => {
    const open = `    <testcase classname="apitwin.${xml(report.api)}" name="${xml(o.title)}" time="${(o.ms / 1000).toFixed(3)}">`
    const failure =
      o.failures.length > 0
        ? `\n      <failure message="${xml(o.failures.map((f) => f.rule).join(', '))}">${xml(o.failures.map(findingLine).join('\n'))}</failure>`
        : ''
    const skipped = o.status === 'skip' ? `\n      <skipped message="${xml(o.skipReason ?? '')}"/>` : ''
    const notes = [...o.warnings.map(findingLine), ...(o.leftBehind ?? []).map((l) => `    left behind: ${l}`)]
    const warnings = notes.length > 0 ? `\n      <system-out>${xml(notes.join('\n'))}</system-out>` : ''
    return `${open}${failure}${skipped}${warnings}\n    </testcase>`
  })
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    // errors="0": a check that cannot run is skipped with its reason, never an error; time in seconds (Jenkins, GitLab).
    `<testsuites name="apitwin verify" tests="${s.total}" failures="${s.failed}" errors="0" skipped="${s.skipped}" time="${time}">`,
    `  <testsuite name="${xml(`${report.api} against ${report.target}`)}" tests="${s.total}" failures="${s.failed}" errors="0" skipped="${s.skipped}" time="${time}" timestamp="${new Date().toISOString().slice(0, 19)}">`,
    ...cases,
    // A CI user reads the suite's output: what stays on staging is said there once, not only per test case.
    ...(leftBehind(report).length > 0 ? [`    <system-out>${xml(leftLines(report).slice(1).join('\n'))}</system-out>`] : []),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n')
}

function renderJson(report: Report): string {
  return `${JSON.stringify({ api: report.api, target: report.target, strict: report.strict, summary: summarize(report), leftBehind: leftBehind(report), checks: report.outcomes, ...(report.coverage && { coverage: report.coverage }) }, null, 2)}\n`
}

export function render(report: Report, reporter: ReporterName): string {
  return reporter === 'junit' ? renderJunit(report) : reporter === 'json' ? renderJson(report) : renderDefault(report)
}
