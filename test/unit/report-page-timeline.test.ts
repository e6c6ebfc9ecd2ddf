// The report page's timeline arithmetic, run in Node on page data built from known samples: the columns CPU is
// drawn in, and the trees of a time range with and without a label (what brushing and the label filter show).
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as zlib from 'node:zlib'
import { describe, it } from 'node:test'
import type { ProfileEntry } from '../../src/report/load'
import type { CompactNode, PageData } from '../../src/report/model'
import { columnSums, rangeTrees } from '../../src/report/page-timeline'
import { reportPage } from '../../src/report/pages'
import { tempDir } from '../helpers/run'
import { wallProto, type Sample } from '../helpers/synthetic-profiles'

const T = Date.UTC(2026, 10, 24, 21, 0, 0)

function entry(root: string, pid: string, samples: Sample[]): ProfileEntry {
  const dir = path.join(root, pid)
  fs.mkdirSync(dir, { recursive: true })
  const file = path.join(dir, 'wall.pprof')
  fs.writeFileSync(file, zlib.gzipSync(wallProto(samples).encode()))
  return { dir, start: T, end: T + 60_000, service: 'svc', pid, role: 'main', runtimeId: `rt-${pid}`, runId: 'run-1', tags: {}, files: { 'wall.pprof': file }, info: {} }
}

/** Function name -> the value of its frames in a tree (lanes and the root left out). */
function byName(data: PageData, node: CompactNode, out: Record<string, number> = {}): Record<string, number> {
  for (const c of node[2] ?? []) {
    const name = data.frames[c[0]]?.[0] ?? '?'
    if (!data.lanes.includes(c[0]) && name !== 'main') out[name] = (out[name] ?? 0) + c[1]
    byName(data, c, out)
  }
  return out
}

describe('report page timeline', () => {
  it('columnSums spreads a period over the columns it covers and puts an instant in its column', () => {
    const sums = columnSums([[0, 40, 100, []], [50, 50, 7, []], [95, 96, 3, []]], 0, 100, 10)
    assert.deepEqual([...sums].map((v) => Math.round(v * 100) / 100), [25, 25, 25, 25, 0, 7, 0, 0, 0, 3])
  })

  it('a range keeps samples by their own time; a label composes with it', async () => {
    const root = tempDir()
    const tick = (fn: string, route: string, s: number, cpu = 10e6): Sample => ({ frames: ['main', fn], cpu, at: T + s * 1000, labels: { route } })
    const data = await reportPage(
      [
        entry(root, '10', [tick('early', '/a', 5), tick('early', '/a', 6), tick('earlyB', '/b', 8), tick('late', '/a', 50)]),
        // No time of its own: counted pro rata of its period.
        entry(root, '11', [{ frames: ['main', 'untimed'], cpu: 60e6, labels: { route: '/b' } }]),
      ],
      't',
      { cwd: root },
    )
    const { scopeTreeIn, labelledTreeIn } = rangeTrees(data)
    const firstThird: [number, number] = [T, T + 20_000]
    assert.deepEqual(byName(data, scopeTreeIn('all', 'cpu', firstThird)), { early: 20e6, earlyB: 10e6, untimed: 20e6 })
    assert.deepEqual(byName(data, scopeTreeIn('all', 'cpu', [T + 40_000, T + 60_000])), { late: 10e6, untimed: 20e6 })
    const view = data.scopes.find((s) => s.id === 'all')?.views.cpu
    const route = view?.labels?.find((l) => l.key === 'route')
    assert.ok(route)
    const lane = (value: string): CompactNode => (route.tree[2] ?? []).find((c) => data.frames[c[0]]?.[0] === `route=${value}`) as CompactNode
    // One value kept, in the range.
    assert.deepEqual(byName(data, labelledTreeIn('all', 'cpu', firstThird, route, lane('/a'))), { early: 20e6 })
    assert.deepEqual(byName(data, labelledTreeIn('all', 'cpu', firstThird, route, lane('/b'))), { earlyB: 10e6, untimed: 20e6 })
    // Grouped by value, in the range: one lane per value, adding up to the range's total.
    const grouped = labelledTreeIn('all', 'cpu', firstThird, route)
    assert.deepEqual((grouped[2] ?? []).map((c) => [data.frames[c[0]]?.[0], c[1]]), [['route=/b', 30e6], ['route=/a', 20e6]])
    assert.equal(grouped[1], scopeTreeIn('all', 'cpu', firstThird)[1])
    // One process: its own samples only.
    assert.deepEqual(byName(data, labelledTreeIn('proc:rt-10', 'cpu', firstThird, route, lane('/b'))), { earlyB: 10e6 })
  })

  it('a label with many values: each period keeps the process\'s largest apart, the rest as (other values)', async () => {
    const root = tempDir()
    // 100 requests, one sample each, request i worth i ms, all in the first half of the minute.
    const samples: Sample[] = Array.from({ length: 100 }, (_, i) => ({ frames: ['main', 'handle'], cpu: (i + 1) * 1e6, at: T + 100 + i * 250, labels: { request: `r${i + 1}` } }))
    const data = await reportPage([entry(root, '10', samples)], 't', { cwd: root })
    const periods = data.timeline['rt-10']?.cpu?.periods ?? []
    const values = new Set(periods.flatMap((q) => (typeof q[4]?.request === 'string' ? [q[4].request] : (q[4]?.request ?? []).map(([v]) => v))))
    assert.equal(values.size, 41, 'the 40 largest requests and (other values)')
    assert.ok(values.has('r100') && values.has('r61') && !values.has('r60') && values.has('(other values)'))
    const view = data.scopes.find((s) => s.id === 'all')?.views.cpu
    const request = view?.labels?.find((l) => l.key === 'request')
    assert.ok(request)
    const lanes = request.tree[2] ?? []
    assert.equal(lanes.length, 21, 'the page: the 20 largest and (other values)')
    const { labelledTreeIn } = rangeTrees(data)
    const half: [number, number] = [T, T + 30_000]
    // In the range, the (other values) lane holds requests 1 to 80: the ones merged in the periods too.
    const grouped = labelledTreeIn('all', 'cpu', half, request)
    const other = (grouped[2] ?? []).find((c) => data.frames[c[0]]?.[0] === 'request=(other values)')
    assert.equal(Math.round((other?.[1] ?? 0) / 1e6), (80 * 81) / 2)
    assert.equal(Math.round(grouped[1] / 1e6), (100 * 101) / 2)
  })
})
