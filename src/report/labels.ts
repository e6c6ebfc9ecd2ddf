// Call trees per label value, for the report page's label filter and group-by: any string label of the samples
// (withLabels keys such as `route`, the events profile's `event` and `gc kind`, `exception type`, `thread name`).
import { NO_VALUE } from './label-values'
import type { Part } from './read'
import { combineStacks, type Stacks } from './stacks'
import { addStacks, newRoot, type TreeNode } from './tree'

/** key -> value -> call tree of the samples with that value (NO_VALUE: without the key). */
export type LabelTrees = Map<string, Map<string, TreeNode>>

/** The call trees of one process's samples of one type, split by the value of each label key they carry. */
export function labelTrees(parts: readonly Part[]): LabelTrees {
  const keys = new Set<string>()
  for (const p of parts) for (const s of p.labels ?? []) for (const [k] of s) keys.add(k)
  const out: LabelTrees = new Map()
  for (const key of keys) {
    // One masked copy of each part's values per label value: only the samples with that value count.
    const byValue = new Map<string, { stacks: Stacks; column: number; weight: number }[]>()
    for (const p of parts) {
      const values = p.stacks.values[p.column] as Float64Array
      const masks = new Map<string, Float64Array>()
      for (let k = 0; k < values.length; k++) {
        const v = values[k] as number
        if (v === 0) continue
        const value = p.labels?.[k]?.find(([kk]) => kk === key)?.[1] ?? NO_VALUE
        let mask = masks.get(value)
        if (!mask) masks.set(value, (mask = new Float64Array(values.length)))
        mask[k] = v
      }
      for (const [value, mask] of masks) {
        const list = byValue.get(value) ?? []
        list.push({ stacks: { ...p.stacks, values: [mask] }, column: 0, weight: p.weight })
        byValue.set(value, list)
      }
    }
    const trees = new Map<string, TreeNode>()
    for (const [value, list] of byValue) {
      const tree = newRoot()
      addStacks(tree, combineStacks(list), 0)
      if (tree.value > 0) trees.set(value, tree)
    }
    out.set(key, trees)
  }
  return out
}
