// The report page's timeline: for each process and profile type, one row per upload period (a bundle) with its
// total and where in the process's call tree its samples fall, so the page can draw the run over time and rebuild
// every view for a brushed time range without the raw stacks.
import type { Stacks } from './stacks'
import type { TreeNode } from './tree'
import { MAX_VALUES, NO_VALUE, OTHER_VALUES } from './label-values'
import type { PprofProfile } from './pprof-read'

/**
 * One period: [start ms, end ms, total, selfs, labels?], selfs a flat list of [node step, value] pairs, by node: the
 * node's pre-order index in the process's page tree (see `pageOrder`) is the sum of the steps so far; `value`, in
 * the series' `unit`s, is the samples whose stack ends in that node (or in a frame below it that the series leaves
 * out). A period is an upload period (a bundle), or a bin of the run's time grid when the samples carry their own
 * time (`end_timestamp_ns`): then a time range keeps the samples by their own time, not by their bundle's.
 * `labels`: per label key of the process's samples, the same selfs split by the key's value ([value, selfs] pairs),
 * or the one value every sample of the period has; samples without the key count under NO_VALUE.
 */
export type Period = [number, number, number, number[], PeriodLabels?]
export type PeriodLabels = Record<string, string | [string, number[]][]>

/** One process's periods of one type. Values are integers of `unit` (the process's total / QUANTA): small numbers. */
export interface Series {
  unit: number
  periods: Period[]
}

/**
 * The time grid samples with their own time are binned on: `bins` equal bins from `from` (epoch ms) over the run,
 * about three pixels each on a timeline a thousand pixels wide.
 */
export interface Grid {
  from: number
  step: number
  bins: number
}
export const GRID_BINS = 300
export const gridOf = (from: number, to: number, bins = GRID_BINS): Grid => ({ from, step: Math.max(1, to - from) / bins, bins })

/**
 * The periods place samples on the nodes of at least this share of the process (1%): finer than a time range
 * needs, and it keeps an hour of periods of a process with thousands of distinct stacks to tens of kilobytes.
 */
export const PERIOD_PRUNE = 1e-2
/** Values of a label key a process's periods keep apart (twice the page's lanes: a scope's largest are among them). */
const KEPT_VALUES = 2 * MAX_VALUES
const QUANTA = 1e5

const round = (v: number): number => (Math.abs(v) >= 100 ? Math.round(v) : Math.round(v * 1000) / 1000)

/**
 * The pre-order index of every node the page keeps of `tree` (model.ts `compact` with the same `min`): the same
 * children, in the same order (by rounded value, largest first, stable), so index i is the i-th node the page expands.
 */
export function pageOrder(tree: TreeNode, min: number): Map<TreeNode, number> {
  const index = new Map<TreeNode, number>()
  const visit = (node: TreeNode): void => {
    index.set(node, index.size)
    const kids: TreeNode[] = []
    for (const c of node.children.values()) if (c.value >= min && c.value > 0) kids.push(c)
    kids.sort((a, b) => round(b.value) - round(a.value))
    for (const c of kids) visit(c)
  }
  visit(tree)
  return index
}

/** What one period accumulates: node index -> value, overall and per label key and value. */
interface Acc {
  start: number
  end: number
  total: number
  selfs: Map<number, number>
  labels: Map<string, Map<string, Map<number, number>>>
}

/** The samples of one part, for `seriesOf`. */
export interface SeriesPart {
  stacks: Stacks
  column: number
  labels?: [string, string][][] | undefined
  times?: Float64Array | undefined
  start?: number
  end?: number
}

/**
 * A process's periods of one type on its page tree (pruned at `pageMin`, as the page's tree is): per upload period,
 * and, with a grid, per bin for the samples that carry their own time.
 */
