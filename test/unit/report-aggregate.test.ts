// Report aggregation on profiles built here with known stacks and values: merging across profiles, self and total
// (recursion counted once), heap averaging, diffs, and the terminal table's width.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as zlib from 'node:zlib'
import { describe, it } from 'node:test'
import { Profile, StringTable } from 'pprof-format'
import { readProfileProto, type PprofProfile } from '../../src/report/pprof-read'
import { addProfile, aggregate } from '../../src/report/aggregate'
import { FrameTable } from '../../src/report/frames'
import { functionStats, newRoot } from '../../src/report/tree'
import { diffOf } from '../../src/report/diff'
import { table } from '../../src/report/format'
import { listProfiles } from '../../src/report/load'
import { compact } from '../../src/report/model'
import { tempDir } from '../helpers/run'

type Stack = { frames: string[]; cpu: number; wall?: number }

/** A wall profile whose samples are the given stacks (root first), each frame `name` in /app/<name>.js line 10. */
function wallProfile(stacks: Stack[]): PprofProfile {
  return readProfileProto(wallProto(stacks).encode())
}

function wallProto(stacks: Stack[]): Profile {
  const st = new StringTable()
  const fnIds = new Map<string, number>()
  const functions: { id: number; name: number; filename: number }[] = []
  const locations: { id: number; line: { functionId: number; line: number }[] }[] = []
  const idOf = (name: string): number => {
    let id = fnIds.get(name)
    if (id === undefined) {
      id = fnIds.size + 1
      fnIds.set(name, id)
      functions.push({ id, name: st.dedup(name), filename: st.dedup(`/app/${name}.js`) })
      locations.push({ id, line: [{ functionId: id, line: 10 }] })
    }
    return id
  }
  const sample = stacks.map((s) => ({
    locationId: s.frames.map(idOf).reverse(), // pprof: leaf first
    value: [1, s.wall ?? s.cpu, s.cpu],
  }))
  return new Profile({
    sampleType: [
      { type: st.dedup('sample'), unit: st.dedup('count') },
      { type: st.dedup('wall'), unit: st.dedup('nanoseconds') },
      { type: st.dedup('cpu'), unit: st.dedup('nanoseconds') },
    ],
    sample,
    location: locations,
    function: functions,
    stringTable: st,
  })
}

function spaceProfile(stacks: { frames: string[]; bytes: number }[]): PprofProfile {
  return readProfileProto(spaceProto(stacks).encode())
}

function spaceProto(stacks: { frames: string[]; bytes: number }[]): Profile {
  const st = new StringTable()
  const functions = [...new Set(stacks.flatMap((s) => s.frames))].map((name, i) => ({ id: i + 1, name: st.dedup(name), filename: st.dedup(`/app/${name}.js`) }))
  const id = (name: string): number => (functions.find((f) => st.strings[f.name] === name) as { id: number }).id
  return new Profile({
    sampleType: [
      { type: st.dedup('inuse_objects'), unit: st.dedup('count') },
      { type: st.dedup('inuse_space'), unit: st.dedup('bytes') },
    ],
    sample: stacks.map((s) => ({ locationId: s.frames.map(id).reverse(), value: [1, s.bytes] })),
    location: functions.map((f) => ({ id: f.id, line: [{ functionId: f.id, line: 3 }] })),
    function: functions,
    stringTable: st,
  })
}

const byName = (frames: FrameTable, tree = newRoot()) => (name: string) => {
  const stat = functionStats(tree).find((s) => frames.frames[s.frame]?.name === name)
  return stat ? { self: stat.self, total: stat.total } : undefined
}

describe('addProfile and functionStats', () => {
  it('computes self and total per function, counting a recursive function once per sample', () => {
    const frames = new FrameTable()
    const tree = newRoot()
    addProfile(tree, frames, wallProfile([
      { frames: ['main', 'work', 'work', 'leaf'], cpu: 30 },
      { frames: ['main', 'work'], cpu: 50 },
      { frames: ['main', 'other'], cpu: 20 },
    ]), 'cpu')
    const get = byName(frames, tree)
    assert.equal(tree.value, 100)
    assert.deepEqual(get('main'), { self: 0, total: 100 })
    assert.deepEqual(get('work'), { self: 50, total: 80 })
    assert.deepEqual(get('leaf'), { self: 30, total: 30 })
    assert.deepEqual(get('other'), { self: 20, total: 20 })
    const selfSum = functionStats(tree).reduce((s, f) => s + f.self, 0)
    assert.equal(selfSum, tree.value)
  })

  it('merges identical frames from different profiles into one tree node', () => {
    const frames = new FrameTable()
    const tree = newRoot()
    addProfile(tree, frames, wallProfile([{ frames: ['main', 'hot'], cpu: 40 }]), 'cpu')
    addProfile(tree, frames, wallProfile([{ frames: ['main', 'cold'], cpu: 5 }, { frames: ['main', 'hot'], cpu: 60 }]), 'cpu')
    assert.equal(tree.children.size, 1)
    const main = [...tree.children.values()][0]
    assert.equal(main?.value, 105)
    assert.equal(main?.children.size, 2)
    assert.deepEqual(byName(frames, tree)('hot'), { self: 100, total: 100 })
    assert.equal(frames.frames.filter((f) => f.name === 'hot').length, 1)
  })

  it('picks the column of the profile type and says when it is missing', () => {
    const frames = new FrameTable()
    const tree = newRoot()
    const r = addProfile(tree, frames, wallProfile([{ frames: ['a'], cpu: 7, wall: 100 }]), 'wall')
    assert.deepEqual(r, { hasType: true, value: 100 })
    const none = addProfile(newRoot(), frames, spaceProfile([{ frames: ['a'], bytes: 1 }]), 'cpu')
    assert.equal(none.hasType, false)
  })

  it('prunes nodes below the threshold when compacting, keeping their time in the parent', () => {
    const frames = new FrameTable()
    const tree = newRoot()
    addProfile(tree, frames, wallProfile([{ frames: ['main', 'big'], cpu: 9990 }, { frames: ['main', 'tiny'], cpu: 10 }]), 'cpu')
    const c = compact(tree, 100)
    const main = c[2]?.[0]
    assert.equal(main?.[1], 10000)
    assert.deepEqual(main?.[2]?.map((k) => frames.frames[k[0]]?.name), ['big'])
  })
})

