// Under the agent exporter, the profiles the watchdog takes behind a main thread that never yields reach the agent
// during the run (sent from the watchdog thread), not only once the command has exited; SIGKILL loses none of them.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { test } from 'node:test'
import { fakeAgent, type FakeAgent, type Upload } from '../helpers/fake-agent'
import { DD_RUN, fixture } from '../helpers/paths'
import { nodeBinary, withNodeOnPath } from '../helpers/node-versions'
import { pprofTop } from '../helpers/pprof'
import { listBundles } from '../helpers/profiles'
import { cleanEnv, start, tempDir, waitFor } from '../helpers/run'

const busyLoop = fixture(path.join('watchdog', 'busy-loop.js'))
const LOOP = 'spinWithoutYielding'

function tagsOf(u: Upload): Record<string, string> {
  const out: Record<string, string> = {}
  for (const kv of u.event.tags_profiler.split(',')) {
    const i = kv.indexOf(':')
    out[kv.slice(0, i)] = kv.slice(i + 1)
  }
  return out
}

const periodic = (agent: FakeAgent): Upload[] => agent.uploads.filter((u) => tagsOf(u).snapshot === 'periodic')

function runBusyLoop(agent: FakeAgent, out: string) {
  const run = start(process.execPath, [DD_RUN, '--exporters', 'agent', '--agent-url', agent.url, '--upload-period', '1', '-s', 'stalled-agent', 'node', busyLoop], {
    env: cleanEnv({ SPIN_MS: '10000', DD_PROFILING_OUTPUT_DIR: out }),
  })
  let stderr = ''
  run.child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
  // When the loop ended (the app prints "done" right after it): uploads before then came during the stall.
  let doneAt = Infinity
  run.child.stdout?.on('data', () => (doneAt = Math.min(doneAt, Date.now())))
  return { ...run, stderr: () => stderr, doneAt: () => doneAt }
}

test('a 10 s busy loop under the agent exporter: the periodic bundles arrive during the loop, each with the loop and the normal tags', async () => {
  const agent = await fakeAgent()
  const out = tempDir()
  const run = runBusyLoop(agent, out)
  const r = await run.done
  assert.equal(r.code, 0, r.stderr)
  assert.equal(r.stdout, 'done\n')
  assert.deepEqual(agent.invalid, [])
  const during = periodic(agent).filter((u) => u.at < run.doneAt())
  assert.ok(during.length >= 7, `${during.length} periodic bundles arrived while the main thread was still in its loop (${periodic(agent).length} in all)`)
  assert.ok(periodic(agent).length >= 8, `${periodic(agent).length} periodic bundles`)
  const tags = new Set(agent.uploads.map((u) => {
    const t = tagsOf(u)
    return `${t['runtime-id']} ${t.service} ${t.run_id} ${t.process_role} ${t.language} ${t.env ?? ''}`
  }))
  assert.equal(tags.size, 1, `every bundle, periodic or final, carries the same tags: ${[...tags].join(' | ')}`)
  assert.ok(agent.uploads.every((u) => u.headers['dd-evp-origin'] === 'dd-run'))
  const scratch = tempDir()
  for (const u of during) {
    const names = pprofTop(agent.writeProfile(u, 'wall.pprof', scratch), 'wall').map((row) => row.name)
    assert.ok(names.some((n) => n.includes(LOOP)), `bundle ${tagsOf(u).profile_seq} has samples of ${LOOP}: ${names.slice(0, 5).join(', ')}`)
  }
  // Each profile the watchdog thread sent arrived once: it was not relayed again by the launcher at the end. (The
  // main thread's own overdue period, taken when the loop ends, may come twice: its export is cut short by the exit
  // after the agent had it, and the launcher relays it, at least once as any export cut short by an exit.)
  const seqs = agent.uploads.map((u) => tagsOf(u).profile_seq)
  for (const u of during) assert.equal(seqs.filter((s) => s === tagsOf(u).profile_seq).length, 1, `profile_seq ${seqs.join(',')}`)
  // The run summary counts what the watchdog thread sent.
  assert.match(r.stderr, new RegExp(`run summary: 1 Node process, 1 profiled, (${agent.uploads.length}|${new Set(seqs).size}) bundles`))
  assert.deepEqual(fs.readdirSync(out), [], 'nothing fell back to files')
})

