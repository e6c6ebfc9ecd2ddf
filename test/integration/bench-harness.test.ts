// The benchmark harness must never report a profiler as free because it profiled nothing: each variant's real
// command runs a bench app once (small work) and the profile check must find real samples, and must refuse an empty
// output directory. The benchmarks themselves never run under `npm test`.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { test } from 'node:test'
import { checkProfiles, VARIANTS } from '../../bench/lib/variants'
import { assertHooks, runBatch } from '../helpers/bench-variants'
import { tempDir } from '../helpers/run'

for (const variant of ['dd-run', 'dd-run-space', 'dd-run-bundle', 'preload-only', 'dd-trace-profiler', 'cpu-prof'] as const) {
  test(`${variant}: the batch app runs and the check finds samples in its profiles`, async () => {
    const { outDir, result } = await runBatch(variant)
    assert.ok(result.workMs > 0 && result.maxRssKb > 0)
    const check = checkProfiles(VARIANTS[variant], outDir)
    assert.ok(check.ok, check.detail)
    assert.ok(check.files > 0 && check.bytes > 0)
    if (variant !== 'dd-run-space') assert.ok(check.samples > 0, `no wall samples counted: ${check.detail}`)
  })
}

test('dd-run-off and bare write no profiles, and the check says so', async () => {
  for (const variant of ['dd-run-off', 'bare'] as const) {
    const { outDir } = await runBatch(variant)
    const check = checkProfiles(VARIANTS[variant], outDir)
    assert.ok(check.ok, check.detail)
    assert.equal(check.files, 0)
  }
})

test('every profiled variant fails the check on an empty or sample-less output directory', () => {
  const empty = tempDir('dd-run-bench-empty-')
  for (const v of Object.values(VARIANTS).filter((x) => x.expect !== 'none')) {
    assert.equal(checkProfiles(v, empty).ok, false, `${v.name} passed with no profiles`)
  }
  // A dd-run layout with an empty wall profile: present but profiled nothing.
  const hollow = tempDir('dd-run-bench-hollow-')
  const bundle = path.join(hollow, 'node', '1-main-x', '0001-20260101T000000Z')
  fs.mkdirSync(bundle, { recursive: true })
  fs.writeFileSync(path.join(bundle, 'wall.pprof'), Buffer.alloc(0))
  fs.writeFileSync(path.join(bundle, 'space.pprof'), Buffer.alloc(0))
  const check = checkProfiles(VARIANTS['dd-run'], hollow)
  assert.equal(check.ok, false)
  assert.match(check.detail, /no wall samples/)
})

test('dd-trace-js with the profiler-only settings hooks no module', async () => {
  // The variant disables every instrumentation by name; a module it would hook must have no subscriber.
  await assertHooks([['dd-trace-profiler', [false, false]], ['dd-trace', [true, true]]])
})
