// The exporters in real Node processes configured by the environment, as the preload runs them: an upload never
// keeps a process alive, the final flush is bounded, memory stays flat while the agent is down, https works with
// the system's trust store, and agentless sends DD-API-KEY without ever printing it.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as net from 'node:net'
import * as path from 'node:path'
import { describe, it } from 'node:test'
import { fakeAgent } from '../helpers/fake-agent'
import { fixture } from '../helpers/paths'
import { pprofRaw } from '../helpers/pprof'
import { cleanEnv, start, tempDir } from '../helpers/run'


function node(script: string, env: NodeJS.ProcessEnv, nodeArgs: string[] = []) {
  return start(process.execPath, [...nodeArgs, fixture(script)], { env: cleanEnv(env), timeoutMs: 90_000 }).done
}

describe('in a real process', () => {
  it('an upload in flight never keeps the process alive', async () => {
    const agent = (await fakeAgent()).setDefault('black-hole')
    // Without the unref'd socket and timers this process would live for the 30 s upload timeout.
    const r = await node('export-bundles.js', { DD_PROFILING_EXPORTERS: 'agent', DD_TRACE_AGENT_URL: agent.url, DD_PROFILING_UPLOAD_TIMEOUT: '30000' })
    assert.equal(r.code, 0, r.stderr)
    assert.ok(r.ms < 15_000, `lived ${r.ms} ms`)
    assert.equal(JSON.parse(r.stdout).stats.agent.queued, 1)
  })

  it('the final flush against a black hole waits at most DD_PROFILING_FLUSH_TIMEOUT, then hands the bundle back', async () => {
    const agent = (await fakeAgent()).setDefault('black-hole')
    const r = await node('export-bundles.js', {
      DD_PROFILING_EXPORTERS: 'agent',
      DD_TRACE_AGENT_URL: agent.url,
      DD_PROFILING_UPLOAD_TIMEOUT: '30000',
      FIXTURE_FLUSH_MS: '1000',
    })
    assert.equal(r.code, 0, r.stderr)
    // 1 s of flush plus start-up and profiling; far below the 30 s the upload alone would have taken.
    assert.ok(r.ms < 10_000, `lived ${r.ms} ms`)
    assert.equal(JSON.parse(r.stdout).handedBack, 1)
    await agent.waitForUploads(1)
  })

  it('memory stays flat and drops are counted while the agent is down (1 s upload period)', async () => {
    const port = await closedPort()
    const r = await node(
      'export-flood.js',
      { DD_PROFILING_EXPORTERS: 'agent', DD_TRACE_AGENT_URL: `http://127.0.0.1:${port}`, DD_PROFILING_UPLOAD_PERIOD: '1', FLOOD_MB: '2', FLOOD_COUNT: '200', FLOOD_EVERY_MS: '20' },
      ['--expose-gc'],
    )
    assert.equal(r.code, 0, r.stderr)
    const out = JSON.parse(r.stdout) as {
      samples: { arrayBuffers: number; rss: number }[]
      maxQueued: number
      stats: { sent: number; failed: number; dropped: number; queued: number }
      pushedBytes: number
    }
    assert.ok(out.maxQueued <= 4, `queued ${out.maxQueued}`)
    assert.equal(out.stats.sent, 0)
    assert.ok(out.stats.dropped > 0, 'nothing dropped')
    assert.equal(out.stats.failed + out.stats.dropped + out.stats.queued, 200)
    // 400 MiB went through. What stays in buffers is the queue (at most 4 bundles, 16 MiB) plus transient request
    // buffers; measured here: 10 MiB (the fixture collects twice before each sample, so buffers freed but not yet
    // swept by V8's background threads are not counted: with one collection, samples spiked to 42 MiB).
    const maxBuffers = Math.max(...out.samples.map((s) => s.arrayBuffers))
    assert.ok(maxBuffers < 40 * 1024 * 1024, `arrayBuffers up to ${maxBuffers}`)
    // Flat: the second half of the run does not need more memory than the first half did.
    const half = out.samples.length / 2
    const peak = (xs: { rss: number }[]) => Math.max(...xs.map((s) => s.rss))
    const early = peak(out.samples.slice(0, half))
    const late = peak(out.samples.slice(half))
    assert.ok(late - early < 24 * 1024 * 1024, `rss peak grew from ${early} to ${late}`)
    // One warning per kind of trouble, not one per bundle.
    const lines = r.stderr.trim().split('\n')
    assert.ok(lines.length <= 3, r.stderr)
  })

  it('https, trusting the CA the process is told about', async () => {
    const dir = tempDir()
    const key = path.join(dir, 'key.pem')
    const cert = path.join(dir, 'cert.pem')
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' })
    const agent = await fakeAgent({ tls: { key: fs.readFileSync(key), cert: fs.readFileSync(cert) } })
    assert.match(agent.url, /^https:/)
    const r = await node('export-bundles.js', { DD_PROFILING_EXPORTERS: 'agent', DD_TRACE_AGENT_URL: agent.url, NODE_EXTRA_CA_CERTS: cert, FIXTURE_AWAIT: '1' })
    assert.equal(r.code, 0, r.stderr)
    assert.equal(JSON.parse(r.stdout).stats.agent.sent, 1)
    const [up] = await agent.waitForUploads(1)
    assert.match(pprofRaw(agent.writeProfile(up!, 'wall.pprof', dir)), /wall\/nanoseconds/)
  })
})

describe('agentless', () => {
  const KEY = 'a1b2c3d4e5f6secretkey0123456789ab'

  it('sends the same payload to the intake with DD-API-KEY, and never prints the key', async () => {
    const intake = (await fakeAgent({ endpoint: '/api/v2/profile' })).script({ status: 413 }, { status: 500 })
    const r = await node('export-bundles.js', {
      DD_PROFILING_EXPORTERS: 'agentless',
      DD_PROFILING_AGENTLESS_URL: `${intake.url}/api/v2/profile`,
      DD_API_KEY: KEY,
      DD_TRACE_DEBUG: 'true',
      DD_SERVICE: 'agentless-test',
      FIXTURE_BUNDLES: '2',
      FIXTURE_AWAIT: '1',
    })
    assert.equal(r.code, 0, r.stderr)
    const ups = await intake.waitForUploads(3)
    assert.deepEqual(ups.map((u) => u.answered), [413, 500, 200])
    for (const u of ups) {
      assert.equal(u.headers['dd-api-key'], KEY)
      assert.equal(u.path, '/api/v2/profile')
      assert.ok(!JSON.stringify(u.event).includes(KEY))
      assert.match(u.event.tags_profiler, /service:agentless-test/)
    }
    // Warnings and debug lines were printed (the 413, the retry), none with the key or any part of it.
    assert.match(r.stderr, /HTTP 413/)
    assert.match(r.stderr, /HTTP 500; retrying/)
    for (const text of [r.stdout, r.stderr]) {
      assert.ok(!text.includes(KEY))
      assert.ok(!text.includes(KEY.slice(0, 8)) && !text.includes(KEY.slice(-8)))
    }
  })

  it('refuses to start without DD_API_KEY, naming it', async () => {
    const r = await node('export-bundles.js', { DD_PROFILING_EXPORTERS: 'agentless', DD_PROFILING_AGENTLESS_URL: 'http://127.0.0.1:9/api/v2/profile' })
    assert.equal(r.code, 1)
    assert.match(r.stderr, /agentless export needs DD_API_KEY, which is not set/)
  })
})

/** A port nothing listens on: connections are refused at once. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo
      s.close(() => resolve(port))
    })
  })
}
