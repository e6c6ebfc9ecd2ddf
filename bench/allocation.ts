// The cost of allocation profiling: `npm run bench:allocation`. On the version matrix's Node 26 (the first with
// allocation samples), times heap.profile() with and without them, for a small and a large live heap: with them,
// each profile starts with a full GC (kSamplingForceGC), once per upload period (60 s by default) per process.
// Prints the median per case; docs/performance.md has the figures.
import { spawnSync } from 'node:child_process'
import * as path from 'node:path'
import { nodeBinary } from '../test/helpers/node-versions'
import { median } from './lib/stats'

function main(): void {
  const node = nodeBinary(26)
  if (!node) {
    process.stderr.write('bench: Node 26 is not installed: run scripts/install-node-versions.sh\n')
    process.exit(2)
  }
  const app = path.resolve(__dirname, '..', '..', 'bench', 'apps', 'allocation-cost.js')
  const pprof = require.resolve('@datadog/pprof')
  process.stdout.write(`heap.profile() on ${spawnSync(node, ['-v'], { encoding: 'utf8' }).stdout.trim()}, median of 10 (ms)\n\n`)
  process.stdout.write('live heap   inuse only   with allocations\n')
  for (const liveMb of [20, 200]) {
    const row: string[] = []
    for (const allocations of [false, true]) {
      const r = spawnSync(node, ['--max-old-space-size=2048', app, pprof, String(allocations), String(liveMb), '10'], { encoding: 'utf8' })
      if (r.status !== 0) throw new Error(r.stderr)
      const out = JSON.parse(r.stdout) as { ms: number[]; heapMb: number }
      row.push(median(out.ms).toFixed(1).padStart(allocations ? 16 : 10))
      if (allocations) row.unshift(`${out.heapMb} MB`.padEnd(9))
    }
    process.stdout.write(`${row[0]}  ${row[1]}   ${row[2]}\n`)
  }
}

main()
