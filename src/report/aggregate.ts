// Merges the samples of many pprof profiles into one call tree: identical frames (same function name, file and
// line) from different files and processes become one. Self and total per function are read off the tree.
import { readPprof, type ProfileEntry } from './load'
import { withLabel, type PprofProfile, type PprofSample } from './pprof-read'
import type { SourceMaps } from '../sourcemap/source-maps'
import { isProfilerFrame, PROFILER_FRAME, readableName, type ProfilerFrames } from './frame-names'

export type ProfileType = 'cpu' | 'wall' | 'space' | 'alloc' | 'events' | 'blocks' | 'exceptions'
export const PROFILE_TYPES: readonly ProfileType[] = ['cpu', 'wall', 'space', 'alloc', 'events', 'blocks', 'exceptions']

export interface TypeInfo {
  /** The attachment the samples come from. */
  attachment: string
  /** The pprof sample type (the value column). */
  sample: string
  unit: 'nanoseconds' | 'bytes' | 'count'
  label: string
}

export const TYPE_INFO: Readonly<Record<ProfileType, TypeInfo>> = {
  cpu: { attachment: 'wall.pprof', sample: 'cpu', unit: 'nanoseconds', label: 'CPU time' },
  wall: { attachment: 'wall.pprof', sample: 'wall', unit: 'nanoseconds', label: 'Wall time' },
  space: { attachment: 'space.pprof', sample: 'inuse_space', unit: 'bytes', label: 'Heap in use' },
  // Node >= 26 (DD_PROFILING_ALLOCATION_ENABLED): bytes allocated during each period, freed or not. Unlike the heap
  // in use, periods add up, as CPU time does.
  alloc: { attachment: 'space.pprof', sample: 'alloc_space', unit: 'bytes', label: 'Allocated' },
  events: { attachment: 'events.pprof', sample: 'timeline', unit: 'nanoseconds', label: 'Events (GC pauses)' },
  blocks: { attachment: 'blocks.pprof', sample: 'blocked', unit: 'nanoseconds', label: 'Event-loop blocking' },
  exceptions: { attachment: 'exceptions.pprof', sample: 'exception-samples', unit: 'count', label: 'Exceptions' },
}

/** A label filter (`dd-run top --label route=/users`): only samples carrying it count. */
export interface LabelFilter {
  key: string
  value: string
}

export interface Frame {
  name: string
  /** Source file as the runtime named it (or the original source after source mapping); '' when none. */
  file: string
  /** 1-based line the function starts on; 0 when unknown. */
  line: number
  /** 1-based column, for an anonymous function (its name does not tell it from others on the line); else absent. */
  column?: number
}

/**
 * How stacks treat the profiler's frames: the user's choice, or 'nest' (the report page): the profiler's frames are
 * kept under one PROFILER_FRAME node, so the page can fold them into it or unfold them with a switch.
 */
export type ProfilerFrameMode = ProfilerFrames | 'nest'

export interface FrameOptions {
  /** The profiler's own frames: one line (default), hidden (their samples dropped), as they are, or nested. */
  profilerFrames?: ProfilerFrameMode
  /** Module names are shown relative to it. */
  cwd?: string
}

/** Interns frames so trees and tables refer to them by number; names are made readable here (frame-names.ts). */
export class FrameTable {
  readonly frames: Frame[] = []
  private readonly ids = new Map<string, number>()
  readonly profilerFrames: ProfilerFrameMode
  private readonly cwd: string
  private profilerId = -1

  constructor(o: FrameOptions = {}) {
    this.profilerFrames = o.profilerFrames ?? 'group'
    this.cwd = o.cwd ?? process.cwd()
  }

  intern(rawName: string, file: string, line: number, rawColumn = 0): number {
    const { name, column } = readableName(rawName, file, this.cwd)
    const col = column || (name === '(anonymous)' ? rawColumn : 0)
    const key = `${name}\0${file}\0${line}\0${col}`
    let id = this.ids.get(key)
    if (id === undefined) {
      id = this.frames.length
      this.frames.push(col > 0 ? { name, file, line, column: col } : { name, file, line })
      this.ids.set(key, id)
    }
    return id
  }