test('SIGKILL at 7 s into the busy loop under the agent exporter: the bundles taken before it reach the agent, none lost', async () => {
  const agent = await fakeAgent()
  const out = tempDir()
  const run = runBusyLoop(agent, out)
  await waitFor(() => /spinning \d+/.test(run.stderr()), 20_000, 'the loop to start')
  const pid = Number(/spinning (\d+)/.exec(run.stderr())?.[1])
  await new Promise((r) => setTimeout(r, 7000))
  const beforeKill = periodic(agent).length
  process.kill(pid, 'SIGKILL')
  const r = await run.done
  assert.ok(r.signal === 'SIGKILL' || r.code === 137, `${r.code} ${r.signal}: ${r.stderr}`)
  assert.deepEqual(agent.invalid, [])
  assert.ok(beforeKill >= 4, `${beforeKill} periodic bundles at the agent before the kill`)
  const seqs = periodic(agent).map((u) => Number(tagsOf(u).profile_seq))
  const unique = [...new Set(seqs)].sort((a, b) => a - b)
  assert.ok(unique.length >= 5, `${unique.length} periodic bundles kept after SIGKILL at 7 s`)
  // Nothing lost: every profile_seq from 0 to the last one arrived (the launcher relays what was still on its way).
  assert.deepEqual(unique, unique.map((_, i) => i), `profile_seq ${seqs.join(',')}`)
  // At least once: only a bundle the kill caught between its delivery and its removal from the spool comes twice.
  assert.ok(seqs.length - unique.length <= 1, `profile_seq ${seqs.join(',')}`)
  for (const u of periodic(agent)) assert.equal(tagsOf(u).service, 'stalled-agent')
})

test('a profile the agent refuses from the watchdog thread goes back to the spool and the launcher relays it at the end', async () => {
  // The first two uploads (the watchdog thread's first two bundles) are refused with a status that is not retried.
  const agent = (await fakeAgent()).script({ status: 400 }, { status: 400 })
  const out = tempDir()
  const run = start(process.execPath, [DD_RUN, '--exporters', 'agent', '--agent-url', agent.url, '--upload-period', '1', 'node', busyLoop], {
    env: cleanEnv({ SPIN_MS: '4000', DD_PROFILING_OUTPUT_DIR: out }),
  })
  const r = await run.done
  assert.equal(r.code, 0, r.stderr)
  const accepted = agent.uploads.filter((u) => u.answered === 200).map((u) => Number(tagsOf(u).profile_seq))
  const refused = agent.uploads.filter((u) => u.answered === 400).map((u) => Number(tagsOf(u).profile_seq))
  assert.equal(refused.length, 2, `${agent.uploads.map((u) => `${tagsOf(u).profile_seq}:${u.answered}`).join(' ')}`)
  // Each refused one came again, from the launcher, and was accepted: nothing lost.
  for (const seq of refused) assert.ok(accepted.includes(seq), `profile ${seq} relayed after its refusal: ${accepted.join(',')}`)
  const unique = [...new Set(accepted)].sort((a, b) => a - b)
  assert.deepEqual(unique, unique.map((_, i) => i))
  assert.deepEqual(fs.readdirSync(out), [], 'nothing fell back to files')
})

for (const major of [18, 26]) {
  const bin = nodeBinary(major)
  test(`Node ${major}, agentless and file together: the stalled bundles reach the intake during the loop, with the API key, and the files too`, { skip: bin ? false : `Node ${major} is not installed (scripts/install-node-versions.sh)` }, async () => {
    const KEY = 'f00dfacecafe0123456789abcdefbeef'
    const intake = await fakeAgent({ endpoint: '/api/v2/profile' })
    const out = tempDir()
    const run = start(process.execPath, [DD_RUN, '--exporters', 'agentless,file', '--upload-period', '1', 'node', busyLoop], {
      env: withNodeOnPath(bin as string, cleanEnv({ SPIN_MS: '3500', DD_API_KEY: KEY, DD_PROFILING_AGENTLESS_URL: `${intake.url}/api/v2/profile`, DD_PROFILING_OUTPUT_DIR: out })),
    })
    let doneAt = Infinity
    run.child.stdout?.on('data', () => (doneAt = Math.min(doneAt, Date.now())))
    const r = await run.done
    assert.equal(r.code, 0, r.stderr)
    assert.deepEqual(intake.invalid, [])
    const during = periodic(intake).filter((u) => u.at < doneAt)
    assert.ok(during.length >= 2, `${during.length} periodic bundles at the intake during the loop`)
    assert.ok(intake.uploads.every((u) => u.headers['dd-api-key'] === KEY))
    assert.ok(intake.uploads.every((u) => tagsOf(u).runtime_version === `v${(bin as string).split(path.sep).at(-3)}`), 'profiled by that Node')
    assert.ok(!r.stderr.includes(KEY), 'the key shows nowhere')
    // The file exporter wrote each of them as well, at once.
    const written = listBundles(out).map((b) => b.tags.profile_seq)
    for (const u of during) assert.ok(written.includes(tagsOf(u).profile_seq), `profile ${tagsOf(u).profile_seq} in the output directory too`)
  })
}
