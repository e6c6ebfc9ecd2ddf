// The page's text: values and times as people read them, and the HTML of the process tree and the tables. Bundled
// with page.ts (it runs in the browser).
import type { PageData } from './model'

export const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string)

/** A value in its unit: nanoseconds as us to h, bytes as B to GiB, counts as they are. */
export function fmt(v: number, unit: string): string {
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

/** An epoch time in ms as `YYYY-MM-DD HH:MM:SS UTC`. */
export const time = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')

/** The process tree: run -> processes, children under their parent; each a button that picks its scope. */
export function processTreeHtml(data: PageData): string {
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
  return html
}

/** The top-functions table: self and total as shares of what is shown; `selected`, the sandwich's function. */
export function topRows(data: PageData, shown: { top: [number, number, number][]; total: number }, unit: string, selected: number): string {
  const rows = ['<tr><th>self</th><th>total</th><th>function</th></tr>']
  const share = (v: number): string => (shown.total > 0 ? ((100 * v) / shown.total).toFixed(1) : '0.0') + '%'
  for (const [f, self, total] of shown.top) {
    const [name, loc] = data.frames[f] ?? ['?', '']
    rows.push(
      '<tr data-name="' + esc(name) + '" data-frame="' + f + '"' + (f === selected ? ' class="selected"' : '') + '><td title="' + fmt(self, unit) + '">' + share(self) + '</td><td title="' + fmt(total, unit) + '">' + share(total) +
        '</td><td title="' + esc(loc) + '">' + esc(name) + '<small>' + esc(loc) + '</small></td></tr>',
    )
  }
  return rows.join('')
}

/** The comparison's table: each function's change, and whether it grew, shrank, appeared or vanished. */
export function diffRows(data: PageData, diff: [number, number, number][]): string {
  const rows = ['<tr><th>change</th><th>before</th><th>after</th><th>function</th></tr>']
  for (const [f, b, a] of diff) {
    const [name, loc] = data.frames[f] ?? ['?', '']
    const d = a - b
    // Grew or shrank; appeared (no samples before) or vanished (none after) said in words.
    const how = b === 0 ? 'appeared' : a === 0 ? 'vanished' : d > 0 ? 'grew' : 'shrank'
    rows.push(
      '<tr data-name="' + esc(name) + '" class="' + (d > 0 ? 'grew' : 'shrank') + ' ' + how + '"><td>' + (d >= 0 ? '+' : '') + d.toFixed(1) + ' pt<small>' + how + '</small></td><td>' + b.toFixed(1) + '%</td><td>' +
        a.toFixed(1) + '%</td><td title="' + esc(loc) + '">' + esc(name) + '<small>' + esc(loc) + '</small></td></tr>',
    )
  }
  return rows.join('')
}
