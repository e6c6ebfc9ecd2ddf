// The per-process reader: the profiles of one process, each file decoded once and its samples resolved to frames
// once, as parts per profile type. `top`, `diff` and the report page all read through it.
import type { SourceMaps } from '../sourcemap/source-maps'
import type { FrameTable } from './frames'
import { readPprof, type ProfileEntry } from './load'
import { withLabel, type PprofProfile } from './pprof-read'
import { columnOf, stacksOf, type Stacks } from './stacks'
import { eventMarks, type Mark } from './timeline'
import { PROFILE_TYPES, TYPE_INFO, type LabelFilter, type ProfileType } from './types'

/** One profile's samples of one type: a column of its stacks, weighted (heap snapshots: 1/n). */
export interface Part {
  stacks: Stacks
  column: number
  weight: number
  /** Each sample's string labels (with `detail`); undefined when no sample has one. */
  labels?: [string, string][][] | undefined
  /** Each sample's own end time (epoch ms, NaN when it has none), where the samples carry `end_timestamp_ns`. */
  times?: Float64Array | undefined
  /** The period the samples are of (epoch ms). */
  start: number
  end: number
}

export interface ProcessProfiles {
  /** Per type, one part per profile that has samples of it. */
  parts: Record<ProfileType, Part[]>
  /** Attachment name -> number of files read. */
  files: Record<string, number>
  /** Per type, profiles that had its attachment but no column for it (e.g. no CPU time recorded). */
  missingType: Record<ProfileType, number>
  /** GC pauses and event-loop blocks at their own times (with `detail`). */
  marks: Mark[]
}

export interface ReadOptions {
  frames: FrameTable
  maps?: SourceMaps | undefined
  /** Only the samples carrying this label. */
  label?: LabelFilter | undefined
  /** Also each sample's labels and the events' marks (the report page). */
  detail?: boolean
}

/** The entries grouped by process (runtime id), in the order first seen. */
export function byProcess(entries: readonly ProfileEntry[]): Map<string, ProfileEntry[]> {
  const out = new Map<string, ProfileEntry[]>()
  for (const e of entries) {
    const list = out.get(e.runtimeId)
    if (list) list.push(e)
    else out.set(e.runtimeId, [e])
  }
  return out
}

/**
 * Reads one process's profiles of `types`. Heap profiles are snapshots, so a process's are weighted 1/n (averaged
 * when added); the other types add up. One resolution of a file's stacks serves every type it holds (wall.pprof:
 * CPU and wall time).
 */
export function readProcess(list: readonly ProfileEntry[], types: readonly ProfileType[], o: ReadOptions): ProcessProfiles {
  const parts = Object.fromEntries(PROFILE_TYPES.map((ty) => [ty, [] as Part[]])) as Record<ProfileType, Part[]>
  const files: Record<string, number> = {}
  const marks: Mark[] = []
  const missingType = Object.fromEntries(PROFILE_TYPES.map((ty) => [ty, 0])) as Record<ProfileType, number>
  const snapshots = list.filter((e) => e.files['space.pprof']).length
  const attachments = new Set(types.map((ty) => TYPE_INFO[ty].attachment))
  for (const e of list) {
    for (const [name, file] of Object.entries(e.files)) {
      if (!attachments.has(name)) continue
      files[name] = (files[name] ?? 0) + 1
      const read = readPprof(file)
      const profile = o.label ? withLabel(read, o.label.key, o.label.value) : read
      const stacks = stacksOf(profile, o.frames, o.maps)
      const labels = o.detail ? sampleLabels(profile) : undefined
      // Heap samples are snapshots of the period, not events in it: no time of their own.
      const times = o.detail && name !== 'space.pprof' ? sampleTimes(profile) : undefined
      if (o.detail && (name === 'events.pprof' || name === 'blocks.pprof')) marks.push(...eventMarks(profile))
      for (const ty of types) {
        if (TYPE_INFO[ty].attachment !== name) continue
        const column = columnOf(stacks, ty)
        if (column < 0) {
          missingType[ty]++
          continue
        }
        parts[ty].push({ stacks, column, weight: ty === 'space' ? 1 / snapshots : 1, labels, times, start: e.start, end: e.end })
      }
    }
  }
  return { parts, files, missingType, marks }
}

/** Each sample's `end_timestamp_ns` in epoch ms (NaN when it has none); undefined when no sample has one. */
export function sampleTimes(profile: PprofProfile): Float64Array | undefined {
  const key = profile.stringTable.strings.indexOf('end_timestamp_ns')
  if (key < 0) return undefined
  const out = new Float64Array(profile.sample.length).fill(NaN)
  let any = false
  profile.sample.forEach((s, k) => {
    const ns = s.numLabel?.find(([kk]) => kk === key)?.[1]
    if (ns === undefined) return
    out[k] = ns / 1e6
    any = true
  })
  return any ? out : undefined
}

/** Each sample's string labels as [key, value] pairs; undefined when no sample has one. */
export function sampleLabels(profile: PprofProfile): [string, string][][] | undefined {
  const strings = profile.stringTable.strings
  if (!profile.sample.some((s) => s.label?.length)) return undefined
  return profile.sample.map((s) => (s.label ?? []).map(([k, v]): [string, string] => [strings[k] ?? '', strings[v] ?? '']))
}
