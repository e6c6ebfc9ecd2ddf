// The report page's timeline: one row per process of the scope, its CPU per upload period (bars), heap in use (a
// line), GC pauses and event-loop blocks (at their own times when the events carry them, else per period); a drag
// across it keeps a time range, and rangeTrees rebuilds every view's tree for that range. Bundled with page.ts.
import { NO_VALUE, OTHER_VALUES } from './label-values'
import type { CompactNode, PageData, PageProcess } from './model'
import type { Period, Series } from './timeline'

export interface TimelineContext {
  document: any
  data: PageData
  /** The processes of the scope shown. */
  procs: PageProcess[]
  range: [number, number] | null
  fmt: (v: number, unit: string) => string
  time: (ms: number) => string
  unitOf: (type: string) => string
  esc: (s: string) => string
}

/** The samples a tree of a range keeps: all, or those with one of some values of a label key. */
export interface LabelPick {
  key: string
  accept: (value: string) => boolean
}

/**
 * The trees of a time range, rebuilt from each process's periods (model.ts `timeline`) on the process's own tree:
 * each node's value is the samples of the range ending in its subtree, optionally only those whose label passes
 * `pick`. Heap snapshots are averaged over the range, the rest added; a period partly inside counts pro rata (a bin
 * of samples with their own time is a few pixels wide, so the range keeps them by their own time).
 */