  /** The frame that stands for the profiler's own. */
  get profiler(): number {
    if (this.profilerId < 0) this.profilerId = this.intern(PROFILER_FRAME, '', 0)
    return this.profilerId
  }
}

/** A pprof line that carries a packed column (dd-trace-js's 'pack': column << 32 | line), split. */
function unpack(line: number, column: number): { line: number; column: number } {
  if (line < 2 ** 32) return { line, column }
  return { line: line % 2 ** 32, column: Math.floor(line / 2 ** 32) }
}

export interface TreeNode {
  /** Index in the FrameTable; -1 for the root. */
  frame: number
  /** Sum of the samples whose stack passes through this node. */
  value: number
  children: Map<number, TreeNode>
}

export const newRoot = (): TreeNode => ({ frame: -1, value: 0, children: new Map() })

export interface AddResult {
  /** False when the profile has no column for this type (e.g. no CPU time recorded). */
  hasType: boolean
  value: number
}

/**
 * The samples of one profile as frame stacks, root first, in one flat array: stack k is
 * `pool[start[k] .. start[k] + length[k]]`, and `order` lists the stacks sorted so neighbours share long prefixes.
 */
export interface Stacks {
  pool: Int32Array
  start: Uint32Array
  length: Uint32Array
  order: Uint32Array
  /** The samples' values, one array per sample type of the profile. */
  values: Float64Array[]
  sampleTypes: string[]
}

