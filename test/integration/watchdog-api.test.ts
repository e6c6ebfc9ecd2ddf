// The Profiler API and the watchdog: stop() ends the thread start() made, so start/stop cycles do not pile up threads.
import assert from 'node:assert/strict'
import * as path from 'node:path'
import { test } from 'node:test'
import { fixture } from '../helpers/paths'
import { cleanEnv, start, tempDir } from '../helpers/run'

test('Profiler start()/stop() 5 times: the process has as many threads after the fifth stop as after the first', { skip: process.platform !== 'linux' && 'reads /proc' }, async () => {
  const out = tempDir()
  const r = await start(process.execPath, [fixture(path.join('api', 'restart-watchdog.js'))], {
    env: cleanEnv({ DD_PROFILING_OUTPUT_DIR: out, DD_PROFILING_WATCHDOG: 'true' }),
  }).done
  assert.equal(r.code, 0, r.stderr)
  const m = /threads after each stop: ([\d ]+)/.exec(r.stdout)
  assert.ok(m, r.stdout + r.stderr)
  const counts = (m[1] as string).trim().split(' ').map(Number)
  assert.equal(counts.length, 5)
  assert.ok(counts[4]! <= counts[0]!, `threads after each stop: ${counts.join(' ')}`)
})
