// What the report page shows, built from a profile directory: the process tree of each run, and for every scope
// (all processes, one run, one process) and profile type a call tree and its top functions. Decodes each pprof
// file once; trees of runs and of the whole directory are merges of the process trees.
import { aggregate, type Aggregate } from './aggregate'
import { deltaOf, diffOf } from './diff'
import { location } from './format'
import { FrameTable } from './frames'
import type { ProfileEntry } from './load'
import { byProcess, readProcess } from './read'
import { combineStacks } from './stacks'
import { gridOf, keepMarks, seriesOf, type Mark, type Series } from './timeline'
import { addStacks, functionStats, mergeTree, newRoot, type TreeNode } from './tree'
import { PROFILE_TYPES, TYPE_INFO, type LabelFilter, type ProfileType } from './types'
import { MAX_VALUES, NO_VALUE, OTHER_VALUES } from './label-values'
import { labelTrees, type LabelTrees } from './labels'
import type { SourceMaps } from '../sourcemap/source-maps'
import { PROFILER_FRAME, type ProfilerFrames } from './frame-names'


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
const PRUNE = 5e-4
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

export async function buildReport(entries: readonly ProfileEntry[], maps: SourceMaps | undefined, title: string, cwd = process.cwd(), label?: LabelFilter, profilerFrames: ProfilerFrames = 'group'): Promise<PageData> {
  // The profiler's frames are nested under PROFILER_FRAME unless hidden: the page folds or unfolds them.
  const frames = new FrameTable({ profilerFrames: profilerFrames === 'hide' ? 'hide' : 'nest', cwd })
  const procs = new Map<string, PageProcess>()
  const trees = new Map<string, Record<ProfileType, TreeNode>>()
  const labelled = new Map<string, Record<ProfileType, LabelTrees>>()
  const timeline: PageData['timeline'] = {}
  const eventsAt: PageData['eventsAt'] = {}
  const from = Math.min(...entries.map((e) => e.start))
  const to = Math.max(...entries.map((e) => e.end))
  // Samples with their own time are binned on one grid over the run, so the processes' bins line up.
  const grid = gridOf(from, to)
  // One process at a time, so only its stacks are in memory.
  for (const [key, list] of byProcess(entries)) {
    const first = list[0] as ProfileEntry
    const { parts, files, marks } = readProcess(list, PROFILE_TYPES, { frames, maps, label, detail: true })
    const p: PageProcess = {
      key,
      runId: first.runId,
      pid: first.pid,
      role: first.role,
      service: first.service,
      command: list.map((e) => e.command ?? commandOf(e.info)).find((c) => c) ?? '',
      start: Math.min(...list.map((e) => e.start)),
      end: Math.max(...list.map((e) => e.end)),
      profiles: files,
      ...(first.tags.parent_runtime_id ? { parent: first.tags.parent_runtime_id } : {}),
      ...(first.tags.parent_pid ? { parentPid: first.tags.parent_pid } : {}),
    }
    procs.set(key, p)
    // The periods are added together (see combineStacks).
    const t = Object.fromEntries(PROFILE_TYPES.map((ty) => [ty, newRoot()])) as Record<ProfileType, TreeNode>
    for (const ty of PROFILE_TYPES) if (parts[ty].length) addStacks(t[ty], combineStacks(parts[ty]), 0)
    trees.set(key, t)
    labelled.set(key, Object.fromEntries(PROFILE_TYPES.map((ty) => [ty, labelTrees(parts[ty])])) as Record<ProfileType, LabelTrees>)
    // The timeline: each period (or bin, for samples with their own time) on the process's page tree (its own
    // scope's tree), in time order.
    const periods: PageData['timeline'][string] = {}
    for (const ty of PROFILE_TYPES) {
      if (!parts[ty].length || t[ty].value <= 0) continue
      periods[ty] = seriesOf(t[ty], t[ty].value * PRUNE, parts[ty], ty === 'space' ? undefined : grid)
    }
    timeline[key] = periods
    if (marks.length) eventsAt[key] = keepMarks(marks)
  }

  const runs = new Map<string, PageProcess[]>()
  for (const p of procs.values()) {
    const list = runs.get(p.runId) ?? []
    list.push(p)
    runs.set(p.runId, list)
  }
  // Frames for the lanes of "All processes" and of a run: after the functions' frames, never merged with them.
  const pageFrames: [string, string][] = frames.frames.map((f) => [f.name, location(f, cwd)])
  const lanes: number[] = []
  const lane = (name: string, loc: string): number => {
    lanes.push(pageFrames.length)
    return pageFrames.push([name, loc]) - 1
  }
  const procLane = new Map<string, number>()
  for (const p of procs.values()) procLane.set(p.key, (p.lane = lane(`${p.role} ${p.pid}`, `${p.service}${p.command ? ': ' + p.command : ''}`)))
  const runLane = new Map<string, number>()
  for (const runId of runs.keys()) runLane.set(runId, lane(`Run ${runId.slice(0, 8) || '(no run id)'}`, ''))
  const profiler = profilerFrames === 'hide' ? -1 : frames.frames.findIndex((f) => f.name === PROFILER_FRAME && f.file === '')
  const treeOf = (key: string, ty: ProfileType): TreeNode => (trees.get(key) as Record<ProfileType, TreeNode>)[ty]
  type Shape = 'runs' | 'processes' | 'flat'
  /**
   * The tree to draw for processes `keys`: one lane per process under its run ('runs', "All processes"), one lane per
   * process ('processes', a run), or their merge ('flat', one process). Lanes share their subtrees, nothing is copied.
   */
  const shaped = (keys: string[], shape: Shape, treeOfKey: (k: string) => TreeNode | undefined): TreeNode => {
    const root = newRoot()
    if (shape === 'flat') {
      for (const k of keys) {
        const t = treeOfKey(k)
        if (t) mergeTree(root, t)
      }
      return root
    }
    const processLanes = (list: string[]): TreeNode[] =>
      list.flatMap((k) => {
        const t = treeOfKey(k)
        return t && t.value > 0 ? [{ frame: procLane.get(k) as number, value: t.value, children: t.children }] : []
      })
    const add = (parent: TreeNode, child: TreeNode): void => {
      if (child.value <= 0) return
      parent.value += child.value
      parent.children.set(child.frame, child)
    }
    if (shape === 'processes') for (const c of processLanes(keys)) add(root, c)
    else {
      for (const [runId, list] of runs) {
        const run: TreeNode = { frame: runLane.get(runId) as number, value: 0, children: new Map() }
        for (const c of processLanes(list.map((p) => p.key).filter((k) => keys.includes(k)))) add(run, c)
        add(root, run)
      }
    }
    return root
  }
  // Lanes of label values, one frame per key=value.
  const valueLanes = new Map<string, number>()
  const valueLane = (key: string, value: string): number => {
    const name = `${key}=${value}`
    let f = valueLanes.get(name)
    if (f === undefined) valueLanes.set(name, (f = lane(name, '')))
    return f
  }
  const labelViews = (keys: string[], ty: ProfileType, shape: Shape, min: number): PageView['labels'] => {
    const byKey = new Map<string, Set<string>>()
    const labelsOf = (k: string): LabelTrees => (labelled.get(k) as Record<ProfileType, LabelTrees>)[ty]
    for (const k of keys) {
      for (const [key, trees] of labelsOf(k)) for (const v of trees.keys()) byKey.set(key, (byKey.get(key) ?? new Set()).add(v))
    }
    const out: NonNullable<PageView['labels']> = []
    for (const [key, values] of [...byKey].sort(([a], [b]) => a.localeCompare(b))) {
      const root = newRoot()
      const lanesOf: TreeNode[] = []
      // Processes without the key at all count under NO_VALUE.
      for (const value of new Set([...values, NO_VALUE])) {
        // A process without the key at all: its whole tree is NO_VALUE's.
        const tree = shaped(keys, shape, (k) => labelsOf(k).get(key)?.get(value) ?? (value === NO_VALUE && !labelsOf(k).has(key) ? treeOf(k, ty) : undefined))
        if (tree.value > 0) lanesOf.push({ frame: valueLane(key, value), value: tree.value, children: tree.children })
      }
      // The largest values first; a long tail is grouped as OTHER_VALUES.
      lanesOf.sort((a, b) => b.value - a.value)
      if (lanesOf.length < 2) continue
      const kept = lanesOf.slice(0, MAX_VALUES)
      if (lanesOf.length > MAX_VALUES) {
        const other: TreeNode = { frame: valueLane(key, OTHER_VALUES), value: 0, children: new Map() }
        for (const l of lanesOf.slice(MAX_VALUES)) mergeTree(other, { frame: -1, value: l.value, children: l.children })
        kept.push(other)
      }
      for (const l of kept) {
        root.value += l.value
        root.children.set(l.frame, l)
      }
      out.push({ key, tree: compact(root, min) })
    }
    return out.length ? out : undefined
  }
  const scopeOf = (id: string, label: string, keys: string[], shape: Shape): PageScope => {
    const views: PageScope['views'] = {}
    for (const ty of PROFILE_TYPES) {
      const merged = newRoot()
      for (const k of keys) mergeTree(merged, treeOf(k, ty))
      if (merged.value <= 0) continue
      // Tables merge the processes (a function is one row); the graph keeps one lane per process, so a worker's hot
      // path is not mixed with the primary's: run, then role and pid.
      const view = viewOf(merged, undefined, shape === 'flat' ? merged : shaped(keys, shape, (k) => treeOf(k, ty)), profiler)
      const labels = labelViews(keys, ty, shape, merged.value * PRUNE)
      if (labels) view.labels = labels
      views[ty] = view
    }
    return { id, label, views }
  }
  const scopes: PageScope[] = [scopeOf('all', `All processes (${procs.size})`, [...procs.keys()], 'runs')]
  if (runs.size > 1) {
    for (const [runId, list] of runs) scopes.push(scopeOf(`run:${runId}`, `Run ${runId.slice(0, 8) || '(none)'} (${list.length} processes)`, list.map((p) => p.key), 'processes'))
  }
  for (const p of procs.values()) scopes.push(scopeOf(`proc:${p.key}`, `${p.role} ${p.pid} (${p.service})`, [p.key], 'flat'))

  return {
    mode: 'report',
    title,
    generated: new Date().toISOString(),
    from,
    to,
    frames: pageFrames,
    types: PROFILE_TYPES.map((id) => ({ id, label: TYPE_INFO[id].label, unit: TYPE_INFO[id].unit, sample: TYPE_INFO[id].sample })),
    runs: [...runs].map(([runId, processes]) => ({ runId, processes: processes.sort((a, b) => a.start - b.start), lane: runLane.get(runId) as number })),
    scopes,
    profilerFrames: profilerFrames === 'hide' ? 'hide' : profilerFrames,
    profilerFrame: profiler,
    lanes,
    timeline,
    eventsAt,
  }
}

