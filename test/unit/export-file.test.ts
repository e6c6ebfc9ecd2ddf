// The file exporter on a real file system: the layout, permissions, atomic writes, the size cap.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { test } from 'node:test'
import { buildBundle } from '../../src/export/bundle'
import { FileExporter, pruneOutput } from '../../src/export/file'
import { bundlePath, compactTime, fsName } from '../../src/export/layout'
import type { Bundle } from '../../src/export/types'
import { tempDir } from '../helpers/run'

function bundle(seq: number, opts: { service?: string; bytes?: number; end?: Date } = {}): Bundle {
  const end = opts.end ?? new Date(Date.UTC(2026, 10, 24, 21, 1, 5, 123))
  const tags = `service:${opts.service ?? 'web'},process_id:4242,process_role:cluster_worker,runtime-id:abcdef12-0000-4000-8000-000000000000,profile_seq:${seq}`
  const data = Buffer.alloc(opts.bytes ?? 10, seq)
  return buildBundle([{ name: 'wall.pprof', data }, { name: 'space.pprof', data }], { start: new Date(end.getTime() - 1000), end, tags, info: {} })
}

test('layout: <service>/<pid>-<role>-<runtime id 8>/<seq 4>-<end>/', () => {
  assert.deepEqual(bundlePath(bundle(7)), ['web', '4242-cluster_worker-abcdef12', '0007-20261124T210105Z'])
  assert.equal(compactTime('2026-01-02T03:04:05Z'), '20260102T030405Z')
  assert.equal(fsName('my svc/../x'), 'my_svc_.._x')
  assert.equal(fsName('..'), '_..')
})

test('export and exportSync write event.json and attachments, files 0600 and directories 0700', async () => {
  const out = tempDir()
  const e = new FileExporter({ outputDir: path.join(out, 'new', 'dir'), outputMaxMb: 256 })
  await e.export(bundle(1))
  e.exportSync(bundle(2, { end: new Date(Date.UTC(2026, 10, 24, 21, 2, 0)) }))
  const proc = path.join(out, 'new', 'dir', 'web', '4242-cluster_worker-abcdef12')
  assert.equal(e.target, proc)
  assert.deepEqual(fs.readdirSync(proc).sort(), ['0001-20261124T210105Z', '0002-20261124T210200Z'])
  for (const b of fs.readdirSync(proc)) {
    const dir = path.join(proc, b)
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700)
    assert.deepEqual(fs.readdirSync(dir).sort(), ['event.json', 'space.pprof', 'wall.pprof'])
    for (const f of fs.readdirSync(dir)) assert.equal(fs.statSync(path.join(dir, f)).mode & 0o777, 0o600)
    const event = JSON.parse(fs.readFileSync(path.join(dir, 'event.json'), 'utf8'))
    assert.deepEqual(event.attachments, ['wall.pprof', 'space.pprof'])
  }
})

test('a reader never sees a partial bundle: files appear only under a .tmp- name until the rename', async () => {
  const out = tempDir()
  const e = new FileExporter({ outputDir: out, outputMaxMb: 256 })
  const proc = path.join(out, 'web', '4242-cluster_worker-abcdef12')
  const seen: string[] = []
  const writing = e.export(bundle(1, { bytes: 4 * 1024 * 1024 }))
  // Watch the process directory while the write runs: every entry is either a .tmp- directory or complete.
  while (true) {
    for (const name of fs.existsSync(proc) ? fs.readdirSync(proc) : []) {
      if (name.startsWith('.tmp-')) continue
      seen.push(name)
      assert.deepEqual(fs.readdirSync(path.join(proc, name)).sort(), ['event.json', 'space.pprof', 'wall.pprof'])
    }
    if (seen.length > 0) break
    await new Promise((r) => setImmediate(r))
  }
  await writing
  assert.deepEqual(fs.readdirSync(proc), ['0001-20261124T210105Z'])
})

test('a write that fails rejects, leaves nothing behind, and a later exportSync cleans an interrupted write', async () => {
  const base = tempDir()
  fs.writeFileSync(path.join(base, 'file'), 'x')
  const bad = new FileExporter({ outputDir: path.join(base, 'file', 'sub'), outputMaxMb: 256 })
  await assert.rejects(bad.export(bundle(1)), /ENOTDIR/)
  assert.throws(() => bad.exportSync(bundle(1)), /ENOTDIR/)

  const out = tempDir()
  const e = new FileExporter({ outputDir: out, outputMaxMb: 256 })
  const proc = path.join(out, 'web', '4242-cluster_worker-abcdef12')
  const pending = e.export(bundle(1, { bytes: 32 * 1024 * 1024 }))
  const temps = () => (fs.existsSync(proc) ? fs.readdirSync(proc).filter((n) => n.startsWith('.tmp-')) : [])
  while (temps().length === 0) await new Promise((r) => setImmediate(r))
  e.exportSync(bundle(2)) // the exit path, while the first write is still in progress
  assert.deepEqual(temps(), [], 'the interrupted write left no temporary directory')
  assert.ok(fs.readdirSync(proc).includes('0002-20261124T210105Z'))
  await pending.catch(() => undefined)
  assert.deepEqual(temps(), [])
})

test('the size cap removes the oldest bundles first, never the one just written, and nothing else', async () => {
  const out = tempDir()
  fs.writeFileSync(path.join(out, 'notes.txt'), 'mine')
  fs.mkdirSync(path.join(out, 'web', 'not-ours', 'keep'), { recursive: true })
  const e = new FileExporter({ outputDir: out, outputMaxMb: 1 })
  const proc = path.join(out, 'web', '4242-cluster_worker-abcdef12')
  for (let i = 1; i <= 5; i++) {
    await e.export(bundle(i, { bytes: 200 * 1024, end: new Date(Date.UTC(2026, 0, 1, 0, 0, i)) }))
    await new Promise((r) => setTimeout(r, 15)) // distinct modification times
  }
  // 5 bundles of 400 KiB against a 1 MiB cap: the two newest remain.
  assert.deepEqual(fs.readdirSync(proc).sort(), ['0004-20260101T000004Z', '0005-20260101T000005Z'])
  assert.ok(fs.existsSync(path.join(out, 'notes.txt')))
  assert.ok(fs.existsSync(path.join(out, 'web', 'not-ours', 'keep')))
  // A single bundle above the cap stays: it is the one just written.
  await e.export(bundle(6, { bytes: 700 * 1024, end: new Date(Date.UTC(2026, 0, 1, 0, 0, 6)) }))
  assert.deepEqual(fs.readdirSync(proc), ['0006-20260101T000006Z'])
  assert.equal(await pruneOutput(out, 1), 1, 'without a bundle to keep, it goes too')
})

test('the exit path never walks the output directory: an over-cap directory is left to the next check', async () => {
  const out = tempDir()
  const e = new FileExporter({ outputDir: out, outputMaxMb: 1 })
  const proc = path.join(out, 'web', '4242-cluster_worker-abcdef12')
  for (let i = 1; i <= 4; i++) e.exportSync(bundle(i, { bytes: 200 * 1024, end: new Date(Date.UTC(2026, 0, 1, 0, 0, i)) }))
  await new Promise((r) => setTimeout(r, 50))
  assert.equal(fs.readdirSync(proc).length, 4, 'four bundles of 400 KiB over a 1 MiB cap, all still there')
  assert.equal(await pruneOutput(out, 1024 * 1024), 2)
  assert.equal(fs.readdirSync(proc).length, 2)
})