/** Resolves a profile's samples to interned frames (mapped to original sources when `maps` is given and prepared). */
export function stacksOf(profile: PprofProfile, frames: FrameTable, maps?: SourceMaps): Stacks {
  const strings = profile.stringTable.strings
  const fnInfo = new Map<number, { name: string; file: string; startLine: number }>()
  for (const fn of profile.function) {
    fnInfo.set(fn.id, { name: strings[fn.name] || '(unknown)', file: strings[fn.filename] ?? '', startLine: fn.startLine })
  }
  // A location is one frame, or several when functions were inlined (pprof lists the innermost first).
  const locFrames: number[][] = []
  const profilerIds = new Set<number>()
  for (const loc of profile.location) {
    const ids: number[] = []
    for (const ln of loc.line) {
      const info = fnInfo.get(ln.functionId)
      if (!info) continue
      let { file } = info
      let { line, column } = unpack(ln.line || info.startLine, ln.column)
      // The profiler's frames are kept and marked; which of them are its cost is decided per stack (below). Its
      // scripts are never mapped (as in the process): shown, they stay recognisable.
      const profiler = isProfilerFrame(file)
      if (profiler && frames.profilerFrames !== 'show') {
        const id = frames.intern(info.name, file, line, column)
        profilerIds.add(id)
        ids.push(id)
        continue
      }
      if (maps && file && !profiler) {
        const orig = maps.map(file, line, column)
        if (orig) ({ file, line, column } = orig)
      }
      ids.push(frames.intern(info.name, file, line, column))
    }
    locFrames[loc.id] = ids
  }
  // A frame of the app's code (or its packages): not the profiler's, not Node's own (node:), not synthetic.
  const appFrame = new Map<number, boolean>()
  const isApp = (id: number): boolean => {
    let app = appFrame.get(id)
    if (app === undefined) {
      const file = frames.frames[id]?.file ?? ''
      appFrame.set(id, (app = !profilerIds.has(id) && file !== '' && !file.startsWith('node:')))
    }
    return app
  }
  /**
   * Where the profiler's own work starts in stack k: its outermost frame below the app's deepest frame, or -1. The
   * profiler's frames above app code (withLabels around a handler) are wrappers, not its cost: they stay as they are.
   */
  const profilerStart = (s: number, end: number): number => {
    let first = -1
    for (let i = end - 1; i >= s; i--) {
      const id = pool[i] as number
      if (profilerIds.has(id)) first = i
      else if (isApp(id)) break
    }
    return first
  }
  // The profiler's cost: the stack ends in one PROFILER_FRAME (everything the profiler calls is its cost too), or
  // the sample is dropped (hide), or PROFILER_FRAME is put above the profiler's frames (nest: the page folds them).
  // A nested stack was written one slot short at its root end: the frames above move up one into it.
  const groupProfiler = (k: number): void => {
    const s = start[k] as number
    const len = length[k] as number
    const first = profilerStart(nest ? s + 1 : s, s + len)
    if (!nest) {
      if (first < 0) return
      if (frames.profilerFrames === 'hide') hidden.add(k)
      pool[first] = frames.profiler
      length[k] = first - s + 1
      return
    }
    if (first < 0) {
      pool.copyWithin(s, s + 1, s + len)
      length[k] = len - 1
      return
    }
    pool.copyWithin(s, s + 1, first)
    pool[first - 1] = frames.profiler
  }
  const hidden = new Set<number>()
  const samples = profile.sample
  const n = samples.length
  const start = new Uint32Array(n)
  const length = new Uint32Array(n)
  let total = 0
  const nest = frames.profilerFrames === 'nest'
  for (let k = 0; k < n; k++) {
    let len = 0
    let inProfiler = false
    for (const locId of (samples[k] as PprofSample).locationId) {
      const ids = locFrames[locId]
      if (!ids) continue
      len += ids.length
      if (nest && !inProfiler) inProfiler = ids.some((id) => profilerIds.has(id))
    }
    // Room for the PROFILER_FRAME node a nested stack gets.
    if (inProfiler) len++
    start[k] = total
    length[k] = Math.max(1, len)
    total += Math.max(1, len)
  }
  const pool = new Int32Array(total)
  const noStack = frames.intern('(no stack)', '', 0)
  for (let k = 0; k < n; k++) {
    // Written from the end: pprof lists the leaf first, the tree wants the root first.
    let at = (start[k] as number) + (length[k] as number) - 1
    let wrote = false
    let sawProfiler = false
    for (const locId of (samples[k] as PprofSample).locationId) {
      const ids = locFrames[locId]
      if (!ids) continue
      for (const id of ids) {
        pool[at--] = id
        if (profilerIds.has(id)) sawProfiler = true
      }
      if (ids.length) wrote = true
    }
    // Keep stackless samples visible so the shares still add up to the total.
    if (!wrote) pool[start[k] as number] = noStack
    else if (sawProfiler) groupProfiler(k)
  }
  const order = sortedOrder(pool, start, length)
  const values = profile.sampleType.map((_, col) => {
    const v = new Float64Array(n)
    for (let k = 0; k < n; k++) v[k] = hidden.has(k) ? 0 : ((samples[k] as PprofSample).value[col] ?? 0)
    return v
  })
  return { pool, start, length, order, values, sampleTypes: profile.sampleType.map((t) => strings[t.type] ?? '') }
}

/** Stack indexes in lexicographic order of their frames, so equal stacks and shared prefixes are neighbours. */
function sortedOrder(pool: Int32Array, start: Uint32Array, length: Uint32Array): Uint32Array {
  const order = new Uint32Array(start.length)
  for (let k = 0; k < order.length; k++) order[k] = k
  return order.sort((a, b) => {
    const sa = start[a] as number
    const sb = start[b] as number
    const la = length[a] as number
    const lb = length[b] as number
    const m = Math.min(la, lb)
    for (let i = 0; i < m; i++) {
      const d = (pool[sa + i] as number) - (pool[sb + i] as number)
      if (d !== 0) return d
    }
    return la - lb
  })
}

