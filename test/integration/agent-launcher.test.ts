// dd-run itself with the agent and agentless exporters: profiles from a real profiled process arrive at the fake
// agent (over TCP and a unix socket), the black-hole agent does not hold the exit beyond the flush timeout and the
// final profile is not lost, the launcher's exporter choice, and the API key never shows.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as net from 'node:net'
import * as path from 'node:path'
import { describe, it } from 'node:test'
import { fakeAgent } from '../helpers/fake-agent'
import { fixture } from '../helpers/paths'
import { pprofRaw, pprofTop } from '../helpers/pprof'
import { cleanEnv, ddRun, tempDir } from '../helpers/run'

const snapshot = (tags: string) => /(?:^|,)snapshot:([a-z_]+)/.exec(tags)?.[1]

function filesUnder(root: string): string[] {
  if (!fs.existsSync(root)) return []
  return (fs.readdirSync(root, { recursive: true }) as string[]).map((f) => path.join(root, f)).filter((f) => fs.statSync(f).isFile())
}

describe('dd-run with the agent exporter', () => {
  it('periodic and final profiles of a real process arrive at the agent, readable by go tool pprof', async () => {
    const agent = await fakeAgent()
    const dir = tempDir()
    const r = await ddRun(['--exporters', 'agent', '--agent-url', agent.url, '--upload-period', '1', '-s', 'e2e-agent', 'node', fixture('profiling/cpu-burn.js'), '2500'], {
      cwd: dir,
      env: cleanEnv({ DD_PROFILING_OUTPUT_DIR: path.join(dir, 'dd-profiles') }),
    })
    assert.equal(r.code, 0, r.stderr)
    assert.deepEqual(agent.invalid, [])
    const ups = agent.uploads
    assert.ok(ups.length >= 2, `${ups.length} uploads`)
    assert.ok(ups.every((u) => u.answered === 200))
    assert.equal(snapshot(ups[ups.length - 1]!.event.tags_profiler), 'on_shutdown')
    assert.ok(ups.some((u) => snapshot(u.event.tags_profiler) === 'periodic'))
    for (const u of ups) {
      assert.match(u.event.tags_profiler, /(^|,)service:e2e-agent(,|$)/)
      assert.equal(u.headers['dd-evp-origin'], 'dd-run')
    }
    // Every wall profile together shows the hot function.
    const hot = ups.map((u) => pprofTop(agent.writeProfile(u, 'wall.pprof', dir), 'cpu')).flat()
    assert.ok(hot.some((row) => row.name === 'burnCpu'), JSON.stringify(hot.slice(0, 5)))
    assert.match(r.stderr, /run summary: 1 Node process, 1 profiled/)
    assert.match(r.stderr, new RegExp(`\\d+ to agent ${agent.url.replace(/\./g, '\\.')}/profiling/v1/input`))
    assert.deepEqual(filesUnder(path.join(dir, 'dd-profiles')), [])
  })

  it('over a unix socket', async () => {
    const agent = await fakeAgent({ unix: true })
    const r = await ddRun(['--exporters', 'agent', 'node', fixture('profiling/exits.js'), 'natural'], { env: cleanEnv({ DD_TRACE_AGENT_URL: agent.socketUrl }) })
    assert.equal(r.code, 0, r.stderr)
    const [up] = await agent.waitForUploads(1)
    assert.equal(up!.via, 'unix')
    assert.match(pprofRaw(agent.writeProfile(up!, 'space.pprof', tempDir())), /inuse_space\/bytes/)
  })

  it('a black-hole agent delays the exit by at most the flush timeout, and the final profile is not lost', async () => {
    const agent = (await fakeAgent()).setDefault('black-hole')
    const dir = tempDir()
    const r = await ddRun(['--exporters', 'agent', '--agent-url', agent.url, 'node', fixture('profiling/exits.js'), 'exit3'], {
      cwd: dir,
      // Without the flush bound the launcher would wait out the 30 s upload timeout (and the 60 s budget).
      env: cleanEnv({ DD_PROFILING_FLUSH_TIMEOUT: '1', DD_PROFILING_UPLOAD_TIMEOUT: '30000', DD_PROFILING_OUTPUT_DIR: path.join(dir, 'dd-profiles') }),
    })
    assert.equal(r.code, 3, r.stderr)
    assert.ok(r.ms < 1000 + 9000, `dd-run took ${r.ms} ms`)
    // The body reached the agent (which never answered)...
    const [up] = await agent.waitForUploads(1)
    assert.equal(snapshot(up!.event.tags_profiler), 'on_shutdown')
    // ...and since it was never acknowledged, it is in a file too, and the summary says where.
    const written = filesUnder(path.join(dir, 'dd-profiles')).filter((f) => f.endsWith('wall.pprof'))
    assert.equal(written.length, 1, r.stderr)
    assert.match(pprofRaw(written[0]!), /wall\/nanoseconds/)
    assert.match(r.stderr, /not delivered within DD_PROFILING_FLUSH_TIMEOUT \(1 s\); written to .*dd-profiles/)
  })

  it('with the agent down and a 1 s upload period, the app runs on and the summary counts what was lost', async () => {
    const port = await closedPort()
    const dir = tempDir()
    const r = await ddRun(['--exporters', 'agent', '--agent-url', `http://127.0.0.1:${port}`, '--upload-period', '1', 'node', fixture('profiling/cpu-burn.js'), '3500'], {
      cwd: dir,
      env: cleanEnv({ DD_PROFILING_FLUSH_TIMEOUT: '0.5' }),
    })
    assert.equal(r.code, 0, r.stderr)
    // One warning from the process, however many periods failed.
    assert.equal(r.stderr.match(/cannot upload to the agent/g)?.length, 1, r.stderr)
    assert.match(r.stderr, /0 to agent http:\/\/127\.0\.0\.1:\d+\/profiling\/v1\/input, [1-9]\d* failed and \d+ dropped/)
  })
})

