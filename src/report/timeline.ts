// The report page's timeline: for each process and profile type, one row per upload period (a bundle) with its
// total and where in the process's call tree its samples fall, so the page can draw the run over time and rebuild
// every view for a brushed time range without the raw stacks.
import type { Stacks } from './stacks'
import type { TreeNode } from './tree'
import type { PprofProfile } from './pprof-read'

/**
 * One period: [start ms, end ms, total, selfs], selfs a flat list of [node step, value] pairs, by node: the node's
 * pre-order index in the process's page tree (see `pageOrder`) is the sum of the steps so far; `value`, in the
 * series' `unit`s, is the samples whose stack ends in that node (or in a frame below it that the series leaves out).
 */
export type Period = [number, number, number, number[]]

/** One process's periods of one type. Values are integers of `unit` (the process's total / QUANTA): small numbers. */
export interface Series {
  unit: number
  periods: Period[]
}

/**
 * The periods place samples on the nodes of at least this share of the process (1%): finer than a time range
 * needs, and it keeps an hour of periods of a process with thousands of distinct stacks to tens of kilobytes.
 */
export const PERIOD_PRUNE = 1e-2
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

/** One period's samples (a column of its stacks) placed on the process's page tree, nodes of `min` or more. */
export function periodOf(tree: TreeNode, index: Map<TreeNode, number>, min: number, unit: number, stacks: Stacks, column: number, start: number, end: number): Period {
  const { pool, start: from, length } = stacks
  const values = stacks.values[column] as Float64Array
  const selfs = new Map<number, number>()
  let total = 0
  for (let k = 0; k < values.length; k++) {
    const v = values[k] as number
    if (v === 0) continue
    total += v
    // Down the tree along the stack, as far as the page keeps nodes.
    let node = tree
    const s = from[k] as number
    const len = length[k] as number
    for (let i = 0; i < len; i++) {
      const child = node.children.get(pool[s + i] as number)
      if (!child || child.value < min || !index.has(child)) break
      node = child
    }
    const at = index.get(node) as number
    selfs.set(at, (selfs.get(at) ?? 0) + v)
  }
  const flat: number[] = []
  let last = 0
  for (const [at, v] of [...selfs].sort((a, b) => a[0] - b[0])) {
    const q = Math.round(v / unit)
    if (q === 0) continue
    flat.push(at - last, q)
    last = at
  }
  return [start, end, round(total), flat]
}

/** A process's periods of one type on its page tree (pruned at `pageMin`, as the page's tree is). */
export function seriesOf(tree: TreeNode, pageMin: number, parts: readonly { stacks: Stacks; column: number; start?: number; end?: number }[]): Series {
  const index = pageOrder(tree, pageMin)
  const unit = tree.value / QUANTA || 1
  // Heap snapshots are averaged over a process's periods, so the tree holds the average; a snapshot can be larger.
  const periods = parts.map((p) => periodOf(tree, index, tree.value * PERIOD_PRUNE, unit, p.stacks, p.column, p.start ?? 0, p.end ?? 0)).sort((a, b) => a[0] - b[0])
  return { unit, periods }
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
