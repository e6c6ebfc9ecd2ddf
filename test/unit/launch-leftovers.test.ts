// What a process killed mid-write leaves (a `.tmp-` bundle directory, a `.tmp-process.json`) is removed at the end
// of the run, and only that: complete bundles, processes still running or that ended on their own, and anything
// reached through a symlink stay as they are.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { test } from 'node:test'
import { fromEnv } from '../../src/config/layers'
import { finishRun } from '../../src/launch/finish'
import { removeLeftovers } from '../../src/launch/leftovers'
import { createLogger } from '../../src/log'
import { writeStatus } from '../../src/run/status'
import type { ProcessStatus } from '../../src/run/status-shape'
import { tempDir } from '../helpers/run'
import { processStatus } from '../helpers/status'

/** A cluster worker that has not ended (no endedAt), with the identity its process directory is named from. */
const status = (over: Partial<ProcessStatus>): ProcessStatus =>
  processStatus({ role: 'cluster_worker', command: 'node server.js', service: 'web', runtimeId: 'deadbeef-0000-4000-8000-000000000000', endedAt: undefined, ...over })

/** A process directory with one complete bundle, one half-written bundle and a half-written process.json. */
function processDir(out: string, name: string): string {
  const dir = path.join(out, 'web', name)
  fs.mkdirSync(path.join(dir, '0000-20261126T230001Z'), { recursive: true })
  fs.writeFileSync(path.join(dir, '0000-20261126T230001Z', 'event.json'), '{}')
  fs.mkdirSync(path.join(dir, '.tmp-0001-20261126T230002Z-a1b2c3'))
  fs.writeFileSync(path.join(dir, '.tmp-0001-20261126T230002Z-a1b2c3', 'wall.pprof'), 'partial')
  fs.writeFileSync(path.join(dir, '.tmp-process.json'), '{"pid":')
  return dir
}

test('the leftovers of a dead process that never ended are removed; its complete bundles stay', async () => {
  const out = tempDir()
  const dir = processDir(out, '4242-cluster_worker-deadbeef')
  const n = await removeLeftovers(out, [status({ pid: 4242 })], () => false)
  assert.equal(n, 2)
  assert.deepEqual(fs.readdirSync(dir), ['0000-20261126T230001Z'])
})

test('a process still running, one that ended, one not profiled, and one without an identity keep theirs', async () => {
  const out = tempDir()
  const running = processDir(out, '10-cluster_worker-deadbeef')
  const ended = processDir(out, '11-cluster_worker-deadbeef')
  const dormant = processDir(out, '12-cluster_worker-deadbeef')
  const anonymous = processDir(out, '13-cluster_worker-deadbeef')
  const n = await removeLeftovers(
    out,
    [
      status({ pid: 10 }),
      status({ pid: 11, endedAt: '2026-11-26T23:00:05.000Z' }),
      status({ pid: 12, state: 'dormant' }),
      status({ pid: 13, runtimeId: undefined }),
    ],
    (pid) => pid === 10,
  )
  assert.equal(n, 0)
  for (const d of [running, ended, dormant, anonymous]) assert.equal(fs.readdirSync(d).length, 3, d)
})

test('a process directory that is a symlink is not followed, nor a service directory that is one', async () => {
  const out = tempDir()
  const elsewhere = tempDir()
  const target = processDir(elsewhere, '20-cluster_worker-deadbeef')
  fs.mkdirSync(path.join(out, 'web'))
  fs.symlinkSync(target, path.join(out, 'web', '20-cluster_worker-deadbeef'))
  // The service directory itself a symlink, in another output directory.
  const out2 = tempDir()
  const other = tempDir()
  const viaService = processDir(other, '21-cluster_worker-deadbeef')
  fs.symlinkSync(path.join(other, 'web'), path.join(out2, 'web'))
  const n = (await removeLeftovers(out, [status({ pid: 20 })], () => false)) + (await removeLeftovers(out2, [status({ pid: 21 })], () => false))
  assert.equal(n, 0)
  assert.equal(fs.readdirSync(target).length, 3)
  assert.equal(fs.readdirSync(viaService).length, 3)
})

test('finishRun removes the leftovers of a process that really died, by its real pid', async () => {
  const dead = spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' }).pid
  assert.ok(dead)
  const out = tempDir()
  const channel = tempDir('dd-run-channel-')
  const dir = processDir(out, `${dead}-cluster_worker-deadbeef`)
  const alive = processDir(out, `${process.ppid}-cluster_worker-deadbeef`)
  writeStatus(channel, status({ pid: dead }))
  writeStatus(channel, status({ pid: process.ppid }))
  const lines: string[] = []
  const config = { ...fromEnv({ DD_PROFILING_OUTPUT_DIR: out }).config }
  await finishRun({ channel, config, log: createLogger({ write: (l) => lines.push(l) }), runId: 'r', exit: { code: 0, signal: null } })
  assert.deepEqual(fs.readdirSync(dir), ['0000-20261126T230001Z'])
  assert.equal(fs.readdirSync(alive).length, 3)
  assert.match(lines.join('\n'), /still running or killed/)
})
