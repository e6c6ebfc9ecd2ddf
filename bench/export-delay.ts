// Event-loop delay at export: bench/apps/ticker.js records how late a 1 ms timer fires while a light load runs, with
// a 5 s upload period so that exports happen during the run. The lateness inside a window around each export (from
// the end times in the profiles' event files) is compared with bare node's lateness in the same windows of its
// run. A late tick stands for the ticks it swallowed (coordinated-omission correction, 1 ms interval).
import * as fs from 'node:fs'
import * as path from 'node:path'
import { canPin, pinned, runOk } from './lib/proc'
import { delayFigures, WINDOW_AFTER_MS, WINDOW_BEFORE_MS, type Ticks } from './lib/delay'
import { APPS, checkProfiles, VARIANTS, type VariantName } from './lib/variants'
import { finish, pickVariants, runRounds, type Figure, type Options, type WorkloadResult } from './lib/workload'

export const EXPORT_VARIANTS: VariantName[] = ['bare', 'bare-control', 'dd-run', 'dd-run-wall', 'dd-run-space', 'bare-bundle', 'dd-run-bundle', 'dd-run-bundle-nomap', 'dd-trace-profiler', 'dd-trace']

export const EXPORT_FIGURES: Figure[] = [
  { key: 'exportP99Ms', label: 'Event-loop delay in the export windows, p99', unit: 'ms', digits: 2, compare: 'diff', targets: [{ variant: 'dd-run', op: '<=', value: 5, text: '<= +5 ms' }] },
  { key: 'exportMaxMs', label: 'Event-loop delay in the export windows, max', unit: 'ms', digits: 2, compare: 'diff' },
  { key: 'steadyP99Ms', label: 'Event-loop delay outside the export windows, p99', unit: 'ms', digits: 2, compare: 'diff' },
  { key: 'profileKbPerMin', label: 'Profile bytes per minute (5 s upload period)', unit: 'KB/min', digits: 1, compare: 'diff' },
]

export async function runExportDelay(all: Options): Promise<WorkloadResult> {
  // Each run lasts the whole duration: 3 rounds by default (several exports per run already), unless told.
  const opts = all.roundsGiven ? all : { ...all, rounds: Math.min(all.rounds, 3) }
  const settings = { uploadPeriod: 5, durationMs: opts.quick ? 12_000 : 32_000, windowMs: [-WINDOW_BEFORE_MS, WINDOW_AFTER_MS], core: canPin() ? 0 : null }
  const variants = pickVariants(EXPORT_VARIANTS, opts)
  const r = await runRounds('export', variants, opts, async (variant, _round, dir) => {
    const v = VARIANTS[variant]
    const outDir = path.join(dir, 'out')
    const resultFile = path.join(dir, 'ticks.json')
    const cmd = v.command({ script: path.join(APPS, 'ticker.js'), args: [resultFile, String(settings.durationMs)], outDir, uploadPeriod: settings.uploadPeriod, closedPort: opts.closedPort })
    const exit = await runOk(pinned(cmd, settings.core ?? undefined), path.join(dir, 'stderr.log'), settings.durationMs + 120_000)
    const ticks = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as Ticks
    const check = checkProfiles(v, outDir)
    // Periodic exports only: the final one at exit happens after the ticker stopped recording.
    let moments = check.exportEnds.filter((e) => e > ticks.start + 500 && e < ticks.end - WINDOW_AFTER_MS)
    if (v.expect === 'none') {
      // Bare node exports nothing: the same moments a profiler started with the process would use.
      moments = []
      for (let m = ticks.start + settings.uploadPeriod * 1000; m < ticks.end - WINDOW_AFTER_MS; m += settings.uploadPeriod * 1000) moments.push(m)
    } else if (moments.length === 0) {
      check.ok = false
      check.detail = `no periodic export during the ${settings.durationMs} ms run (${check.detail})`
    }
    const f = delayFigures(ticks, moments)
    return {
      values: { exportP99Ms: f.exportP99Ms, exportMaxMs: f.exportMaxMs, steadyP99Ms: f.steadyP99Ms, profileKbPerMin: check.bytes / 1024 / (exit.ms / 60_000), maxRssMb: ticks.maxRssKb / 1024 },
      check,
      raw: { exports: moments.length, windowSamples: f.samples, ticks: ticks.lags.length, profileBytes: check.bytes, wallSamples: check.samples, wholeMs: exit.ms },
    }
  })
  return finish('export', 'Event-loop delay at each export (5 s upload period, light load)', settings, variants, EXPORT_FIGURES, opts, r)
}
