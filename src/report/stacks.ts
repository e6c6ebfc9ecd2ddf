// Stack encoding: a profile's samples resolved to interned frames, root first, in one flat array per profile, and
// the distinct stacks of several profiles combined into one such array with summed values.
import type { SourceMaps } from '../sourcemap/source-maps'
import { isProfilerFrame } from './frame-names'
import type { FrameTable } from './frames'
import type { PprofProfile, PprofSample } from './pprof-read'
import { TYPE_INFO, type ProfileType } from './types'

/** A pprof line that carries a packed column (dd-trace-js's 'pack': column << 32 | line), split. */
function unpack(line: number, column: number): { line: number; column: number } {
  if (line < 2 ** 32) return { line, column }
  return { line: line % 2 ** 32, column: Math.floor(line / 2 ** 32) }
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

/**
 * Each location of a profile as interned frames, by location id: one frame, or several when functions were inlined
 * (pprof lists the innermost first); and which frames are the profiler's.
 */
function locationFrames(profile: PprofProfile, frames: FrameTable, maps?: SourceMaps): { locFrames: number[][]; profilerIds: Set<number> } {
  const strings = profile.stringTable.strings
  const fnInfo = new Map<number, { name: string; file: string; startLine: number }>()
  for (const fn of profile.function) {
    fnInfo.set(fn.id, { name: strings[fn.name] || '(unknown)', file: strings[fn.filename] ?? '', startLine: fn.startLine })
  }
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
  return { locFrames, profilerIds }
}

/** Resolves a profile's samples to interned frames (mapped to original sources when `maps` is given and prepared). */
export function stacksOf(profile: PprofProfile, frames: FrameTable, maps?: SourceMaps): Stacks {
  const strings = profile.stringTable.strings
  const { locFrames, profilerIds } = locationFrames(profile, frames, maps)
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

/** The column of a profile type in `stacks`, or -1 when the profile does not record it. */
export const columnOf = (stacks: Stacks, type: ProfileType): number => stacks.sampleTypes.indexOf(TYPE_INFO[type].sample)
