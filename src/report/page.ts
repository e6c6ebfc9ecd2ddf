// The report page's own script. It runs in the browser, not in Node: scripts/bundle.ts bundles it at build time with
// the d3 modules it is handed (d3-selection's select, d3-flame-graph), and html.ts inlines that bundle.
import type { CompactNode, PageData, PageProcess } from './model'
import { attachNavigation, type Drawn } from './page-keys'
import { encodePprof } from './page-pprof'
import { invert, sandwich, sortTree, topOfTree, type Node } from './page-trees'

// Browser globals, typed loosely and only inside this module (the project compiles without the DOM library).
declare const document: any
declare const window: any

/** What the page draws with, handed in by the bundle's entry (scripts/bundle.ts). */
export interface PageLibs {
  select: (selector: string) => any
  flamegraph: () => any
  differentialColorMapper: (d: any, originalColor: string) => string
}

/** What the graph shows: the call tree, the call tree upside down (bottom-up), or one function's sandwich. */
type ViewKind = 'flame' | 'inverted' | 'sandwich'

export function pageMain(libs: PageLibs): void {
  const data: PageData = JSON.parse(document.getElementById('report-data').textContent)
  const $ = (id: string): any => document.getElementById(id)
  const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string)
  const state = {
    scope: 'all',
    type: '',
    view: 'flame' as ViewKind,
    /** Children ordered by value, largest first (left-heavy), or by name (frames of one function line up). */
    order: 'heavy' as 'heavy' | 'name',
    /** The profiler's frames folded into one node, or unfolded under it. */
    profiler: (data.profilerFrames === 'show' ? 'show' : 'group') as 'group' | 'show',
    /** A label key to group by, and the lane frame of the one value kept ('' and -1: none). */
    labelKey: '',
    labelValue: -1,
    /** A time range brushed on the timeline (epoch ms): every view shows only the samples of that range. */
    range: null as [number, number] | null,
    /** The function of the sandwich: a frame index. */
    fn: -1,
    charts: [] as any[],
    /** The charts drawn, for the keyboard and wheel; the label of a frame, for them and the tooltip. */
    drawn: [] as Drawn[],
    label: (_d: any): string => '',
    /** The samples shown (scope, type, label, range), for "Download pprof". */
    shown: null as Node | null,
  }
  const lanes = new Set(data.lanes)
  // A diff page colours the after tree's nodes by their change: the inverted and sandwich views have no such nodes.
  if (data.mode === 'diff') for (const b of document.querySelectorAll('button.view')) b.hidden = true

  const unitOf = (type: string): string => data.types.find((t) => t.id === type)?.unit ?? 'nanoseconds'
  const fmt = (v: number, unit: string): string => {
    if (unit === 'count') return Number.isInteger(v) ? String(v) : v.toFixed(1)
    if (unit === 'bytes') {
      const steps = ['B', 'KiB', 'MiB', 'GiB']
      let x = v
      let i = 0
      while (Math.abs(x) >= 1024 && i < steps.length - 1) {
        x /= 1024
        i++
      }
      return (i === 0 ? Math.round(x) : x.toFixed(1)) + ' ' + steps[i]
    }
    const ms = v / 1e6
    if (Math.abs(ms) >= 3_600_000) return (ms / 3_600_000).toFixed(1) + ' h'
    if (Math.abs(ms) >= 60_000) return (ms / 60_000).toFixed(1) + ' min'
    if (Math.abs(ms) >= 1000) return (ms / 1000).toFixed(2) + ' s'
    if (Math.abs(ms) >= 1) return ms.toFixed(1) + ' ms'
    return (v / 1000).toFixed(0) + ' us'
  }
  const time = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')

  const expand = (c: CompactNode, parent?: Node): Node => {
    const frame = data.frames[c[0]] ?? ['all', '']
    const node: Node = { f: c[0], name: frame[0], loc: frame[1], value: c[1], children: [] }
    if (parent) node.parent = parent
    if (c[3] !== undefined) node.delta = c[3]
    // Folded: the profiler's frames stay inside its one node.
    if (!(state.profiler === 'group' && c[0] === data.profilerFrame && c[0] >= 0)) node.children = (c[2] ?? []).map((k) => expand(k, node))
    return node
  }
  // Header: what the report covers.
  const processes = data.runs.reduce((n, r) => n + r.processes.length, 0)
  $('range').textContent =
    time(data.from) + ' to ' + time(data.to) + ' \u00b7 ' + data.runs.length + ' run(s) \u00b7 ' + processes + ' process(es)' +
    (data.sides ? ' \u00b7 before: ' + data.sides.before + ' \u00b7 after: ' + data.sides.after : '')

  // Process tree: run -> processes, children under their parent.
  const procList = $('procs')
  let html = '<button class="scope" data-scope="all">All processes</button>'
  for (const run of data.runs) {
    const keys = new Set(run.processes.map((p) => p.key))
    const kids = new Map<string, typeof run.processes>()
    for (const p of run.processes) {
      const parent = p.parent && keys.has(p.parent) ? p.parent : ''
      kids.set(parent, [...(kids.get(parent) ?? []), p])
    }
    const li = (parent: string): string =>
      (kids.get(parent) ?? [])
        .map((p) => {
          const counts = Object.entries(p.profiles)
            .map(([k, n]) => n + ' ' + k.replace('.pprof', ''))
            .join(', ')
          return (
            '<li><button class="scope" data-scope="proc:' + esc(p.key) + '">' + esc(p.role) + ' <b>' + esc(p.pid) + '</b> ' + esc(p.service) + '</button>' +
            '<div class="meta">' + (p.command ? esc(p.command) + '<br>' : '') + time(p.start).slice(11) + ' \u2013 ' + time(p.end).slice(11) + ' \u00b7 ' + counts + '</div>' +
            (kids.has(p.key) ? '<ul>' + li(p.key) + '</ul>' : '') + '</li>'
          )
        })
        .join('')
    const runScope = data.scopes.some((s) => s.id === 'run:' + run.runId)
    html +=
      '<div class="run">' + (runScope ? '<button class="scope" data-scope="run:' + esc(run.runId) + '">' : '<span>') + 'Run ' + esc(run.runId || '(no run id)') +
      (runScope ? '</button>' : '</span>') + '<ul>' + li('') + '</ul></div>'
  }
  procList.innerHTML = html

  const scopeSel = $('scope')
  scopeSel.innerHTML = data.scopes.map((s) => '<option value="' + esc(s.id) + '">' + esc(s.label) + '</option>').join('')

  const typeBox = $('types')
  typeBox.innerHTML = data.types.map((t) => '<button class="type" data-type="' + t.id + '">' + esc(t.label) + '</button>').join('')

  // ---- Timeline and time ranges ----
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
  /**
   * One process's tree for a time range, rebuilt from its periods on its own scope's tree: each node's value is
   * the samples of the range ending in its subtree. Heap snapshots are averaged over the range, the rest added.
   */
  const processTreeIn = (key: string, type: string, range: [number, number]): CompactNode | undefined => {
    const tree = (data.scopes.find((x) => x.id === 'proc:' + key)?.views as any)?.[type]?.tree as CompactNode | undefined
    const series = (data.timeline[key] as any)?.[type] as { unit: number; periods: [number, number, number, number[]][] } | undefined
    if (!tree || !series) return undefined
    const selfs = new Map<number, number>()
    let weights = 0
    for (const [from, to, , flat] of series.periods) {
      const w = overlap(from, to, range)
      if (w <= 0) continue
      weights += w
      // [node step, value in units] pairs: the node index is the sum of the steps.
      let at = 0
      for (let i = 0; i < flat.length; i += 2) {
        at += flat[i] as number
        selfs.set(at, (selfs.get(at) ?? 0) + w * series.unit * (flat[i + 1] as number))
      }
    }
    if (type === 'space' && weights > 0) for (const [k, v] of selfs) selfs.set(k, v / weights)
    let at = 0
    const rebuild = (c: CompactNode): CompactNode => {
      const own = selfs.get(at++) ?? 0
      const kids = (c[2] ?? []).map(rebuild).filter((k) => k[1] > 0)
      return [c[0], own + kids.reduce((sum, k) => sum + k[1], 0), kids]
    }
    const out = rebuild(tree)
    return out[1] > 0 ? out : undefined
  }
  /** The scope's tree for a time range, shaped as its page tree is: run and process lanes, or one process. */
  const scopeTreeIn = (scopeId: string, type: string, range: [number, number]): CompactNode => {
    const lane = (frame: number, kids: CompactNode[]): CompactNode => [frame, kids.reduce((sum, k) => sum + k[1], 0), kids]
    const procLanes = (list: PageProcess[]): CompactNode[] =>
      list.flatMap((p) => {
        const t = processTreeIn(p.key, type, range)
        return t ? [[p.lane ?? -1, t[1], t[2]] as CompactNode] : []
      })
    if (scopeId.startsWith('proc:')) return processTreeIn(scopeId.slice(5), type, range) ?? [-1, 0, []]
    if (scopeId.startsWith('run:')) return lane(-1, procLanes(procsOf(scopeId)))
    return lane(-1, data.runs.map((r) => lane(r.lane ?? -1, procLanes(r.processes))).filter((r) => r[1] > 0))
  }
  // Drawn in this order: the events' bars (half height) under the CPU bars, the heap line on top.
  const SERIES: { type: string; color: string; what: string }[] = [
    { type: 'events', color: '#e07a00', what: 'GC pauses (orange) and event-loop blocks (red)' },
    { type: 'cpu', color: '#632ca6', what: 'CPU' },
    { type: 'space', color: '#2b9348', what: 'heap in use' },
  ]
  const ROW = 26
  const LEFT = 130
  /** One row per process: CPU (bars), heap in use (line), GC and event-loop blocks (bars), each to its own scale. */
  const renderTimeline = (scopeId: string): void => {
    const box = $('timeline')
    const procs = procsOf(scopeId).filter((p) => data.timeline[p.key])
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
        const periods = (data.timeline[p.key] as any)?.[s.type]?.periods as [number, number, number, number[]][] | undefined
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
        // Rates (per ms) for what adds up, levels for heap snapshots.
        const level = (q: [number, number, number, number[]]): number => (s.type === 'space' ? q[2] : q[2] / Math.max(1, q[1] - q[0]))
        const max = Math.max(...periods.map(level)) || 1
        const h = (v: number): number => ((s.type === 'events' ? (ROW - 6) / 2 : ROW - 6) * v) / max
        if (s.type === 'space') {
          const pts = periods.map((q) => x((q[0] + q[1]) / 2).toFixed(1) + ',' + (y0 + ROW - 2 - h(level(q))).toFixed(1)).join(' ')
          parts.push('<polyline class="tl-' + s.type + '" points="' + pts + '" fill="none" stroke="' + s.color + '" stroke-width="1.5"><title>' + s.what + '</title></polyline>')
        } else {
          for (const q of periods) {
            const bx = x(q[0])
            const bw = Math.max(1, x(q[1]) - bx)
            const unit = s.type === 'events' ? 'nanoseconds' : unitOf(s.type)
            parts.push(
              '<rect class="tl-' + s.type + '" x="' + bx.toFixed(1) + '" width="' + bw.toFixed(1) + '" y="' + (y0 + ROW - 2 - h(level(q))).toFixed(1) + '" height="' + h(level(q)).toFixed(1) +
                '" fill="' + s.color + '" fill-opacity="' + (s.type === 'cpu' ? 0.45 : 0.8) + '"><title>' + esc(p.role + ' ' + p.pid) + ' \u00b7 ' + s.what + ': ' + fmt(q[2], unit) + ' \u00b7 ' +
                time(q[0]).slice(11) + ' \u2013 ' + time(q[1]).slice(11) + '</title></rect>',
            )
          }
        }
      }
    })
    const height = procs.length * ROW
    const sel = state.range ? '<rect id="tl-sel" x="' + x(state.range[0]).toFixed(1) + '" width="' + Math.max(1, x(state.range[1]) - x(state.range[0])).toFixed(1) + '" y="0" height="' + height + '"/>' : ''
    box.innerHTML =
      '<div class="tl-legend">' + SERIES.map((s) => '<span style="color:' + s.color + '">\u25a0 ' + s.what + '</span>').join(' ') + ' \u00b7 drag across the timeline to keep a time range' +
      (state.range ? ' \u00b7 <b id="range-label">' + time(state.range[0]).slice(11) + ' \u2013 ' + time(state.range[1]).slice(11) + '</b> <button id="clear-range">Clear range</button>' : '') +
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
      state.range = Math.abs(ev.clientX - startX) >= 3 && b > a ? [a, b] : null
      startX = -1
      render()
    })
    $('clear-range')?.addEventListener('click', () => {
      state.range = null
      render()
    })
  }

  const renderLabelControls = (view: any): void => {
    const labels = (view?.labels ?? []) as { key: string; tree: CompactNode }[]
    $('label-box').hidden = !labels.length
    $('label-key').innerHTML =
      '<option value="">no label</option>' + labels.map((l) => '<option value="' + esc(l.key) + '"' + (l.key === state.labelKey ? ' selected' : '') + '>' + esc(l.key) + '</option>').join('')
    const current = labels.find((l) => l.key === state.labelKey)
    $('label-value').hidden = !current
    $('label-value').innerHTML =
      '<option value="-1">group by value</option>' +
      (current?.tree[2] ?? [])
        .map((c) => '<option value="' + c[0] + '"' + (c[0] === state.labelValue ? ' selected' : '') + '>only ' + esc(data.frames[c[0]]?.[0] ?? '') + '</option>')
        .join('')
  }

  /** The table: `shown` has the rows and total of what the graph shows (all samples, or a label's or a range's). */
  const renderTop = (view: any, type: string, shown: { top: [number, number, number][]; total: number }): void => {
    const unit = unitOf(type)
    const rows: string[] = []
    if (data.mode === 'diff') {
      rows.push('<tr><th>change</th><th>before</th><th>after</th><th>function</th></tr>')
      for (const [f, b, a] of view.diff as [number, number, number][]) {
        const [name, loc] = data.frames[f] ?? ['?', '']
        const d = a - b
        // Grew or shrank; appeared (no samples before) or vanished (none after) said in words.
        const how = b === 0 ? 'appeared' : a === 0 ? 'vanished' : d > 0 ? 'grew' : 'shrank'
        rows.push(
          '<tr data-name="' + esc(name) + '" class="' + (d > 0 ? 'grew' : 'shrank') + ' ' + how + '"><td>' + (d >= 0 ? '+' : '') + d.toFixed(1) + ' pt<small>' + how + '</small></td><td>' + b.toFixed(1) + '%</td><td>' +
            a.toFixed(1) + '%</td><td title="' + esc(loc) + '">' + esc(name) + '<small>' + esc(loc) + '</small></td></tr>',
        )
      }
    } else {
      rows.push('<tr><th>self</th><th>total</th><th>function</th></tr>')
      for (const [f, self, total] of shown.top) {
        const [name, loc] = data.frames[f] ?? ['?', '']
        const share = (v: number): string => (shown.total > 0 ? ((100 * v) / shown.total).toFixed(1) : '0.0') + '%'
        rows.push(
          '<tr data-name="' + esc(name) + '" data-frame="' + f + '"' + (f === state.fn ? ' class="selected"' : '') + '><td title="' + fmt(self, unit) + '">' + share(self) + '</td><td title="' + fmt(total, unit) + '">' + share(total) +
            '</td><td title="' + esc(loc) + '">' + esc(name) + '<small>' + esc(loc) + '</small></td></tr>',
        )
      }
    }
    $('top').innerHTML = rows.join('')
  }

  const render = (): void => {
    const scope = data.scopes.find((s) => s.id === state.scope) ?? data.scopes[0]
    if (!scope) return
    const views = scope.views as Record<string, any>
    if (!views[state.type]) state.type = data.types.map((t) => t.id).find((t) => views[t]) ?? ''
    scopeSel.value = scope.id
    for (const b of document.querySelectorAll('button.type')) {
      b.disabled = !views[b.dataset.type]
      b.classList.toggle('on', b.dataset.type === state.type)
    }
    for (const b of document.querySelectorAll('button.scope')) b.classList.toggle('on', b.dataset.scope === scope.id)
    const view = views[state.type]
    renderTimeline(scope.id)
    for (const c of state.charts) c.destroy()
    state.charts = []
    state.drawn = []
    state.shown = null
    nav.reset()
    $('chart').innerHTML = ''
    $('callees').innerHTML = ''
    $('callees').hidden = state.view !== 'sandwich'
    for (const b of document.querySelectorAll('button.view')) b.classList.toggle('on', b.dataset.view === state.view)
    for (const b of document.querySelectorAll('button.order')) b.classList.toggle('on', b.dataset.order === state.order)
    $('profiler').checked = state.profiler === 'show'
    $('profiler-switch').hidden = data.profilerFrame < 0 || !view?.topUnfolded
    if (!view) {
      renderLabelControls(undefined)
      $('chart').textContent = 'No samples of this type in this scope.'
      $('top').innerHTML = ''
      return
    }
    const unit = unitOf(state.type)
    // A label: group by its values (one lane each) or keep one value's samples (that lane alone). A time range
    // rebuilds the tree from the periods instead (the label controls are off meanwhile).
    const labelled = state.range ? undefined : (view.labels ?? []).find((l: { key: string }) => l.key === state.labelKey)
    if (!labelled) state.labelKey = ''
    let base: CompactNode = view.tree
    if (labelled) {
      const lane = (labelled.tree[2] ?? []).find((c: CompactNode) => c[0] === state.labelValue)
      if (!lane) state.labelValue = -1
      base = lane ? [-1, lane[1], lane[2]] : labelled.tree
    }
    if (state.range) base = scopeTreeIn(scope.id, state.type, state.range)
    renderLabelControls(state.range ? undefined : view)
    const root = expand(base)
    root.name = scope.label + (labelled ? ' \u00b7 ' + (state.labelValue >= 0 ? (data.frames[state.labelValue]?.[0] ?? '') : 'by ' + labelled.key) : '')
    if (state.range) root.name = scope.label + ' \u00b7 ' + time(state.range[0]).slice(11) + ' \u2013 ' + time(state.range[1]).slice(11)
    const filtered = base !== view.tree
    const shownTotal = filtered ? root.value : view.total
    const shown = filtered ? { top: topOfTree(root, lanes), total: root.value } : { top: (state.profiler === 'show' && view.topUnfolded) || view.top, total: view.total }
    const share = (v: number): string => (shownTotal > 0 ? ((100 * v) / shownTotal).toFixed(2) : '0')
    state.shown = root
    state.label = (d: any): string => {
      const delta = d.data.delta !== undefined ? ' \u00b7 change ' + (d.data.delta >= 0 ? '+' : '') + fmt(d.data.delta, unit) : ''
      return d.data.name + (d.data.loc ? ' (' + d.data.loc + ')' : '') + ' \u00b7 ' + fmt(d.value, unit) + ' \u00b7 ' + share(d.value) + '%' + delta
    }
    const draw = (el: string, tree: Node, inverted: boolean): any => {
      const chart = libs
        .flamegraph()
        .width(Math.max(300, $(el).clientWidth))
        .cellHeight(18)
        .transitionDuration(200)
        .minFrameSize(1)
        .inverted(inverted)
        .sort(state.order === 'name')
        .setDetailsElement($('details'))
        .setSearchMatch((d: any, term: string) => !!term && (d.data.name + ' ' + d.data.loc).toLowerCase().includes(term.toLowerCase()))
        .setLabelHandler(state.label)
        // Lanes (a run, a process) are grey: they are where the time was, not a function.
        .setColorMapper((d: any, color: string) =>
          lanes.has(d.data.f) ? '#d5d0dc' : data.mode === 'diff' ? libs.differentialColorMapper(d, color) : color,
        )
        .onClick((d: any) => {
          nav.zoomed(chart, d)
          if (d?.data && d.data.f >= 0 && !lanes.has(d.data.f)) state.fn = d.data.f
        })
      chart.setSearchHandler((_results: unknown, sum: number, all: number) => {
        $('details').textContent = 'search: ' + (all > 0 ? ((100 * sum) / all).toFixed(1) : '0') + '% of ' + fmt(all, unit) + ' matches (' + fmt(sum, unit) + ')'
      })
      libs.select('#' + el).datum(tree).call(chart)
      state.charts.push(chart)
      state.drawn.push({ chart, el, inverted })
      return chart
    }
    if (state.view === 'sandwich') {
      const top = shown.top
      if (state.fn < 0 || !data.frames[state.fn]) state.fn = top.find((r: number[]) => !lanes.has(r[0] as number))?.[0] ?? -1
      const { callers, callees } = sandwich(root, state.fn, data.frames[state.fn] ?? ['?', ''])
      if (callers.value <= 0) {
        $('chart').textContent = 'The selected function has no samples in this scope and type: pick one in the table.'
      } else {
        // Callers above the function (a flame graph ending in it), callees below it (an icicle starting from it).
        $('chart').insertAdjacentHTML('beforeend', '<div class="caption">Callers of ' + esc(callers.name) + ' \u00b7 ' + share(callers.value) + '%</div><div id="callers"></div>')
        draw('callers', state.order === 'heavy' ? sortTree(callers) : callers, false)
        $('callees').insertAdjacentHTML('beforeend', '<div class="caption">Callees of ' + esc(callees.name) + '</div><div id="callees-chart"></div>')
        draw('callees-chart', state.order === 'heavy' ? sortTree(callees) : callees, true)
      }
    } else {
      const tree = state.view === 'inverted' ? sortTree(invert(root)) : root
      draw('chart', tree, state.view === 'inverted')
    }
    renderTop(view, state.type, shown)
    const term = $('search').value
    if (term) for (const c of state.charts) c.search(term)
    $('total').textContent = scope.label + ' \u00b7 ' + (data.types.find((t) => t.id === state.type)?.label ?? '') + ' \u00b7 ' + fmt(shownTotal, unit)
  }

  scopeSel.addEventListener('change', () => {
    state.scope = scopeSel.value
    render()
  })
  procList.addEventListener('click', (ev: any) => {
    const b = ev.target.closest('button.scope')
    if (!b) return
    state.scope = b.dataset.scope
    render()
  })
  typeBox.addEventListener('click', (ev: any) => {
    const b = ev.target.closest('button.type')
    if (!b || b.disabled) return
    state.type = b.dataset.type
    render()
  })
  $('search').addEventListener('input', () => {
    const term = $('search').value
    for (const c of state.charts) {
      if (term) c.search(term)
      else c.clear()
    }
    if (!term) $('details').textContent = ''
  })
  $('reset').addEventListener('click', () => {
    for (const c of state.charts) c.resetZoom()
  })
  // A row: its function becomes the sandwich's (redrawn when the sandwich is shown), and is searched in the graph.
  $('top').addEventListener('click', (ev: any) => {
    const tr = ev.target.closest('tr[data-name]')
    if (!tr) return
    if (tr.dataset.frame !== undefined) state.fn = Number(tr.dataset.frame)
    $('search').value = tr.dataset.name
    if (state.view === 'sandwich') return render()
    for (const c of state.charts) c.search(tr.dataset.name)
    for (const r of document.querySelectorAll('#top tr.selected')) r.classList.remove('selected')
    tr.classList.add('selected')
  })
  $('views').addEventListener('click', (ev: any) => {
    const b = ev.target.closest('button')
    if (!b) return
    if (b.dataset.view) state.view = b.dataset.view
    if (b.dataset.order) state.order = b.dataset.order
    render()
  })
  const nav = attachNavigation(document, () => state.drawn, (d) => state.label(d))
  // The pprof of the samples shown: gzip'ed in the page (CompressionStream), saved through a blob: link.
  $('download').addEventListener('click', async () => {
    if (!state.shown) return
    const type = data.types.find((t) => t.id === state.type)
    const bytes = encodePprof(state.shown, { type: type?.sample ?? state.type, unit: type?.unit ?? '' }, (n: any) => lanes.has(n.f))
    const gz = await new window.Response(new window.Blob([bytes]).stream().pipeThrough(new window.CompressionStream('gzip'))).blob()
    const a = document.createElement('a')
    a.href = window.URL.createObjectURL(gz)
    a.download = ('dd-run-' + state.scope.replace(/[^\w.-]+/g, '-') + '-' + state.type + (state.range ? '-range' : '') + '.pprof').replace(/-+/g, '-')
    document.body.append(a)
    a.click()
    a.remove()
    setTimeout(() => window.URL.revokeObjectURL(a.href), 10_000)
  })
  $('label-key').addEventListener('change', () => {
    state.labelKey = $('label-key').value
    state.labelValue = -1
    render()
  })
  $('label-value').addEventListener('change', () => {
    state.labelValue = Number($('label-value').value)
    render()
  })
  $('profiler').addEventListener('change', () => {
    state.profiler = $('profiler').checked ? 'show' : 'group'
    render()
  })
  let resizeTimer: any
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer)
    resizeTimer = setTimeout(render, 200)
  })
  render()
}