/**
 * One column of several profiles' stacks as one set of distinct stacks, values weighted and summed (column 0).
 * Adding the periods of a process together is much cheaper than one by one: the same stacks recur every period,
 * and each distinct stack then costs one tree walk instead of one per period.
 */
export function combineStacks(parts: readonly { stacks: Stacks; column: number; weight: number }[]): Stacks {
  // Distinct stacks by content: a hash, then a check of the frames on a hash match.
  const buckets = new Map<number, number[]>()
  const srcPool: Int32Array[] = []
  const srcStart: number[] = []
  const srcLen: number[] = []
  const sums: number[] = []
  let total = 0
  for (const { stacks, column, weight } of parts) {
    const { pool, start, length } = stacks
    const col = stacks.values[column] as Float64Array
    for (let i = 0; i < start.length; i++) {
      const v = (col[i] as number) * weight
      if (v === 0) continue
      const s = start[i] as number
      const len = length[i] as number
      let h = 0x811c9dc5 ^ len
      for (let j = 0; j < len; j++) h = Math.imul(h ^ (pool[s + j] as number), 0x01000193)
      let bucket = buckets.get(h)
      let found = -1
      if (bucket) {
        for (const u of bucket) {
          if (srcLen[u] !== len) continue
          const up = srcPool[u] as Int32Array
          const us = srcStart[u] as number
          let j = 0
          while (j < len && up[us + j] === pool[s + j]) j++
          if (j === len) {
            found = u
            break
          }
        }
      } else buckets.set(h, (bucket = []))
      if (found >= 0) sums[found] = (sums[found] as number) + v
      else {
        bucket.push(sums.length)
        srcPool.push(pool)
        srcStart.push(s)
        srcLen.push(len)
        sums.push(v)
        total += len
      }
    }
  }
  const n = sums.length
  const pool = new Int32Array(total)
  const start = new Uint32Array(n)
  const length = new Uint32Array(n)
  let offset = 0
  for (let u = 0; u < n; u++) {
    const from = srcStart[u] as number
    pool.set((srcPool[u] as Int32Array).subarray(from, from + (srcLen[u] as number)), offset)
    start[u] = offset
    length[u] = srcLen[u] as number
    offset += srcLen[u] as number
  }
  return { pool, start, length, order: sortedOrder(pool, start, length), values: [Float64Array.from(sums)], sampleTypes: ['combined'] }
}

/** Adds one column of `stacks` to `tree`, each value multiplied by `weight`; returns the sum added. */
export function addStacks(tree: TreeNode, stacks: Stacks, column: number, weight = 1): number {
  const { pool, start, length, order } = stacks
  const values = stacks.values[column] as Float64Array
  // Walking the stacks in sorted order lets each reuse the path of the previous one as far as they agree, so most
  // steps skip the child lookup (the expensive part on large trees).
  const path: TreeNode[] = []
  let prevStart = 0
  let prevLen = 0
  let added = 0
  for (let o = 0; o < order.length; o++) {
    const k = order[o] as number
    const raw = values[k] as number
    if (raw === 0) continue
    const v = raw * weight
    const s = start[k] as number
    const len = length[k] as number
    let same = 0
    const m = Math.min(len, prevLen)
    while (same < m && pool[s + same] === pool[prevStart + same]) same++
    tree.value += v
    for (let i = 0; i < same; i++) (path[i] as TreeNode).value += v
    let node = same > 0 ? (path[same - 1] as TreeNode) : tree
    for (let i = same; i < len; i++) {
      const id = pool[s + i] as number
      let child = node.children.get(id)
      if (!child) {
        child = { frame: id, value: 0, children: new Map() }
        node.children.set(id, child)
      }
      child.value += v
      path[i] = child
      node = child
    }
    prevStart = s
    prevLen = len
    added += v
  }
  return added
}

/** The column of a profile type in `stacks`, or -1 when the profile does not record it. */
export const columnOf = (stacks: Stacks, type: ProfileType): number => stacks.sampleTypes.indexOf(TYPE_INFO[type].sample)

