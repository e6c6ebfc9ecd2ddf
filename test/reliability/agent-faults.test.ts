// Agent faults, with dd-run and a real app: refused, black hole, a few bytes a second, 500s then recovery, 429
// with Retry-After, 413, a TLS certificate nobody trusts, a unix socket that is missing or not a socket. Each time
// the app's stdout and exit code are unchanged, the exit waits at most the flush timeout (plus the launcher's own
// start and stop, bounded generously here), and what the agent does receive is valid.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { after, describe, it, type TestContext } from 'node:test'
import { closedPort, FakeAgent, type FakeAgentOptions, type Reply } from '../helpers/fake-agent'
import { DD_RUN, fixture } from '../helpers/paths'
import { cleanEnv, start, tempDir, type RunResult } from '../helpers/run'

const APP = fixture('reliability/app.js')
const FLUSH_S = 1
/** Generous: the launcher's own exit work besides the flush (relaying, the summary) on a loaded 2-core machine. */
const EXIT_SLACK_MS = 6000

const agents: FakeAgent[] = []
after(() => Promise.all(agents.map((a) => a.close())))
async function fakeAgent(opts: FakeAgentOptions = {}, ...script: Reply[]): Promise<FakeAgent> {
  const a = await FakeAgent.start(opts)
  a.script(...script)
  agents.push(a)
  return a
}

interface Faulted extends RunResult {
  /** Milliseconds from the app's last line to dd-run's exit: what the profiler adds to the exit. */
  exitDelayMs: number
}

/** dd-run with the agent exporter at `url`, running the app for `ms` with exit code 5. */
async function runAgainst(t: TestContext, url: string, ms = 2500, extra: NodeJS.ProcessEnv = {}): Promise<Faulted> {
  const run = start(process.execPath, [DD_RUN, '--exporters', 'agent', 'node', APP, String(ms), '5'], {
    env: cleanEnv({ DD_PROFILING_UPLOAD_PERIOD: '1', DD_TRACE_AGENT_URL: url, DD_PROFILING_FLUSH_TIMEOUT: String(FLUSH_S), DD_PROFILING_UPLOAD_TIMEOUT: '2000', DD_PROFILING_OUTPUT_DIR: tempDir(), ...extra }),
  })
  let doneAt = 0
  let out = ''
  run.child.stdout?.on('data', (d: Buffer) => {
    out += d.toString()
    if (!doneAt && out.includes('done\n')) doneAt = Date.now()
  })
  const r = await run.done
  const exitDelayMs = Date.now() - doneAt
  t.diagnostic(`exit delay ${exitDelayMs} ms`)
  assert.equal(r.code, 5, r.stderr)
  assert.equal(r.stdout, 'start\ndone\n')
  assert.ok(doneAt > 0)
  assert.ok(exitDelayMs < FLUSH_S * 1000 + EXIT_SLACK_MS, `the exit took ${exitDelayMs} ms after the app's last line`)
  return { ...r, exitDelayMs }
}

const seqs = (a: FakeAgent, status?: number) =>
  a.uploads.filter((u) => status === undefined || u.answered === status).map((u) => Number(/(?:^|,)profile_seq:(\d+)/.exec(u.event.tags_profiler)?.[1]))
const warnings = (stderr: string) => stderr.split('\n').filter((l) => /^dd-run: (?!run summary)\S/.test(l))

