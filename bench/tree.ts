// Process-tree workload: bench/apps/tree.js forks 7 children (8 Node processes), each doing the same fixed work.
// Not pinned: the tree uses the machine's cores as a real one would. dd-run must profile all 8 processes.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { runOk } from './lib/proc'
import { median } from './lib/stats'
import { APPS, checkProfiles, VARIANTS, type VariantName } from './lib/variants'
import { finish, pickVariants, runRounds, type Figure, type Options, type WorkloadResult } from './lib/workload'

export const TREE_VARIANTS: VariantName[] = ['bare', 'bare-control', 'dd-run', 'dd-run-off', 'dd-trace-profiler', 'dd-trace', 'cpu-prof']

export const TREE_FIGURES: Figure[] = [
  { key: 'wholeMs', label: 'Whole-tree time (spawn to exit)', unit: 'ms', digits: 0, compare: 'ratio' },
  { key: 'cpuMs', label: 'CPU time of the 8 processes together', unit: 'ms', digits: 0, compare: 'ratio' },
  { key: 'rssMb', label: 'Peak RSS per process (median of the 8)', unit: 'MB', digits: 1, compare: 'diff', targets: [{ variant: 'dd-run', op: '<=', value: 15, text: '<= +15 MB' }] },
  { key: 'profileKbPerMin', label: 'Profile bytes per minute of run', unit: 'KB/min', digits: 1, compare: 'diff' },
]

export async function runTree(opts: Options): Promise<WorkloadResult> {
  const settings = { unitsPerProcess: opts.quick ? 1500 : 15000, processes: 8, uploadPeriod: 60, pinned: false }
  const variants = pickVariants(TREE_VARIANTS, opts)
  const r = await runRounds('tree', variants, opts, async (variant, _round, dir) => {
    const v = VARIANTS[variant]
    const outDir = path.join(dir, 'out')
    const resultFile = path.join(dir, 'result.json')
    const cmd = v.command({ script: path.join(APPS, 'tree.js'), args: [resultFile, String(settings.unitsPerProcess)], outDir, uploadPeriod: settings.uploadPeriod, closedPort: opts.closedPort })
    const exit = await runOk(cmd, path.join(dir, 'stderr.log'), 600_000)
    const res = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as { wallMs: number; processes: { pid: number; cpuUs: number; maxRssKb: number }[] }
    // dd-run and --cpu-prof show which processes wrote; dd-trace-js's file names do not tell processes apart.
    const check = checkProfiles(v, outDir, v.expect === 'dd-run' || v.expect === 'cpu-prof' ? settings.processes : 1)
    return {
      values: {
        wholeMs: exit.ms,
        cpuMs: res.processes.reduce((s, p) => s + p.cpuUs, 0) / 1000,
        rssMb: median(res.processes.map((p) => p.maxRssKb / 1024)),
        profileKbPerMin: check.bytes / 1024 / (exit.ms / 60_000),
      },
      check,
      raw: { ...res, profileBytes: check.bytes, profileFiles: check.files, wallSamples: check.samples, profiledProcesses: check.processes },
    }
  })
  return finish('tree', 'Tree of 8 Node processes (root + 7 forked children)', settings, variants, TREE_FIGURES, opts, r)
}
