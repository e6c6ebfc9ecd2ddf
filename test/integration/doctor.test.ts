// dd-run doctor on a healthy set-up (a fake agent, a writable directory) and on broken ones: every check runs for
// real, including a tiny Node process through the real launcher and an upload the fake agent must accept.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as net from 'node:net'
import * as path from 'node:path'
import { after, describe, it } from 'node:test'
import { FakeAgent } from '../helpers/fake-agent'
import { pprofRaw } from '../helpers/pprof'
import { cleanEnv, ddRun, tempDir } from '../helpers/run'

const agents: FakeAgent[] = []
after(() => Promise.all(agents.map((a) => a.close())))

function lineOf(stdout: string, name: string): string {
  const line = stdout.split('\n').find((l) => new RegExp(`^\\S+\\s+${name}\\s`).test(l))
  assert.ok(line, `no ${name} line in:\n${stdout}`)
  return line
}

describe('dd-run doctor', () => {
  it('on a healthy set-up: every check passes, and the agent received a real profile', async () => {
    const agent = await FakeAgent.start()
    agents.push(agent)
    const dir = tempDir()
    const out = path.join(dir, 'profiles')
    const r = await ddRun(['doctor'], { cwd: dir, env: cleanEnv({ DD_TRACE_AGENT_URL: agent.url, DD_PROFILING_OUTPUT_DIR: out }), timeoutMs: 120_000 })
    assert.equal(r.code, 0, r.stdout + r.stderr)
    for (const name of ['Node.js', 'native addon', 'injection', 'agent', 'output directory']) assert.match(lineOf(r.stdout, name), /^ok /)
    assert.match(lineOf(r.stdout, 'injection'), /loaded the preload and wrote \d+ profile bundle\(s\) \(wall\.pprof, space\.pprof[^)]*\)/)
    assert.match(lineOf(r.stdout, 'agent'), /accepted a profile upload/)
    assert.match(r.stdout, /\n0 failures, \d warnings?\n$/)
    const [up] = await agent.waitForUploads(1)
    assert.match(up!.event.tags_profiler, /service:dd-run-doctor/)
    assert.match(pprofRaw(agent.writeProfile(up!, 'wall.pprof', dir)), /wall\/nanoseconds/)
    // Doctor leaves nothing behind.
    assert.equal(fs.existsSync(out), false)
  })

  it('on a broken set-up: the agent and the output directory fail, each with a fix, and the exit code says so', async () => {
    const dir = tempDir()
    const file = path.join(dir, 'a-file')
    fs.writeFileSync(file, '')
    const port = await closedPort()
    const r = await ddRun(['doctor'], {
      cwd: dir,
      env: cleanEnv({ DD_TRACE_AGENT_URL: `http://127.0.0.1:${port}`, DD_PROFILING_OUTPUT_DIR: path.join(file, 'profiles') }),
      timeoutMs: 120_000,
    })
    assert.equal(r.code, 1, r.stdout + r.stderr)
    assert.match(lineOf(r.stdout, 'agent'), new RegExp(`^failure\\s+agent\\s+nothing answers at http://127\\.0\\.0\\.1:${port} \\(DD_TRACE_AGENT_URL\\)$`))
    assert.match(lineOf(r.stdout, 'output directory'), /^failure .*a-file\/profiles is not writable \(ENOTDIR\)$/)
    assert.match(r.stdout, /\n\s+fix: start the Datadog Agent/)
    assert.match(r.stdout, /\n\s+fix: choose a writable directory with -o \/ DD_PROFILING_OUTPUT_DIR/)
    assert.match(r.stdout, /\n2 failures, \d warnings?: profiling will not work as configured\n$/)
  })

  it('an agent that answers but refuses the upload (profile forwarder off) is a failure naming the status', async () => {
    const agent = (await FakeAgent.start()).setDefault({ status: 500 })
    agents.push(agent)
    const dir = tempDir()
    const r = await ddRun(['doctor'], { cwd: dir, env: cleanEnv({ DD_TRACE_AGENT_URL: agent.url, DD_PROFILING_OUTPUT_DIR: path.join(dir, 'p') }), timeoutMs: 120_000 })
    assert.equal(r.code, 1, r.stdout + r.stderr)
    assert.match(lineOf(r.stdout, 'agent'), /^failure\s+agent\s+the agent at .* answers but did not accept an upload: HTTP 500 \(an agent answers 500 when its profile forwarder is off\)$/)
    assert.match(lineOf(r.stdout, 'injection'), /^ok /)
    // One upload, well formed: the fake agent validated it before answering 500.
    assert.equal(agent.uploads.length, 1)
    assert.deepEqual(agent.invalid, [])
  })

  it('when profiling cannot start in the tiny process, the injection check fails and says why (--json); agentless without a key fails', async () => {
    const dir = tempDir()
    const r = await ddRun(['doctor', '--json'], {
      cwd: dir,
      env: cleanEnv({ DD_PROFILING_ENABLED: 'false', DD_PROFILING_EXPORTERS: 'agentless', DD_PROFILING_OUTPUT_DIR: path.join(dir, 'p') }),
      timeoutMs: 120_000,
    })
    assert.equal(r.code, 1, r.stdout + r.stderr)
    const report = JSON.parse(r.stdout) as { checks: { name: string; status: string; detail: string; fix?: string }[]; failures: number }
    const inj = report.checks.find((c) => c.name === 'injection')!
    assert.equal(inj.status, 'failure')
    assert.equal(inj.detail, 'a Node process started through dd-run wrote no profile: profiling is disabled (DD_PROFILING_ENABLED is false)')
    assert.match(inj.fix!, /dd-run --debug/)
    const agentless = report.checks.find((c) => c.name === 'agentless')!
    assert.deepEqual(agentless, { name: 'agentless', status: 'failure', detail: 'agentless export is on but DD_API_KEY is not set', fix: 'set DD_API_KEY, or use the agent or file exporter' })
    assert.equal(report.failures, report.checks.filter((c) => c.status === 'failure').length)
  })

  it('rejects unknown arguments', async () => {
    const r = await ddRun(['doctor', '--bogus'])
    assert.equal(r.code, 2)
    assert.equal(r.stderr, 'dd-run: doctor: unknown argument "--bogus": expected --json or --help\n')
  })
})

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo
      s.close(() => resolve(port))
    })
  })
}
