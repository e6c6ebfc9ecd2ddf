// The benchmark suite: `node dist/bench/run.js [workload...] [--quick] [--rounds N] [--variants a,b]`.
// Workloads: http, batch, startup, tree, export, report (all by default). Prints one table per figure and saves
// every raw figure, with the machine's description, to bench/results/<time>.json. Exits 1 when a run failed or a
// profiled variant wrote no profiles.
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { runBatch } from './batch'
import { runExportDelay } from './export-delay'
import { runHttp } from './http'
import { machineInfo } from './lib/machine'
import { renderWorkload } from './lib/table'
import { ROOT, VARIANTS, type VariantName } from './lib/variants'
import { closedPort, describeVariants, type Options, type WorkloadResult } from './lib/workload'
import { runStartup } from './startup'
import { runTree } from './tree'

const WORKLOADS: Record<string, (o: Options) => Promise<WorkloadResult>> = {
  http: runHttp,
  batch: runBatch,
  startup: runStartup,
  tree: runTree,
  export: runExportDelay,
}
const ALL = [...Object.keys(WORKLOADS), 'report']

function usage(msg: string): never {
  process.stderr.write(`bench: ${msg}\nusage: node dist/bench/run.js [${ALL.join('|')} ...] [--quick] [--rounds N] [--variants name,...] [--http-warmup S] [--keep]\n`)
  process.exit(2)
}

function parseArgs(argv: string[]) {
  const names: string[] = []
  let quick = false
  let rounds: number | undefined
  let only: VariantName[] | undefined
  let keep = false
  let httpWarmup: number | undefined
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--quick') quick = true
    else if (a === '--keep') keep = true
    else if (a === '--http-warmup') {
      httpWarmup = Number(argv[++i])
      if (!Number.isInteger(httpWarmup) || httpWarmup < 0) usage(`--http-warmup: expected whole seconds >= 0, got ${JSON.stringify(argv[i])}`)
    }    else if (a === '--rounds') {
      rounds = Number(argv[++i])
      if (!Number.isInteger(rounds) || rounds < 1) usage(`--rounds: expected a whole number >= 1, got ${JSON.stringify(argv[i])}`)
    } else if (a === '--variants') {
      only = (argv[++i] ?? '').split(',').filter(Boolean) as VariantName[]
      const bad = only.filter((v) => !(v in VARIANTS))
      if (bad.length || only.length === 0) usage(`--variants: expected names from ${Object.keys(VARIANTS).join(', ')}, got ${JSON.stringify(argv[i])}`)
    } else if (ALL.includes(a)) names.push(a)
    else usage(`unknown argument ${JSON.stringify(a)}`)
  }
  return { names: names.length ? names : ALL, quick, rounds: rounds ?? (quick ? 1 : 5), roundsGiven: rounds !== undefined, only, keep, httpWarmup }
}

/** The report-generation benchmark is its own script (bench/report.ts); it runs here when it has been built. */
function runReportBench(quick: boolean, rounds: number | undefined): { ran: boolean; code: number | null } {
  const script = path.join(ROOT, 'dist/bench/report.js')
  if (!fs.existsSync(script)) {
    process.stderr.write('bench report: dist/bench/report.js does not exist, skipped\n')
    return { ran: false, code: null }
  }
  const r = spawnSync(process.execPath, [script, ...(quick ? ['--quick'] : []), ...(rounds ? ['--rounds', String(rounds)] : [])], { stdio: 'inherit' })
  return { ran: true, code: r.status }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2))
  if (!fs.existsSync(path.join(ROOT, 'dist/bin/dd-run.js'))) usage('dist/bin/dd-run.js is missing: run `npm run build` first')
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dd-run-bench-'))
  const opts: Options = { quick: args.quick, rounds: args.rounds, roundsGiven: args.roundsGiven, tmp, closedPort: await closedPort(), ...(args.only ? { only: args.only } : {}), ...(args.httpWarmup !== undefined ? { httpWarmupSeconds: args.httpWarmup } : {}) }
  const machine = machineInfo()
  process.stderr.write(`bench: ${machine.cpuModel} x${machine.nproc}, node ${machine.node}, ${opts.rounds} round(s)${opts.quick ? ', quick mode (figures mean nothing)' : ''}; scratch ${tmp}\n`)
  process.stderr.write(`variants:\n${describeVariants(Object.keys(VARIANTS) as VariantName[])}\n`)
  // The tables carry their machine, so that a pasted table says where it was measured.
  process.stdout.write(`machine: ${machine.cpuModel}, ${machine.nproc} cores, node ${machine.node}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} at the start; ${opts.rounds} round(s)${opts.quick ? ' (quick mode: figures mean nothing)' : ''}\n\n`)

  const results: WorkloadResult[] = []
  const failures: string[] = []
  let report: { ran: boolean; code: number | null } | undefined
  for (const name of args.names) {
    if (name === 'report') {
      report = runReportBench(args.quick, args.roundsGiven ? args.rounds : undefined)
      if (report.ran && report.code !== 0) failures.push(`report: dist/bench/report.js ended with ${report.code}`)
      continue
    }
    try {
      const w = await WORKLOADS[name]!(opts)
      results.push(w)
      failures.push(...w.failures)
      process.stdout.write(renderWorkload(w) + '\n\n')
    } catch (err) {
      failures.push(`${name}: ${(err as Error).message}`)
      process.stderr.write(`bench ${name}: ${(err as Error).message}\n`)
    }
  }

  const dir = path.join(ROOT, 'bench/results')
  fs.mkdirSync(dir, { recursive: true })
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  const file = path.join(dir, `${stamp}${args.quick ? '-quick' : ''}.json`)
  const doc = { machine: { ...machine, loadAverageAtEnd: os.loadavg() }, options: { quick: args.quick, rounds: args.rounds, only: args.only ?? null, workloads: args.names }, variants: VARIANTS, workloads: results, report: report ?? null, failures }
  fs.writeFileSync(file, JSON.stringify(doc, null, 1) + '\n')
  process.stderr.write(`bench: raw figures in ${path.relative(process.cwd(), file)}\n`)
  if (!args.keep) fs.rmSync(tmp, { recursive: true, force: true })
  else process.stderr.write(`bench: run directories kept in ${tmp}\n`)
  if (failures.length) {
    process.stderr.write(`bench: ${failures.length} failure(s):\n${failures.map((f) => `  ${f}`).join('\n')}\n`)
    process.exitCode = 1
  }
}

main().catch((err: Error) => {
  process.stderr.write(`bench: ${err.stack ?? err.message}\n`)
  process.exitCode = 1
})
