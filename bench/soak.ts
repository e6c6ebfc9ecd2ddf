// npm run bench:soak [-- --minutes N] [-- --only up|dead|bare] [-- --json FILE]
// The 10-minute soak (docs/reliability.md): an HTTP server under steady load, profiled with a 1 s upload period,
// once against a fake agent that accepts everything and once against a dead one, run one after the other.
// Prints RSS and export-latency slopes, the profiles missing from the sequence and what dd-run counted as dropped.
import * as fs from 'node:fs'
import { machineInfo } from './lib/machine'
import { soak, type SoakResult } from './lib/soak'

async function main(argv: string[]): Promise<number> {
  let minutes = 10
  let only: 'up' | 'dead' | 'bare' | undefined
  let json: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const v = argv[i + 1]
    if (a === '--minutes' && v && Number(v) > 0) (minutes = Number(v)), i++
    else if (a === '--only' && (v === 'up' || v === 'dead' || v === 'bare')) (only = v), i++
    else if (a === '--json' && v) (json = v), i++
    else {
      process.stderr.write(`bench:soak: unknown or bad argument ${JSON.stringify(a)}; expected --minutes <number > 0>, --only up|dead|bare, --json <file>\n`)
      return 2
    }
  }
  const results: SoakResult[] = []
  // bare: the same server and load without profiling, the baseline for the RSS figures.
  for (const kind of only ? [only] : (['bare', 'up', 'dead'] as const)) {
    const agent = kind === 'dead' ? 'dead' : 'up'
    process.stderr.write(`bench:soak: ${minutes} min, ${kind === 'bare' ? 'without profiling' : `agent ${agent}`}...\n`)
    const r = await soak({ seconds: minutes * 60, agent, bare: kind === 'bare' })
    results.push(r)
    const lat = r.latencyMs ? `export latency p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, max ${r.latencyMs.max} ms, slope ${r.latencySlopeMsPerMin} ms/min; ` : ''
    process.stdout.write(
      `${kind === 'bare' ? 'no profiling' : `agent ${agent}`}: ${r.requests} requests, ${r.uploads} uploads (last profile_seq ${r.lastSeq}, ${r.missing.length} missing; dd-run counted ${r.failed} failed, ${r.dropped} dropped); ` +
        `RSS ${r.rssMb.first} -> ${r.rssMb.last} MB (max ${r.rssMb.max}), slope ${r.rssSlopeMbPerMin} MB/min, by minute ${r.rssByMinute.join(' ')}; ${lat}exit ${r.exitCode} after ${r.exitDelayMs} ms; ${r.warnings.length} warning line(s)\n`,
    )
  }
  if (json) fs.writeFileSync(json, JSON.stringify({ machine: machineInfo(), minutes, results }, null, 2))
  return results.every((r) => r.exitCode === 0 && r.missing.length <= r.failed + r.dropped) ? 0 : 1
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`bench:soak: ${(err as Error).stack ?? err}\n`)
    process.exit(1)
  },
)
