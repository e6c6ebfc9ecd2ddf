// Every way out of a process yields the final profile (snapshot:on_shutdown) and keeps the exit status, the
// signal and the app's own error output exactly as without dd-run.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import * as path from 'node:path'
import { test } from 'node:test'
import { DD_RUN, fixture } from '../helpers/paths'
import { pprofTop } from '../helpers/pprof'
import { assertIntakeShape, listBundles } from '../helpers/profiles'
import { cleanEnv, start, tempDir, waitFor, type RunResult } from '../helpers/run'

const exits = fixture(path.join('profiling', 'exits.js'))

interface Way {
  how: string
  signal?: NodeJS.Signals
  expect: { code: number | null; signal: NodeJS.Signals | null; stdout?: RegExp }
}

const WAYS: Way[] = [
  { how: 'natural', expect: { code: 0, signal: null } },
  { how: 'exit3', expect: { code: 3, signal: null } },
  { how: 'sigterm', signal: 'SIGTERM', expect: { code: null, signal: 'SIGTERM' } },
  { how: 'sigint', signal: 'SIGINT', expect: { code: null, signal: 'SIGINT' } },
  { how: 'self-sigterm', expect: { code: null, signal: 'SIGTERM' } },
  { how: 'sigterm-handled', signal: 'SIGTERM', expect: { code: 7, signal: null, stdout: /handled/ } },
  { how: 'uncaught', expect: { code: 1, signal: null } },
  { how: 'rejection', expect: { code: 1, signal: null } },
]

async function runWay(way: Way, out: string): Promise<RunResult> {
  const { child, done } = start(process.execPath, [DD_RUN, '-o', out, 'node', exits, way.how], { env: cleanEnv() })
  if (way.signal) {
    let stdout = ''
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()))
    await waitFor(() => stdout.includes('ready'), 20_000, 'the fixture to be ready')
    child.kill(way.signal) // to dd-run, which forwards it
  }
  return done
}

/** dd-run's own lines removed: what the app itself wrote on stderr. */
const appStderr = (s: string) => s.split('\n').filter((l) => !l.startsWith('dd-run:')).join('\n')

for (const way of WAYS) {
  test(`exit path "${way.how}": final profile, and the status stays ${way.expect.signal ?? `code ${way.expect.code}`}`, async () => {
    const out = tempDir()
    const r = await runWay(way, out)
    assert.equal(r.signal, way.expect.signal, r.stderr)
    assert.equal(r.code, way.expect.code, r.stderr)
    if (way.expect.stdout) assert.match(r.stdout, way.expect.stdout)
    const bundles = listBundles(out)
    assert.equal(bundles.length, 1, `one final bundle; stderr: ${r.stderr}`)
    const b = bundles[0]!
    assertIntakeShape(b)
    assert.equal(b.tags.snapshot, 'on_shutdown')
    const names = pprofTop(b.file('wall.pprof'), 'wall').map((x) => x.name)
    assert.ok(names.includes('workBeforeExit'), `workBeforeExit in ${names.slice(0, 8).join(', ')}`)
    if (way.how === 'uncaught' || way.how === 'rejection') {
      // The app's usual stack trace, unchanged: compare with the same program run without dd-run.
      const bare = spawnSync(process.execPath, [exits, way.how], { encoding: 'utf8', env: cleanEnv() })
      assert.equal(bare.status, 1)
      assert.match(bare.stderr, new RegExp(`Error: boom-${way.how}`))
      assert.equal(appStderr(r.stderr), bare.stderr)
    }
  })
}

test('SIGKILL loses only the current period: the periodic bundles written before are complete', async () => {
  const out = tempDir()
  const { done } = start(process.execPath, [DD_RUN, '-o', out, '--upload-period', '1', 'node', fixture(path.join('profiling', 'cpu-burn.js')), '20000'], {
    env: cleanEnv(),
  })
  const seen = () => {
    try {
      return listBundles(out, true).length >= 1
    } catch {
      return false // a bundle being renamed into place right now
    }
  }
  await waitFor(seen, 20_000, 'a first periodic bundle')
  const first = listBundles(out)[0]!
  process.kill(Number(first.tags.process_id), 'SIGKILL')
  const r = await done
  assert.equal(r.signal, 'SIGKILL', r.stderr)
  // A write the kill interrupted leaves only a .tmp- directory, which readers skip.
  const bundles = listBundles(out, true)
  assert.ok(bundles.length >= 1)
  for (const b of bundles) {
    assertIntakeShape(b)
    assert.equal(b.tags.snapshot, 'periodic')
  }
  assert.match(r.stderr, /profiled, \d+ bundles?.*still running or killed/)
})
