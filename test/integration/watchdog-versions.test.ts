// The watchdog on every Node version the tests know (scripts/node-versions.txt): a busy main thread gets its
// periodic profiles on each; a version not installed here is skipped, saying so.
import assert from 'node:assert/strict'
import * as path from 'node:path'
import { test } from 'node:test'
import { DD_RUN, fixture } from '../helpers/paths'
import { nodeBinary } from '../helpers/node-versions'
import { listBundles } from '../helpers/profiles'
import { cleanEnv, start, tempDir } from '../helpers/run'

for (const major of [18, 20, 22, 24, 26]) {
  const bin = nodeBinary(major)
  test(`Node ${major}: a 3.5 s busy loop with a 1 s period gets periodic profiles from the watchdog`, { skip: bin ? false : `Node ${major} is not installed (scripts/install-node-versions.sh)` }, async () => {
    const out = tempDir()
    const env = cleanEnv({ SPIN_MS: '3500', PATH: `${path.dirname(bin as string)}${path.delimiter}${process.env.PATH ?? ''}` })
    const r = await start(process.execPath, [DD_RUN, '-o', out, '--upload-period', '1', 'node', fixture(path.join('watchdog', 'busy-loop.js'))], { env }).done
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, 'done\n')
    const bundles = listBundles(out)
    const periodic = bundles.filter((b) => b.tags.snapshot === 'periodic')
    assert.ok(periodic.length >= 3, `Node ${major}: ${periodic.length} periodic bundles`)
    assert.ok(bundles.every((b) => b.tags.runtime_version === `v${(bin as string).split(path.sep).at(-3)}`), 'profiled by that Node')
  })
}
