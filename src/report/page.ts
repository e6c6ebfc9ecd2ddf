// The report page's own script. It runs in the browser, not in Node: scripts/bundle.ts bundles it at build time with
// the d3 modules it is handed (d3-selection's select, d3-flame-graph), and html.ts inlines that bundle.
import type { CompactNode, PageData } from './model'

// Browser globals, typed loosely and only inside this module (the project compiles without the DOM library).
declare const document: any
declare const window: any

/** What the page draws with, handed in by the bundle's entry (scripts/bundle.ts). */
export interface PageLibs {
  select: (selector: string) => any
  flamegraph: () => any
  differentialColorMapper: (d: any, originalColor: string) => string
}

interface Node {
  name: string
  loc: string
  value: number
  delta?: number
  children: Node[]
}

export function pageMain(libs: PageLibs): void {
  const data: PageData = JSON.parse(document.getElementById('report-data').textContent)
  const $ = (id: string): any => document.getElementById(id)
  const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string)
  const state = { scope: 'all', type: '', chart: null as any }

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

  const expand = (c: CompactNode): Node => {
    const frame = data.frames[c[0]] ?? ['all', '']
    const node: Node = { name: frame[0], loc: frame[1], value: c[1], children: (c[2] ?? []).map(expand) }
    if (c[3] !== undefined) node.delta = c[3]
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

  const renderTop = (view: any, type: string): void => {
    const unit = unitOf(type)
    const rows: string[] = []
    if (data.mode === 'diff') {
      rows.push('<tr><th>change</th><th>before</th><th>after</th><th>function</th></tr>')
      for (const [f, b, a] of view.diff as [number, number, number][]) {
        const [name, loc] = data.frames[f] ?? ['?', '']
        const d = a - b
        rows.push(
          '<tr data-name="' + esc(name) + '" class="' + (d > 0 ? 'grew' : 'shrank') + '"><td>' + (d >= 0 ? '+' : '') + d.toFixed(1) + ' pt</td><td>' + b.toFixed(1) + '%</td><td>' +
            a.toFixed(1) + '%</td><td title="' + esc(loc) + '">' + esc(name) + '<small>' + esc(loc) + '</small></td></tr>',
        )
      }
    } else {
      rows.push('<tr><th>self</th><th>total</th><th>function</th></tr>')
      for (const [f, self, total] of view.top as [number, number, number][]) {
        const [name, loc] = data.frames[f] ?? ['?', '']
        const share = (v: number): string => (view.total > 0 ? ((100 * v) / view.total).toFixed(1) : '0.0') + '%'
        rows.push(
          '<tr data-name="' + esc(name) + '"><td title="' + fmt(self, unit) + '">' + share(self) + '</td><td title="' + fmt(total, unit) + '">' + share(total) +
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
    if (state.chart) {
      state.chart.destroy()
      state.chart = null
    }
    $('chart').innerHTML = ''
    if (!view) {
      $('chart').textContent = 'No samples of this type in this scope.'
      $('top').innerHTML = ''
      return
    }
    const unit = unitOf(state.type)
    const root = expand(view.tree)
    root.name = scope.label
    const chart = libs
      .flamegraph()
      .width(Math.max(300, $('chart').clientWidth))
      .cellHeight(18)
      .transitionDuration(200)
      .minFrameSize(1)
      .setDetailsElement($('details'))
      .setSearchMatch((d: any, term: string) => !!term && (d.data.name + ' ' + d.data.loc).toLowerCase().includes(term.toLowerCase()))
      .setLabelHandler((d: any) => {
        const share = view.total > 0 ? ((100 * d.value) / view.total).toFixed(2) : '0'
        const delta = d.data.delta !== undefined ? ' \u00b7 change ' + (d.data.delta >= 0 ? '+' : '') + fmt(d.data.delta, unit) : ''
        return d.data.name + (d.data.loc ? ' (' + d.data.loc + ')' : '') + ' \u00b7 ' + fmt(d.value, unit) + ' \u00b7 ' + share + '%' + delta
      })
    chart.setSearchHandler((_results: unknown, sum: number, all: number) => {
      $('details').textContent = 'search: ' + (all > 0 ? ((100 * sum) / all).toFixed(1) : '0') + '% of ' + fmt(all, unit) + ' matches (' + fmt(sum, unit) + ')'
    })
    if (data.mode === 'diff') chart.setColorMapper(libs.differentialColorMapper)
    libs.select('#chart').datum(root).call(chart)
    state.chart = chart
    renderTop(view, state.type)
    const term = $('search').value
    if (term) chart.search(term)
    $('total').textContent = scope.label + ' \u00b7 ' + (data.types.find((t) => t.id === state.type)?.label ?? '') + ' \u00b7 ' + fmt(view.total, unit)
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
    if (!state.chart) return
    const term = $('search').value
    if (term) state.chart.search(term)
    else {
      state.chart.clear()
      $('details').textContent = ''
    }
  })
  $('reset').addEventListener('click', () => state.chart?.resetZoom())
  $('top').addEventListener('click', (ev: any) => {
    const tr = ev.target.closest('tr[data-name]')
    if (!tr || !state.chart) return
    $('search').value = tr.dataset.name
    state.chart.search(tr.dataset.name)
  })
  let resizeTimer: any
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer)
    resizeTimer = setTimeout(render, 200)
  })
  render()
}
