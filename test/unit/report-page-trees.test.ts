// The report page's trees, computed in the browser: inverted (bottom-up), a function's sandwich (recursion counted
// once), and self/total of a drawn tree with the lanes left out.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { invert, sandwich, sortTree, topOfTree, type Node } from '../../src/report/page-trees'

/** A tree from [f, value, children] with parents set, names `f<f>`. */
function tree(spec: [number, number, unknown[]?], parent?: Node): Node {
  const [f, value, kids] = spec
  const n: Node = { f, name: `f${f}`, loc: '', value, children: [] }
  if (parent) n.parent = parent
  n.children = ((kids ?? []) as [number, number, unknown[]?][]).map((k) => tree(k, n))
  return n
}
const shape = (n: Node): unknown => [n.name, n.value, ...(n.children.length ? [n.children.map(shape)] : [])]

describe('page trees', () => {
  // root -> 1 -> 2 (self 30) -> 2 (recursion, self 20); root -> 3 -> 2 (self 50)
  const root = (): Node => tree([-1, 100, [[1, 50, [[2, 50, [[2, 20]]]]], [3, 50, [[2, 50]]]]])

  it('inverts: each function with self time at the top level, its callers above', () => {
    assert.deepEqual(shape(sortTree(invert(root()))), [
      'f-1', 100, [['f2', 100, [['f3', 50], ['f1', 30], ['f2', 20, [['f1', 20]]]]]],
    ])
  })

  it("a sandwich: the function's callers and callees, recursion counted once", () => {
    const { callers, callees } = sandwich(root(), 2, ['f2', ''])
    assert.deepEqual(shape(callers), ['f2', 100, [['f1', 50], ['f3', 50]]])
    assert.deepEqual(shape(callees), ['f2', 100, [['f2', 20]]])
  })

  it('self and total per function, recursion once, lanes left out', () => {
    const withLane = tree([-1, 100, [[9, 100, [[1, 50, [[2, 50, [[2, 20]]]]], [3, 50, [[2, 50]]]]]]])
    assert.deepEqual(topOfTree(withLane, new Set([9])), [[2, 100, 100], [1, 0, 50], [3, 0, 50]])
  })
})
