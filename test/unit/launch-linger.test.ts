// What the launcher reads of the processes it waits for: alive or not (a zombie has ended: it only waits to be
// reaped, and as PID 1 dd-run never reaps it), and which process group it is in.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import { test } from 'node:test'
import { livingInGroup, procState } from '../../src/launch/linger'
import { waitFor } from '../helpers/run'

const ownGroup = Number(fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ')[2])

test('this process: alive, in its own process group', () => {
  assert.deepEqual(procState(process.pid), { alive: true, pgid: ownGroup })
  assert.deepEqual(livingInGroup([process.pid], ownGroup), [process.pid])
  assert.deepEqual(livingInGroup([process.pid], ownGroup + 1), [])
})

test('a pid that does not exist is not alive', () => {
  assert.equal(procState(2 ** 22 + 12345).alive, false)
})

test('a zombie counts as ended', async () => {
  // `sleep 0.3` exits after its parent has exec'd into `sleep 5`, which never waits for it: a zombie until then.
  const sh = spawn('sh', ['-c', 'sleep 0.3 & echo $!; exec sleep 5'], { stdio: ['ignore', 'pipe', 'ignore'] })
  try {
    let out = ''
    sh.stdout.on('data', (d: Buffer) => (out += d.toString()))
    await waitFor(() => /\d+\n/.test(out), 5_000, 'the child pid')
    const zombie = Number(out.trim())
    await waitFor(() => fs.readFileSync(`/proc/${zombie}/stat`, 'utf8').includes(') Z '), 5_000, 'the zombie')
    assert.equal(procState(zombie).alive, false)
    assert.deepEqual(livingInGroup([zombie, process.pid], ownGroup), [process.pid])
  } finally {
    sh.kill('SIGKILL')
  }
})