export function rangeTrees(data: PageData): {
  procsOf: (scopeId: string) => PageProcess[]
  scopeTreeIn: (scopeId: string, type: string, range: [number, number], pick?: LabelPick) => CompactNode
  labelledTreeIn: (scopeId: string, type: string, range: [number, number], labelled?: { key: string; tree: CompactNode }, kept?: CompactNode) => CompactNode
} {
  const procsOf = (scopeId: string): PageProcess[] => {
    const all = data.runs.flatMap((r) => r.processes)
    if (scopeId.startsWith('proc:')) return all.filter((p) => 'proc:' + p.key === scopeId)
    if (scopeId.startsWith('run:')) return all.filter((p) => 'run:' + p.runId === scopeId)
    return all
  }
  /** Share of a period inside the range (1 for an instant inside it). */
  const overlap = (from: number, to: number, range: [number, number]): number => {
    if (to <= from) return from >= range[0] && from <= range[1] ? 1 : 0
    return Math.max(0, Math.min(to, range[1]) - Math.max(from, range[0])) / (to - from)
  }
  /** The selfs lists of a period that `pick` keeps: samples without the key count under NO_VALUE. */
  const picked = (q: Period, pick?: LabelPick): number[][] => {
    if (!pick) return [q[3]]
    const l = q[4]?.[pick.key]
    if (l === undefined) return pick.accept(NO_VALUE) ? [q[3]] : []
    if (typeof l === 'string') return pick.accept(l) ? [q[3]] : []
    return l.filter(([v]) => pick.accept(v)).map(([, selfs]) => selfs)
  }
  /** One process's tree for a time range, shaped as its own scope's tree; children largest first. */
  const processTreeIn = (key: string, type: string, range: [number, number], pick?: LabelPick): CompactNode | undefined => {
    const tree = (data.scopes.find((x) => x.id === 'proc:' + key)?.views as any)?.[type]?.tree as CompactNode | undefined
    const series = (data.timeline[key] as any)?.[type] as Series | undefined
    if (!tree || !series) return undefined
    const selfs = new Map<number, number>()
    let weights = 0
    for (const q of series.periods) {
      const w = overlap(q[0], q[1], range)
      if (w <= 0) continue
      weights += w
      // [node step, value in units] pairs: the node index is the sum of the steps.
      for (const flat of picked(q, pick)) {
        let at = 0
        for (let i = 0; i < flat.length; i += 2) {
          at += flat[i] as number
          selfs.set(at, (selfs.get(at) ?? 0) + w * series.unit * (flat[i + 1] as number))
        }
      }
    }
    if (type === 'space' && weights > 0) for (const [k, v] of selfs) selfs.set(k, v / weights)
    let at = 0
    const rebuild = (c: CompactNode): CompactNode => {
      const own = selfs.get(at++) ?? 0
      // Every child is visited (the pre-order index counts them), then the empty ones dropped and the rest sorted.
      const kids = (c[2] ?? []).map(rebuild).filter((k) => k[1] > 0).sort((a, b) => b[1] - a[1])
      return [c[0], own + kids.reduce((sum, k) => sum + k[1], 0), kids]
    }
    const out = rebuild(tree)
    return out[1] > 0 ? out : undefined
  }
  /** The scope's tree for a time range, shaped as its page tree is: run and process lanes, or one process. */
  const scopeTreeIn = (scopeId: string, type: string, range: [number, number], pick?: LabelPick): CompactNode => {
    const lane = (frame: number, kids: CompactNode[]): CompactNode => [frame, kids.reduce((sum, k) => sum + k[1], 0), kids.sort((a, b) => b[1] - a[1])]
    const procLanes = (list: PageProcess[]): CompactNode[] =>
      list.flatMap((p) => {
        const t = processTreeIn(p.key, type, range, pick)
        return t ? [[p.lane ?? -1, t[1], t[2]] as CompactNode] : []
      })
    if (scopeId.startsWith('proc:')) return processTreeIn(scopeId.slice(5), type, range, pick) ?? [-1, 0, []]
    if (scopeId.startsWith('run:')) return lane(-1, procLanes(procsOf(scopeId)))
    return lane(-1, data.runs.map((r) => lane(r.lane ?? -1, procLanes(r.processes))).filter((r) => r[1] > 0))
  }
  /**
   * The scope's tree in a time range, with the label chosen (`labelled`, a view's label tree): one value's samples
   * (`kept`, a lane of it), or one lane per value as the label's tree has them (the values beyond its lanes under
   * its OTHER_VALUES lane).
   */
  const labelledTreeIn = (scopeId: string, type: string, range: [number, number], labelled?: { key: string; tree: CompactNode }, kept?: CompactNode): CompactNode => {
    if (!labelled) return scopeTreeIn(scopeId, type, range)
    const key = labelled.key
    const valueOf = (frame: number): string => (data.frames[frame]?.[0] ?? '').slice(key.length + 1)
    const lanesOf = labelled.tree[2] ?? []
    const named = new Set(lanesOf.map((c) => valueOf(c[0])))
    const pick = (frame: number): LabelPick => {
      const value = valueOf(frame)
      // The periods merge a process's smaller values as OTHER_VALUES too.
      return { key, accept: value === OTHER_VALUES ? (v) => v === OTHER_VALUES || !named.has(v) : (v) => v === value }
    }
    if (kept) return scopeTreeIn(scopeId, type, range, pick(kept[0]))
    const kids = lanesOf
      .map((c): CompactNode => {
        const t = scopeTreeIn(scopeId, type, range, pick(c[0]))
        return [c[0], t[1], t[2]]
      })
      .filter((c) => c[1] > 0)
      .sort((a, b) => b[1] - a[1])
    return [-1, kids.reduce((sum, c) => sum + c[1], 0), kids]
  }
  return { procsOf, scopeTreeIn, labelledTreeIn }
}

/**
 * The periods' totals on `columns` equal columns over [from, from + span]: each period's total spread over the
 * columns it covers, pro rata; an instant (or a bin narrower than a column) in the column it falls in.
 */
export function columnSums(periods: readonly Period[], from: number, span: number, columns: number): Float64Array {
  const sums = new Float64Array(columns)
  const at = (t: number): number => ((t - from) / span) * columns
  for (const q of periods) {
    const a = Math.max(0, at(q[0]))
    const b = Math.min(columns, at(q[1]))
    if (b - a <= 1e-9) {
      const c = Math.min(columns - 1, Math.max(0, Math.floor(a)))
      sums[c] = (sums[c] as number) + q[2]
      continue
    }
    for (let c = Math.floor(a); c < Math.ceil(b); c++) sums[c] = (sums[c] as number) + (q[2] * (Math.min(b, c + 1) - Math.max(a, c))) / (b - a)
  }
  return sums
}

