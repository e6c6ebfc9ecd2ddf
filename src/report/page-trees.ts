// The report page's trees, computed in the browser from the call tree the page holds: the inverted (bottom-up) tree,
// one function's sandwich, left-heavy order, and self/total per function of whatever is drawn. Pure functions,
// bundled with page.ts.

/** A call tree node as the page draws it. */
export interface Node {
  /** Frame index in data.frames (-1: the root). */
  f: number
  name: string
  loc: string
  value: number
  delta?: number
  children: Node[]
  parent?: Node
}

export const selfOf = (n: Node): number => n.value - n.children.reduce((sum, c) => sum + c.value, 0)
export const walk = (n: Node, visit: (n: Node) => void): void => {
  visit(n)
  for (const c of n.children) walk(c, visit)
}
/** Adds a path of frames under `root`, merging with what is there (a trie of frame indexes). */
export const addPath = (root: Node, path: Node[], value: number): void => {
  root.value += value
  let at = root
  for (const p of path) {
    let next = at.children.find((c) => c.f === p.f)
    if (!next) {
      next = { f: p.f, name: p.name, loc: p.loc, value: 0, children: [] }
      at.children.push(next)
    }
    next.value += value
    at = next
  }
}
/** The frames from `n` up to (not including) the root: callers after callees. */
export const upward = (n: Node): Node[] => {
  const out: Node[] = []
  for (let p: Node | undefined = n; p && p.parent; p = p.parent) out.push(p)
  return out
}
export const hasAncestor = (n: Node, f: number): boolean => {
  for (let p = n.parent; p; p = p.parent) if (p.f === f) return true
  return false
}
/** Bottom-up: each function where time was spent is a root; above it, the callers that led there. */
export const invert = (root: Node): Node => {
  const out: Node = { f: -1, name: root.name, loc: '', value: 0, children: [] }
  walk(root, (n) => {
    const self = selfOf(n)
    if (n.parent && self > 0) addPath(out, upward(n), self)
  })
  return out
}
/**
 * One function's callers and callees: every call of `f` not inside another call of it (so recursion counts once),
 * its callers merged bottom-up and its callees merged top-down.
 */
export const sandwich = (root: Node, f: number, [name, loc]: [string, string]): { callers: Node; callees: Node } => {
  const callers: Node = { f, name, loc, value: 0, children: [] }
  const callees: Node = { f, name, loc, value: 0, children: [] }
  const merge = (into: Node, from: Node): void => {
    for (const c of from.children) {
      let mine = into.children.find((x) => x.f === c.f)
      if (!mine) {
        mine = { f: c.f, name: c.name, loc: c.loc, value: 0, children: [] }
        into.children.push(mine)
      }
      mine.value += c.value
      merge(mine, c)
    }
  }
  walk(root, (n) => {
    if (n.f !== f || hasAncestor(n, f)) return
    addPath(callers, upward(n).slice(1), n.value)
    callees.value += n.value
    merge(callees, n)
  })
  return { callers, callees }
}
export const sortTree = (n: Node): Node => {
  n.children.sort((a, b) => b.value - a.value)
  for (const c of n.children) sortTree(c)
  return n
}


/** Self and total per function of a drawn tree (lanes left out, recursion counted once), largest self first. */
export const topOfTree = (root: Node, lanes: Set<number>): [number, number, number][] => {
  const self = new Map<number, number>()
  const total = new Map<number, number>()
  const onPath = new Map<number, number>()
  const visit = (n: Node): void => {
    const fn = n.f >= 0 && !lanes.has(n.f)
    if (fn) {
      const own = selfOf(n)
      if (own > 0) self.set(n.f, (self.get(n.f) ?? 0) + own)
      if (!onPath.get(n.f)) total.set(n.f, (total.get(n.f) ?? 0) + n.value)
      onPath.set(n.f, (onPath.get(n.f) ?? 0) + 1)
    }
    for (const c of n.children) visit(c)
    if (fn) onPath.set(n.f, (onPath.get(n.f) as number) - 1)
  }
  visit(root)
  return [...total]
    .map(([f, t]): [number, number, number] => [f, self.get(f) ?? 0, t])
    .sort((a, b) => b[1] - a[1] || b[2] - a[2])
    .slice(0, 100)
}
