// DD_PROFILING_WATCHDOG=auto (the default): the process the run started has its watchdog from its first line; a
// child gets one only once it has lived 1 s, so a short-lived child pays nothing, and a long-lived one that blocks
// later still gets its periodic profiles.
import assert from 'node:assert/strict'
import * as path from 'node:path'
import { test } from 'node:test'
import { fixture } from '../helpers/paths'
import { byProcess, listBundles } from '../helpers/profiles'
import { cleanEnv, ddRun, tempDir } from '../helpers/run'

test('auto: no watchdog in a child that exits at once; one after 1 s in a child that lives on and then blocks', async () => {
  const out = tempDir()
  const r = await ddRun(['--debug', '-o', out, '--upload-period', '1', 'node', fixture(path.join('watchdog', 'children.js'))], {
    env: cleanEnv({ BLOCK_MS: '2500' }),
  })
  assert.equal(r.code, 0, r.stderr)
  const shortPid = /short child (\d+) done/.exec(r.stderr)?.[1]
  const longPid = /long child (\d+) done/.exec(r.stderr)?.[1]
  assert.ok(shortPid && longPid, r.stderr)
  assert.doesNotMatch(r.stderr, new RegExp(`pid ${shortPid}: the watchdog started`))
  assert.match(r.stderr, new RegExp(`pid ${longPid}: the watchdog started \\(auto: the process has run for 1 s\\)`))
  const procs = byProcess(listBundles(out))
  const long = [...procs.entries()].find(([dir]) => dir.startsWith(`${longPid}-child-`))?.[1] ?? []
  const periodic = long.filter((b) => b.tags.snapshot === 'periodic')
  assert.ok(periodic.length >= 1, `the long child's 2.5 s block got ${periodic.length} periodic bundles`)
  assert.match(r.stderr, new RegExp(`watchdog \\(pid ${longPid}\\): the main thread has not yielded for a period`))
})

test('worker threads get no watchdog (the inspector reaches only the main thread), and --debug says so', async () => {
  const out = tempDir()
  const r = await ddRun(['--debug', '-o', out, 'node', fixture(path.join('watchdog', 'busy-worker.js'))], { env: cleanEnv() })
  assert.equal(r.code, 0, r.stderr)
  assert.equal(r.stdout, 'worker exit 0\n')
  assert.match(r.stderr, /the watchdog is off: a worker thread \(the inspector reaches only the main thread\)/)
  // The worker's profile is still there, taken at its exit.
  assert.ok(listBundles(out).some((b) => b.tags.process_role === 'worker_thread'))
})
