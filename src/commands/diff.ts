// dd-run diff <before> <after>: which functions' share of CPU (or wall, or heap) grew or shrank the most between
// two profile directories, or two runs (by run id) of one directory; --html writes a differential flame graph page.
import * as path from 'node:path'
import type { Aggregate } from '../report/aggregate'
import { diffOf, renderDiff } from '../report/diff'
import { compare, comparisonPage, writePage, type Side } from '../report/pages'
import { TYPE_INFO } from '../report/types'
import { openInBrowser } from './open'
import { addFilterOptions, closeSourceMaps, defaultDir, guard, log, newCommand, NothingFound, parseCount, readSelection, selectSide, sourceMapsFor, terminalWidth } from './shared'
import type { Subcommand } from './index'
import { writeStdout } from '../log'


export const diff: Subcommand = (args) =>
  guard(async () => {
    const cmd = addFilterOptions(
      newCommand('diff', 'Compares two profile directories, or two runs (by run id) of one directory.')
        .argument('<before>', 'a profile directory, or a run id found in --dir')
        .argument('<after>', 'a profile directory, or a run id found in --dir')
        .option('--dir <dir>', 'where to look for run ids [DD_PROFILING_OUTPUT_DIR, default dd-profiles]')
        .option('-n, --limit <n>', 'functions to show in each direction (0 for all)', '10')
        .option('--json', 'print JSON instead of tables')
        .option('--html <file>', 'also write a differential flame graph page to this file')
        .option('--open', 'with --html: open the page in the default browser'),
    )
    cmd.parse(args, { from: 'user' })
    const sel = readSelection(cmd)
    const o = cmd.opts<{ dir?: string; limit: string; json?: boolean; html?: string; open?: boolean }>()
    const n = parseCount(o.limit, '-n')
    const runsDir = o.dir ? path.resolve(o.dir) : defaultDir()
    const side = (arg: string): Side => selectSide(arg, sel.filters, runsDir)
    const before = side(cmd.args[0] as string)
    const after = side(cmd.args[1] as string)
    const maps = sourceMapsFor(sel)
    try {
      // With --html, the page shows CPU and wall time side by side (one read of the same files).
      const types = o.html && (sel.type === 'cpu' || sel.type === 'wall') ? (['cpu', 'wall'] as const) : [sel.type]
      const comparison = await compare(before, after, types, { maps, label: sel.label, profilerFrames: sel.profilerFrames })
      const [b, a] = comparison.pairs[sel.type] as [Aggregate, Aggregate]
      const info = TYPE_INFO[sel.type]
      for (const [s, agg] of [[before, b], [after, a]] as const) {
        if (agg.tree.value === 0) throw new NothingFound(`no ${info.label.toLowerCase()} samples in ${s.label}; try another --type`)
      }
      const result = diffOf(b, a)
      if (o.json) {
        const limited = n > 0 ? { ...result, functions: [...result.functions.filter((f) => f.delta > 0).slice(0, n), ...result.functions.filter((f) => f.delta < 0).reverse().slice(0, n)] } : result
        writeStdout(JSON.stringify({ before: before.label, after: after.label, ...limited }, null, 2) + '\n')
      } else {
        writeStdout(renderDiff(result, { before: before.label, after: after.label }, n, terminalWidth()))
      }
      if (o.html) {
        const written = writePage(o.html, comparisonPage(comparison))
        log.info(`differential flame graph written to ${written.file}`)
        if (o.open) openInBrowser(written.file)
      }
      return 0
    } finally {
      closeSourceMaps(maps)
    }
  })

