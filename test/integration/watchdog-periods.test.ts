// A main thread that never yields still gets a profile every upload period (the watchdog thread takes it through
// the inspector), and a process SIGKILLed in the middle keeps the periods it had.
import assert from 'node:assert/strict'
import * as path from 'node:path'
import { test } from 'node:test'
import { DD_RUN, fixture } from '../helpers/paths'
import { pprofTop } from '../helpers/pprof'
import { assertIntakeShape, byProcess, listBundles } from '../helpers/profiles'
import { cleanEnv, ddRun, start, tempDir, waitFor } from '../helpers/run'

const busyLoop = fixture(path.join('watchdog', 'busy-loop.js'))
const LOOP = 'spinWithoutYielding'

function periodicBundles(out: string) {
  const procs = [...byProcess(listBundles(out, true)).values()]
  assert.equal(procs.length, 1, 'one profiled process')
  return (procs[0] ?? []).filter((b) => b.tags.snapshot === 'periodic')
}

test('a 10 s busy loop with a 1 s period yields a periodic bundle every period, each with samples of the loop', async () => {
  const out = tempDir()
  const r = await ddRun(['-o', out, '--upload-period', '1', 'node', busyLoop], { env: cleanEnv({ SPIN_MS: '10000' }) })
  assert.equal(r.code, 0, r.stderr)
  assert.equal(r.stdout, 'done\n')
  // Bundles taken during the loop: those that ended before the program printed "done" are all that matter, and
  // the ones the watchdog took are every period but the last, whatever the main thread's own timer did after.
  const periodic = periodicBundles(out)
  assert.ok(periodic.length >= 8, `${periodic.length} periodic bundles in a 10 s loop with a 1 s period`)
  const all = listBundles(out)
  for (const b of all) assertIntakeShape(b)
  const tags = new Set(all.map((b) => `${b.tags['runtime-id']} ${b.tags.service} ${b.tags.run_id} ${b.tags.process_role}`))
  assert.equal(tags.size, 1, 'the periodic bundles carry the same tags as the final one')
  for (const b of periodic.slice(0, 8)) {
    const names = pprofTop(b.file('wall.pprof'), 'wall').map((row) => row.name)
    assert.ok(names.some((n) => n.includes(LOOP)), `bundle ${b.tags.profile_seq} has samples of ${LOOP}: ${names.slice(0, 5).join(', ')}`)
  }
})

test('SIGKILL at 7 s into a 10 s busy loop keeps the periods taken before it', async () => {
  const out = tempDir()
  const { child, done } = start(process.execPath, [DD_RUN, '-o', out, '--upload-period', '1', 'node', busyLoop], {
    env: cleanEnv({ SPIN_MS: '10000' }),
  })
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
  await waitFor(() => /spinning \d+/.test(stderr), 20_000, 'the loop to start')
  const pid = Number(/spinning (\d+)/.exec(stderr)?.[1])
  await new Promise((r) => setTimeout(r, 7000))
  process.kill(pid, 'SIGKILL') // the app itself, as the OOM killer would: dd-run sees it die of SIGKILL
  const r = await done
  // dd-run dies of the child's signal (or exits 137 where it cannot re-raise it)
  assert.ok(r.signal === 'SIGKILL' || r.code === 137, `${r.code} ${r.signal}: ${r.stderr}`)
  assert.equal(r.stdout, '')
  const periodic = periodicBundles(out)
  assert.ok(periodic.length >= 5, `${periodic.length} periodic bundles kept after SIGKILL at 7 s`)
  for (const b of periodic) assertIntakeShape(b)
})

test('with DD_PROFILING_WATCHDOG=false the busy loop gets its profile at exit only, as before', async () => {
  const out = tempDir()
  const r = await ddRun(['-o', out, '--upload-period', '1', '--debug', 'node', busyLoop], {
    env: cleanEnv({ SPIN_MS: '2500', DD_PROFILING_WATCHDOG: 'false' }),
  })
  assert.equal(r.code, 0, r.stderr)
  const bundles = listBundles(out)
  assert.ok(bundles.some((b) => b.tags.snapshot === 'on_shutdown'))
  assert.ok(!/watchdog \(pid/.test(r.stderr), r.stderr)
  // The main thread's overdue timer may fire once after the loop; the watchdog took nothing during it.
  assert.ok(periodicBundles(out).length <= 1, `${periodicBundles(out).length} periodic bundles`)
})
