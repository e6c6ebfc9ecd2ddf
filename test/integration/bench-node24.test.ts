// The benchmark's Node 24 variants (the anchor: dd-trace-js 6.x on Node 24 beside 5.x on Node 20): each runs the
// batch app on Node 24 and the profile check finds real samples (dd-trace-js 6.x writes zstd there, which this
// Node 20 cannot read itself); a *-24 variant is paired with bare node 24, not with the machine's Node; and
// dd-trace-js 6.x's profiler-only settings hook no module. dd-trace 6 comes from bench/install-deps.sh (the
// benchmarks' own install, not npm test's): without it those cases are skipped, saying so.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import { test } from 'node:test'
import { checkProfiles, DD_TRACE_6, VARIANTS, type VariantName } from '../../bench/lib/variants'
import { baselineOf } from '../../bench/lib/workload'
import { nodeBinary } from '../helpers/node-versions'
import { assertHooks, runBatch } from '../helpers/bench-variants'

const noNode24 = !nodeBinary(24) && 'Node 24 is not installed (scripts/install-node-versions.sh)'
const noDdTrace6 = noNode24 || (!fs.existsSync(DD_TRACE_6) && 'dd-trace 6 is not installed (bash bench/install-deps.sh)')

test('each *-24 variant is paired with bare node 24, the others with bare node', () => {
  const all: VariantName[] = ['bare', 'dd-run', 'bare-24', 'dd-run-24', 'dd-trace6-24']
  assert.equal(baselineOf('dd-run-24', all), 'bare-24')
  assert.equal(baselineOf('dd-trace6-24', all), 'bare-24')
  assert.equal(baselineOf('dd-run', all), 'bare')
})

for (const [variant, skip] of [['dd-run-24', noNode24], ['dd-trace6-profiler-24', noDdTrace6], ['dd-trace6-24', noDdTrace6]] as const) {
  test(`${variant}: the batch app runs on Node 24 and the check finds samples in its profiles`, { skip }, async () => {
    const { outDir, result } = await runBatch(variant)
    assert.ok(result.workMs > 0 && result.maxRssKb > 0)
    const check = checkProfiles(VARIANTS[variant], outDir)
    assert.ok(check.ok, check.detail)
    assert.ok(check.samples > 0, `no wall samples counted: ${check.detail}`)
  })
}

test('bare-24 runs on Node 24 and writes nothing', { skip: noNode24 }, async () => {
  const { outDir } = await runBatch('bare-24')
  assert.deepEqual(fs.readdirSync(outDir), [])
  const cmd = VARIANTS['bare-24'].command({ script: 'x.js', args: [], outDir, uploadPeriod: 60, closedPort: 1 })
  assert.equal(cmd.file, nodeBinary(24))
})

test('dd-trace-js 6.x with the profiler-only settings hooks no module', { skip: noDdTrace6 }, async () => {
  await assertHooks([['dd-trace6-profiler-24', [false, false]], ['dd-trace6-24', [true, true]]])
})