describe('aggregate over a directory', () => {
  function writeEntry(root: string, proc: string, seq: number, runtimeId: string, files: Record<string, Profile>): void {
    const dir = path.join(root, 'svc', proc, `${String(seq).padStart(4, '0')}-20261124T21000${seq}Z`)
    fs.mkdirSync(dir, { recursive: true })
    for (const [name, p] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), zlib.gzipSync(p.encode()))
    const event = {
      attachments: Object.keys(files),
      start: `2026-11-24T21:00:0${seq - 1}.000Z`,
      end: `2026-11-24T21:00:0${seq}.000Z`,
      family: 'node',
      version: '4',
      tags_profiler: `service:svc,process_id:${proc.split('-')[0]},runtime-id:${runtimeId},run_id:r1,process_role:main,profile_seq:${seq}`,
      info: {},
    }
    fs.writeFileSync(path.join(dir, 'event.json'), JSON.stringify(event))
  }

  it('averages heap snapshots of one process and adds processes', async () => {
    const root = tempDir()
    writeEntry(root, '1-main-aaaa', 1, 'aaaa', { 'space.pprof': spaceProto([{ frames: ['main', 'cache'], bytes: 1000 }]) })
    writeEntry(root, '1-main-aaaa', 2, 'aaaa', { 'space.pprof': spaceProto([{ frames: ['main', 'cache'], bytes: 3000 }]) })
    writeEntry(root, '2-main-bbbb', 1, 'bbbb', { 'space.pprof': spaceProto([{ frames: ['main', 'cache'], bytes: 500 }]) })
    const { entries } = listProfiles(root)
    assert.equal(entries.length, 3)
    const agg = await aggregate(entries, 'space')
    assert.equal(agg.profiles, 3)
    assert.equal(agg.tree.value, 2000 + 500)
  })

  it('diffs two sides by share, and the shares add up', async () => {
    const before = tempDir()
    const after = tempDir()
    writeEntry(before, '1-main-aaaa', 1, 'aaaa', { 'wall.pprof': wallProto([{ frames: ['main', 'a'], cpu: 75 }, { frames: ['main', 'b'], cpu: 25 }]) })
    writeEntry(after, '2-main-bbbb', 1, 'bbbb', { 'wall.pprof': wallProto([{ frames: ['main', 'a'], cpu: 100 }, { frames: ['main', 'b'], cpu: 300 }]) })
    const frames = new FrameTable()
    const b = await aggregate(listProfiles(before).entries, 'cpu', undefined, frames)
    const a = await aggregate(listProfiles(after).entries, 'cpu', undefined, frames)
    const d = diffOf(b, a)
    assert.deepEqual(d.functions.map((f) => [f.name, f.beforeShare, f.afterShare, f.delta]), [
      ['b', 25, 75, 50],
      ['a', 75, 25, -50],
    ])
  })
})

describe('table', () => {
  it('never exceeds the width, cutting names at the end and paths at the start', () => {
    const cols = [
      { title: 'self%', align: 'right' as const },
      { title: 'function', align: 'left' as const, flex: { min: 8, keep: 'start' as const } },
      { title: 'location', align: 'left' as const, flex: { min: 12, keep: 'end' as const } },
    ]
    const rows = [['12.5%', 'aVeryLongFunctionNameThatGoesOnAndOn', '/some/deep/directory/tree/file-name.js:123']]
    const out = table(cols, rows, 50)
    for (const line of out.trimEnd().split('\n')) assert.ok(line.length <= 50, `${JSON.stringify(line)} is longer than 50`)
    assert.match(out, /aVeryLong.*\.\.\./)
    assert.match(out, /\.\.\..*file-name\.js:123/)
    const wide = table(cols, rows, 200)
    assert.ok(wide.includes('aVeryLongFunctionNameThatGoesOnAndOn') && wide.includes('/some/deep/directory/tree/file-name.js:123'))
  })
})