/** One side of a comparison: a label and its profiles. */
export interface Side {
  label: string
  entries: ProfileEntry[]
}

/** The differential page of `dd-run diff --html`: the after side's tree, each frame with its change against before. */
export async function diffPage(
  before: Side,
  after: Side,
  types: readonly (typeof PROFILE_TYPES)[number][],
  frames: FrameTable,
  maps: SourceMaps | undefined,
  done: Partial<Record<string, [Aggregate, Aggregate]>>,
): Promise<PageData> {
  const views: PageScope['views'] = {}
  for (const type of types) {
    const pair = done[type] ?? [await aggregate(before.entries, type, maps, frames), await aggregate(after.entries, type, maps, frames)]
    const [b, a] = pair
    if (a.tree.value === 0 || b.tree.value === 0) continue
    const view = viewOf(a.tree, deltaOf(a.tree, b.tree))
    const fnIndex = new Map<string, number>()
    frames.frames.forEach((f, i) => fnIndex.set(`${f.name}\0${location(f)}`, i))
    view.diff = diffOf(b, a)
      .functions.filter((f) => Math.abs(f.delta) >= 0.05)
      .sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta))
      .slice(0, 100)
      .map((f) => [fnIndex.get(`${f.name}\0${f.location}`) ?? 0, round1(f.beforeShare), round1(f.afterShare)])
    views[type] = view
  }
  const all = [...before.entries, ...after.entries]
  const procs = new Map<string, PageData['runs'][number]['processes'][number]>()
  for (const e of after.entries) {
    const p = procs.get(e.runtimeId)
    if (p) {
      p.start = Math.min(p.start, e.start)
      p.end = Math.max(p.end, e.end)
      for (const k of Object.keys(e.files)) p.profiles[k] = (p.profiles[k] ?? 0) + 1
      continue
    }
    procs.set(e.runtimeId, {
      key: e.runtimeId, runId: e.runId, pid: e.pid, role: e.role, service: e.service, command: commandOf(e.info), start: e.start, end: e.end,
      profiles: Object.fromEntries(Object.keys(e.files).map((k) => [k, 1])),
      ...(e.tags.parent_runtime_id ? { parent: e.tags.parent_runtime_id } : {}),
    })
  }
  const runs = new Map<string, PageData['runs'][number]['processes']>()
  for (const p of procs.values()) runs.set(p.runId, [...(runs.get(p.runId) ?? []), p])
  return {
    mode: 'diff',
    title: `dd-run diff: ${before.label} -> ${after.label}`,
    generated: new Date().toISOString(),
    from: Math.min(...all.map((e) => e.start)),
    to: Math.max(...all.map((e) => e.end)),
    frames: frames.frames.map((f) => [f.name, location(f)]),
    types: types.filter((t) => views[t]).map((id) => ({ id, label: TYPE_INFO[id].label, unit: TYPE_INFO[id].unit, sample: TYPE_INFO[id].sample })),
    runs: [...runs].map(([runId, processes]) => ({ runId, processes })),
    scopes: [{ id: 'all', label: `After, against before`, views }],
    sides: { before: before.label, after: after.label },
    profilerFrames: frames.profilerFrames === 'show' || frames.profilerFrames === 'hide' ? frames.profilerFrames : 'group',
    profilerFrame: -1,
    lanes: [],
    timeline: {},
    eventsAt: {},
  }
}

const round1 = (x: number): number => Math.round(x * 10) / 10
