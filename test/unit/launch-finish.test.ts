// The launcher's end of a run, on a real channel directory: spooled bundles are relayed to their exporter, the
// summary has one line per process with what it did, and the channel is removed.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { test } from 'node:test'
import { fromEnv } from '../../src/config/layers'
import { buildBundle } from '../../src/export/bundle'
import { readSpool, spoolBundle } from '../../src/export/spool'
import { removeChannel } from '../../src/launch/channel'
import { finishRun } from '../../src/launch/finish'
import { createLogger } from '../../src/log'
import { readStatuses, writeStatus } from '../../src/run/status'
import { tempDir } from '../helpers/run'
import { processStatus } from '../helpers/status'

test('finishRun relays spooled bundles, prints one line per process, removes the channel', async () => {
  const channel = tempDir('dd-run-channel-')
  const out = tempDir()
  const end = new Date(Date.UTC(2026, 10, 24, 21, 0, 1))
  const tags = 'service:web,process_id:300,process_role:child,runtime-id:deadbeef-0000-4000-8000-000000000000,profile_seq:2,snapshot:on_shutdown'
  const b = buildBundle([{ name: 'wall.pprof', data: Buffer.from('x') }], { start: new Date(end.getTime() - 1000), end, tags, info: {} })
  spoolBundle(channel, 'file', { pid: 300, threadId: 0 }, 2, b)
  assert.equal(readSpool(channel).length, 1)
  writeStatus(channel, processStatus({ pid: 200, command: 'node /usr/bin/npm start', state: 'dormant', reason: 'package manager (npm)' }))
  writeStatus(channel, processStatus({ pid: 300, role: 'child', startedAt: '2026-11-24T21:00:00.500Z', exported: { file: 1 }, spooled: { file: 1 }, targets: { file: path.join(out, 'web') } }))
  writeStatus(channel, processStatus({ pid: 300, threadId: 1, role: 'worker_thread', command: 'worker thread 1', startedAt: '2026-11-24T21:00:00.600Z', endedAt: undefined }))
  assert.equal(readStatuses(channel).length, 3)
  const lines: string[] = []
  const config = { ...fromEnv({ DD_PROFILING_OUTPUT_DIR: out }).config }
  await finishRun({ channel, config, log: createLogger({ write: (l) => lines.push(l) }), runId: 'r', exit: { code: 0, signal: null } })
  assert.ok(!fs.existsSync(channel), 'the channel is removed')
  // The relayed bundle is where its process would have written it.
  const relayed = path.join(out, 'web', '300-child-deadbeef', '0002-20261124T210001Z')
  assert.deepEqual(fs.readdirSync(relayed).sort(), ['event.json', 'wall.pprof'])
  assert.equal(lines[0], 'dd-run: run summary: 2 Node processes and 1 worker thread, 2 profiled, 2 bundles')
  assert.match(lines[1] ?? '', /^dd-run:\s+200\s+main\s+node \/usr\/bin\/npm start: dormant \(package manager \(npm\)\)$/)
  assert.match(lines[2] ?? '', /300 .*child .*node app\.js: profiled, 2 bundles \(2 to file /)
  assert.match(lines[3] ?? '', /300\/1 +worker_thread +worker thread 1: profiled, 0 bundles, still running or killed/)
})

test('--quiet prints nothing; a bundle whose exporter cannot be built is a failure in the summary', async () => {
  const channel = tempDir('dd-run-channel-')
  const end = new Date()
  const b = buildBundle([{ name: 'wall.pprof', data: Buffer.from('x') }], { start: end, end, tags: 'service:web,process_id:5,profile_seq:1', info: {} })
  spoolBundle(channel, 'agentless', { pid: 5, threadId: 0 }, 1, b)
  writeStatus(channel, processStatus({ pid: 5, spooled: { agentless: 1 } }))
  const quiet: string[] = []
  await finishRun({ channel, config: { ...fromEnv({ DD_RUN_QUIET: 'true' }).config }, log: createLogger({ write: (l) => quiet.push(l) }), runId: 'r', exit: { code: 0, signal: null } })
  assert.deepEqual(quiet, [])

  const channel2 = tempDir('dd-run-channel-')
  spoolBundle(channel2, 'agentless', { pid: 5, threadId: 0 }, 1, b)
  writeStatus(channel2, processStatus({ pid: 5, spooled: { agentless: 1 } }))
  const lines: string[] = []
  // No DD_API_KEY: the agentless exporter cannot be built, so the bundle is reported, not silently dropped.
  await finishRun({ channel: channel2, config: { ...fromEnv({}).config }, log: createLogger({ write: (l) => lines.push(l) }), runId: 'r', exit: { code: 0, signal: null } })
  assert.match(lines.join('\n'), /profiled, 0 bundles.*failures: agentless: a final profile was not relayed: .*DD_API_KEY/)
})

test('removeChannel removes files and nested directories, unlinks symlinks without following them, and tolerates a channel already gone', () => {
  const channel = tempDir('dd-run-channel-')
  const outside = tempDir()
  fs.writeFileSync(path.join(outside, 'keep'), 'x')
  fs.writeFileSync(path.join(channel, 'launcher.json'), '{}')
  fs.mkdirSync(path.join(channel, 'reports'))
  fs.writeFileSync(path.join(channel, 'reports', '1-0.json'), '{}')
  fs.mkdirSync(path.join(channel, 'spool', 'file', '1-0-2'), { recursive: true })
  fs.writeFileSync(path.join(channel, 'spool', 'file', '1-0-2', 'wall.pprof'), 'x')
  fs.mkdirSync(path.join(channel, 'snapshot-1'))
  fs.symlinkSync(outside, path.join(channel, 'link-to-dir'))
  fs.symlinkSync(path.join(outside, 'keep'), path.join(channel, 'link-to-file'))
  removeChannel(channel)
  assert.equal(fs.existsSync(channel), false)
  assert.deepEqual(fs.readdirSync(outside), ['keep'])
  removeChannel(channel)
  // A subdirectory it cannot empty (no write permission): rmSync's turn, whose error is the caller's to report.
  const stuck = tempDir('dd-run-channel-')
  fs.mkdirSync(path.join(stuck, 'reports'))
  fs.writeFileSync(path.join(stuck, 'reports', 'x'), '')
  fs.chmodSync(path.join(stuck, 'reports'), 0o500)
  try {
    if (process.getuid?.() === 0) removeChannel(stuck)
    else assert.throws(() => removeChannel(stuck), { code: 'EACCES' })
  } finally {
    if (fs.existsSync(path.join(stuck, 'reports'))) fs.chmodSync(path.join(stuck, 'reports'), 0o700)
  }
})
