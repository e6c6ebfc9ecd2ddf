// The agent exporter in this process against the fake agent over real sockets: every address form, the wire
// format (read back by go tool pprof), retries, rejections, the budget, the queue bound and the bounded flush.
import assert from 'node:assert/strict'
import * as net from 'node:net'
import { describe, it } from 'node:test'
import { fromEnv } from '../../src/config/layers'
import { AGENT_ENDPOINT, HttpExporter, createAgentExporter } from '../../src/export/agent'
import { containerId } from '../../src/export/container-id'
import { targetOf } from '../../src/export/http-send'
import { probeAgent } from '../../src/export/probe'
import { createLogger } from '../../src/log'
import { bigBundle, realBundle } from '../helpers/bundles'
import { fakeAgent } from '../helpers/fake-agent'
import { pprofRaw } from '../helpers/pprof'
import { tempDir } from '../helpers/run'


function collector() {
  const lines: string[] = []
  return { lines, log: createLogger({ debug: true, write: (l) => lines.push(l) }) }
}

/** An exporter with short waits, so retry tests take a second rather than a minute. */
function quickExporter(url: string, log = collector().log, extra: Partial<ConstructorParameters<typeof HttpExporter>[0]> = {}) {
  return new HttpExporter({
    name: 'agent',
    target: targetOf(url, AGENT_ENDPOINT),
    headers: { 'DD-EVP-ORIGIN': 'dd-run', 'DD-EVP-ORIGIN-VERSION': 'test' },
    uploadTimeoutMs: 2000,
    budgetMs: 10_000,
    backoff: { baseMs: 50, capMs: 400 },
    log,
    ...extra,
  })
}

describe('address forms', () => {
  it('http://host:port (DD_TRACE_AGENT_URL): the intake format, read back by go tool pprof', async () => {
    const agent = await fakeAgent()
    const { config } = fromEnv({ DD_TRACE_AGENT_URL: agent.url })
    const exporter = createAgentExporter(config, collector().log)
    const bundle = await realBundle({ service: 'http-form' })
    await exporter.export(bundle)
    const [up] = await agent.waitForUploads(1)
    assert.deepEqual(agent.invalid, [])
    assert.equal(up!.headers['dd-evp-origin'], 'dd-run')
    assert.match(String(up!.headers['dd-evp-origin-version']), /^\d+\.\d+\.\d+/)
    // Whatever this machine's /proc/self/cgroup says (no container here: no header).
    assert.equal(up!.headers['datadog-container-id'], containerId())
    assert.deepEqual(up!.event.attachments, ['wall.pprof', 'space.pprof'])
    assert.deepEqual(up!.event, JSON.parse(JSON.stringify(bundle.event)))
    const dir = tempDir()
    assert.match(pprofRaw(agent.writeProfile(up!, 'wall.pprof', dir)), /sample\/count.*wall\/nanoseconds/)
    assert.match(pprofRaw(agent.writeProfile(up!, 'space.pprof', dir)), /inuse_objects\/count.*inuse_space\/bytes/)
    assert.deepEqual(exporter.stats!(), { sent: 1, failed: 0, dropped: 0, retries: 0, queued: 0 })
  })

  it('unix:///path (DD_TRACE_AGENT_URL)', async () => {
    const agent = await fakeAgent({ unix: true })
    const { config } = fromEnv({ DD_TRACE_AGENT_URL: agent.socketUrl })
    const exporter = createAgentExporter(config, collector().log)
    await exporter.export(await realBundle())
    const [up] = await agent.waitForUploads(1)
    assert.equal(up!.via, 'unix')
    assert.equal(exporter.stats!().sent, 1)
  })

  it('DD_AGENT_HOST and DD_TRACE_AGENT_PORT', async () => {
    const agent = await fakeAgent()
    const port = new URL(agent.url).port
    const { config } = fromEnv({ DD_AGENT_HOST: '127.0.0.1', DD_TRACE_AGENT_PORT: port })
    const exporter = createAgentExporter(config, collector().log)
    await exporter.export(await realBundle())
    const [up] = await agent.waitForUploads(1)
    assert.equal(up!.via, 'tcp')
    assert.equal(up!.path, '/profiling/v1/input')
  })
})

describe('the probe the launcher uses to find an agent', () => {
  it('answers true for an agent over TCP or a unix socket, false for a refused port or a silent one', async () => {
    const agent = await fakeAgent({ unix: true })
    assert.equal(await probeAgent(agent.url), true)
    assert.equal(await probeAgent(agent.socketUrl!), true)
    assert.equal(agent.infoRequests, 2)
    assert.equal(await probeAgent(`http://127.0.0.1:${await freePort()}`), false)
    const silent = (await fakeAgent()).setDefault('black-hole')
    assert.equal(await probeAgent(silent.url, 200), false)
  })
})