export function seriesOf(tree: TreeNode, pageMin: number, parts: readonly SeriesPart[], grid?: Grid): Series {
  const index = pageOrder(tree, pageMin)
  const unit = tree.value / QUANTA || 1
  const min = tree.value * PERIOD_PRUNE
  const keys = new Set<string>()
  for (const p of parts) for (const s of p.labels ?? []) for (const [k] of s) keys.add(k)
  const accs = new Map<string, Acc>()
  const accOf = (id: string, start: number, end: number): Acc => {
    let a = accs.get(id)
    if (!a) accs.set(id, (a = { start, end, total: 0, selfs: new Map(), labels: new Map() }))
    return a
  }
  const add = (m: Map<number, number>, at: number, v: number): void => {
    m.set(at, (m.get(at) ?? 0) + v)
  }
  // Heap snapshots are not added but averaged over a process's periods (the tree holds the average), so their values
  // are placed as they are, unweighted: the page averages them over a range.
  parts.forEach((p, i) => {
    const { pool, start: from, length } = p.stacks
    const values = p.stacks.values[p.column] as Float64Array
    for (let k = 0; k < values.length; k++) {
      const v = values[k] as number
      if (v === 0) continue
      // Down the tree along the stack, as far as the page keeps nodes.
      let node = tree
      const s = from[k] as number
      const len = length[k] as number
      for (let j = 0; j < len; j++) {
        const child = node.children.get(pool[s + j] as number)
        if (!child || child.value < min || !index.has(child)) break
        node = child
      }
      const at = index.get(node) as number
      const t = p.times?.[k] ?? NaN
      let acc: Acc
      if (grid && t === t) {
        const bin = Math.min(grid.bins - 1, Math.max(0, Math.floor((t - grid.from) / grid.step)))
        acc = accOf('b' + bin, grid.from + bin * grid.step, grid.from + (bin + 1) * grid.step)
      } else acc = accOf('p' + i, p.start ?? 0, p.end ?? 0)
      acc.total += v
      add(acc.selfs, at, v)
      for (const key of keys) {
        const value = p.labels?.[k]?.find(([kk]) => kk === key)?.[1] ?? NO_VALUE
        let byValue = acc.labels.get(key)
        if (!byValue) acc.labels.set(key, (byValue = new Map()))
        let m = byValue.get(value)
        if (!m) byValue.set(value, (m = new Map()))
        add(m, at, v)
      }
    }
  })
  // Steps and units: small integers.
  const flat = (selfs: Map<number, number>): number[] => {
    const out: number[] = []
    let last = 0
    for (const [at, v] of [...selfs].sort((a, b) => a[0] - b[0])) {
      const q = Math.round(v / unit)
      if (q === 0) continue
      out.push(at - last, q)
      last = at
    }
    return out
  }
  // A label with many values (a request id) must not put each value in every period: the process's largest
  // values are kept, the others merged as OTHER_VALUES (the page's lanes are the scope's largest MAX_VALUES).
  const kept = new Map<string, Set<string>>()
  for (const key of keys) {
    const totals = new Map<string, number>()
    for (const a of accs.values()) for (const [value, m] of a.labels.get(key) ?? []) for (const v of m.values()) totals.set(value, (totals.get(value) ?? 0) + v)
    kept.set(key, new Set([NO_VALUE, ...[...totals].sort((x, y) => y[1] - x[1]).slice(0, KEPT_VALUES).map(([value]) => value)]))
  }
  const periods: Period[] = []
  for (const a of accs.values()) {
    const period: Period = [a.start, a.end, round(a.total), flat(a.selfs)]
    if (a.labels.size) {
      const labels: PeriodLabels = {}
      for (const [key, byValue] of a.labels) {
        const own = kept.get(key) as Set<string>
        const merged = new Map<string, Map<number, number>>()
        for (const [value, m] of byValue) {
          const as = own.has(value) ? value : OTHER_VALUES
          const into = merged.get(as)
          if (!into) merged.set(as, m)
          else for (const [at, v] of m) add(into, at, v)
        }
        labels[key] = merged.size === 1 ? ([...merged.keys()][0] as string) : [...merged].map(([value, m]) => [value, flat(m)])
      }
      period.push(labels)
    }
    periods.push(period)
  }
  return { unit, periods: periods.sort((a, b) => a[0] - b[0]) }
}

/** An event at its own time: [end ms, duration ms, kind], kind 0 a GC pause, 1 an event-loop block. */
export type Mark = [number, number, number]

/** A process's marks are capped (the longest kept): an hour of scavenges must not weigh on the page. */
export const MAX_MARKS = 2000

/**
 * GC pauses (events.pprof) and event-loop blocks (blocks.pprof) at their own times: each carries its end
 * (`end_timestamp_ns`), so the timeline draws it where it happened, not spread over its period. A block is spread
 * over the stacks that were running during it (one sample each, same end): those are added back into one mark.
 */
export function eventMarks(profile: PprofProfile): Mark[] {
  const strings = profile.stringTable.strings
  const endKey = strings.indexOf('end_timestamp_ns')
  const eventKey = strings.indexOf('event')
  const types = profile.sampleType.map((t) => strings[t.type])
  const blocks = types.includes('blocked')
  // events.pprof: `timeline` (dd-trace-js's schema), or `duration` in profiles written before it.
  const column = blocks ? types.indexOf('blocked') : Math.max(types.indexOf('timeline'), types.indexOf('duration'))
  if (endKey < 0 || column < 0) return []
  const out: Mark[] = []
  const byEnd = new Map<number, number>()
  for (const s of profile.sample) {
    const end = s.numLabel?.find(([k]) => k === endKey)?.[1]
    if (end === undefined) continue
    const ms = (s.value[column] ?? 0) / 1e6
    if (blocks) {
      byEnd.set(end, (byEnd.get(end) ?? 0) + ms)
      continue
    }
    const event = strings[s.label?.find(([k]) => k === eventKey)?.[1] ?? 0] ?? ''
    out.push([Math.round(end / 1e6), Math.round(ms * 1e3) / 1e3, event === 'gc' ? 0 : 1])
  }
  for (const [end, ms] of byEnd) out.push([Math.round(end / 1e6), Math.round(ms * 1e3) / 1e3, 1])
  return out
}

/** The longest `MAX_MARKS` marks, in time order. */
export function keepMarks(marks: Mark[]): Mark[] {
  const kept = marks.length > MAX_MARKS ? [...marks].sort((a, b) => b[1] - a[1]).slice(0, MAX_MARKS) : marks
  return kept.sort((a, b) => a[0] - b[0])
}
