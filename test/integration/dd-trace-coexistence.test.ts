// dd-trace in the same app (issue 12): with dd-trace loaded and its profiler on (DD_PROFILING_ENABLED=true),
// dd-trace profiles and dd-run stays out, in either order of the two preloads, with one line naming dd-trace; when
// the app starts dd-trace in its code, after dd-run started, dd-run goes on and says so. The app's output and exit
// code stay as without dd-run. Uses the dd-trace devDependency; uploads go to the fake agent (dd-trace sends a
// chunked body, so that strictness is relaxed for it).
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, it } from 'node:test'
import { fakeAgent, type FakeAgent } from '../helpers/fake-agent'
import { PRELOAD, ROOT } from '../helpers/paths'
import { cleanEnv, ddRun, start, tempDir } from '../helpers/run'

const DD_TRACE_INIT = path.join(ROOT, 'node_modules', 'dd-trace', 'init.js')
const DD_TRACE = path.join(ROOT, 'node_modules', 'dd-trace')

function app(): string {
  const dir = tempDir()
  const file = path.join(dir, 'app.js')
  fs.writeFileSync(file, 'function burn(ms){const e=Date.now()+ms;let x=0;while(Date.now()<e)x+=Math.sqrt(x+1);return x}\nlet n=0;const t=setInterval(()=>{burn(20);if(++n>40){clearInterval(t);console.log("app done");process.exitCode=7}},1)\n')
  return file
}

function env(agent: FakeAgent): NodeJS.ProcessEnv {
  return cleanEnv({
    DD_TRACE_AGENT_URL: agent.url,
    DD_PROFILING_ENABLED: 'true',
    DD_PROFILING_UPLOAD_PERIOD: '1',
    // dd-trace's other products stay quiet: only profiles reach the fake agent.
    DD_INSTRUMENTATION_TELEMETRY_ENABLED: 'false',
    DD_REMOTE_CONFIGURATION_ENABLED: 'false',
    DD_RUNTIME_METRICS_ENABLED: 'false',
  })
}

const origins = (agent: FakeAgent) => [...new Set(agent.uploads.map((u) => String(u.headers['dd-evp-origin'])))]

describe('dd-trace with its profiler on, in the same process', { skip: !fs.existsSync(DD_TRACE_INIT) && 'dd-trace is not installed' }, () => {
  it('dd-run first (its preload in NODE_OPTIONS, then -r dd-trace/init): dd-trace profiles, dd-run says so in one line', async () => {
    const agent = await fakeAgent({ lenientDatadogRules: true, acceptChunked: true })
    const r = await ddRun(['node', '-r', DD_TRACE_INIT, app()], { env: env(agent) })
    assert.equal(r.code, 7, r.stderr)
    assert.equal(r.stdout, 'app done\n')
    const lines = r.stderr.split('\n').filter((l) => /^dd-run: pid \d+ .*dd-trace profiles this process.*dd-run leaves profiling to it/.test(l))
    assert.equal(lines.length, 1, r.stderr)
    await agent.waitForUploads(1)
    assert.deepEqual(origins(agent), ['dd-trace-js'])
  })

  it('dd-trace first (-r dd-trace/init, then dd-run\'s preload): the same decision and the same line', async () => {
    const agent = await fakeAgent({ lenientDatadogRules: true, acceptChunked: true })
    const r = await start(process.execPath, ['-r', DD_TRACE_INIT, '-r', PRELOAD, app()], { env: { ...env(agent), DD_PROFILING_EXPORTERS: 'agent' } }).done
    assert.equal(r.code, 7, r.stderr)
    assert.equal(r.stdout, 'app done\n')
    assert.match(r.stderr, /^dd-run: pid \d+ .*dd-trace profiles this process/m)
    assert.doesNotMatch(r.stderr, /profiling is off in this process/)
    await agent.waitForUploads(1)
    assert.deepEqual(origins(agent), ['dd-trace-js'])
  })

  it('dd-trace started in the app\'s code, after dd-run: dd-run profiles, and one line names dd-trace and what to do', async () => {
    const agent = await fakeAgent({ lenientDatadogRules: true, acceptChunked: true })
    const file = app()
    const main = path.join(path.dirname(file), 'main.js')
    fs.writeFileSync(main, `require(${JSON.stringify(DD_TRACE)}).init()\nrequire('./app.js')\n`)
    const r = await ddRun(['node', main], { env: env(agent) })
    assert.equal(r.code, 7, r.stderr)
    assert.equal(r.stdout, 'app done\n')
    const lines = r.stderr.split('\n').filter((l) => /dd-trace was started in code .*dd-run goes on profiling it.*--require dd-trace\/init/.test(l))
    assert.equal(lines.length, 1, r.stderr)
    await agent.waitForUploads(1)
    assert.ok(origins(agent).includes('dd-run'), String(origins(agent)))
  })

  it('DD_PROFILING_ENABLED unset: dd-trace loaded for tracing only, dd-run profiles without a word about it', async () => {
    const agent = await fakeAgent({ lenientDatadogRules: true, acceptChunked: true })
    const e = env(agent)
    delete e.DD_PROFILING_ENABLED
    const r = await ddRun(['node', '-r', DD_TRACE_INIT, app()], { env: e })
    assert.equal(r.code, 7, r.stderr)
    assert.doesNotMatch(r.stderr, /dd-trace/)
    await agent.waitForUploads(1)
    assert.deepEqual(origins(agent), ['dd-run'])
  })
})
