// Tree algebra: call trees built from stacks, merged, and read as self and total per function.
import type { Stacks } from './stacks'

export interface TreeNode {
  /** Index in the FrameTable; -1 for the root. */
  frame: number
  /** Sum of the samples whose stack passes through this node. */
  value: number
  children: Map<number, TreeNode>
}

export const newRoot = (): TreeNode => ({ frame: -1, value: 0, children: new Map() })

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
