// What the Datadog backend receives from dd-run matches what dd-trace-js 6.x sends (issue 12): headers, event.json
// fields, tags, the timeline labels of the wall profile, the timeline schema of events.pprof, the heap taken
// before the wall profile. Real processes against the strict fake agent, which also applies
// test/helpers/datadog-rules.ts to every upload.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { describe, it } from 'node:test'
import { fakeAgent, type FakeAgent, type Upload } from '../helpers/fake-agent'
import { fixture } from '../helpers/paths'
import { goPprof, pprofTags } from '../helpers/pprof'
import { cleanEnv, ddRun, tempDir } from '../helpers/run'

const prof = (name: string) => fixture(path.join('profiling', name))

function tagsOf(u: Upload): Record<string, string> {
  const out: Record<string, string> = {}
  for (const item of u.event.tags_profiler.split(',')) {
    const at = item.indexOf(':')
    out[item.slice(0, at)] = item.slice(at + 1)
  }
  return out
}

async function profileAgainst(agent: FakeAgent, env: NodeJS.ProcessEnv, args: string[] = ['node', prof('cpu-burn.js'), '1500'], cwd?: string) {
  const r = await ddRun(['--upload-period', '1', ...args], { env: cleanEnv({ DD_TRACE_AGENT_URL: agent.url, ...env }), ...(cwd ? { cwd } : {}) })
  assert.equal(r.code, 0, r.stderr)
  assert.deepEqual(agent.invalid, [], 'every upload passes the strict fake agent and the Datadog rules')
  assert.ok(agent.uploads.length >= 2, `${agent.uploads.length} uploads: ${r.stderr}`)
  return r
}

