// The cost of a labelled request: `npm run bench:labels [-- --rounds N --requests N --node MAJOR]`. --node runs the
// app on that version of the matrix (scripts/node-versions.txt): on 24 and newer withLabels rides on
// AsyncContextFrame, on older ones on an async_hooks hook (src/labels.ts). Runs the labels app
// (bench/apps/labels.js) as bare node, profiled without labels and profiled with every request in withLabels,
// in paired rounds (the order rotates each round), and prints the medians and the paired ratios. CPU per
// request is the steadier figure on a shared machine.
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { nodeBinary } from '../test/helpers/node-versions'
import { median, pairedRatios, rotate } from './lib/stats'

const MODES = ['bare', 'plain', 'labelled'] as const
type Mode = (typeof MODES)[number]

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(name)
  const v = at >= 0 ? Number(process.argv[at + 1]) : fallback
  if (!Number.isFinite(v) || v < 1) {
    process.stderr.write(`bench: ${name} ${JSON.stringify(process.argv[at + 1])}: expected a whole number >= 1\n`)
    process.exit(2)
  }
  return Math.floor(v)
}

function main(): void {
  const rounds = arg('--rounds', 5)
  const requests = arg('--requests', 100000)
  const major = process.argv.includes('--node') ? arg('--node', 0) : undefined
  const node = major === undefined ? process.execPath : nodeBinary(major)
  if (!node) {
    process.stderr.write(`bench: Node ${major} is not installed: run scripts/install-node-versions.sh\n`)
    process.exit(2)
  }
  const version = spawnSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim()
  const app = path.resolve(__dirname, '..', '..', 'bench', 'apps', 'labels.js')
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'dd-run-bench-labels-'))
  const wall: Record<Mode, number[]> = { bare: [], plain: [], labelled: [] }
  const cpu: Record<Mode, number[]> = { bare: [], plain: [], labelled: [] }
  try {
    for (let r = 0; r < rounds; r++) {
      for (const mode of rotate(MODES, r)) {
        const env: NodeJS.ProcessEnv = { ...process.env, DD_PROFILING_OUTPUT_DIR: out }
        delete env.NODE_OPTIONS
        const p = spawnSync(node, [app, mode, String(requests)], { encoding: 'utf8', env })
        if (p.status !== 0) throw new Error(`${mode} run failed (${p.status}): ${p.stderr}`)
        const fig = JSON.parse(p.stdout) as { nsPerRequest: number; cpuNsPerRequest: number }
        wall[mode].push(fig.nsPerRequest)
        cpu[mode].push(fig.cpuNsPerRequest)
      }
    }
  } finally {
    fs.rmSync(out, { recursive: true, force: true })
  }
  const us = (ns: number) => `${(ns / 1000).toFixed(2)} us`
  const lines = [`labels benchmark: ${rounds} paired rounds of ${requests} requests (sync work + await + setImmediate), Node ${version}`]
  lines.push('mode       time/request  CPU/request  CPU ratio to bare  CPU ratio to plain')
  for (const m of MODES) {
    lines.push(
      `${m.padEnd(10)} ${us(median(wall[m])).padStart(12)} ${us(median(cpu[m])).padStart(12)}  ${median(pairedRatios(cpu[m], cpu.bare)).toFixed(2).padStart(17)}  ${median(pairedRatios(cpu[m], cpu.plain)).toFixed(2).padStart(18)}`,
    )
  }
  const extra = median(cpu.labelled) - median(cpu.plain)
  lines.push(`a labelled request costs about ${us(extra)} of CPU more than an unlabelled one (median difference)`)
  process.stdout.write(lines.join('\n') + '\n')
}

main()
