import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import { apis, createTwin } from '../handlers/twin.ts'
import { startServer, type RunningServer } from '../server/serve.ts'
import { accountArgs } from './helpers/accounts.ts'
import { runCli, spawnCli } from './helpers/run-cli.ts'

/*
 * Issue 21, item 3: what cannot be undone is said plainly. A GoRules server that takes a second owner but never
 * lets an owner step down (the mock with owner.single unchecked, behind a proxy written here that refuses the
 * demotion) refuses every restore after a promotion: calibrate, diff and verify name each user left changed.
 */

const servers: Array<RunningServer | Server> = []
afterAll(async () => {
  for (const server of servers.splice(0))
    await ('url' in server ? server.close() : new Promise<void>((resolve) => server.close(() => resolve())))
})

/** The mock, and in front of it a proxy that answers 400 to any PUT taking the owner type from a user it saw promoted. */
async function ownersStay(): Promise<{ args: string[]; actor: string; peer: string }> {
  const twin = await createTwin({ apis: apis.filter((a) => a.name === 'gorules'), readings: { gorules: { 'owner.single': 'unchecked' } } })
  const mock = await startServer({ port: 0, twin, log: false, fastGlobals: false })
  servers.push(mock)
  const upstream = new URL(mock.url)
  const owners = new Set<string>()
  const proxy = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const raw = Buffer.concat(chunks)
      const id = /\/api\/users\/([^/?]+)/.exec(req.url ?? '')?.[1] ?? ''
      let type: unknown
      try {
        type = (JSON.parse(raw.toString()) as { type?: unknown }).type
      } catch {
        type = undefined
      }
      if (req.method === 'PUT' && owners.has(id) && type !== undefined && type !== 'owner') {
        res.writeHead(400, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ statusCode: 400, message: ['An owner cannot step down'], error: 'Bad Request' }))
        return
      }
      const forward = request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          if (answer.statusCode === 200 && type === 'owner') owners.add(id)
          res.writeHead(answer.statusCode ?? 502, answer.headers)
          answer.pipe(res)
        },
      )
      forward.end(raw)
    })
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  servers.push(proxy)
  const accounts = twin.accounts('gorules')
  const id = (label: string) => String(accounts.find((a) => a.label === label)?.userId)
  return {
    args: accountArgs(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}/gorules`, accounts),
    actor: id('actor'),
    peer: id('peer'),
  }
}

const refused = (id: string) => `user ${id} left changed: the server refused to put it back (answered 400); restore it by hand`

describe('a restore the server refuses is said plainly', () => {
  it('calibrate lists every user left changed, in its JSON and its text', async () => {
    const { args, actor, peer } = await ownersStay()
    const json = await runCli(['calibrate', 'gorules', ...args, '--allow-writes', '--json'])
    expect(json.stderr).toBe('')
    const result = JSON.parse(json.stdout) as { leftBehind: string[] }
    // The owner.single probe and the only-one-owner check both promote the peer; said once. The actor is untouched.
    expect(result.leftBehind).toEqual([refused(peer)])
    expect(result.leftBehind.join('\n')).not.toContain(`user ${actor} `)
    const { args: fresh } = await ownersStay()
    // As a user meets it: the built CLI, spawned.
    const text = await spawnCli(['calibrate', 'gorules', ...fresh, '--allow-writes'])
    expect(text.stdout).toMatch(/left changed on the server \(.*refused.*\):\n {2}user \S+ left changed/)
  }, 60_000)

  it('diff names the check that left a user changed; verify lists it under the check', async () => {
    const { args, peer } = await ownersStay()
    const diff = await runCli(['diff', 'gorules', ...args, '--allow-writes', '--reporter', 'json'])
    const report = JSON.parse(diff.stdout) as { leftBehind: Array<{ check: string; what: string }> }
    // The probes run first: the owner.single probe leaves the peer an owner (the check after it finds one and skips).
    expect(report.leftBehind).toEqual([{ check: 'probe: owner.single', what: refused(peer) }])
    const { args: fresh, peer: freshPeer } = await ownersStay()
    const verify = await spawnCli(['verify', 'gorules', ...fresh, '--allow-writes', '--max-cases', '0'])
    expect(verify.stdout).toContain(`left behind: ${refused(freshPeer)}`)
  }, 60_000)

  it('a server that puts everything back leaves nothing to say', async () => {
    const twin = await createTwin({
      apis: apis.filter((a) => a.name === 'gorules'),
      readings: { gorules: { 'owner.single': 'unchecked' } },
    })
    const mock = await startServer({ port: 0, twin, log: false, fastGlobals: false })
    servers.push(mock)
    const json = await runCli([
      'calibrate',
      'gorules',
      ...accountArgs(`${mock.url}/gorules`, twin.accounts('gorules')),
      '--allow-writes',
      '--json',
    ])
    expect((JSON.parse(json.stdout) as { leftBehind: string[] }).leftBehind).toEqual([])
  }, 60_000)
})
