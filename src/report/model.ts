// The data of the report page (and of the comparison page): what the page's script reads from the JSON embedded
// in it, and the helpers that turn call trees into it. pages.ts builds it.
import { functionStats, type TreeNode } from './tree'
import type { ProfileType } from './types'
import type { Series, Mark } from './timeline'

/** [frame, value, children?, delta?]: a call tree node in few bytes. */
export type CompactNode = [number, number, CompactNode[]?, number?]

export interface PageProcess {
  key: string
  runId: string
  pid: string
  role: string
  service: string
  command: string
  start: number
  end: number
  /** Attachment name -> number of profiles. */
  profiles: Record<string, number>
  parent?: string
  parentPid?: string
  /** The frame of the process's lane in "All processes" and in its run. */
  lane?: number
}

export interface PageScope {
  id: string
  label: string
  /** Per profile type; absent when the scope has no samples of the type. */
  views: Partial<Record<ProfileType, PageView>>
}

export interface PageView {
  total: number
  tree: CompactNode
  /** [frame, self, total], largest self first; the profiler's frames folded into PROFILER_FRAME. */
  top: [number, number, number][]
  /** The same with the profiler's frames unfolded; present only when the tree has the profiler's frame. */
  topUnfolded?: [number, number, number][]
  /**
   * Per label key with at least two values in the scope: the tree with one lane per value (`key=value`) under the
   * root, each lane shaped as `tree` is. The page groups by the key (all lanes) or filters on one value (one lane).
   */
  labels?: { key: string; tree: CompactNode }[]
  /** Diff pages: [frame, before share %, after share %], largest change first. */
  diff?: [number, number, number][]
}

export interface PageData {
  mode: 'report' | 'diff'
  title: string
  generated: string
  from: number
  to: number
  /** [name, location] per frame index. */
  frames: [string, string][]
  /** `sample`: the pprof sample type (the value column), for the page's "Download pprof". */
  types: { id: ProfileType; label: string; unit: string; sample: string }[]
  /** `lane`: the frame of the run's lane in "All processes". */
  runs: { runId: string; processes: PageProcess[]; lane?: number }[]
  scopes: PageScope[]
  /** The profiler's frames: 'group' folds them into the `profilerFrame` node (a switch in the page unfolds them). */
  profilerFrames: 'group' | 'show' | 'hide'
  /** The frame index of PROFILER_FRAME, -1 when no stack entered the profiler. */
  profilerFrame: number
  /** Frame indexes of the lanes of "All processes" and of runs (a run, a process): not functions. */
  lanes: number[]
  /**
   * Per process key and type, its upload periods (and, for samples with their own time, bins of the run's time grid)
   * in time order: totals for the timeline, and where the samples fall in the tree of the process's own scope
   * (`proc:<key>`), overall and per label value, to rebuild the views for a time range and a label. Heap periods are
   * snapshots (averaged over a range); the others add up.
   */
  timeline: Record<string, Partial<Record<ProfileType, Series>>>
  /** Per process key: its GC pauses and event-loop blocks at their own times (the longest 2000). */
  eventsAt: Record<string, Mark[]>
  /** For diff pages: the two sides compared. */
  sides?: { before: string; after: string }
}

/** Frames under 0.05% of the scope (half a pixel of a 1,000-pixel graph) are left out of the page; their time stays in their parent. */
export const PRUNE = 5e-4
const TOP_ROWS = 100

export function compact(node: TreeNode, min: number, delta?: Map<TreeNode, number>): CompactNode {
  const kids: CompactNode[] = []
  for (const c of node.children.values()) if (c.value >= min && c.value > 0) kids.push(compact(c, min, delta))
  kids.sort((a, b) => b[1] - a[1])
  const out: CompactNode = [node.frame, round(node.value)]
  if (kids.length || delta) out.push(kids)
  if (delta) out.push(round(delta.get(node) ?? 0))
  return out
}

const round = (v: number): number => (Math.abs(v) >= 100 ? Math.round(v) : Math.round(v * 1000) / 1000)

const topOf = (tree: TreeNode): [number, number, number][] =>
  functionStats(tree)
    .slice(0, TOP_ROWS)
    .map((s) => [s.frame, round(s.self), round(s.total)])

/** The tree with every PROFILER_FRAME node's children folded into it (its value stays). */
function foldProfiler(node: TreeNode, profiler: number): TreeNode {
  if (node.frame === profiler) return { frame: node.frame, value: node.value, children: new Map() }
  const children = new Map<number, TreeNode>()
  for (const [id, c] of node.children) children.set(id, foldProfiler(c, profiler))
  return { frame: node.frame, value: node.value, children }
}

/**
 * The page's view of a tree. `shown` is the tree to draw when it differs from the one the tables are read from
 * (lanes per process); `profiler` is PROFILER_FRAME's index when the stacks nest the profiler's frames under it.
 */
export function viewOf(tree: TreeNode, delta?: Map<TreeNode, number>, shown: TreeNode = tree, profiler = -1): PageView {
  const view: PageView = {
    total: round(tree.value),
    tree: compact(shown, shown.value * PRUNE, delta),
    top: topOf(profiler >= 0 ? foldProfiler(tree, profiler) : tree),
  }
  if (profiler >= 0 && hasFrame(tree, profiler)) view.topUnfolded = topOf(tree)
  return view
}

function hasFrame(node: TreeNode, frame: number): boolean {
  for (const c of node.children.values()) if (c.frame === frame || hasFrame(c, frame)) return true
  return false
}

export function commandOf(info: unknown): string {
  const i = (info ?? {}) as Record<string, Record<string, unknown> | undefined>
  for (const v of [i.process?.command, i.application?.command, i.process?.argv, i.runtime?.argv, i.process?.title]) {
    if (typeof v === 'string' && v) return v
    if (Array.isArray(v) && v.length) return v.join(' ')
  }
  return ''
}
