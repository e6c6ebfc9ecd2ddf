// What the report page needs of each process, read once through the per-process reader: its description, its
// call tree per profile type, the same split by label value, its timeline series and its events' marks. One
// process at a time, so only its stacks are in memory.
import type { SourceMaps } from '../sourcemap/source-maps'
import type { FrameTable } from './frames'
import { labelTrees, type LabelTrees } from './labels'
import type { ProfileEntry } from './load'
import { commandOf, PRUNE, type PageProcess } from './model'
import { byProcess, readProcess } from './read'
import { combineStacks } from './stacks'
import { keepMarks, seriesOf, type Grid, type Mark, type Series } from './timeline'
import { addStacks, newRoot, type TreeNode } from './tree'
import { PROFILE_TYPES, type LabelFilter, type ProfileType } from './types'

export interface ProcessData {
  proc: PageProcess
  trees: Record<ProfileType, TreeNode>
  labelled: Record<ProfileType, LabelTrees>
  series: Partial<Record<ProfileType, Series>>
  marks: Mark[]
}

/** Every process of `entries`, in the order first seen. */
export function readProcesses(entries: readonly ProfileEntry[], o: { frames: FrameTable; maps?: SourceMaps | undefined; label?: LabelFilter | undefined; grid: Grid }): ProcessData[] {
  const out: ProcessData[] = []
  for (const [key, list] of byProcess(entries)) {
    const first = list[0] as ProfileEntry
    const { parts, files, marks } = readProcess(list, PROFILE_TYPES, { frames: o.frames, maps: o.maps, label: o.label, detail: true })
    const proc: PageProcess = {
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
    // The periods are added together (see combineStacks).
    const trees = Object.fromEntries(PROFILE_TYPES.map((ty) => [ty, newRoot()])) as Record<ProfileType, TreeNode>
    for (const ty of PROFILE_TYPES) if (parts[ty].length) addStacks(trees[ty], combineStacks(parts[ty]), 0)
    const labelled = Object.fromEntries(PROFILE_TYPES.map((ty) => [ty, labelTrees(parts[ty])])) as Record<ProfileType, LabelTrees>
    // The timeline: each period (or bin of the run's grid, for samples with their own time) on the process's page
    // tree (its own scope's tree), in time order. Heap snapshots have no time of their own.
    const series: ProcessData['series'] = {}
    for (const ty of PROFILE_TYPES) {
      const t = trees[ty]
      if (parts[ty].length && t.value > 0) series[ty] = seriesOf(t, t.value * PRUNE, parts[ty], ty === 'space' ? undefined : o.grid)
    }
    out.push({ proc, trees, labelled, series, marks: marks.length ? keepMarks(marks) : [] })
  }
  return out
}
