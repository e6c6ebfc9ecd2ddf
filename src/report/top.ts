// The hottest functions of an aggregate, as data (for --json and the HTML page) and as a terminal table.
import type { Aggregate } from './aggregate'
import { functionStats } from './tree'
import { TYPE_INFO, type ProfileType } from './types'
import { formatRange, formatValue, location, pct, table } from './format'
import type { ProfileEntry } from './load'

export interface TopFunction {
  name: string
  file: string
  line: number
  /** `file:line` as shown (relative to the working directory when below it). */
  location: string
  self: number
  /** Percent of all samples of the type. */
  selfShare: number
  total: number
  totalShare: number
}

export interface TopResult {
  type: ProfileType
  unit: 'nanoseconds' | 'bytes' | 'count'
  /** Sum of all samples of the type (heap: average in use). */
  total: number
  profiles: number
  processes: number
  /** Epoch ms covered by the profiles. */
  from: number
  to: number
  functions: TopFunction[]
}

/** The top `n` functions by self value (all when n is 0). */
export function topOf(agg: Aggregate, entries: readonly ProfileEntry[], n: number, cwd = process.cwd()): TopResult {
  const sum = agg.tree.value
  const stats = functionStats(agg.tree)
  const rows = n > 0 ? stats.slice(0, n) : stats
  const info = TYPE_INFO[agg.type]
  const used = entries.filter((e) => e.files[info.attachment])
  return {
    type: agg.type,
    unit: info.unit,
    total: sum,
    profiles: agg.profiles,
    processes: new Set(used.map((e) => e.runtimeId)).size,
    from: Math.min(...used.map((e) => e.start)),
    to: Math.max(...used.map((e) => e.end)),
    functions: rows.map((s) => {
      const f = agg.frames.frames[s.frame] as { name: string; file: string; line: number }
      return {
        name: f.name,
        file: f.file,
        line: f.line,
        location: location(f, cwd),
        self: s.self,
        selfShare: sum > 0 ? (100 * s.self) / sum : 0,
        total: s.total,
        totalShare: sum > 0 ? (100 * s.total) / sum : 0,
      }
    }),
  }
}

export function renderTop(r: TopResult, width: number): string {
  const info = TYPE_INFO[r.type]
  const what = r.type === 'space' ? `average ${formatValue(r.total, r.unit)} in use` : `${formatValue(r.total, r.unit)} in all`
  const head =
    `${info.label}: ${what}, ${r.profiles} profile${r.profiles === 1 ? '' : 's'} from ` +
    `${r.processes} process${r.processes === 1 ? '' : 'es'}\n${formatRange(r.from, r.to)}\n\n`
  const rows = r.functions.map((f) => [pct(f.selfShare), formatValue(f.self, r.unit), pct(f.totalShare), formatValue(f.total, r.unit), f.name, f.location])
  return (
    head +
    table(
      [
        { title: 'self%', align: 'right' },
        { title: 'self', align: 'right' },
        { title: 'total%', align: 'right' },
        { title: 'total', align: 'right' },
        { title: 'function', align: 'left', flex: { min: 18, keep: 'start' } },
        { title: 'location', align: 'left', flex: { min: 24, keep: 'end' } },
      ],
      rows,
      width,
    )
  )
}
