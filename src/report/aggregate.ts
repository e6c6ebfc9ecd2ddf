// Merges the samples of many pprof profiles into one call tree: identical frames (same function name, file and
// line) from different files and processes become one. Self and total per function are read off the tree.
import type { SourceMaps } from '../sourcemap/source-maps'
import { FrameTable } from './frames'
import type { ProfileEntry } from './load'
import type { PprofProfile } from './pprof-read'
import { byProcess, readProcess } from './read'
import { columnOf, combineStacks, stacksOf } from './stacks'
import { addStacks, newRoot, type TreeNode } from './tree'
import type { LabelFilter, ProfileType } from './types'

export interface AddResult {
  /** False when the profile has no column for this type (e.g. no CPU time recorded). */
  hasType: boolean
  value: number
}

/** Adds one decoded profile's samples of `type` to `tree`, each value multiplied by `weight`. */
export function addProfile(tree: TreeNode, frames: FrameTable, profile: PprofProfile, type: ProfileType, weight = 1, maps?: SourceMaps): AddResult {
  const stacks = stacksOf(profile, frames, maps)
  const column = columnOf(stacks, type)
  if (column < 0) return { hasType: false, value: 0 }
  return { hasType: true, value: addStacks(tree, stacks, column, weight) }
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
 * Aggregates the entries' profiles of some types, reading each file once, process by process (readProcess): heap
 * snapshots are averaged per process and processes added, so the result is the average heap in use over the period.
 */
export async function aggregateTypes(entries: readonly ProfileEntry[], types: readonly ProfileType[], maps?: SourceMaps, frames = new FrameTable(), label?: LabelFilter): Promise<Record<ProfileType, Aggregate>> {
  const out = Object.fromEntries(types.map((type) => [type, { type, frames, tree: newRoot(), profiles: 0, missingType: 0 }])) as Record<ProfileType, Aggregate>
  for (const list of byProcess(entries).values()) {
    const read = readProcess(list, types, { frames, maps, label })
    for (const type of types) {
      const agg = out[type]
      const parts = read.parts[type]
      agg.profiles += parts.length
      agg.missingType += read.missingType[type]
      // The periods are added together (see combineStacks).
      if (parts.length) addStacks(agg.tree, combineStacks(parts), 0)
    }
  }
  return out
}

/** Aggregates the entries' profiles of one type (see aggregateTypes). */
export async function aggregate(entries: readonly ProfileEntry[], type: ProfileType, maps?: SourceMaps, frames = new FrameTable(), label?: LabelFilter): Promise<Aggregate> {
  return (await aggregateTypes(entries, [type], maps, frames, label))[type]
}
