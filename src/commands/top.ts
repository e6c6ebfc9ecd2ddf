// dd-run top [dir]: the hottest functions across the profiles of a directory, as a table or JSON on stdout.
import * as path from 'node:path'
import { aggregate } from '../report/aggregate'
import { FrameTable } from '../report/frames'
import { TYPE_INFO } from '../report/types'
import { renderTop, topOf } from '../report/top'
import { addFilterOptions, closeSourceMaps, defaultDir, guard, newCommand, NothingFound, parseCount, readSelection, select, sourceMapsFor, terminalWidth } from './shared'
import type { Subcommand } from './index'
import { writeStdout } from '../log'

export const top: Subcommand = (args) =>
  guard(async () => {
    const cmd = addFilterOptions(
      newCommand('top', 'The hottest functions across the profiles in dir (default: the output directory).')
        .argument('[dir]', 'profile directory [DD_PROFILING_OUTPUT_DIR, default dd-profiles]')
        .option('-n, --limit <n>', 'number of functions to show (0 for all)', '20')
        .option('--json', 'print JSON instead of a table'),
    )
    cmd.parse(args, { from: 'user' })
    const sel = readSelection(cmd)
    const o = cmd.opts<{ limit: string; json?: boolean }>()
    const n = parseCount(o.limit, '-n')
    const dir = cmd.args[0] ? path.resolve(cmd.args[0]) : defaultDir()
    const entries = select(dir, sel.filters)
    const maps = sourceMapsFor(sel)
    try {
      const agg = await aggregate(entries, sel.type, maps, new FrameTable({ profilerFrames: sel.profilerFrames }), sel.label)
      if (agg.profiles === 0 || agg.tree.value === 0) {
        const info = TYPE_INFO[sel.type]
        const why = agg.missingType > 0 ? ` (the ${info.attachment} files hold no ${info.sample} samples)` : ''
        const hint = sel.type === 'alloc' ? 'allocation samples come from programs on Node 26 or newer, with DD_PROFILING_ALLOCATION_ENABLED (on by default); try --type space' : `try --type ${sel.type === 'cpu' ? 'wall' : 'cpu'}`
        throw new NothingFound(`no ${info.label.toLowerCase()} samples in ${entries.length} profiles in ${dir}${why}; ${hint}`)
      }
      const result = topOf(agg, entries, n)
      writeStdout(o.json ? JSON.stringify(result, null, 2) + '\n' : renderTop(result, terminalWidth()))
      return 0
    } finally {
      closeSourceMaps(maps)
    }
  })
