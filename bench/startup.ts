// Start-up workload: an empty script (the `node -e 0` equivalent), many runs per round. Each run of a round goes
// through the variants in a rotating order; a round's figure per variant is the median of its runs, paired
// against bare of the same round. Start-up here is spawn to exit: it includes the final flush of a profiler.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { runOk } from './lib/proc'
import { APPS, checkProfiles, VARIANTS, type VariantName } from './lib/variants'
import { median, rotate } from './lib/stats'
import { finish, pickVariants, type Figure, type Options, type RunRecord, type WorkloadResult } from './lib/workload'

export const STARTUP_VARIANTS: VariantName[] = ['bare', 'bare-control', 'dd-run', 'dd-run-off', 'dd-run-nowatchdog', 'dd-run-nocache', 'preload-only', 'preload-main', 'dd-trace-profiler', 'dd-trace', 'cpu-prof', 'bare-24', 'dd-run-24', 'dd-trace6-profiler-24']

export const STARTUP_FIGURES: Figure[] = [
  {
    key: 'ms',
    label: 'Start-up and exit of an empty script',
    unit: 'ms',
    digits: 1,
    compare: 'diff',
    targets: [
      // Issue #18's targets: through the launcher, and for the preload in a child process.
      { variant: 'dd-run', op: '<=', value: 40, text: '<= +40 ms' },
      { variant: 'dd-run-24', op: '<=', value: 40, text: '<= +40 ms' },
      { variant: 'preload-only', op: '<=', value: 20, text: '<= +20 ms' },
    ],
  },
]

export async function runStartup(opts: Options): Promise<WorkloadResult> {
  const settings = { runsPerRound: opts.quick ? 3 : 20, uploadPeriod: 60, pinned: false }
  const variants = pickVariants(STARTUP_VARIANTS, opts)
  const runs: RunRecord[] = []
  const failures: string[] = []
  for (let round = 0; round < opts.rounds; round++) {
    process.stderr.write(`bench startup: round ${round + 1}/${opts.rounds}, ${settings.runsPerRound} runs of ${variants.length} variants ... `)
    const times = new Map<VariantName, number[]>(variants.map((v) => [v, []]))
    const errors = new Map<VariantName, string>()
    const dirs = new Map<VariantName, string>()
    for (const v of variants) {
      const dir = path.join(opts.tmp, 'startup', `r${round}-${v}`)
      fs.mkdirSync(path.join(dir, 'out'), { recursive: true })
      dirs.set(v, dir)
    }
    for (let i = 0; i < settings.runsPerRound; i++) {
      for (const v of rotate(variants, round + i)) {
        if (errors.has(v)) continue
        const dir = dirs.get(v)!
        try {
          const cmd = VARIANTS[v].command({ script: path.join(APPS, 'noop.js'), args: [], outDir: path.join(dir, 'out'), uploadPeriod: settings.uploadPeriod, closedPort: opts.closedPort })
          times.get(v)!.push((await runOk(cmd, path.join(dir, 'stderr.log'), 60_000)).ms)
        } catch (err) {
          errors.set(v, (err as Error).message.split('\n')[0]!)
        }
      }
    }
    for (const v of variants) {
      const err = errors.get(v)
      if (err) {
        runs.push({ round, variant: v, values: {}, error: err })
        failures.push(`startup ${v} round ${round + 1}: ${err}`)
        continue
      }
      const check = checkProfiles(VARIANTS[v], path.join(dirs.get(v)!, 'out'), 1, false)
      if (!check.ok) failures.push(`startup ${v} round ${round + 1}: ${check.detail}`)
      runs.push({ round, variant: v, values: { ms: median(times.get(v)!) }, check, raw: { runsMs: times.get(v) } })
    }
    process.stderr.write(errors.size ? `${errors.size} variant(s) failed\n` : 'ok\n')
  }
  return finish('startup', 'Process start-up (empty script, spawn to exit)', settings, variants, STARTUP_FIGURES, opts, { runs, failures })
}
