// Writes the report as ONE self-contained HTML file: the page's script (with the parts of d3 and d3-flame-graph it
// uses, bundled at build time) is inlined, the data is embedded as JSON, and a Content-Security-Policy forbids every
// network request, so the page works offline, mailed or attached to a ticket.
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { PageData } from './model'

/** The page's script and style, bundled at build time by scripts/bundle.ts next to this file. */
const bundled = (ext: 'js' | 'css'): string => fs.readFileSync(path.join(__dirname, `page-bundle.${ext}`), 'utf8')

// Inline <script> content must not close the element early.
const scriptSafe = (js: string): string => js.replace(/<\/(script)/gi, '<\\/$1')

const CSS = `
*{box-sizing:border-box}
body{margin:0;font:13px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;color:#222;background:#fafafa}
header{padding:10px 16px;background:#632ca6;color:#fff}
header h1{margin:0;font-size:18px}
#range{opacity:.9}
main{display:grid;grid-template-columns:260px 1fr;gap:12px;padding:12px}
aside{background:#fff;border:1px solid #ddd;border-radius:4px;padding:8px;overflow:auto;max-height:calc(100vh - 90px)}
aside ul{list-style:none;margin:0;padding-left:12px}
aside .run{margin-top:8px}
aside .meta{color:#666;font-size:11px;margin:0 0 4px 4px;overflow-wrap:anywhere}
button{font:inherit;border:1px solid #bbb;background:#fff;border-radius:3px;padding:2px 8px;cursor:pointer}
button.on{background:#632ca6;color:#fff;border-color:#632ca6}
button:disabled{opacity:.4;cursor:default}
aside button.scope{border:none;text-align:left;padding:2px 4px}
.controls{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin-bottom:6px}
#search{padding:3px 6px;min-width:220px}
#details{min-height:1.4em;color:#444;font-family:ui-monospace,monospace;font-size:12px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
#total{font-weight:600}
.views{display:grid;grid-template-columns:minmax(0,1fr) 340px;gap:12px;align-items:start}
#chart{background:#fff;border:1px solid #ddd;border-radius:4px;min-height:200px;overflow:hidden}
#top{border-collapse:collapse;background:#fff;border:1px solid #ddd;width:100%;font-size:12px}
#top th,#top td{padding:2px 6px;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
#top td:not(:last-child){text-align:right;white-space:nowrap}
#top tr[data-name]{cursor:pointer}
#top tr[data-name]:hover{background:#f0e8fa}
#top small{display:block;color:#777;overflow-wrap:anywhere}
#top tr.grew td:first-child{color:#b00}
#top tr.selected{background:#e6dcf5}
#views button{border-radius:0;margin-right:-1px}
#views button.view:first-child,#views button.order[data-order=heavy]{border-radius:3px 0 0 3px;margin-left:6px}
#views button.view[data-view=sandwich],#views button.order[data-order=name]{border-radius:0 3px 3px 0}
#callees{background:#fff;border:1px solid #ddd;border-top:none;border-radius:0 0 4px 4px;overflow:hidden}
.caption{padding:2px 6px;color:#555;font-size:12px}
main>section{min-width:0}
#timeline{overflow:hidden;background:#fff;border:1px solid #ddd;border-radius:4px;margin-bottom:6px;padding:4px;user-select:none}
#timeline svg{display:block;touch-action:none}
#tl-brush{cursor:crosshair}
#tl-sel{fill:#632ca6;fill-opacity:.15;stroke:#632ca6;pointer-events:none}
.tl-label{font-size:11px;fill:#333}
.tl-axis{font-size:10px;fill:#777}
g.frame.cur rect{stroke:#000;stroke-width:2}
#tip{position:fixed;z-index:10;max-width:600px;background:#222;color:#fff;padding:4px 8px;border-radius:3px;font:12px ui-monospace,monospace;pointer-events:none;overflow-wrap:anywhere}
.tl-legend{font-size:11px;color:#555;margin-bottom:2px}
#top tr.shrank td:first-child{color:#00b}
`

export function renderHtml(data: PageData): string {
  const json = JSON.stringify(data).replace(/</g, '\\u003c')
  const title = data.title.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string)
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${CSS}</style>
<style>${bundled('css')}</style>
</head>
<body>
<header><h1>${title}</h1><div id="range"></div></header>
<main>
<aside><b>Processes</b><div id="procs"></div></aside>
<section>
<div class="controls">
<select id="scope" aria-label="scope"></select>
<span id="types"></span>
<input id="search" type="search" placeholder="Search functions" aria-label="search">
<button id="reset" title="Escape">Reset zoom</button>
<button id="download" title="the pprof of the samples shown: scope, type, label and time range">Download pprof</button>
<span id="views"><button class="view" data-view="flame" title="callers below, callees above">Flame graph</button><button
 class="view" data-view="inverted" title="bottom-up: where time was spent, with the callers that led there above">Inverted</button><button
 class="view" data-view="sandwich" title="callers and callees of the selected function (click a frame or a table row)">Sandwich</button>
<button class="order" data-order="heavy" title="the largest child first">Left-heavy</button><button
 class="order" data-order="name" title="children by name">By name</button></span>
<span id="label-box" hidden><select id="label-key" aria-label="label"></select> <select id="label-value" aria-label="label value" hidden></select></span>
<label id="profiler-switch" title="dd-run's and @datadog/pprof's frames: folded into one (dd-run profiler) frame, or shown under it"><input type="checkbox" id="profiler"> profiler's frames</label>
<span id="total"></span>
</div>
<div id="timeline" hidden></div>
<div id="details"></div>
<div class="views"><div><div id="chart"></div><div id="callees" hidden></div></div><table id="top"></table></div>
</section>
</main>
<div id="tip" hidden></div>
<script type="application/json" id="report-data">${json}</script>
<script>${scriptSafe(bundled('js'))}</script>
</body>
</html>
`
}
