// dd-run report [dir] [-o report.html] [--open]: one self-contained HTML page with the process tree, flame graphs
// per profile type and scope, search, zoom and a top-functions table.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { renderHtml } from '../report/html'
import { buildReport } from '../report/model'
import { openInBrowser } from './open'
import { addFilterOptions, closeSourceMaps, defaultDir, guard, log, newCommand, readSelection, select, sourceMapsFor } from './profiles'
import type { Subcommand } from './index'

export const report: Subcommand = (args) =>
  guard(async () => {
    const cmd = addFilterOptions(
      newCommand('report', 'Writes one self-contained HTML flame-graph report of the profiles in dir (default: the output directory).')
        .argument('[dir]', 'profile directory [DD_PROFILING_OUTPUT_DIR, default dd-profiles]')
        .option('-o, --output <file>', 'the HTML file to write', 'dd-run-report.html')
        .option('--title <text>', 'page title')
        .option('--open', 'open the report in the default browser'),
      false,
    )
    cmd.parse(args, { from: 'user' })
    const sel = readSelection(cmd)
    const o = cmd.opts<{ output: string; title?: string; open?: boolean }>()
    const dir = cmd.args[0] ? path.resolve(cmd.args[0]) : defaultDir()
    const entries = select(dir, sel.filters)
    const maps = sourceMapsFor(sel)
    let html: string
    try {
      const services = [...new Set(entries.map((e) => e.service))].join(', ')
      const data = await buildReport(entries, maps, o.title ?? `dd-run report: ${services}${sel.label ? ` (label ${sel.label.key}=${sel.label.value})` : ''}`, undefined, sel.label, sel.profilerFrames)
      html = renderHtml(data)
    } finally {
      closeSourceMaps(maps)
    }
    const out = path.resolve(o.output)
    fs.mkdirSync(path.dirname(out), { recursive: true })
    fs.writeFileSync(out, html)
    log.info(`report of ${entries.length} profiles written to ${out} (${(html.length / 1024 / 1024).toFixed(1)} MiB)`)
    if (o.open) openInBrowser(out)
    return 0
  })
