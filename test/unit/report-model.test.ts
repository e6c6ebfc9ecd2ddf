// The report page's data, built from profiles written here with known stacks: "All processes" has one lane per
// process under its run, the profiler's frames are nested under (dd-run profiler) so the page can fold them, and
// the tables fold them by default.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as zlib from 'node:zlib'
import { describe, it } from 'node:test'
import { PROFILER_FRAME } from '../../src/report/frame-names'
import type { ProfileEntry } from '../../src/report/load'
import type { CompactNode, PageData } from '../../src/report/model'
import { reportPage } from '../../src/report/pages'
import { GRID_BINS } from '../../src/report/timeline'
import { tempDir } from '../helpers/run'
import { PPROF_FILE, wallProto, type Sample } from '../helpers/synthetic-profiles'

/** One period of one process, written as the file exporter would, as a ProfileEntry. */
function entry(root: string, p: { pid: string; role?: string; runId?: string; seq: number; start: number; end: number }, samples: Sample[]): ProfileEntry {
  const dir = path.join(root, `${p.pid}-${p.seq}`)
  fs.mkdirSync(dir, { recursive: true })
  const file = path.join(dir, 'wall.pprof')
  fs.writeFileSync(file, zlib.gzipSync(wallProto(samples).encode()))
  return {
    dir, start: p.start, end: p.end, service: 'svc', pid: p.pid, role: p.role ?? 'main', runtimeId: `rt-${p.pid}`, runId: p.runId ?? 'run-1',
    tags: {}, files: { 'wall.pprof': file }, info: {},
  }
}

/** The tree as nested names: [name, value, children]. */
function named(data: PageData, node: CompactNode): unknown {
  return [data.frames[node[0]]?.[0] ?? 'root', node[1], (node[2] ?? []).map((c) => named(data, c))]
}

const nameOf = (data: PageData, f: number): string => data.frames[f]?.[0] ?? '?'

