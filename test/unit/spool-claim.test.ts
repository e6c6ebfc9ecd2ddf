// The spool's claims: a bundle the watchdog thread of a living process is sending is not relayed by the launcher at
// the same time; one left claimed by a process that died while sending is relayed; a released one is relayed.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { test } from 'node:test'
import { claimSpooled, readSpool, releaseClaim, spoolBundle } from '../../src/export/spool'
import { realBundle } from '../helpers/bundles'
import { tempDir } from '../helpers/run'

/** The pid of a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '0'])
  assert.ok(r.pid)
  return r.pid
}

test('a claimed bundle is skipped while its process lives, relayed once it is dead, and relayed again once released', async () => {
  const channel = tempDir()
  const bundle = await realBundle({ seq: 3 })
  const mine = spoolBundle(channel, 'agent', { pid: process.pid, threadId: 0 }, 3, bundle)
  const dead = deadPid()
  const theirs = spoolBundle(channel, 'agent', { pid: dead, threadId: 0 }, 1, bundle)
  assert.equal(readSpool(channel).length, 2)

  const claimedMine = claimSpooled(mine)
  const claimedTheirs = claimSpooled(theirs)
  assert.ok(claimedMine && claimedTheirs)
  assert.equal(claimSpooled(mine), undefined, 'a bundle is claimed once')
  const seen = readSpool(channel)
  assert.deepEqual(seen.map((s) => s.pid), [dead], 'only the dead process\'s claimed bundle is relayed')
  assert.ok(seen[0]?.bundle, seen[0]?.error)

  assert.equal(releaseClaim(claimedMine), true)
  assert.deepEqual(readSpool(channel).map((s) => s.pid).sort(), [process.pid, dead].sort())
})