describe('retries', () => {
  it('retries 500s with backoff until the agent accepts', async () => {
    const agent = (await fakeAgent()).script({ status: 500 }, { status: 503 })
    const exporter = quickExporter(agent.url)
    await exporter.export(await realBundle())
    assert.equal(agent.uploads.length, 3)
    assert.deepEqual(agent.uploads.map((u) => u.answered), [500, 503, 200])
    assert.deepEqual(exporter.stats(), { sent: 1, failed: 0, dropped: 0, retries: 2, queued: 0 })
  })

  it('retries 429 after the Retry-After it was given', async () => {
    const agent = (await fakeAgent()).script({ status: 429, headers: { 'Retry-After': '1' } })
    const exporter = quickExporter(agent.url)
    await exporter.export(await realBundle())
    const [first, second] = agent.uploads
    assert.equal(second!.answered, 200)
    // The backoff alone would have waited at most 50 ms; the agent asked for a second.
    assert.ok(second!.at - first!.at >= 950, `retried after ${second!.at - first!.at} ms`)
    assert.equal(exporter.stats().retries, 1)
  })

  it('retries a refused connection until the agent comes up', async () => {
    const port = await freePort()
    const exporter = quickExporter(`http://127.0.0.1:${port}`)
    const sent = exporter.export(await realBundle())
    await new Promise((r) => setTimeout(r, 300))
    const agent = await fakeAgent({ port })
    await sent
    assert.equal(agent.uploads.length, 1)
    const s = exporter.stats()
    assert.equal(s.sent, 1)
    assert.ok(s.retries >= 1, `retries ${s.retries}`)
  })

  it('retries an attempt that timed out against a slow agent', async () => {
    const agent = (await fakeAgent()).script({ status: 200, delayMs: 3000 })
    const c = collector()
    const exporter = quickExporter(agent.url, c.log, { uploadTimeoutMs: 300 })
    await exporter.export(await realBundle())
    assert.equal(agent.uploads.length, 2)
    assert.deepEqual(exporter.stats(), { sent: 1, failed: 0, dropped: 0, retries: 1, queued: 0 })
    assert.ok(c.lines.some((l) => /agent: no answer within 300 ms; retrying in \d+ ms/.test(l)), c.lines.join('\n'))
  })

  it('gives up when the budget is spent, with one warning', async () => {
    const agent = (await fakeAgent()).setDefault({ status: 500 })
    const c = collector()
    const exporter = quickExporter(agent.url, c.log, { budgetMs: 600 })
    await exporter.export(await realBundle())
    await exporter.export(await realBundle())
    const s = exporter.stats()
    assert.equal(s.sent, 0)
    assert.equal(s.failed, 2)
    assert.ok(agent.requestCount >= 4, `only ${agent.requestCount} attempts`)
    const warnings = c.lines.filter((l) => l.includes('cannot upload'))
    assert.equal(warnings.length, 1, warnings.join('\n'))
    assert.equal(c.lines.filter((l) => l.includes('gave up on a profile')).length, 2)
    assert.match(warnings[0]!, /cannot upload to the agent at http:\/\/127\.0\.0\.1:\d+\/profiling\/v1\/input \(HTTP 500\)/)
  })
})

describe('rejections', () => {
  it('does not retry a 400, and warns once naming the status', async () => {
    const agent = (await fakeAgent()).setDefault({ status: 400 })
    const lines: string[] = []
    const log = createLogger({ write: (l) => lines.push(l) }) // not debug: what a user sees
    const exporter = quickExporter(agent.url, log)
    await exporter.export(await realBundle())
    await exporter.export(await realBundle())
    assert.equal(agent.requestCount, 2)
    assert.deepEqual(exporter.stats(), { sent: 0, failed: 2, dropped: 0, retries: 0, queued: 0 })
    assert.equal(lines.length, 1, lines.join('\n'))
    assert.match(lines[0]!, /^dd-run: the agent at http:\/\/127\.0\.0\.1:\d+\/profiling\/v1\/input refused a profile with HTTP 400: not retried$/)
  })

  it('names the payload size on a 413', async () => {
    const agent = (await fakeAgent()).setDefault({ status: 413 })
    const lines: string[] = []
    const exporter = quickExporter(agent.url, createLogger({ write: (l) => lines.push(l) }))
    await exporter.export(await realBundle())
    assert.equal(agent.requestCount, 1)
    const kb = (agent.uploads[0]!.bodyBytes / 1024).toFixed(1)
    assert.deepEqual(lines.map((l) => l.replace(/:\d+\//, ':PORT/')), [
      `dd-run: the agent at http://127.0.0.1:PORT/profiling/v1/input refused a profile with HTTP 413 (payload ${kb} KB too large): not retried`,
    ])
  })
})

describe('a black-hole agent (accepts, never answers)', () => {
  it('flush returns within its bound, handing back what was not acknowledged', async () => {
    const agent = (await fakeAgent()).setDefault('black-hole')
    const exporter = quickExporter(agent.url, collector().log, { uploadTimeoutMs: 30_000, budgetMs: 60_000 })
    const bundle = await realBundle()
    void exporter.export(bundle)
    const t0 = Date.now()
    const left = await exporter.flush(300)
    const took = Date.now() - t0
    assert.ok(took < 3000, `flush took ${took} ms`)
    assert.deepEqual(left, [bundle])
    assert.equal(exporter.stats().queued, 0)
    // The body itself did reach the agent.
    await agent.waitForUploads(1)
  })

  it('keeps at most a few bundles and a fixed number of bytes waiting, counting the dropped ones', async () => {
    const agent = (await fakeAgent()).setDefault('black-hole')
    const exporter = quickExporter(agent.url, collector().log, { uploadTimeoutMs: 30_000, budgetMs: 60_000, maxBundles: 4, maxBytes: 3 * 1024 * 1024 })
    const done: Promise<void>[] = []
    let maxQueued = 0
    for (let i = 0; i < 10; i++) {
      done.push(exporter.export(bigBundle(1024 * 1024, i)))
      maxQueued = Math.max(maxQueued, exporter.stats().queued)
    }
    // 1 MiB bundles under a 3 MiB cap: the one in flight and at most two waiting.
    assert.ok(maxQueued <= 3, `queued ${maxQueued}`)
    assert.equal(exporter.stats().dropped, 10 - exporter.stats().queued)
    const left = await exporter.flush(100)
    assert.equal(left.length + exporter.stats().dropped, 10)
    await Promise.all(done) // every export promise settles, dropped or handed back
  })
})

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo
      s.close(() => resolve(port))
    })
  })
}
