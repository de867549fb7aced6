import { describe, expect, it } from 'vitest'
import { render, type Report } from '../server/reporters.ts'

describe('JUnit reporter', () => {
  it('gives <testsuites> and <testsuite> the tests, failures, errors, skipped and time Jenkins and GitLab read', () => {
    const report: Report = {
      api: 'flextell',
      target: 'in-process mock',
      strict: false,
      outcomes: [
        { title: 'a', status: 'pass', failures: [], warnings: [], ms: 1250 },
        { title: 'b', status: 'skip', failures: [], warnings: [], skipReason: 'no peer', ms: 0 },
        {
          title: 'c & <d>',
          status: 'fail',
          failures: [{ rule: 'r', text: 't', provenance: { kind: 'documented', source: 's' }, detail: 'x' }],
          warnings: [],
          ms: 500,
        },
      ],
    } as unknown as Report // the finding's provenance carries more fields than the reporter reads
    const xml = render(report, 'junit')
    const attrs = (tag: string) =>
      Object.fromEntries(
        [...(new RegExp(`<${tag} ([^>]*)>`).exec(xml)?.[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m): [string, string | undefined] => [
          m[1] ?? '',
          m[2],
        ]),
      )
    for (const tag of ['testsuites', 'testsuite'])
      expect(attrs(tag)).toMatchObject({ tests: '3', failures: '1', errors: '0', skipped: '1', time: '1.750' })
    expect(xml).toContain('name="c &#38; &#60;d&#62;"')
  })
})