describe('the launcher chooses the exporters', () => {
  it('agent when an agent address is set; --info says which and why', async () => {
    const agent = await fakeAgent()
    const dry = await ddRun(['--dry-run', 'node', 'x.js'], { env: cleanEnv({ DD_TRACE_AGENT_URL: agent.url }) })
    assert.equal(dry.code, 0, dry.stderr)
    assert.match(dry.stdout, /^export DD_PROFILING_EXPORTERS='agent'$/m)
    const info = await ddRun(['--info', '--json'], { env: cleanEnv({ DD_AGENT_HOST: '127.0.0.1', DD_TRACE_AGENT_PORT: new URL(agent.url).port }) })
    const parsed = JSON.parse(info.stdout) as { exporters: { names: string[]; reason: string }; agent: { reachable: boolean } }
    assert.deepEqual(parsed.exporters, { names: ['agent'], reason: `an agent address is set (DD_AGENT_HOST / DD_TRACE_AGENT_PORT: ${agent.url})` })
    assert.equal(parsed.agent.reachable, true)
  })

  it('says the choice under --debug', async () => {
    const r = await ddRun(['--debug', '--exporters', 'file,agent', '--dry-run', 'node', 'x.js'], { env: cleanEnv() })
    assert.match(r.stderr, /^dd-run: exporters: file, agent \(set by --exporters\)$/m)
  })

  it('unknown exporter names and agentless without DD_API_KEY are configuration errors (exit 2)', async () => {
    const bad = await ddRun(['--exporters', 'agent,s3', 'node', '-e', '0'], { env: cleanEnv() })
    assert.equal(bad.code, 2)
    assert.match(bad.stderr, /^dd-run: --exporters="agent,s3": expected a comma-separated list of file, agent, agentless$/m)
    const nokey = await ddRun(['node', '-e', 'console.log("ran")'], { env: cleanEnv({ DD_PROFILING_EXPORTERS: 'agentless' }) })
    assert.equal(nokey.code, 2)
    assert.equal(nokey.stdout, '')
    assert.match(nokey.stderr, /^dd-run: DD_PROFILING_EXPORTERS=agentless: agentless export needs DD_API_KEY, which is not set/m)
  })
})

describe('dd-run with the agentless exporter', () => {
  it('uploads with DD-API-KEY and the key shows nowhere: output, --info, --dry-run, files', async () => {
    const KEY = 'f00dfacecafe0123456789abcdefbeef'
    const intake = await fakeAgent({ endpoint: '/api/v2/profile' })
    const dir = tempDir()
    const env = cleanEnv({ DD_API_KEY: KEY, DD_PROFILING_AGENTLESS_URL: `${intake.url}/api/v2/profile`, DD_PROFILING_OUTPUT_DIR: path.join(dir, 'out') })
    const r = await ddRun(['--debug', '--exporters', 'agentless,file', 'node', fixture('profiling/exits.js'), 'natural'], { cwd: dir, env })
    assert.equal(r.code, 0, r.stderr)
    const [up] = await intake.waitForUploads(1)
    assert.equal(up!.headers['dd-api-key'], KEY)
    assert.equal(up!.path, '/api/v2/profile')
    const info = await ddRun(['--info', '--exporters', 'agentless'], { cwd: dir, env })
    const infoJson = await ddRun(['--info', '--json', '--exporters', 'agentless'], { cwd: dir, env })
    const dry = await ddRun(['--dry-run', '--exporters', 'agentless', 'node', 'x.js'], { cwd: dir, env })
    const files = filesUnder(dir)
    assert.ok(files.some((f) => f.endsWith('event.json')), 'the file exporter wrote nothing')
    const texts = [r.stdout, r.stderr, info.stdout, info.stderr, infoJson.stdout, dry.stdout, dry.stderr, ...files.map((f) => fs.readFileSync(f, 'latin1'))]
    for (const t of texts) assert.ok(!t.includes(KEY) && !t.includes(KEY.slice(0, 12)), 'the key leaked')
    assert.match(info.stdout, /DD_API_KEY\s+\*{4}beef/)
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
