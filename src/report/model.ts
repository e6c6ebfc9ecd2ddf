// What the report page shows, built from a profile directory: the process tree of each run, and for every scope
// (all processes, one run, one process) and profile type a call tree and its top functions. Decodes each pprof
// file once; trees of runs and of the whole directory are merges of the process trees.
import { addStacks, columnOf, combineStacks, stacksOf, type Stacks, FrameTable, functionStats, mergeTree, newRoot, PROFILE_TYPES, TYPE_INFO, type LabelFilter, type ProfileType, type TreeNode } from './aggregate'
import { location } from './format'
import { readPprof, type ProfileEntry } from './load'
import { withLabel } from './pprof-read'
import type { SourceMaps } from '../sourcemap/source-maps'
import type { ProfilerFrames } from './frame-names'

type Part = { stacks: Stacks; column: number; weight: number }

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
  /** [frame, self, total], largest self first. */
  top: [number, number, number][]
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
  types: { id: ProfileType; label: string; unit: string }[]
  runs: { runId: string; processes: PageProcess[] }[]
  scopes: PageScope[]
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

export function viewOf(tree: TreeNode, delta?: Map<TreeNode, number>): PageView {
  return {
    total: round(tree.value),
    tree: compact(tree, tree.value * PRUNE, delta),
    top: functionStats(tree)
      .slice(0, TOP_ROWS)
      .map((s) => [s.frame, round(s.self), round(s.total)]),
  }
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
  const frames = new FrameTable({ profilerFrames, cwd })
  const procs = new Map<string, PageProcess>()
  const trees = new Map<string, Record<ProfileType, TreeNode>>()
  const byProcess = new Map<string, ProfileEntry[]>()
  for (const e of entries) {
    const list = byProcess.get(e.runtimeId)
    if (list) list.push(e)
    else byProcess.set(e.runtimeId, [e])
  }

  // One process at a time, so only its stacks are in memory.
  for (const [key, list] of byProcess) {
    const first = list[0] as ProfileEntry
    const p: PageProcess = {
      key,
      runId: first.runId,
      pid: first.pid,
      role: first.role,
      service: first.service,
      command: '',
      start: Math.min(...list.map((e) => e.start)),
      end: Math.max(...list.map((e) => e.end)),
      profiles: {},
      ...(first.tags.parent_runtime_id ? { parent: first.tags.parent_runtime_id } : {}),
      ...(first.tags.parent_pid ? { parentPid: first.tags.parent_pid } : {}),
    }
    procs.set(key, p)
    const spaceCount = list.filter((e) => e.files['space.pprof']).length
    const parts = Object.fromEntries(PROFILE_TYPES.map((ty) => [ty, [] as Part[]])) as Record<ProfileType, Part[]>
    for (const e of list) {
      if (!p.command) p.command = e.command ?? commandOf(e.info)
      for (const [name, file] of Object.entries(e.files)) {
        const types = PROFILE_TYPES.filter((ty) => TYPE_INFO[ty].attachment === name)
        if (!types.length) continue
        p.profiles[name] = (p.profiles[name] ?? 0) + 1
        const read = readPprof(file)
        const profile = label ? withLabel(read, label.key, label.value) : read
        // One resolution of the stacks serves every type the file holds (wall.pprof: CPU and wall time).
        const stacks = stacksOf(profile, frames, maps)
        for (const ty of types) {
          const column = columnOf(stacks, ty)
          // Heap profiles are snapshots: a process's are averaged.
          if (column >= 0) parts[ty].push({ stacks, column, weight: ty === 'space' ? 1 / spaceCount : 1 })
        }
      }
    }
    // The periods are added together (see combineStacks).
    const t = Object.fromEntries(PROFILE_TYPES.map((ty) => [ty, newRoot()])) as Record<ProfileType, TreeNode>
    for (const ty of PROFILE_TYPES) if (parts[ty].length) addStacks(t[ty], combineStacks(parts[ty]), 0)
    trees.set(key, t)
  }

  const runs = new Map<string, PageProcess[]>()
  for (const p of procs.values()) {
    const list = runs.get(p.runId) ?? []
    list.push(p)
    runs.set(p.runId, list)
  }
  const scopeOf = (id: string, label: string, keys: string[]): PageScope => {
    const views: PageScope['views'] = {}
    for (const ty of PROFILE_TYPES) {
      const merged = newRoot()
      for (const k of keys) mergeTree(merged, (trees.get(k) as Record<ProfileType, TreeNode>)[ty])
      if (merged.value > 0) views[ty] = viewOf(merged)
    }
    return { id, label, views }
  }
  const scopes: PageScope[] = [scopeOf('all', `All processes (${procs.size})`, [...procs.keys()])]
  if (runs.size > 1) {
    for (const [runId, list] of runs) scopes.push(scopeOf(`run:${runId}`, `Run ${runId.slice(0, 8) || '(none)'} (${list.length} processes)`, list.map((p) => p.key)))
  }
  for (const p of procs.values()) scopes.push(scopeOf(`proc:${p.key}`, `${p.role} ${p.pid} (${p.service})`, [p.key]))

  return {
    mode: 'report',
    title,
    generated: new Date().toISOString(),
    from: Math.min(...entries.map((e) => e.start)),
    to: Math.max(...entries.map((e) => e.end)),
    frames: frames.frames.map((f) => [f.name, location(f, cwd)]),
    types: PROFILE_TYPES.map((id) => ({ id, label: TYPE_INFO[id].label, unit: TYPE_INFO[id].unit })),
    runs: [...runs].map(([runId, processes]) => ({ runId, processes: processes.sort((a, b) => a.start - b.start) })),
    scopes,
  }
}
