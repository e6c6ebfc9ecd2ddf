// The report page's own script. It runs in the browser, not in Node: scripts/bundle.ts bundles it at build time with
// the d3 modules it is handed (d3-selection's select, d3-flame-graph), and html.ts inlines that bundle.
import type { CompactNode, PageData } from './model'
import { diffRows, esc, fmt, processTreeHtml, time, topRows } from './page-html'
import { attachNavigation, type Drawn } from './page-keys'
import { encodePprof } from './page-pprof'
import { drawTimeline, rangeTrees } from './page-timeline'
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
  procList.innerHTML = processTreeHtml(data)

  const scopeSel = $('scope')
  scopeSel.innerHTML = data.scopes.map((s) => '<option value="' + esc(s.id) + '">' + esc(s.label) + '</option>').join('')

  const typeBox = $('types')
  typeBox.innerHTML = data.types.map((t) => '<button class="type" data-type="' + t.id + '">' + esc(t.label) + '</button>').join('')

  const { procsOf, labelledTreeIn } = rangeTrees(data)
  const renderTimeline = (scopeId: string): void =>
    drawTimeline({ document, data, procs: procsOf(scopeId), range: state.range, fmt, time, unitOf, esc }, (range) => {
      state.range = range
      render()
    })

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
    $('top').innerHTML = data.mode === 'diff' ? diffRows(data, view.diff) : topRows(data, shown, unitOf(type), state.fn)
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
    // Every filter composes: the scope (all processes, a run, a process), a label (grouped by its values, one lane
    // each, or one value's samples kept), a time range (the trees rebuilt from the periods, the label applied to
    // each period's samples) and the search (highlighting what is drawn).
    const labelled = (view.labels ?? []).find((l: { key: string }) => l.key === state.labelKey) as { key: string; tree: CompactNode } | undefined
    if (!labelled) state.labelKey = ''
    const valueLanes = labelled?.tree[2] ?? []
    const kept = valueLanes.find((c) => c[0] === state.labelValue)
    if (!kept) state.labelValue = -1
    let base: CompactNode = view.tree
    if (labelled) base = kept ? [-1, kept[1], kept[2]] : labelled.tree
    if (state.range) base = labelledTreeIn(scope.id, state.type, state.range, labelled, kept)
    renderLabelControls(view)
    const root = expand(base)
    root.name =
      scope.label +
      (labelled ? ' \u00b7 ' + (kept ? (data.frames[kept[0]]?.[0] ?? '') : 'by ' + labelled.key) : '') +
      (state.range ? ' \u00b7 ' + time(state.range[0]).slice(11) + ' \u2013 ' + time(state.range[1]).slice(11) : '')
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