/** Adds one decoded profile's samples of `type` to `tree`, each value multiplied by `weight`. */
export function addProfile(tree: TreeNode, frames: FrameTable, profile: PprofProfile, type: ProfileType, weight = 1, maps?: SourceMaps): AddResult {
  const stacks = stacksOf(profile, frames, maps)
  const column = columnOf(stacks, type)
  if (column < 0) return { hasType: false, value: 0 }
  return { hasType: true, value: addStacks(tree, stacks, column, weight) }
}

/** Adds `from` into `into` (same FrameTable). */
export function mergeTree(into: TreeNode, from: TreeNode): void {
  into.value += from.value
  for (const [id, child] of from.children) {
    let mine = into.children.get(id)
    if (!mine) {
      mine = { frame: id, value: 0, children: new Map() }
      into.children.set(id, mine)
    }
    mergeTree(mine, child)
  }
}

export interface FunctionStat {
  frame: number
  /** Samples where the function is the leaf. */
  self: number
  /** Samples where the function is anywhere on the stack (recursion counted once). */
  total: number
}

/** Self and total per frame, largest self first. */
export function functionStats(tree: TreeNode): FunctionStat[] {
  const self = new Map<number, number>()
  const total = new Map<number, number>()
  const onPath = new Map<number, number>()
  const visit = (node: TreeNode): void => {
    let childSum = 0
    for (const c of node.children.values()) childSum += c.value
    if (node.frame >= 0) {
      const own = node.value - childSum
      if (own > 0) self.set(node.frame, (self.get(node.frame) ?? 0) + own)
      if (!onPath.get(node.frame)) total.set(node.frame, (total.get(node.frame) ?? 0) + node.value)
      onPath.set(node.frame, (onPath.get(node.frame) ?? 0) + 1)
    }
    for (const c of node.children.values()) visit(c)
    if (node.frame >= 0) onPath.set(node.frame, (onPath.get(node.frame) as number) - 1)
  }
  visit(tree)
  const out: FunctionStat[] = []
  for (const [frame, t] of total) out.push({ frame, self: self.get(frame) ?? 0, total: t })
  out.sort((a, b) => b.self - a.self || b.total - a.total)
  return out
}

export interface Aggregate {
  type: ProfileType
  frames: FrameTable
  tree: TreeNode
  /** Profiles that contributed samples of this type. */
  profiles: number
  /** Profiles of the selection that had the attachment but no column for this type. */
  missingType: number
}

/**
 * Aggregates the entries' profiles of one type. Heap profiles are snapshots, so a process's snapshots are averaged
 * (weight 1/n) and processes are added: the result is the average heap in use over the period.
 */
export async function aggregate(entries: readonly ProfileEntry[], type: ProfileType, maps?: SourceMaps, frames = new FrameTable(), label?: LabelFilter): Promise<Aggregate> {
  const tree = newRoot()
  const info = TYPE_INFO[type]
  const byProcess = new Map<string, ProfileEntry[]>()
  for (const e of entries) {
    if (!e.files[info.attachment]) continue
    const list = byProcess.get(e.runtimeId)
    if (list) list.push(e)
    else byProcess.set(e.runtimeId, [e])
  }
  let profiles = 0
  let missingType = 0
  for (const list of byProcess.values()) {
    const parts: { stacks: Stacks; column: number; weight: number }[] = []
    for (const e of list) {
      const read = readPprof(e.files[info.attachment] as string)
      const profile = label ? withLabel(read, label.key, label.value) : read
      const stacks = stacksOf(profile, frames, maps)
      const column = columnOf(stacks, type)
      if (column < 0) {
        missingType++
        continue
      }
      profiles++
      parts.push({ stacks, column, weight: type === 'space' ? 1 / list.length : 1 })
    }
    if (parts.length) addStacks(tree, combineStacks(parts), 0)
  }
  return { type, frames, tree, profiles, missingType }
}
