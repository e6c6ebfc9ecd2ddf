// Compares two aggregates of one type (built on the same FrameTable): how each function's share of the samples
// changed. Shares, not absolute values, so runs of different lengths compare fairly.
import type { Aggregate } from './aggregate'
import { functionStats, type TreeNode } from './tree'
import { TYPE_INFO, type ProfileType } from './types'
import { formatValue, location, table } from './format'

export interface DiffFunction {
  name: string
  location: string
  before: number
  after: number
  /** Percent of the self samples of each side. */
  beforeShare: number
  afterShare: number
  /** afterShare - beforeShare, in percentage points. */
  delta: number
}

export interface DiffResult {
  type: ProfileType
  unit: 'nanoseconds' | 'bytes' | 'count'
  beforeTotal: number
  afterTotal: number
  beforeProfiles: number
  afterProfiles: number
  /** Every function seen on either side, largest growth first. */
  functions: DiffFunction[]
}

export function diffOf(before: Aggregate, after: Aggregate, cwd = process.cwd()): DiffResult {
  if (before.frames !== after.frames) throw new Error('diffOf needs two aggregates built on one FrameTable')
  const b = new Map(functionStats(before.tree).map((s) => [s.frame, s.self]))
  const a = new Map(functionStats(after.tree).map((s) => [s.frame, s.self]))
  const bt = before.tree.value
  const at = after.tree.value
  const functions: DiffFunction[] = []
  for (const frame of new Set([...b.keys(), ...a.keys()])) {
    const f = after.frames.frames[frame] as { name: string; file: string; line: number }
    const bv = b.get(frame) ?? 0
    const av = a.get(frame) ?? 0
    if (bv === 0 && av === 0) continue
    const beforeShare = bt > 0 ? (100 * bv) / bt : 0
    const afterShare = at > 0 ? (100 * av) / at : 0
    functions.push({ name: f.name, location: location(f, cwd), before: bv, after: av, beforeShare, afterShare, delta: afterShare - beforeShare })
  }
  functions.sort((x, y) => y.delta - x.delta)
  const info = TYPE_INFO[after.type]
  return {
    type: after.type,
    unit: info.unit,
    beforeTotal: bt,
    afterTotal: at,
    beforeProfiles: before.profiles,
    afterProfiles: after.profiles,
    functions,
  }
}

const signed = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(1)}`

export function renderDiff(r: DiffResult, labels: { before: string; after: string }, n: number, width: number): string {
  const info = TYPE_INFO[r.type]
  const cols = [
    { title: 'change', align: 'right' as const },
    { title: 'before', align: 'right' as const },
    { title: 'after', align: 'right' as const },
    { title: 'function', align: 'left' as const, flex: { min: 18, keep: 'start' as const } },
    { title: 'location', align: 'left' as const, flex: { min: 24, keep: 'end' as const } },
  ]
  const row = (f: DiffFunction): string[] => [`${signed(f.delta)} pt`, `${f.beforeShare.toFixed(1)}%`, `${f.afterShare.toFixed(1)}%`, f.name, f.location]
  const limit = n > 0 ? n : Infinity
  const grew = r.functions.filter((f) => f.delta > 0.05).slice(0, limit)
  const shrank = r.functions.filter((f) => f.delta < -0.05).reverse().slice(0, limit)
  const side = (label: string, total: number, profiles: number): string =>
    `${label} (${formatValue(total, r.unit)} in ${profiles} profile${profiles === 1 ? '' : 's'})`
  let out =
    `before: ${side(labels.before, r.beforeTotal, r.beforeProfiles)}\n` +
    `after:  ${side(labels.after, r.afterTotal, r.afterProfiles)}\n` +
    `${info.label}: change in each function's share of self samples\n\n`
  out += grew.length ? `Grew:\n${table(cols, grew.map(row), width)}` : 'Grew: no function by 0.1 point or more\n'
  out += '\n'
  out += shrank.length ? `Shrank:\n${table(cols, shrank.map(row), width)}` : 'Shrank: no function by 0.1 point or more\n'
  return out
}

/**
 * The "after" tree with, on every node, how much it changed against "before" scaled to the same total: the input of
 * a differential flame graph (red grew, blue shrank). Paths only in "before" are not drawn.
 */
export function deltaOf(after: TreeNode, before: TreeNode): Map<TreeNode, number> {
  const scale = before.value > 0 ? after.value / before.value : 0
  const out = new Map<TreeNode, number>()
  const visit = (a: TreeNode, b: TreeNode | undefined): void => {
    out.set(a, a.value - (b ? b.value * scale : 0))
    for (const [id, child] of a.children) visit(child, b?.children.get(id))
  }
  visit(after, before)
  return out
}
