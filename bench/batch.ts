// CPU batch workload: bench/apps/batch.js does a fixed number of work units on core 0. Whole-process time is
// measured here (spawn to exit, launcher included); in-process time is the app's own measure of its work.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { canPin, pinned, runOk } from './lib/proc'
import { APPS, checkProfiles, VARIANTS, type VariantName } from './lib/variants'
import { finish, pickVariants, runRounds, type Figure, type Options, type WorkloadResult } from './lib/workload'

export const BATCH_VARIANTS: VariantName[] = ['bare', 'bare-control', 'dd-run', 'dd-run-wall', 'dd-run-space', 'dd-run-off', 'dd-trace-profiler', 'dd-trace', 'cpu-prof', 'bare-24', 'dd-run-24', 'dd-trace6-profiler-24', 'dd-trace6-24']

export const BATCH_FIGURES: Figure[] = [
  { key: 'inProcessMs', label: 'In-process time of the batch', unit: 'ms', digits: 0, compare: 'ratio', targets: [{ variant: 'dd-run', op: '<=', value: 1.02, text: '<= 1.02x' }] },
  { key: 'wholeMs', label: 'Whole-process time (spawn to exit)', unit: 'ms', digits: 0, compare: 'ratio', targets: [{ variant: 'dd-run', op: '<=', value: 1.02, text: '<= 1.02x' }] },
  { key: 'maxRssMb', label: 'Peak RSS of the batch process', unit: 'MB', digits: 1, compare: 'diff', targets: [{ variant: 'dd-run', op: '<=', value: 15, text: '<= +15 MB' }] },
  { key: 'profileKbPerMin', label: 'Profile bytes per minute of run', unit: 'KB/min', digits: 1, compare: 'diff' },
]

export async function runBatch(opts: Options): Promise<WorkloadResult> {
  const settings = { units: opts.quick ? 5000 : 60000, uploadPeriod: 60, core: canPin() ? 0 : null }
  const variants = pickVariants(BATCH_VARIANTS, opts)
  const r = await runRounds('batch', variants, opts, async (variant, _round, dir) => {
    const v = VARIANTS[variant]
    const outDir = path.join(dir, 'out')
    const resultFile = path.join(dir, 'result.json')
    const cmd = v.command({ script: path.join(APPS, 'batch.js'), args: [resultFile, String(settings.units)], outDir, uploadPeriod: settings.uploadPeriod, closedPort: opts.closedPort })
    const exit = await runOk(pinned(cmd, settings.core ?? undefined), path.join(dir, 'stderr.log'), 600_000)
    const res = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as { workMs: number; cpuUs: number; maxRssKb: number }
    const check = checkProfiles(v, outDir)
    return {
      values: { inProcessMs: res.workMs, wholeMs: exit.ms, maxRssMb: res.maxRssKb / 1024, profileKbPerMin: check.bytes / 1024 / (exit.ms / 60_000) },
      check,
      raw: { ...res, profileBytes: check.bytes, profileFiles: check.files, wallSamples: check.samples },
    }
  })
  return finish('batch', 'CPU batch (fixed work)', settings, variants, BATCH_FIGURES, opts, r)
}
