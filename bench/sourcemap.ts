// What source mapping adds to the export stall, measured where it happens: `node dist/bench/sourcemap.js
// [--rounds N] [--takes N]`. Each round runs two processes, one with the profilers' source mapper (in-process
// limits, as the preload sets it up) and one without, in alternating order. Each process runs the benchmark apps'
// unit of work from a minified esbuild bundle with its map (every app frame needs the map), takes a profile of
// each type every 500 ms with Profilers.take(true) as the session does at each export, and reports the CPU time of
// every take (process.cpuUsage, steadier than wall-clock time on a shared machine): the first take (the map is
// read and parsed then) and the median of the others. Also: the cost of the compile hooks per module loaded, as
// `require` of 400 modules that carry a 6 KB inline map (as ts-node hands them to Module._compile), with the hooks
// as a process started with ts-node has them, and without.
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { buildSync } from 'esbuild'
import { machineInfo } from './lib/machine'
import { APPS } from './lib/variants'

const ROOT = path.resolve(__dirname, '../..')

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name)
  const v = i >= 0 ? Number(process.argv[i + 1]) : dflt
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name}: expected a whole number >= 1`)
  return v
}

/** Runs in the child: `child <on|off> <bundle> <takes>`; prints the take CPU times (ms) as JSON. */
function child(mode: string, bundle: string, takes: number): void {
  const pprof = require('@datadog/pprof') as typeof import('@datadog/pprof')
  const { Profilers, WALL_INTERVAL_MICROS } = require(path.join(ROOT, 'dist/src/profiling/profilers')) as typeof import('../src/profiling/profilers')
  const { SourceMaps, IN_PROCESS } = require(path.join(ROOT, 'dist/src/sourcemap/source-maps')) as typeof import('../src/sourcemap/source-maps')
  const { isProfilerScript } = require(path.join(ROOT, 'dist/src/sourcemap/own-files')) as typeof import('../src/sourcemap/own-files')
  const { unitOfWork } = require(bundle) as { unitOfWork: (seed: number) => string }
  const profilers = new Profilers(pprof, {
    profilers: ['wall', 'space'],
    cpu: true,
    heapInterval: 512 * 1024,
    wallIntervalMicros: WALL_INTERVAL_MICROS,
    threadLabels: { 'thread name': 'Main Event Loop' },
    timeline: true,
    sourceMaps: mode === 'on' ? new SourceMaps(isProfilerScript, IN_PROCESS) : undefined,
  })
  profilers.start()
  const ms: number[] = []
  let seed = 0
  const load = setInterval(() => {
    for (let i = 0; i < 20; i++) unitOfWork(seed++)
  }, 5)
  const take = setInterval(() => {
    const c0 = process.cpuUsage()
    profilers.take(true)
    const c = process.cpuUsage(c0)
    ms.push((c.user + c.system) / 1000)
    if (ms.length === takes) {
      clearInterval(take)
      clearInterval(load)
      profilers.take(false)
      process.stdout.write(JSON.stringify(ms))
    }
  }, 500)
}

/** Writes 400 modules and load.js, which times their require() and writes the ms to argv[2]. */
function makeModules(dir: string): void {
  const body = Array.from({ length: 60 }, (_, i) => `exports.f${i} = function f${i}(x) { return x * ${i} + ${i} }`).join('\n')
  const map = { version: 3, sources: ['m.ts'], names: [], mappings: Array.from({ length: 60 }, () => 'AAAA,SAAS,KAAK,CAAC,OAAO').join(';'), sourcesContent: ['x'.repeat(3000)] }
  const url = `data:application/json;charset=utf-8;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}`
  for (let i = 0; i < 400; i++) fs.writeFileSync(path.join(dir, `m${i}.js`), `${body}\n//# sourceMappingURL=${url}\n`)
  // argv[3] 'on': the compile hooks as in a process started with ts-node (Module._compile wrapped), without the
  // profiler; 'off': none.
  const hooks = JSON.stringify(path.join(ROOT, 'dist/src/sourcemap/compile-hooks.js'))
  const load = `if (process.argv[3] === 'on') require(${hooks}).watchCompiledCode(true)\nconst t0 = process.hrtime.bigint(); for (let i = 0; i < 400; i++) require('./m' + i + '.js'); require('fs').writeFileSync(process.argv[2], String(Number(process.hrtime.bigint() - t0) / 1e6))`
  fs.writeFileSync(path.join(dir, 'load.js'), load)
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2
}

function main(): void {
  if (process.argv[2] === 'child') return child(process.argv[3] as string, process.argv[4] as string, Number(process.argv[5]))
  const rounds = arg('--rounds', 5)
  const takes = arg('--takes', 12)
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dd-run-bench-sourcemap-'))
  try {
    const bundle = path.join(tmp, 'work.min.js')
    buildSync({ entryPoints: [path.join(APPS, 'work.js')], bundle: true, minify: true, sourcemap: true, platform: 'node', format: 'cjs', outfile: bundle, logLevel: 'error' })
    const modules = path.join(tmp, 'modules')
    fs.mkdirSync(modules)
    makeModules(modules)
    const m = machineInfo()
    process.stdout.write(`machine: ${m.cpuModel}, ${m.nproc} cores, node ${m.node}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; ${rounds} round(s), ${takes} takes per process\n`)
    const first: Record<string, number[]> = { on: [], off: [] }
    const rest: Record<string, number[]> = { on: [], off: [] }
    const load: Record<string, number[]> = { on: [], off: [] }
    for (let r = 0; r < rounds; r++) {
      for (const mode of r % 2 ? ['off', 'on'] : ['on', 'off']) {
        const out = spawnSync(process.execPath, [__filename, 'child', mode, bundle, String(takes)], { encoding: 'utf8' })
        if (out.status !== 0) throw new Error(`child ${mode} failed: ${out.stderr}`)
        const ms = JSON.parse(out.stdout) as number[]
        first[mode]!.push(ms[0] as number)
        rest[mode]!.push(median(ms.slice(1)))
        const result = path.join(tmp, `load-${mode}-${r}`)
        const l = spawnSync(process.execPath, [path.join(modules, 'load.js'), result, mode], { encoding: 'utf8' })
        if (l.status !== 0) throw new Error(`module load ${mode} failed: ${l.stderr}`)
        load[mode]!.push(Number(fs.readFileSync(result, 'utf8')))
      }
    }
    const row = (label: string, xs: Record<string, number[]>, digits: number): string =>
      `| ${label} | ${median(xs.on!).toFixed(digits)} (${Math.min(...xs.on!).toFixed(digits)}..${Math.max(...xs.on!).toFixed(digits)}) | ${median(xs.off!).toFixed(digits)} (${Math.min(...xs.off!).toFixed(digits)}..${Math.max(...xs.off!).toFixed(digits)}) | ${median(xs.on!.map((v, i) => v - (xs.off![i] as number))).toFixed(digits)} |`
    process.stdout.write(
      [
        '| ms, median (min..max) of the rounds | source maps on | off | paired difference, median |',
        '|---|---|---|---|',
        row('CPU of the first take (wall + space; the map is read and parsed)', first, 2),
        row('CPU of each later take (median per process)', rest, 2),
        row('require() of 400 modules with a 6 KB inline map, compile hooks on (Module._compile wrapped) and off', load, 1),
        '',
      ].join('\n'),
    )
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true })
  }
}

main()
