// Exports never overlap: while an upload is still running, the periods that end are merged into the next bundle
// (the profilers keep going), so the agent receives contiguous periods, one upload at a time.
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { FakeAgent } from '../helpers/fake-agent'
import { fixture } from '../helpers/paths'
import { cleanEnv, ddRun } from '../helpers/run'

let agent: FakeAgent | undefined
after(() => agent?.close())

test('a slow agent: no overlapping exports, merged periods without gaps, counted in the summary', async () => {
  agent = await FakeAgent.start()
  agent.setDefault({ status: 200, delayMs: 2200 })
  const r = await ddRun(['--exporters', 'agent', '--agent-url', agent.url, '--upload-period', '1', 'node', fixture('profiling/cpu-burn.js'), '4500'], {
    env: cleanEnv(),
    timeoutMs: 90_000,
  })
  assert.equal(r.code, 0, r.stderr)
  const all = [...agent.uploads].sort((a, b) => Number(seq(a.event.tags_profiler)) - Number(seq(b.event.tags_profiler)))
  // At least once: a bundle whose answer the exit cut short is spooled and sent again (docs/exporters.md). Such a
  // repeat is the same bundle; no other duplicate is allowed.
  const ups = all.filter((u, i) => i === 0 || seq(u.event.tags_profiler) !== seq(all[i - 1]!.event.tags_profiler))
  const repeats = all.filter((u, i) => i > 0 && seq(u.event.tags_profiler) === seq(all[i - 1]!.event.tags_profiler))
  assert.ok(repeats.length <= 1, `${repeats.length} repeated bundles`)
  for (const d of repeats) {
    const first = ups.find((u) => seq(u.event.tags_profiler) === seq(d.event.tags_profiler))!
    assert.deepEqual([d.event.start, d.event.end], [first.event.start, first.event.end])
  }
  assert.ok(ups.length >= 2, `${ups.length} uploads: ${r.stderr}`)
  // Contiguous: each bundle starts where the previous one ended, whatever was merged.
  for (let i = 1; i < ups.length; i++) assert.equal(ups[i]!.event.start, ups[i - 1]!.event.end)
  // With a 2.2 s answer and a 1 s period, some periodic bundle covers more than one period.
  const periodic = ups.filter((u) => /(^|,)snapshot:periodic(,|$)/.test(u.event.tags_profiler))
  const longest = Math.max(...periodic.map((u) => Date.parse(u.event.end) - Date.parse(u.event.start)))
  assert.ok(longest > 1500, `longest periodic bundle ${longest} ms`)
  assert.match(r.stderr, /\d+ periods? merged into the next \(an export was still running\)/)
})

function seq(tags: string): string | undefined {
  return /(?:^|,)profile_seq:(\d+)/.exec(tags)?.[1]
}
