// Values past real limits, and secrets in addresses. Numbers past Node's timer limit (or the heap profiler's uint32),
// hosts that are not hosts and names longer than Datadog keeps are refused by name before anything runs, and the
// preload applies the same bounds (a bad value falls back to its default: no timer overflow reaches the app).
// A user and password in DD_TRACE_AGENT_URL are sent as basic auth and never printed; nor is DD_API_KEY.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as http from 'node:http'
import * as path from 'node:path'
import { after, describe, it } from 'node:test'
import { probeAgent } from '../../src/export/probe'
import { fakeAgent } from '../helpers/fake-agent'
import { PRELOAD } from '../helpers/paths'
import { listBundles } from '../helpers/profiles'
import { cleanEnv, ddRun, start, tempDir, type RunResult } from '../helpers/run'

const TIMER = /from \d+(\.\d+)? to 2147483\.647 \(Node's timer limit, 2\^31-1 ms\)/

/** Per variable: a value past the real limit, and what the message must say of the limit. */
const PAST_LIMITS: [string, string, RegExp][] = [
  ['DD_PROFILING_UPLOAD_PERIOD', '1e308', TIMER],
  ['DD_PROFILING_UPLOAD_PERIOD', '2147484', TIMER],
  ['DD_PROFILING_FLUSH_TIMEOUT', '1e308', TIMER],
  ['DD_PROFILING_UPLOAD_TIMEOUT', '1e308', /from 100 to 2147483647 \(Node's timer limit, 2\^31-1 ms\)/],
  ['DD_PROFILING_EVENT_LOOP_THRESHOLD_MS', '1e308', /from 1 to 2147483647 \(Node's timer limit, 2\^31-1 ms\)/],
  ['DD_PROFILING_HEAP_SAMPLING_INTERVAL', '4294967296', /from 1024 to 4294967295 \(the heap profiler takes a 32-bit interval\)/],
  ['DD_PROFILING_OUTPUT_MAX_MB', '1e308', /from 1 to 8589934591 \(sizes are counted in bytes, exactly up to 2\^53-1\)/],
  ['DD_TRACE_AGENT_PORT', '1e308', /a port number from 1 to 65535/],
  ['DD_AGENT_HOST', ':', /a host name, IPv4 or IPv6 address, without port, path or credentials/],
  ['DD_AGENT_HOST', 'agent:8126', /without port/],
  ['DD_AGENT_HOST', 'my agent', /a host name/],
  ['DD_AGENT_HOST', '[::1', /a host name/],
  ['DD_AGENT_HOST', 'a..b', /a host name/],
  ['DD_SITE', ':', /a Datadog site/],
  ['DD_SERVICE', 's'.repeat(300), /a service name of at most 100 bytes \(the Datadog Agent cuts longer service names\), got 300/],
  ['DD_ENV', 'e'.repeat(300), /an environment name of at most 196 characters \(the tag env:<value> is at most 200 characters\), got 300/],
  ['DD_VERSION', 'v'.repeat(300), /a version string of at most 192 characters \(the tag version:<value> is at most 200 characters\), got 300/],
  ['DD_TAGS', `team:web,k:${'x'.repeat(300)}`, /each of at most 200 characters \(the Datadog limit on a tag\), got one of 302/],
]

/** A command that leaves a mark if it ever runs. */
function probeCommand(): { marker: string; command: string[] } {
  const marker = path.join(tempDir(), 'spawned')
  return { marker, command: ['node', '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, '')`] }
}

function assertRefused(r: RunResult, marker: string, variable: string, value: string, limit: RegExp): void {
  assert.equal(r.code, 2, r.stderr)
  assert.equal(r.stdout, '')
  assert.equal(fs.existsSync(marker), false, 'the command ran')
  const lines = r.stderr.trim().split('\n')
  const named = lines.filter((l) => l.startsWith(`dd-run: ${variable}=`))
  assert.equal(named.length, 1, r.stderr)
  const line = named[0] as string
  // The value, shortened when huge; what was expected, with the real limit.
  assert.ok(line.includes(JSON.stringify(value.slice(0, 40)).slice(1, -1)), line)
  assert.ok(line.length < 400, line)
  assert.match(line, limit)
  assert.match(r.stderr, /dd-run: nothing was run/)
}

describe('values past real limits, with --strict: exit 2 before anything runs, one line naming each', () => {
  for (const [variable, value, limit] of PAST_LIMITS) {
    it(`${variable}=${value.length > 20 ? `${value.slice(0, 12)}... (${value.length} characters)` : value}`, async () => {
      const { marker, command } = probeCommand()
      const r = await ddRun(['--strict', ...command], { env: cleanEnv({ [variable]: value }) })
      assertRefused(r, marker, variable, value, limit)
    })
  }

  it('the flag --upload-period 1e308 is refused the same way', async () => {
    const { marker, command } = probeCommand()
    const r = await ddRun(['--upload-period', '1e308', ...command], { env: cleanEnv() })
    assertRefused(r, marker, '--upload-period', '1e308', TIMER)
  })

  it('all of them at once: one line each', async () => {
    const { marker, command } = probeCommand()
    const env: NodeJS.ProcessEnv = {}
    for (const [variable, value] of PAST_LIMITS) env[variable] ??= value
    const r = await ddRun(['--strict', ...command], { env: cleanEnv(env) })
    assert.equal(r.code, 2)
    assert.equal(fs.existsSync(marker), false)
    for (const variable of Object.keys(env)) assert.equal(r.stderr.split('\n').filter((l) => l.startsWith(`dd-run: ${variable}=`)).length, 1, variable)
  })

  it('the limits themselves are accepted', async () => {
    const env = cleanEnv({
      DD_PROFILING_UPLOAD_PERIOD: '2147483.647',
      DD_PROFILING_FLUSH_TIMEOUT: '2147483.647',
      DD_PROFILING_UPLOAD_TIMEOUT: '2147483647',
      DD_PROFILING_EVENT_LOOP_THRESHOLD_MS: '2147483647',
      DD_PROFILING_HEAP_SAMPLING_INTERVAL: '4294967295',
      DD_PROFILING_OUTPUT_MAX_MB: '8589934591',
      DD_AGENT_HOST: '::1',
      DD_SERVICE: 's'.repeat(100),
      DD_ENV: 'e'.repeat(196),
      DD_VERSION: 'v'.repeat(192),
    })
    const r = await ddRun(['--info', '--json'], { env })
    assert.equal(r.code, 0, r.stderr)
    const info = JSON.parse(r.stdout) as { settings: Record<string, { value: unknown }> }
    assert.equal(info.settings.uploadPeriod?.value, 2147483.647)
    assert.equal(info.settings.heapSamplingInterval?.value, 4294967295)
    assert.equal(info.settings.agentHost?.value, '::1')
  })
})

describe('the preload applies the same bounds: the default instead, a warning, no timer overflow', () => {
  it('1e308 s upload period, 2^32 heap interval, 1e308 s timeouts in a process started without the launcher', async () => {
    const out = tempDir()
    const app = 'setTimeout(() => console.log("app ok"), 1500)'
    const env = cleanEnv({
      NODE_OPTIONS: `--require ${PRELOAD}`,
      DD_PROFILING_EXPORTERS: 'file',
      DD_PROFILING_OUTPUT_DIR: out,
      DD_PROFILING_UPLOAD_PERIOD: '1e308',
      DD_PROFILING_HEAP_SAMPLING_INTERVAL: '4294967296',
      DD_PROFILING_FLUSH_TIMEOUT: '1e308',
      DD_PROFILING_UPLOAD_TIMEOUT: '1e308',
      DD_PROFILING_EVENT_LOOP_THRESHOLD_MS: '1e308',
    })
    const r = await start(process.execPath, ['-e', app], { env }).done
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, 'app ok\n')
    assert.doesNotMatch(r.stderr, /TimeoutOverflowWarning/)
    for (const v of ['UPLOAD_PERIOD', 'HEAP_SAMPLING_INTERVAL', 'FLUSH_TIMEOUT', 'UPLOAD_TIMEOUT', 'EVENT_LOOP_THRESHOLD_MS']) {
      assert.match(r.stderr, new RegExp(`dd-run: DD_PROFILING_${v}=.*using the default`), v)
    }
    // The default period (60 s) in a 1.5 s process: the final profile only (an overflowed timer made 73 in 2 s),
    // and the space profiler ran (a uint32 overflow would have thrown and left it out).
    const bundles = listBundles(out)
    assert.equal(bundles.length, 1, `${bundles.length} bundles`)
    assert.ok(bundles[0]?.event.attachments.includes('space.pprof'), JSON.stringify(bundles[0]?.event.attachments))
  })
})

const USER = 'dd-user-x7'
const PASSWORD = 's3cr3t-pw-q9'
const API_KEY = 'abcdef0123456789abcdef012345wxyz'

function assertNoSecret(what: string, ...outputs: string[]): void {
  for (const o of outputs) {
    for (const secret of [USER, PASSWORD, encodeURIComponent(PASSWORD), API_KEY]) assert.ok(!o.includes(secret), `${what} prints ${secret}:\n${o}`)
  }
}

describe('a user and password in DD_TRACE_AGENT_URL: sent as basic auth, never printed', () => {
  const basic = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`

  it('--info, --info --json, --dry-run and an error line show ***@ instead', async () => {
    const agent = await fakeAgent()
    const url = agent.url.replace('://', `://${USER}:${PASSWORD}@`)
    const env = cleanEnv({ DD_TRACE_AGENT_URL: url })
    const info = await ddRun(['--info'], { env })
    const json = await ddRun(['--info', '--json'], { env })
    // A flag value reaches the command's environment, so --dry-run lists it.
    const dry = await ddRun(['--agent-url', url, '--dry-run', 'node', 'app.js'], { env: cleanEnv() })
    const flag = await ddRun(['--agent-url', url, '--info', '--json'], { env: cleanEnv() })
    for (const r of [info, json, dry, flag]) assert.equal(r.code, 0, r.stderr)
    assertNoSecret('--info', info.stdout, info.stderr, json.stdout, json.stderr, dry.stdout, dry.stderr, flag.stdout, flag.stderr)
    const shown = agent.url.replace('://', '://***@')
    assert.ok(info.stdout.includes(shown), info.stdout)
    const parsed = JSON.parse(json.stdout) as { settings: { agentUrl: { value: string } }; agent: { url: string } }
    assert.equal(parsed.settings.agentUrl.value, shown)
    assert.equal(parsed.agent.url, shown)
    assert.match(dry.stdout, new RegExp(`DD_TRACE_AGENT_URL='${shown.replace(/[.*]/g, '\\$&')}'`))
    const bad = await ddRun(['--strict', 'node', '-e', ''], { env: cleanEnv({ DD_TRACE_AGENT_URL: `ftp://${USER}:${PASSWORD}@agent` }) })
    assert.equal(bad.code, 2)
    assert.match(bad.stderr, /DD_TRACE_AGENT_URL="ftp:\/\/\*\*\*@agent": expected/)
    assertNoSecret('an error line', bad.stderr)
  })

  it('a --debug run uploads with Authorization: Basic, and prints neither the user nor the password', async () => {
    const agent = await fakeAgent()
    const url = agent.url.replace('://', `://${USER}:${PASSWORD}@`)
    const r = await ddRun(['--debug', 'node', '-e', 'setTimeout(() => console.log("app ok"), 300)'], { env: cleanEnv({ DD_TRACE_AGENT_URL: url }) })
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, 'app ok\n')
    assertNoSecret('a --debug run', r.stdout, r.stderr)
    const [up] = await agent.waitForUploads(1)
    assert.equal(up?.headers.authorization, basic)
  })

  it('percent-encoded credentials are decoded, as Node does for a URL', async () => {
    const agent = await fakeAgent()
    const url = agent.url.replace('://', '://us%40er:p%3Ass%20w@')
    const r = await ddRun(['node', '-e', ''], { env: cleanEnv({ DD_TRACE_AGENT_URL: url }) })
    assert.equal(r.code, 0, r.stderr)
    const [up] = await agent.waitForUploads(1)
    assert.equal(up?.headers.authorization, `Basic ${Buffer.from('us@er:p:ss w').toString('base64')}`)
  })

  it('an agent that does not answer: the warning and the run summary name the address without credentials', async () => {
    const agent = await fakeAgent()
    agent.setDefault({ status: 503 })
    const url = agent.url.replace('://', `://${USER}:${PASSWORD}@`)
    const r = await ddRun(['node', '-e', ''], { env: cleanEnv({ DD_TRACE_AGENT_URL: url, DD_PROFILING_FLUSH_TIMEOUT: '1' }) })
    assert.equal(r.code, 0, r.stderr)
    assert.ok(agent.requestCount > 0)
    assert.ok(r.stderr.includes(agent.url.replace('http://', '')), r.stderr)
    assertNoSecret('the warnings and the summary', r.stdout, r.stderr)
  })

  it('doctor: the test upload carries the credentials, the report does not', async () => {
    const agent = await fakeAgent()
    const url = agent.url.replace('://', `://${USER}:${PASSWORD}@`)
    for (const args of [['doctor'], ['doctor', '--json']]) {
      const r = await ddRun(args, { cwd: tempDir(), env: cleanEnv({ DD_TRACE_AGENT_URL: url }), timeoutMs: 120_000 })
      assertNoSecret(args.join(' '), r.stdout, r.stderr)
      assert.ok(r.stdout.includes(agent.url.replace('://', '://***@')), r.stdout)
    }
    const doctorUploads = agent.uploads.filter((u) => u.event.tags_profiler.includes('service:dd-run-doctor'))
    assert.ok(doctorUploads.length >= 2, `${doctorUploads.length} doctor uploads`)
    for (const u of doctorUploads) assert.equal(u.headers.authorization, basic)
  })

  it("the launcher's probe sends them too", async () => {
    const seen: (string | undefined)[] = []
    const server = http.createServer((req, res) => {
      seen.push(req.headers.authorization)
      res.end('{}')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    after(() => server.close())
    const port = (server.address() as { port: number }).port
    assert.equal(await probeAgent(`http://${USER}:${PASSWORD}@127.0.0.1:${port}`, 5000), true)
    assert.equal(await probeAgent(`http://127.0.0.1:${port}`, 5000), true)
    assert.deepEqual(seen, [basic, undefined])
  })
})

describe('DD_API_KEY is never printed', () => {
  it('--info, --info --json, --dry-run, a --debug agentless run and doctor show at most its last 4 characters', async () => {
    const intake = await fakeAgent({ endpoint: '/api/v2/profile' })
    const env = cleanEnv({ DD_API_KEY: API_KEY, DD_PROFILING_EXPORTERS: 'agentless', DD_PROFILING_AGENTLESS_URL: `${intake.url}/api/v2/profile` })
    const info = await ddRun(['--info'], { env })
    const json = await ddRun(['--info', '--json'], { env })
    const dry = await ddRun(['--dry-run', 'node', 'app.js'], { env })
    const run = await ddRun(['--debug', 'node', '-e', 'setTimeout(() => {}, 200)'], { env })
    const doctor = await ddRun(['doctor'], { cwd: tempDir(), env, timeoutMs: 120_000 })
    for (const r of [info, json, dry, run]) assert.equal(r.code, 0, r.stderr)
    assertNoSecret('a run with DD_API_KEY', info.stdout, info.stderr, json.stdout, json.stderr, dry.stdout, dry.stderr, run.stdout, run.stderr, doctor.stdout, doctor.stderr)
    assert.ok(info.stdout.includes('****wxyz'), info.stdout)
    const [up] = await intake.waitForUploads(1)
    assert.equal(up?.headers['dd-api-key'], API_KEY)
  })
})