describe('the upload, as dd-trace-js sends it', () => {
  it('headers: Datadog-Entity-ID beside the container id, Datadog-External-Env from DD_EXTERNAL_ENV', async () => {
    const agent = await fakeAgent()
    await profileAgainst(agent, { DD_EXTERNAL_ENV: 'it-false,cn-app,pu-1234' })
    for (const u of agent.uploads) {
      assert.equal(u.headers['datadog-external-env'], 'it-false,cn-app,pu-1234')
      assert.equal(u.headers['dd-evp-origin'], 'dd-run')
    }
    // On a host where /sys/fs/cgroup exists, the cgroup directory's inode names the entity (dd-trace-js: `in-<inode>`).
    const entity = agent.uploads[0]!.headers['datadog-entity-id']
    if (fs.existsSync('/sys/fs/cgroup')) assert.match(String(entity), /^(ci-[0-9a-f_-]+|in-\d+)$/)
  })

  it('event.json: process_tags, endpoint_counts, activation, ssi, serverless; no host unless DD_TRACE_REPORT_HOSTNAME; profile_seq from 0', async () => {
    const agent = await fakeAgent()
    await profileAgainst(agent, { DD_SERVICE: 'fidelity' })
    // A bundle whose upload the exit cut short is sent again by the launcher: the same number, once more.
    const seqs = [...new Set(agent.uploads.map((u) => Number(tagsOf(u).profile_seq)))].sort((a, b) => a - b)
    assert.deepEqual(seqs, seqs.map((_, i) => i))
    const e = agent.uploads[0]!.event as Record<string, any>
    assert.deepEqual(e.endpoint_counts, {})
    assert.match(e.process_tags, /^entrypoint\.basedir:profiling,entrypoint\.name:cpu-burn,entrypoint\.type:script,entrypoint\.workdir:[^,]+,svc\.user:true$/)
    assert.equal(e.info.profiler.activation, 'manual')
    assert.deepEqual(e.info.profiler.ssi, { mechanism: 'none' })
    assert.equal(e.info.profiler.serverless, false)
    assert.equal(tagsOf(agent.uploads[0]!).host, undefined)
    assert.equal(e.info.platform.hostname, undefined)

    const withHost = await fakeAgent()
    await profileAgainst(withHost, { DD_TRACE_REPORT_HOSTNAME: 'true', DD_INJECTION_ENABLED: 'tracer,profiler' })
    const h = withHost.uploads[0]!
    assert.equal(tagsOf(h).host, os.hostname())
    assert.equal((h.event.info as any).platform.hostname, os.hostname())
    assert.equal((h.event.info as any).profiler.activation, 'injection')
    assert.deepEqual((h.event.info as any).profiler.ssi, { mechanism: 'injected_agent' })
  })

  it('git tags from DD_GIT_COMMIT_SHA and DD_GIT_REPOSITORY_URL', async () => {
    const agent = await fakeAgent()
    await profileAgainst(agent, { DD_GIT_COMMIT_SHA: 'a'.repeat(40), DD_GIT_REPOSITORY_URL: 'https://github.com/acme/web.git' })
    const t = tagsOf(agent.uploads[0]!)
    assert.equal(t['git.commit.sha'], 'a'.repeat(40))
    assert.equal(t['git.repository_url'], 'https://github.com/acme/web.git')
  })

  it('git tags found by the launcher in the app\'s checkout when unset, without the credentials of the remote', async () => {
    const dir = tempDir()
    const sha = 'b'.repeat(40)
    fs.mkdirSync(path.join(dir, '.git', 'refs', 'heads'), { recursive: true })
    fs.writeFileSync(path.join(dir, '.git', 'HEAD'), 'ref: refs/heads/main\n')
    fs.writeFileSync(path.join(dir, '.git', 'refs', 'heads', 'main'), `${sha}\n`)
    fs.writeFileSync(path.join(dir, '.git', 'config'), '[core]\n\tbare = false\n[remote "origin"]\n\turl = https://ci-bot:s3cr3t-token@github.com/acme/web.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n')
    const agent = await fakeAgent()
    const r = await profileAgainst(agent, {}, undefined, dir)
    const t = tagsOf(agent.uploads[0]!)
    assert.equal(t['git.commit.sha'], sha)
    assert.equal(t['git.repository_url'], 'https://github.com/acme/web.git')
    for (const u of agent.uploads) assert.ok(!JSON.stringify(u.event).includes('s3cr3t'), 'the token never leaves')
    assert.ok(!r.stderr.includes('s3cr3t'))
  })

  it('wall.pprof: end_timestamp_ns and os thread id on every sample (the timeline); off with DD_PROFILING_TIMELINE_ENABLED=false', async () => {
    const agent = await fakeAgent()
    await profileAgainst(agent, {})
    const dir = tempDir()
    const file = agent.writeProfile(agent.uploads[0]!, 'wall.pprof', dir)
    const tags = pprofTags(file)
    assert.match(tags, /end_timestamp_ns:/)
    assert.match(tags, /os thread id:/)
    assert.match(tags, /thread name:[\s\S]*Main Event Loop/)
    // The end times fall in the period the upload covers (nanoseconds since the epoch).
    const raw = goPprof(['-raw', file])
    const stamps = [...raw.matchAll(/end_timestamp_ns:\[(\d+)\]/g)].map((m) => Number(m[1]) / 1e6)
    assert.ok(stamps.length > 0, raw.slice(0, 2000))
    const e = agent.uploads[0]!.event
    for (const ms of stamps) assert.ok(ms >= Date.parse(e.start) - 1000 && ms <= Date.parse(e.end) + 1000, `${ms} outside ${e.start}..${e.end}`)

    const off = await fakeAgent()
    await profileAgainst(off, { DD_PROFILING_TIMELINE_ENABLED: 'false' })
    assert.doesNotMatch(pprofTags(off.writeProfile(off.uploads[0]!, 'wall.pprof', dir)), /end_timestamp_ns/)
  })

  it('events.pprof is the timeline profile; the blocks of the event loop go in blocks.pprof', async () => {
    const agent = await fakeAgent()
    const r = await ddRun(['node', prof('events.js')], { env: cleanEnv({ DD_TRACE_AGENT_URL: agent.url }) })
    assert.equal(r.code, 0, r.stderr)
    assert.deepEqual(agent.invalid, [])
    const u = agent.uploads.find((x) => x.profiles['events.pprof'])
    assert.ok(u, r.stderr)
    const dir = tempDir()
    assert.match(goPprof(['-raw', agent.writeProfile(u, 'events.pprof', dir)]), /^Samples:\ntimeline\/nanoseconds\n/m)
    assert.ok(u.profiles['blocks.pprof'], `attachments: ${u.event.attachments}`)
  })

  it('the heap profile is taken before the wall profile: the wall profile being taken is not "in use" in it', async () => {
    const out = tempDir()
    // Every KiB sampled, so that the wall profile's serialisation would show if it were taken first.
    const r = await ddRun(['-o', out, '--upload-period', '1', 'node', prof('cpu-burn.js'), '2500'], { env: cleanEnv({ DD_PROFILING_HEAP_SAMPLING_INTERVAL: '1024' }) })
    assert.equal(r.code, 0, r.stderr)
    const { listBundles } = require('../helpers/profiles') as typeof import('../helpers/profiles')
    const bundles = listBundles(out)
    assert.ok(bundles.length >= 2, r.stderr)
    const traces = (b: (typeof bundles)[number]) => goPprof(['-traces', b.file('space.pprof')]).split(/^-+\+-+$/m)
    // The first period has no earlier wall profile: none of the serialiser may be in its heap.
    const first = bundles.find((b) => b.tags.profile_seq === '0')!
    assert.doesNotMatch(traces(first).join('\n'), /serializeTimeProfile/, 'the first period\'s own wall profile is in its heap profile')
    // The final one may still hold the previous period's wall profile (garbage not yet collected), never its own,
    // which only finish() takes.
    const last = bundles.find((b) => b.tags.snapshot === 'on_shutdown')!
    const own = traces(last).filter((t) => /serializeTimeProfile/.test(t) && /\bfinish\b/.test(t))
    assert.deepEqual(own, [], 'the final wall profile is in the final heap profile')
  })
})