describe('agent faults: the app is unharmed', () => {
  it('connection refused', async (t) => {
    const r = await runAgainst(t, `http://127.0.0.1:${await closedPort()}`)
    assert.equal(r.stderr.match(/cannot upload to the agent/g)?.length, 1, r.stderr)
  })

  it('accepts and never answers (black hole)', async (t) => {
    const agent = await fakeAgent()
    agent.setDefault('black-hole')
    const r = await runAgainst(t, agent.url)
    assert.ok(agent.uploads.length >= 1)
    // The final bundle is not lost: unacknowledged, it went to a file, and the summary says so. Whether the flush
    // timeout or the upload's own budget ran out first depends on the machine's timing; both mean "not delivered".
    const m = /a final profile was not relayed: not delivered[^;]*; written to (\S+) instead/.exec(r.stderr)
    assert.ok(m, r.stderr)
    const bundles = fs.readdirSync(m[1] as string).filter((n) => /^\d{4}-/.test(n))
    assert.ok(bundles.length >= 1, `nothing in ${m[1]}`)
  })

  it('answers a few bytes a second (the status line never completes)', async (t) => {
    const agent = await fakeAgent()
    agent.setDefault({ status: 200, trickle: 'head' })
    const r = await runAgainst(t, agent.url)
    assert.ok(agent.uploads.length >= 1)
    assert.match(r.stderr, /no answer within/)
  })

  it('a status, then a body of a few bytes a second: no connection is left open beyond the upload timeout', async (t) => {
    const agent = await fakeAgent()
    agent.setDefault({ status: 200, trickle: 'body' })
    const run = runAgainst(t, agent.url, 7000, { DD_PROFILING_UPLOAD_TIMEOUT: '1000' })
    // Sample the connections the profiled app holds while it runs: one upload a second, each ended within 1 s.
    let most = 0
    const t0 = Date.now()
    while (Date.now() - t0 < 6500) {
      await new Promise((r) => setTimeout(r, 250))
      if (Date.now() - t0 > 2500) most = Math.max(most, agent.openConnections)
    }
    await run
    t.diagnostic(`at most ${most} connections open after the first seconds`)
    assert.ok(agent.uploads.length >= 4, `${agent.uploads.length} uploads`)
    assert.ok(most <= 3, `${most} connections open at once`)
  })

  it('500s, then recovers: every bundle the queue held arrives, in order, none lost', async (t) => {
    const agent = await fakeAgent({}, { status: 500 }, { status: 503 })
    // A 4 s period: its retry budget (3.6 s) outlasts two backoffs.
    const r = await runAgainst(t, agent.url, 8500, { DD_PROFILING_UPLOAD_PERIOD: '4' })
    const ok = seqs(agent, 200)
    assert.ok(ok.length >= 3, `${ok.length} accepted`)
    assert.deepEqual(ok, Array.from({ length: ok.length }, (_, i) => i))
    assert.doesNotMatch(r.stderr, /failed|dropped/)
  })

  it('429 with Retry-After: waits as told, then delivers', async (t) => {
    const agent = await fakeAgent({}, { status: 429, headers: { 'Retry-After': '1' } })
    const r = await runAgainst(t, agent.url, 5000, { DD_PROFILING_UPLOAD_PERIOD: '3' })
    const [first, second] = agent.uploads
    assert.equal(first!.answered, 429)
    assert.equal(second!.answered, 200)
    assert.ok(second!.at - first!.at >= 900, `retried after ${second!.at - first!.at} ms`)
    assert.deepEqual(seqs(agent, 200), [0, 1])
    assert.doesNotMatch(r.stderr, /failed|dropped/)
  })

  it('413: not retried, one warning naming the status and the size', async (t) => {
    const agent = await fakeAgent()
    agent.setDefault({ status: 413 })
    const r = await runAgainst(t, agent.url)
    // One request per bundle: nothing retried.
    assert.deepEqual(seqs(agent), Array.from({ length: agent.uploads.length }, (_, i) => i))
    assert.equal(r.stderr.match(/refused a profile with HTTP 413 \(payload [\d.]+ KB too large\)/g)?.length, 1, r.stderr)
  })

  it('https with a certificate nobody trusts: nothing is sent, one warning', async (t) => {
    const dir = tempDir()
    const key = path.join(dir, 'key.pem')
    const cert = path.join(dir, 'cert.pem')
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' })
    const agent = await fakeAgent({ tls: { key: fs.readFileSync(key), cert: fs.readFileSync(cert) } })
    const r = await runAgainst(t, agent.url)
    assert.equal(agent.uploads.length, 0)
    assert.equal(r.stderr.match(/cannot upload to the agent.*(SELF_SIGNED|certificate)/gi)?.length, 1, r.stderr)
  })

  it('a unix socket path that does not exist', async (t) => {
    const r = await runAgainst(t, `unix://${path.join(tempDir(), 'missing.socket')}`)
    assert.equal(r.stderr.match(/cannot upload to the agent.*ENOENT/g)?.length, 1, r.stderr)
  })

  it('a unix socket path that is a regular file', async (t) => {
    const file = path.join(tempDir(), 'apm.socket')
    fs.writeFileSync(file, 'not a socket')
    const r = await runAgainst(t, `unix://${file}`)
    assert.equal(r.stderr.match(/cannot upload to the agent.*ECONNREFUSED/g)?.length, 1, r.stderr)
    assert.equal(fs.readFileSync(file, 'utf8'), 'not a socket')
    assert.ok(warnings(r.stderr).length <= 3, r.stderr)
  })
})