describe('report model', () => {
  it('draws "All processes" as one lane per process under its run; tables merge the processes', async () => {
    const root = tempDir()
    const entries = [
      entry(root, { pid: '10', seq: 1, start: 0, end: 1000 }, [{ frames: ['main', 'shared'], cpu: 30 }]),
      entry(root, { pid: '11', role: 'cluster_worker', seq: 1, start: 0, end: 1000 }, [{ frames: ['main', 'shared'], cpu: 70 }]),
    ]
    const data = await reportPage(entries, 't', { cwd: root })
    const all = data.scopes.find((s) => s.id === 'all')?.views.cpu
    assert.ok(all)
    assert.deepEqual(named(data, all.tree), [
      'root', 100, [['Run run-1', 100, [
        ['cluster_worker 11', 70, [['main', 70, [['shared', 70, []]]]]],
        ['main 10', 30, [['main', 30, [['shared', 30, []]]]]],
      ]]],
    ])
    assert.deepEqual(all.top.map(([f, self, total]) => [nameOf(data, f), self, total]), [['shared', 100, 100], ['main', 0, 100]])
    for (const lane of ['Run run-1', 'cluster_worker 11', 'main 10']) {
      assert.ok(data.lanes.some((f) => nameOf(data, f) === lane), `${lane} is a lane`)
    }
    const one = data.scopes.find((s) => s.id === 'proc:rt-10')?.views.cpu
    assert.deepEqual(one && named(data, one.tree), ['root', 30, [['main', 30, [['shared', 30, []]]]]], 'one process: no lanes')
  })

  it("nests the profiler's frames under (dd-run profiler); the table folds them unless unfolded", async () => {
    const root = tempDir()
    const entries = [
      entry(root, { pid: '10', seq: 1, start: 0, end: 1000 }, [
        { frames: ['main', 'work'], cpu: 90 },
        { frames: ['main', 'timer', `serialize@${PPROF_FILE}`, `encode@${PPROF_FILE}`], cpu: 10 },
      ]),
    ]
    const data = await reportPage(entries, 't', { cwd: root })
    assert.equal(nameOf(data, data.profilerFrame), PROFILER_FRAME)
    assert.equal(data.profilerFrames, 'group')
    const view = data.scopes.find((s) => s.id === 'proc:rt-10')?.views.cpu
    assert.ok(view)
    assert.deepEqual(named(data, view.tree), [
      'root', 100, [['main', 100, [['work', 90, []], ['timer', 10, [[PROFILER_FRAME, 10, [['serialize', 10, [['encode', 10, []]]]]]]]]]],
    ])
    const rows = (r: [number, number, number][]): [string, number][] => r.filter(([, self]) => self > 0).map(([f, self]) => [nameOf(data, f), self])
    assert.deepEqual(rows(view.top), [['work', 90], [PROFILER_FRAME, 10]])
    assert.deepEqual(rows(view.topUnfolded ?? []), [['work', 90], ['encode', 10]])

    // Below the profiler's frames, the app's code: those profiler frames wrap the app (withLabels), they are not its cost.
    const wrapped = await reportPage(
      [entry(tempDir(), { pid: '12', seq: 1, start: 0, end: 1000 }, [
        { frames: ['main', `withLabels@${PPROF_FILE}`, 'handler', 'spin'], cpu: 50 },
        { frames: ['main', `withLabels@${PPROF_FILE}`, 'handler', `encode@${PPROF_FILE}`, 'deflate@node:zlib'], cpu: 5 },
      ])],
      't', { cwd: root },
    )
    const w = wrapped.scopes.find((s) => s.id === 'proc:rt-12')?.views.cpu
    assert.ok(w)
    assert.deepEqual(named(wrapped, w.tree), [
      'root', 55, [['main', 55, [['withLabels', 55, [['handler', 55, [['spin', 50, []], [PROFILER_FRAME, 5, [['encode', 5, [['deflate', 5, []]]]]]]]]]]]],
    ])

    const hidden = await reportPage(entries, 't', { cwd: root, profilerFrames: 'hide' })
    const h = hidden.scopes.find((s) => s.id === 'proc:rt-10')?.views.cpu
    assert.equal(h?.total, 90, "hide: the profiler's samples are left out")
    assert.equal(hidden.profilerFrame, -1)
  })

  it('the timeline places each period on the process tree, so a range can be rebuilt without the stacks', async () => {
    const root = tempDir()
    const entries = [
      entry(root, { pid: '10', seq: 1, start: 0, end: 1000 }, [{ frames: ['main', 'early'], cpu: 80 }, { frames: ['main'], cpu: 20 }]),
      entry(root, { pid: '10', seq: 2, start: 1000, end: 2000 }, [{ frames: ['main', 'late'], cpu: 300 }]),
    ]
    const data = await reportPage(entries, 't', { cwd: root })
    const series = data.timeline['rt-10']?.cpu
    assert.ok(series)
    assert.deepEqual(series.periods.map(([from, to, total]) => [from, to, total]), [[0, 1000, 100], [1000, 2000, 300]])
    // The page's tree of the process in pre-order, and each period's [step, units] pairs decoded onto it.
    const order: string[] = []
    const walk = (n: CompactNode): void => {
      order.push(nameOf(data, n[0]))
      for (const c of n[2] ?? []) walk(c)
    }
    const tree = data.scopes.find((s) => s.id === 'proc:rt-10')?.views.cpu?.tree
    assert.ok(tree)
    walk(tree)
    const decoded = series.periods.map(([, , , flat]) => {
      const out: Record<string, number> = {}
      let at = 0
      for (let i = 0; i < flat.length; i += 2) {
        at += flat[i] as number
        out[order[at] as string] = Math.round(series.unit * (flat[i + 1] as number))
      }
      return out
    })
    assert.deepEqual(decoded, [{ early: 80, main: 20 }, { late: 300 }])
  })

  it('samples with their own time are binned on the run\'s grid; each period splits its samples by label value', async () => {
    const root = tempDir()
    // One 60-second period: `early` in its first 10 seconds, `late` in its last 10, `untimed` with no time of its own.
    const T = Date.UTC(2026, 10, 24, 21, 0, 0)
    const entries = [
      entry(root, { pid: '10', seq: 1, start: T, end: T + 60_000 }, [
        { frames: ['main', 'early'], cpu: 70, at: T + 5_000, labels: { route: '/a' } },
        { frames: ['main', 'late'], cpu: 20, at: T + 55_000, labels: { route: '/b' } },
        { frames: ['main', 'late'], cpu: 5, at: T + 55_100, labels: { route: '/c' } },
        { frames: ['main', 'untimed'], cpu: 10 },
      ]),
    ]
    const data = await reportPage(entries, 't', { cwd: root })
    const series = data.timeline['rt-10']?.cpu
    assert.ok(series)
    // Bins of 200 ms (60 s over GRID_BINS) for the timed samples; the untimed stays in its whole period.
    const step = 60_000 / GRID_BINS
    assert.deepEqual(series.periods.map(([from, to, total]) => [from - T, Math.round(to - T), total]), [
      [0, 60_000, 10],
      [5_000, Math.round(5_000 + step), 70],
      [55_000, Math.round(55_000 + step), 25],
    ])
    // Per label key: one value for a whole bin is written as that value; the period without the key as (none); a
    // bin of two values has each value's samples placed on the tree.
    assert.deepEqual(series.periods.slice(0, 2).map((q) => q[4]), [{ route: '(none)' }, { route: '/a' }])
    const split = series.periods[2]?.[4]?.route
    assert.ok(Array.isArray(split))
    assert.deepEqual(split.map(([value, flat]) => [value, Math.round(flat.filter((_, i) => i % 2 === 1).reduce((a, b) => a + b, 0) * series.unit)]), [['/b', 20], ['/c', 5]])
    // The heap has no time of its own: per period, as before (no space profile here: no series).
    assert.equal(data.timeline['rt-10']?.space, undefined)
  })

  it('label views: one lane per value, samples (and processes) without the key under (none)', async () => {
    const root = tempDir()
    const entries = [
      entry(root, { pid: '10', seq: 1, start: 0, end: 1000 }, [
        { frames: ['main', 'users'], cpu: 60, labels: { route: '/users' } },
        { frames: ['main', 'orders'], cpu: 30, labels: { route: '/orders' } },
        { frames: ['main', 'tick'], cpu: 10 },
      ]),
      entry(root, { pid: '11', seq: 1, start: 0, end: 1000 }, [{ frames: ['main', 'other'], cpu: 100 }]),
    ]
    const data = await reportPage(entries, 't', { cwd: root })
    const view = data.scopes.find((s) => s.id === 'proc:rt-10')?.views.cpu
    const route = view?.labels?.find((l) => l.key === 'route')
    assert.ok(route)
    assert.deepEqual(named(data, route.tree), [
      'root', 100, [
        ['route=/users', 60, [['main', 60, [['users', 60, []]]]]],
        ['route=/orders', 30, [['main', 30, [['orders', 30, []]]]]],
        ['route=(none)', 10, [['main', 10, [['tick', 10, []]]]]],
      ],
    ])
    // All processes: the process without the label is under (none), in its own lane.
    const all = data.scopes.find((s) => s.id === 'all')?.views.cpu?.labels?.find((l) => l.key === 'route')
    assert.ok(all)
    const none = (all.tree[2] ?? []).find((c) => nameOf(data, c[0]) === 'route=(none)')
    assert.equal(none?.[1], 110)
    const lanes = (named(data, none as CompactNode) as [string, number, [string, number, [string, number, unknown][]][]])[2]
    assert.deepEqual(lanes.map((r) => [r[0], r[2].map((p) => [p[0], p[1]])]), [['Run run-1', [['main 11', 100], ['main 10', 10]]]])
    assert.equal(data.scopes.find((s) => s.id === 'proc:rt-11')?.views.cpu?.labels, undefined, 'one value only: no label view')
  })
})
