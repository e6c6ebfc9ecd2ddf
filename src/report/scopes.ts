// The scopes of the report page (all processes, each run, each process) and their views per profile type: the
// tables merge the processes, the graph keeps one lane per process under its run, and each label key gets a tree
// with one lane per value. Lanes are frames of their own, after the functions' frames.
import { MAX_VALUES, NO_VALUE, OTHER_VALUES } from './label-values'
import type { LabelTrees } from './labels'
import { compact, PRUNE, viewOf, type PageProcess, type PageScope, type PageView } from './model'
import type { ProcessData } from './processes'
import { mergeTree, newRoot, type TreeNode } from './tree'
import { PROFILE_TYPES, type ProfileType } from './types'

/** One lane per process under its run ("All processes"), one lane per process (a run), or their merge (a process). */
type Shape = 'runs' | 'processes' | 'flat'

export class Scopes {
  private readonly procLane = new Map<string, number>()
  private readonly runLane = new Map<string, number>()
  private readonly valueLanes = new Map<string, number>()
  private readonly data = new Map<string, ProcessData>()

  /**
   * `frames` (the page's [name, location] list) and `lanes` get the lanes' frames; `profiler` is PROFILER_FRAME's
   * index when the stacks nest the profiler's frames under it, else -1.
   */
  constructor(
    processes: readonly ProcessData[],
    readonly runs: Map<string, PageProcess[]>,
    readonly frames: [string, string][],
    readonly lanes: number[],
    private readonly profiler: number,
  ) {
    for (const d of processes) {
      this.data.set(d.proc.key, d)
      this.procLane.set(d.proc.key, (d.proc.lane = this.lane(`${d.proc.role} ${d.proc.pid}`, `${d.proc.service}${d.proc.command ? ': ' + d.proc.command : ''}`)))
    }
    for (const runId of runs.keys()) this.runLane.set(runId, this.lane(`Run ${runId.slice(0, 8) || '(no run id)'}`, ''))
  }

  /** The frame of a run's lane in "All processes". */
  laneOfRun(runId: string): number {
    return this.runLane.get(runId) as number
  }

  /** All processes, then each run (when there are several), then each process. */
  all(): PageScope[] {
    const keys = [...this.data.keys()]
    const scopes: PageScope[] = [this.scope('all', `All processes (${keys.length})`, keys, 'runs')]
    if (this.runs.size > 1) {
      for (const [runId, list] of this.runs) scopes.push(this.scope(`run:${runId}`, `Run ${runId.slice(0, 8) || '(none)'} (${list.length} processes)`, list.map((p) => p.key), 'processes'))
    }
    for (const { proc: p } of this.data.values()) scopes.push(this.scope(`proc:${p.key}`, `${p.role} ${p.pid} (${p.service})`, [p.key], 'flat'))
    return scopes
  }

  private lane(name: string, loc: string): number {
    this.lanes.push(this.frames.length)
    return this.frames.push([name, loc]) - 1
  }

  /** The lane of one label value, one frame per key=value. */
  private valueLane(key: string, value: string): number {
    const name = `${key}=${value}`
    let f = this.valueLanes.get(name)
    if (f === undefined) this.valueLanes.set(name, (f = this.lane(name, '')))
    return f
  }

  private treeOf(key: string, ty: ProfileType): TreeNode {
    return (this.data.get(key) as ProcessData).trees[ty]
  }

  private scope(id: string, label: string, keys: string[], shape: Shape): PageScope {
    const views: PageScope['views'] = {}
    for (const ty of PROFILE_TYPES) {
      const merged = newRoot()
      for (const k of keys) mergeTree(merged, this.treeOf(k, ty))
      if (merged.value <= 0) continue
      // Tables merge the processes (a function is one row); the graph keeps one lane per process, so a worker's hot
      // path is not mixed with the primary's: run, then role and pid.
      const view = viewOf(merged, undefined, shape === 'flat' ? merged : this.shaped(keys, shape, (k) => this.treeOf(k, ty)), this.profiler)
      const labels = this.labelViews(keys, ty, shape, merged.value * PRUNE)
      if (labels) view.labels = labels
      views[ty] = view
    }
    return { id, label, views }
  }

  /** The tree to draw for processes `keys` in a shape. Lanes share their subtrees, nothing is copied. */
  private shaped(keys: string[], shape: Shape, treeOfKey: (k: string) => TreeNode | undefined): TreeNode {
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
        return t && t.value > 0 ? [{ frame: this.procLane.get(k) as number, value: t.value, children: t.children }] : []
      })
    const add = (parent: TreeNode, child: TreeNode): void => {
      if (child.value <= 0) return
      parent.value += child.value
      parent.children.set(child.frame, child)
    }
    if (shape === 'processes') for (const c of processLanes(keys)) add(root, c)
    else {
      for (const [runId, list] of this.runs) {
        const run: TreeNode = { frame: this.laneOfRun(runId), value: 0, children: new Map() }
        for (const c of processLanes(list.map((p) => p.key).filter((k) => keys.includes(k)))) add(run, c)
        add(root, run)
      }
    }
    return root
  }

  /** Per label key with two values or more in the scope: the tree with one lane per value, each shaped as the scope's. */
  private labelViews(keys: string[], ty: ProfileType, shape: Shape, min: number): PageView['labels'] {
    const byKey = new Map<string, Set<string>>()
    const labelsOf = (k: string): LabelTrees => (this.data.get(k) as ProcessData).labelled[ty]
    for (const k of keys) {
      for (const [key, trees] of labelsOf(k)) for (const v of trees.keys()) byKey.set(key, (byKey.get(key) ?? new Set()).add(v))
    }
    const out: NonNullable<PageView['labels']> = []
    for (const [key, values] of [...byKey].sort(([a], [b]) => a.localeCompare(b))) {
      const lanesOf: TreeNode[] = []
      for (const value of new Set([...values, NO_VALUE])) {
        // A process without the key at all: its whole tree is NO_VALUE's.
        const tree = this.shaped(keys, shape, (k) => labelsOf(k).get(key)?.get(value) ?? (value === NO_VALUE && !labelsOf(k).has(key) ? this.treeOf(k, ty) : undefined))
        if (tree.value > 0) lanesOf.push({ frame: this.valueLane(key, value), value: tree.value, children: tree.children })
      }
      // The largest values first; a long tail is grouped as OTHER_VALUES.
      lanesOf.sort((a, b) => b.value - a.value)
      if (lanesOf.length < 2) continue
      const kept = lanesOf.slice(0, MAX_VALUES)
      if (lanesOf.length > MAX_VALUES) {
        const other: TreeNode = { frame: this.valueLane(key, OTHER_VALUES), value: 0, children: new Map() }
        for (const l of lanesOf.slice(MAX_VALUES)) mergeTree(other, { frame: -1, value: l.value, children: l.children })
        kept.push(other)
      }
      const root = newRoot()
      for (const l of kept) {
        root.value += l.value
        root.children.set(l.frame, l)
      }
      out.push({ key, tree: compact(root, min) })
    }
    return out.length ? out : undefined
  }
}
