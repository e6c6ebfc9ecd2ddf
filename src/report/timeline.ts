// The report page's timeline: for each process and profile type, one row per upload period (a bundle) with its
// total and where in the process's call tree its samples fall, so the page can draw the run over time and rebuild
// every view for a brushed time range without the raw stacks.
import type { Stacks, TreeNode } from './aggregate'

/**
 * One period: [start ms, end ms, total, selfs], selfs a flat list of [node, value] pairs: `node` is a node's
 * pre-order index in the process's page tree (see `pageOrder`), `value` the samples whose stack ends there (or in
 * a frame left out of the page below it).
 */
export type Period = [number, number, number, number[]]

const round = (v: number): number => (Math.abs(v) >= 100 ? Math.round(v) : Math.round(v * 1000) / 1000)

/**
 * The pre-order index of every node the page keeps of `tree` (model.ts `compact` with the same `min`): the same
 * children, in the same order (by rounded value, largest first, stable), so index i is the i-th node the page expands.
 */
export function pageOrder(tree: TreeNode, min: number): Map<TreeNode, number> {
  const index = new Map<TreeNode, number>()
  const visit = (node: TreeNode): void => {
    index.set(node, index.size)
    const kids: TreeNode[] = []
    for (const c of node.children.values()) if (c.value >= min && c.value > 0) kids.push(c)
    kids.sort((a, b) => round(b.value) - round(a.value))
    for (const c of kids) visit(c)
  }
  visit(tree)
  return index
}

/** One period's samples (a column of its stacks) placed on the process's page tree. */
export function periodOf(tree: TreeNode, index: Map<TreeNode, number>, stacks: Stacks, column: number, start: number, end: number): Period {
  const { pool, start: from, length } = stacks
  const values = stacks.values[column] as Float64Array
  const selfs = new Map<number, number>()
  let total = 0
  for (let k = 0; k < values.length; k++) {
    const v = values[k] as number
    if (v === 0) continue
    total += v
    // Down the tree along the stack, as far as the page keeps nodes.
    let node = tree
    const s = from[k] as number
    const len = length[k] as number
    for (let i = 0; i < len; i++) {
      const child = node.children.get(pool[s + i] as number)
      if (!child || !index.has(child)) break
      node = child
    }
    const at = index.get(node) as number
    selfs.set(at, (selfs.get(at) ?? 0) + v)
  }
  const flat: number[] = []
  for (const [at, v] of selfs) flat.push(at, round(v))
  return [start, end, round(total), flat]
}
