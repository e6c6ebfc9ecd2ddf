// dd-run report [dir] [-o report.html] [--open]: one self-contained HTML page with the process tree, flame graphs
// per profile type and scope, search, zoom and a top-functions table. `dd-run report <before> <after>` writes the
// comparison page instead (the one `dd-run diff --html` writes), for every profile type both sides have.
import * as path from 'node:path'
import { compare, comparisonPage, reportPage, writePage } from '../report/pages'
import { PROFILE_TYPES } from '../report/types'
import { openInBrowser } from './open'
import { addFilterOptions, closeSourceMaps, defaultDir, guard, log, newCommand, NothingFound, readSelection, select, selectSide, sourceMapsFor, UsageError, type Selection } from './shared'
import type { Subcommand } from './index'

export const report: Subcommand = (args) =>
  guard(async () => {
    const cmd = addFilterOptions(
      newCommand('report', 'Writes one self-contained HTML flame-graph report of the profiles in dir (default: the output directory).')
        .argument('[dirs...]', 'profile directory [DD_PROFILING_OUTPUT_DIR, default dd-profiles]; two (directories or run ids): compare them')
        .option('--dir <dir>', 'with two run ids: where to look for them [DD_PROFILING_OUTPUT_DIR, default dd-profiles]')
        .option('-o, --output <file>', 'the HTML file to write', 'dd-run-report.html')
        .option('--title <text>', 'page title')
        .option('--open', 'open the report in the default browser'),
      false,
    )
    cmd.parse(args, { from: 'user' })
    const sel = readSelection(cmd)
    const o = cmd.opts<{ output: string; title?: string; open?: boolean; dir?: string }>()
    if (cmd.args.length > 2) throw new UsageError(`expected one profile directory, or two to compare; got ${cmd.args.length}`)
    if (cmd.args.length === 2) return comparison(cmd.args[0] as string, cmd.args[1] as string, o, sel)
    const dir = cmd.args[0] ? path.resolve(cmd.args[0]) : defaultDir()
    const entries = select(dir, sel.filters)
    const maps = sourceMapsFor(sel)
    try {
      const services = [...new Set(entries.map((e) => e.service))].join(', ')
      const title = o.title ?? `dd-run report: ${services}${sel.label ? ` (label ${sel.label.key}=${sel.label.value})` : ''}`
      const written = writePage(o.output, await reportPage(entries, title, { maps, label: sel.label, profilerFrames: sel.profilerFrames }))
      log.info(`report of ${entries.length} profiles written to ${written.file} (${(written.bytes / 1024 / 1024).toFixed(1)} MiB)`)
      if (o.open) openInBrowser(written.file)
    } finally {
      closeSourceMaps(maps)
    }
    return 0
  })

/** `dd-run report <before> <after>`: the comparison page, every type both sides have. */
async function comparison(a: string, b: string, o: { output: string; open?: boolean; dir?: string }, sel: Selection): Promise<number> {
  const runsDir = o.dir ? path.resolve(o.dir) : defaultDir()
  const before = selectSide(a, sel.filters, runsDir)
  const after = selectSide(b, sel.filters, runsDir)
  const maps = sourceMapsFor(sel)
  try {
    const page = comparisonPage(await compare(before, after, PROFILE_TYPES, { maps, label: sel.label, profilerFrames: sel.profilerFrames }))
    if (!page.types.length) throw new NothingFound(`${a} and ${b} have no profile type in common with samples on both sides`)
    const written = writePage(o.output, page)
    log.info(`comparison of ${before.label} and ${after.label} written to ${written.file}`)
    if (o.open) openInBrowser(written.file)
  } finally {
    closeSourceMaps(maps)
  }
  return 0
}

