// The watchdog uses the inspector; an app that uses it too must not notice. An app with its own node:inspector
// session (evaluate, CPU profile, a `debugger` pause) prints the same and exits the same under dd-run, while the
// watchdog takes profiles behind its blocked main thread; under --inspect the watchdog stays off and says so.
import assert from 'node:assert/strict'
import * as path from 'node:path'
import { test } from 'node:test'
import { DD_RUN, fixture } from '../helpers/paths'
import { listBundles } from '../helpers/profiles'
import { cleanEnv, start, tempDir } from '../helpers/run'

const usesInspector = fixture(path.join('watchdog', 'uses-inspector.js'))
const inspectFlag = fixture(path.join('watchdog', 'inspect-flag.js'))

async function both(nodeArgs: string[]) {
  const env = cleanEnv({ BLOCK_MS: '2500' })
  const bare = await start(process.execPath, nodeArgs, { env }).done
  const out = tempDir()
  const profiled = await start(process.execPath, [DD_RUN, '--debug', '--upload-period', '1', '-o', out, 'node', ...nodeArgs], { env }).done
  return { bare, profiled, out }
}

test('an app that uses node:inspector itself prints the same and exits the same under dd-run', async () => {
  const { bare, profiled, out } = await both([usesInspector])
  assert.equal(bare.code, 5, bare.stderr)
  assert.match(bare.stdout, /^evaluate 42\ncpu profile has nodes true has blockFor true\npaused 1\n/)
  assert.equal(profiled.stdout, bare.stdout)
  assert.equal(profiled.code, bare.code, profiled.stderr)
  // The watchdog did work meanwhile: the app's 2.5 s block got periodic profiles.
  assert.match(profiled.stderr, /watchdog \(pid \d+\): the main thread has not yielded for a period: profile \d+ taken/)
  assert.ok(listBundles(out).some((b) => b.tags.snapshot === 'periodic'))
})

test('under --inspect=127.0.0.1:0 the app behaves as without dd-run and the watchdog stays off, saying why under --debug', async () => {
  const { bare, profiled } = await both(['--inspect=127.0.0.1:0', inspectFlag])
  assert.equal(bare.code, 0, bare.stderr)
  assert.equal(bare.stdout, 'inspector url set true\n')
  assert.equal(profiled.stdout, bare.stdout)
  assert.equal(profiled.code, bare.code, profiled.stderr)
  assert.match(profiled.stderr, /the watchdog is off: the process runs with --inspect/)
  assert.doesNotMatch(profiled.stderr, /watchdog \(pid/)
  // Node's own lines about the debugger are there as without dd-run.
  assert.match(profiled.stderr, /Debugger listening on ws:\/\/127\.0\.0\.1:\d+\//)
})