// Drawn in this order: the events' bars (half height) under the CPU bars, the heap line on top.
const SERIES: { type: string; color: string; what: string }[] = [
  { type: 'events', color: '#e07a00', what: 'GC pauses (orange) and event-loop blocks (red)' },
  { type: 'cpu', color: '#632ca6', what: 'CPU' },
  { type: 'space', color: '#2b9348', what: 'heap in use' },
]
const ROW = 26
/** Width of a timeline column, in pixels: the resolution CPU is drawn at. */
const COLUMN = 3
const LEFT = 130
/** One row per process: CPU (bars), heap in use (line), GC and event-loop blocks (bars), each to its own scale. */
export function drawTimeline(ctx: TimelineContext, setRange: (range: [number, number] | null) => void): void {
  const { document, data, fmt, time, unitOf, esc } = ctx
  const $ = (id: string): any => document.getElementById(id)
  const box = $('timeline')
  const procs = ctx.procs.filter((p) => data.timeline[p.key])
  if (!procs.length || data.mode === 'diff') {
    box.hidden = true
    return
  }
  box.hidden = false
  const width = Math.max(400, box.clientWidth)
  const plot = width - LEFT - 8
  const span = Math.max(1, data.to - data.from)
  const x = (t: number): number => LEFT + ((t - data.from) / span) * plot
  const parts: string[] = []
  procs.forEach((p, row) => {
    const y0 = row * ROW
    parts.push('<text x="4" y="' + (y0 + 16) + '" class="tl-label">' + esc(p.role + ' ' + p.pid) + '</text>')
    parts.push('<line x1="' + LEFT + '" x2="' + (LEFT + plot) + '" y1="' + (y0 + ROW - 2) + '" y2="' + (y0 + ROW - 2) + '" stroke="#ddd"/>')
    for (const s of SERIES) {
      const periods = (data.timeline[p.key] as any)?.[s.type]?.periods as Period[] | undefined
      if (!periods?.length) continue
      // GC pauses and event-loop blocks at their own times when the events carry them: red blocks, GC orange ticks.
      const marks = s.type === 'events' ? data.eventsAt[p.key] : undefined
      if (marks?.length) {
        const longest = Math.max(...marks.map((m) => m[1])) || 1
        for (const [end, ms, kind] of marks) {
          const bx = x(end - ms)
          const hh = ((ROW - 6) / 2) * Math.max(0.25, Math.sqrt(ms / longest))
          parts.push(
            '<rect class="tl-mark" x="' + bx.toFixed(1) + '" width="' + Math.max(1, x(end) - bx).toFixed(1) + '" y="' + (y0 + ROW - 2 - hh).toFixed(1) + '" height="' + hh.toFixed(1) + '" fill="' +
              (kind === 0 ? s.color : '#c1121f') + '"><title>' + esc(p.role + ' ' + p.pid) + ' \u00b7 ' + (kind === 0 ? 'GC pause' : 'event-loop block') + ' ' + ms.toFixed(1) + ' ms \u00b7 ended ' +
              time(end).slice(11) + '</title></rect>',
          )
        }
        continue
      }
      if (s.type === 'space') {
        // Heap snapshots: a level per period, drawn as a line through the periods' middles.
        const max = Math.max(...periods.map((q) => q[2])) || 1
        const y = (v: number): string => (y0 + ROW - 2 - ((ROW - 6) * v) / max).toFixed(1)
        const pts = periods.map((q) => x((q[0] + q[1]) / 2).toFixed(1) + ',' + y(q[2])).join(' ')
        parts.push('<polyline class="tl-' + s.type + '" points="' + pts + '" fill="none" stroke="' + s.color + '" stroke-width="1.5"><title>' + s.what + '</title></polyline>')
        continue
      }
      // What adds up (CPU, events without their own times), binned to the page's resolution: each period's or
      // bin's total spread over the columns it covers. Samples with their own time come in bins a few pixels
      // wide, so the bars follow them; without, a period is a flat run of bars.
      const columns = Math.max(1, Math.floor(plot / COLUMN))
      const sums = columnSums(periods, data.from, span, columns)
      const max = Math.max(...sums) || 1
      const full = s.type === 'events' ? (ROW - 6) / 2 : ROW - 6
      const unit = s.type === 'events' ? 'nanoseconds' : unitOf(s.type)
      const colMs = span / columns
      sums.forEach((v, c) => {
        if (v <= 0) return
        const h = (full * v) / max
        const from = data.from + c * colMs
        parts.push(
          '<rect class="tl-' + s.type + '" x="' + x(from).toFixed(1) + '" width="' + (plot / columns).toFixed(1) + '" y="' + (y0 + ROW - 2 - h).toFixed(1) + '" height="' + h.toFixed(1) +
            '" fill="' + s.color + '" fill-opacity="' + (s.type === 'cpu' ? 0.45 : 0.8) + '"><title>' + esc(p.role + ' ' + p.pid) + ' \u00b7 ' + s.what + ': ' + fmt(v, unit) + ' \u00b7 ' +
            time(from).slice(11) + ' \u2013 ' + time(from + colMs).slice(11) + '</title></rect>',
        )
      })
    }
  })
  const height = procs.length * ROW
  const sel = ctx.range ? '<rect id="tl-sel" x="' + x(ctx.range[0]).toFixed(1) + '" width="' + Math.max(1, x(ctx.range[1]) - x(ctx.range[0])).toFixed(1) + '" y="0" height="' + height + '"/>' : ''
  box.innerHTML =
    '<div class="tl-legend">' + SERIES.map((s) => '<span style="color:' + s.color + '">\u25a0 ' + s.what + '</span>').join(' ') + ' \u00b7 drag across the timeline to keep a time range' +
    (ctx.range ? ' \u00b7 <b id="range-label">' + time(ctx.range[0]).slice(11) + ' \u2013 ' + time(ctx.range[1]).slice(11) + '</b> <button id="clear-range">Clear range</button>' : '') +
    '</div><svg id="tl-svg" width="' + width + '" height="' + (height + 14) + '">' + parts.join('') + sel +
    '<text x="' + LEFT + '" y="' + (height + 12) + '" class="tl-axis">' + time(data.from).slice(11) + '</text><text x="' + (LEFT + plot) + '" y="' + (height + 12) + '" class="tl-axis" text-anchor="end">' + time(data.to).slice(11) + '</text>' +
    '<rect id="tl-brush" x="' + LEFT + '" y="0" width="' + plot + '" height="' + height + '" fill="transparent"/></svg>'
  // Brushing: drag to select a range; a click without a drag clears it.
  const svg = $('tl-svg')
  const brush = $('tl-brush')
  const timeAt = (clientX: number): number => data.from + ((Math.min(Math.max(clientX - svg.getBoundingClientRect().left, LEFT), LEFT + plot) - LEFT) / plot) * span
  let startX = -1
  brush.addEventListener('pointerdown', (ev: any) => {
    startX = ev.clientX
    brush.setPointerCapture(ev.pointerId)
  })
  brush.addEventListener('pointermove', (ev: any) => {
    if (startX < 0) return
    let r = $('tl-sel')
    if (!r) {
      svg.insertAdjacentHTML('beforeend', '<rect id="tl-sel" y="0" height="' + height + '" pointer-events="none"/>')
      r = $('tl-sel')
    }
    const a = Math.min(startX, ev.clientX) - svg.getBoundingClientRect().left
    r.setAttribute('x', String(Math.max(LEFT, a)))
    r.setAttribute('width', String(Math.abs(ev.clientX - startX)))
  })
  brush.addEventListener('pointerup', (ev: any) => {
    if (startX < 0) return
    const a = timeAt(Math.min(startX, ev.clientX))
    const b = timeAt(Math.max(startX, ev.clientX))
    // A click without a drag clears the range.
    const dragged = Math.abs(ev.clientX - startX) >= 3 && b > a
    startX = -1
    setRange(dragged ? [a, b] : null)
  })
  $('clear-range')?.addEventListener('click', () => setRange(null))
}
