// The variants every workload compares, and how each one runs an app script. All of them get a clean environment
// (no DD_*, NODE_OPTIONS or OTEL_* from the caller) and their own output directory; none may reach a public
// address: dd-run writes files only, dd-trace-js is pointed at a closed port on 127.0.0.1 with telemetry and remote
// configuration off.
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as zlib from 'node:zlib'
import { Profile } from 'pprof-format'
import type { Command } from './proc'

/** The repository root (this file runs from dist/bench/lib). */
export const ROOT = path.resolve(__dirname, '../../..')
export const DD_RUN = path.join(ROOT, 'dist/bin/dd-run.js')
export const PRELOAD = path.join(ROOT, 'dist/preload/index.js')
export const APPS = path.join(ROOT, 'bench/apps')

export type VariantName =
  | 'bare'
  | 'bare-control'
  | 'dd-run'
  | 'dd-run-wall'
  | 'dd-run-nocpu'
  | 'dd-run-space'
  | 'dd-run-events'
  | 'dd-run-exceptions'
  | 'dd-run-off'
  | 'dd-run-nowatchdog'
  | 'dd-run-nocache'
  | 'dd-run-noevents-24'
  | 'dd-run-notimeline-24'
  | 'dd-run-wall-24'
  | 'dd-run-nocpu-24'
  | 'dd-run-nowatchdog-24'
  | 'dd-run-nocontexts-24'
  | 'bare-control-24'
  | 'cpu-prof-24'
  | 'bare-bundle'
  | 'dd-run-bundle'
  | 'dd-run-bundle-nomap'
  | 'preload-only'
  | 'preload-main'
  | 'dd-trace-profiler'
  | 'dd-trace'
  | 'cpu-prof'
  | 'bare-24'
  | 'dd-run-24'
  | 'dd-trace6-profiler-24'
  | 'dd-trace6-24'

/** What a variant must leave in its output directory. */
export type Expect = 'none' | 'dd-run' | 'dd-trace' | 'cpu-prof'

export interface Variant {
  name: VariantName
  about: string
  expect: Expect
  /** Profile types a dd-run variant must have written. */
  types?: string[]
  /** Of those, the types that may rightly hold no sample (an app that throws nothing has no exceptions). */
  mayBeEmpty?: string[]
  command(ctx: RunContext): Command
}

export interface RunContext {
  script: string
  args: string[]
  /** Where this run's profiles go (absolute, exists). */
  outDir: string
  /** Seconds between two profiles. */
  uploadPeriod: number
  /** A port on 127.0.0.1 nothing listens on. */
  closedPort: number
}

/** The caller's environment without anything that would change how Node or a profiler behaves. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('DD_') || k.startsWith('OTEL_') || k.startsWith('NODE_') || k === 'FORCE_COLOR') continue
    env[k] = v
  }
  env.NO_COLOR = '1'
  return env
}

function node(ctx: RunContext, env: NodeJS.ProcessEnv, pre: string[] = [], bin = process.execPath): Command {
  return { file: bin, args: [...pre, ctx.script, ...ctx.args], env: { ...cleanEnv(), ...env }, cwd: ctx.outDir }
}

/** The launcher always runs on this Node; the program on `bin` (Node 24 for the *-24 variants). */
function ddRun(ctx: RunContext, flags: string[], env: NodeJS.ProcessEnv = {}, bin = process.execPath): Command {
  const args = [DD_RUN, '-q', '-o', ctx.outDir, '--exporters', 'file', '--upload-period', String(ctx.uploadPeriod), ...flags]
  return { file: process.execPath, args: [...args, '--', bin, ctx.script, ...ctx.args], env: { ...cleanEnv(), ...env }, cwd: ctx.outDir }
}

/**
 * The anchor of the field moves: dd-trace-js 6.x (Node >= 22) on Node 24, the active LTS, beside 5.x on the
 * machine's Node 20. Node 24 is the version matrix's (scripts/install-node-versions.sh); dd-trace 6 is installed
 * by bench/install-deps.sh into .cache/bench/dd-trace-6 (the devDependency stays 5.x for Node 20).
 */
export const DD_TRACE_6 = path.join(ROOT, '.cache/bench/dd-trace-6/node_modules/dd-trace')
function node24(): string {
  const { nodeBinary } = require('../../test/helpers/node-versions') as typeof import('../../test/helpers/node-versions')
  const bin = nodeBinary(24)
  if (!bin) throw new Error('Node 24 is not installed: run scripts/install-node-versions.sh')
  return bin
}

/** A dd-run variant with the program on Node 24: dd-run-24 with some flags or settings changed. */
function ddRun24(name: VariantName, about: string, flags: string[], env: NodeJS.ProcessEnv = {}, types = ['wall', 'space']): Variant {
  return { name, about, expect: 'dd-run', types, command: (c) => ddRun(c, flags, env, node24()) }
}

/**
 * The app as a transpiled app ships: one minified esbuild bundle with its map beside it, built into the run's own
 * directory (next to its output directory), so that every frame of the app's code is mapped at export (the
 * *-bundle variants: source maps on and off, and bare node running the same bundle).
 */
function bundled(ctx: RunContext): RunContext {
  const out = path.join(path.dirname(ctx.outDir), 'bundle', `${path.basename(ctx.script, '.js')}.min.js`)
  if (!fs.existsSync(out)) {
    const { buildSync } = require('esbuild') as typeof import('esbuild')
    buildSync({ entryPoints: [ctx.script], bundle: true, minify: true, sourcemap: true, platform: 'node', format: 'cjs', outfile: out, logLevel: 'error' })
  }
  return { ...ctx, script: out }
}

let ddTraceInit: string | undefined
let allInstrumentations: string | undefined

/** Every instrumentation dd-trace-js knows, so that none hooks anything: its profiler-only cost. */
function ddTraceInstrumentations(): string {
  if (allInstrumentations === undefined) {
    const hooks = require('dd-trace/packages/datadog-instrumentations/src/helpers/hooks') as Record<string, unknown>
    // fetch, process and console are loaded outside the hooks table (helpers/register.js).
    allInstrumentations = [...Object.keys(hooks), 'fetch', 'process', 'console'].join(',')
  }
  return allInstrumentations
}

/** dd-trace-js 6.x's instrumentations, read from its own hooks table (not loaded: it targets Node 22+). */
function ddTrace6Instrumentations(): string {
  const hooks = fs.readFileSync(path.join(DD_TRACE_6, 'packages/datadog-instrumentations/src/helpers/hooks.js'), 'utf8')
  const names = new Set([...hooks.matchAll(/^\s*'?([@\w./-]+)'?\s*:/gm)].map((m) => m[1] as string))
  return [...names, 'fetch', 'process', 'console'].join(',')
}

function ddTrace6(ctx: RunContext, profilerOnly: boolean): Command {
  if (!fs.existsSync(DD_TRACE_6)) throw new Error('dd-trace 6 is not installed: run bash bench/install-deps.sh')
  const cmd = ddTrace(ctx, false)
  const env = { ...cmd.env }
  if (profilerOnly) env.DD_TRACE_DISABLED_INSTRUMENTATIONS = ddTrace6Instrumentations()
  return node(ctx, env, ['--require', path.join(DD_TRACE_6, 'init.js')], node24())
}

function ddTrace(ctx: RunContext, profilerOnly: boolean): Command {
  ddTraceInit ??= require.resolve('dd-trace/init')
  const env: NodeJS.ProcessEnv = {
    DD_PROFILING_ENABLED: 'true',
    DD_PROFILING_EXPORTERS: 'file',
    // The file exporter writes <prefix><type>_worker_<thread>_<time>.pprof, and event_*.json in the working dir.
    DD_PROFILING_PPROF_PREFIX: ctx.outDir + path.sep,
    DD_PROFILING_UPLOAD_PERIOD: String(ctx.uploadPeriod),
    DD_TRACE_AGENT_URL: `http://127.0.0.1:${ctx.closedPort}`,
    DD_AGENT_HOST: '127.0.0.1',
    DD_TRACE_AGENT_PORT: String(ctx.closedPort),
    DD_INSTRUMENTATION_TELEMETRY_ENABLED: 'false',
    DD_REMOTE_CONFIGURATION_ENABLED: 'false',
  }
  // Not DD_TRACE_ENABLED=false: in dd-trace 5 that swaps in a no-op tracer that never starts the profiler either.
  if (profilerOnly) env.DD_TRACE_DISABLED_INSTRUMENTATIONS = ddTraceInstrumentations()
  return node(ctx, env, ['--require', ddTraceInit])
}

export const VARIANTS: Record<VariantName, Variant> = {
  bare: { name: 'bare', about: 'node app.js', expect: 'none', command: (c) => node(c, {}) },
  'bare-control': {
    name: 'bare-control',
    about: 'node app.js again: the noise floor',
    expect: 'none',
    command: (c) => node(c, {}),
  },
  'dd-run': {
    name: 'dd-run',
    about: 'dd-run, default profilers (wall with CPU time, space, events, exceptions)',
    expect: 'dd-run',
    types: ['wall', 'space'],
    command: (c) => ddRun(c, []),
  },
  'dd-run-wall': {
    name: 'dd-run-wall',
    about: 'dd-run --profilers wall',
    expect: 'dd-run',
    types: ['wall'],
    command: (c) => ddRun(c, ['--profilers', 'wall']),
  },
  'dd-run-nocpu': {
    name: 'dd-run-nocpu',
    about: 'dd-run with DD_PROFILING_CPU_ENABLED=false (wall without CPU time, space)',
    expect: 'dd-run',
    types: ['wall', 'space'],
    command: (c) => ddRun(c, [], { DD_PROFILING_CPU_ENABLED: 'false' }),
  },
  'dd-run-space': {
    name: 'dd-run-space',
    about: 'dd-run --profilers space',
    expect: 'dd-run',
    types: ['space'],
    command: (c) => ddRun(c, ['--profilers', 'space']),
  },
  'dd-run-events': {
    name: 'dd-run-events',
    about: 'dd-run --profilers events (GC pauses and event-loop blocks)',
    expect: 'dd-run',
    types: ['events'],
    command: (c) => ddRun(c, ['--profilers', 'events']),
  },
  'dd-run-exceptions': {
    name: 'dd-run-exceptions',
    about: 'dd-run --profilers exceptions',
    expect: 'dd-run',
    types: ['exceptions'],
    mayBeEmpty: ['exceptions'],
    command: (c) => ddRun(c, ['--profilers', 'exceptions']),
  },
  'dd-run-off': {
    name: 'dd-run-off',
    about: "dd-run --no-profiling: the launcher's own cost",
    expect: 'none',
    command: (c) => ddRun(c, ['--no-profiling']),
  },
  'bare-bundle': {
    name: 'bare-bundle',
    about: 'node app.min.js: the app as a minified bundle with its map (what the next two profile)',
    expect: 'none',
    command: (c) => node(bundled(c), {}),
  },
  'dd-run-bundle': {
    name: 'dd-run-bundle',
    about: 'dd-run, default profilers, on the bundle: every app frame mapped at export (DD_PROFILING_SOURCE_MAP=true)',
    expect: 'dd-run',
    types: ['wall', 'space'],
    command: (c) => ddRun(bundled(c), [], { DD_PROFILING_SOURCE_MAP: 'true' }),
  },
  'dd-run-bundle-nomap': {
    name: 'dd-run-bundle-nomap',
    about: 'dd-run, default profilers, on the bundle with DD_PROFILING_SOURCE_MAP=false',
    expect: 'dd-run',
    types: ['wall', 'space'],
    command: (c) => ddRun(bundled(c), [], { DD_PROFILING_SOURCE_MAP: 'false' }),
  },
  'dd-run-nowatchdog': {
    name: 'dd-run-nowatchdog',
    about: 'dd-run with DD_PROFILING_WATCHDOG=false: the watchdog thread\'s share of dd-run',
    expect: 'dd-run',
    types: ['wall', 'space'],
    command: (c) => ddRun(c, [], { DD_PROFILING_WATCHDOG: 'false' }),
  },
  'dd-run-nocache': {
    name: 'dd-run-nocache',
    about: 'dd-run with no HOME to keep a code cache in (a read-only or missing HOME): every process compiles the preload',
    expect: 'dd-run',
    types: ['wall', 'space'],
    command: (c) => {
      const cmd = ddRun(c, [])
      // A file, not a directory: nothing can be made under it, even by root.
      const env: NodeJS.ProcessEnv = { ...cmd.env, HOME: '/dev/null' }
      delete env.XDG_CACHE_HOME
      return { ...cmd, env }
    },
  },
  'preload-main': {
    name: 'preload-main',
    about: 'node app.js with only the preload, as a process no profiled process started (role main: the watchdog thread at once)',
    expect: 'dd-run',
    types: ['wall', 'space'],
    command: (c) =>
      node(c, {
        NODE_OPTIONS: `--require ${JSON.stringify(PRELOAD)}`,
        DD_PROFILING_OUTPUT_DIR: c.outDir,
        DD_PROFILING_EXPORTERS: 'file',
        DD_PROFILING_UPLOAD_PERIOD: String(c.uploadPeriod),
      }),
  },
  'preload-only': {
    name: 'preload-only',
    about: 'node app.js with only the preload in NODE_OPTIONS, as a child of a profiled process (its parent pid set)',
    expect: 'dd-run',
    types: ['wall', 'space'],
    command: (c) =>
      node(c, {
        NODE_OPTIONS: `--require ${JSON.stringify(PRELOAD)}`,
        // What a profiled parent leaves its children: the role is then child, which starts no watchdog thread in a
        // process that ends within 1 s (a process without it is the run's main process: preload-main).
        DD_RUN_PARENT_PID: String(process.pid),
        DD_PROFILING_OUTPUT_DIR: c.outDir,
        DD_PROFILING_EXPORTERS: 'file',
        DD_PROFILING_UPLOAD_PERIOD: String(c.uploadPeriod),
      }),
  },
  'dd-trace-profiler': {
    name: 'dd-trace-profiler',
    about: 'dd-trace-js profiler, every instrumentation disabled (profiler-only cost)',
    expect: 'dd-trace',
    command: (c) => ddTrace(c, true),
  },
  'dd-trace': {
    name: 'dd-trace',
    about: 'dd-trace-js profiler with its tracer and instrumentations',
    expect: 'dd-trace',
    command: (c) => ddTrace(c, false),
  },
  'bare-24': { name: 'bare-24', about: 'node app.js on Node 24', expect: 'none', command: (c) => node(c, {}, [], node24()) },
  'dd-run-24': {
    name: 'dd-run-24',
    about: 'dd-run, default profilers, the program on Node 24 (labels on AsyncContextFrame there)',
    expect: 'dd-run',
    types: ['wall', 'space'],
    command: (c) => ddRun(c, [], {}, node24()),
  },
  'dd-run-noevents-24': ddRun24('dd-run-noevents-24', "dd-run --profilers wall,space,exceptions on Node 24: the events profile's share there", ['--profilers', 'wall,space,exceptions']),
  'dd-run-notimeline-24': ddRun24('dd-run-notimeline-24', "dd-run with DD_PROFILING_TIMELINE_ENABLED=false on Node 24: the per-sample timestamps' share there", [], { DD_PROFILING_TIMELINE_ENABLED: 'false' }),
  'dd-run-wall-24': ddRun24('dd-run-wall-24', "dd-run --profilers wall on Node 24: the wall profiler's share there", ['--profilers', 'wall'], {}, ['wall']),
  'dd-run-nocpu-24': ddRun24('dd-run-nocpu-24', "dd-run with DD_PROFILING_CPU_ENABLED=false on Node 24: the CPU time per sample's share there", [], { DD_PROFILING_CPU_ENABLED: 'false' }),
  'dd-run-nowatchdog-24': ddRun24('dd-run-nowatchdog-24', "dd-run with DD_PROFILING_WATCHDOG=false on Node 24: the watchdog thread's share there", [], { DD_PROFILING_WATCHDOG: 'false' }),
  'dd-run-nocontexts-24': ddRun24(
    'dd-run-nocontexts-24',
    'dd-run --profilers wall with no CPU time and no timeline on Node 24: the wall profiler without contexts',
    ['--profilers', 'wall'],
    { DD_PROFILING_CPU_ENABLED: 'false', DD_PROFILING_TIMELINE_ENABLED: 'false' },
    ['wall'],
  ),
  'bare-control-24': { name: 'bare-control-24', about: 'node app.js on Node 24 again: the noise floor there', expect: 'none', command: (c) => node(c, {}, [], node24()) },
  'cpu-prof-24': {
    name: 'cpu-prof-24',
    about: "node --cpu-prof --cpu-prof-interval 10101 on Node 24 (V8's own sampler, 99 Hz)",
    expect: 'cpu-prof',
    command: (c) => node(c, {}, ['--cpu-prof', '--cpu-prof-interval', '10101', '--cpu-prof-dir', c.outDir], node24()),
  },
  'dd-trace6-profiler-24': {
    name: 'dd-trace6-profiler-24',
    about: 'dd-trace-js 6.x profiler on Node 24, every instrumentation disabled (profiler-only cost)',
    expect: 'dd-trace',
    command: (c) => ddTrace6(c, true),
  },
  'dd-trace6-24': {
    name: 'dd-trace6-24',
    about: 'dd-trace-js 6.x profiler with its tracer and instrumentations, on Node 24',
    expect: 'dd-trace',
    command: (c) => ddTrace6(c, false),
  },
  'cpu-prof': {
    name: 'cpu-prof',
    about: "node --cpu-prof --cpu-prof-interval 10101 (V8's own sampler, 99 Hz)",
    expect: 'cpu-prof',
    command: (c) => node(c, {}, ['--cpu-prof', '--cpu-prof-interval', '10101', '--cpu-prof-dir', c.outDir]),
  },
}

export interface ProfileCheck {
  ok: boolean
  detail: string
  files: number
  bytes: number
  /** Samples in the wall (or --cpu-prof) profiles: a profiler that sampled nothing would look free. */
  samples: number
  /** Distinct processes that wrote profiles, where the layout tells (dd-run, --cpu-prof). */
  processes?: number
  /** End times of the exports found (ms since the epoch), from the event files. */
  exportEnds: number[]
}

function walk(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) walk(p, out)
    else if (e.isFile()) out.push(p)
  }
  return out
}

function eventEnd(file: string): number | undefined {
  try {
    const ev = JSON.parse(fs.readFileSync(file, 'utf8')) as { end?: string }
    return ev.end ? Date.parse(ev.end) : undefined
  } catch {
    return undefined
  }
}

/**
 * Samples in a pprof file (gzip'ed, zstd'ed or not): the sum of the first value (sample/count for wall, count for
 * heap). dd-trace-js 6.x writes zstd on Node 24; this Node (20) has no zstd, so Node 24 reads those.
 */
function pprofSamples(file: string): number {
  try {
    let buf: Buffer = fs.readFileSync(file)
    if (buf[0] === 0x1f && buf[1] === 0x8b) buf = zlib.gunzipSync(buf)
    else if (buf.readUInt32LE(0) === 0xfd2fb528) {
      const script = "process.stdout.write(require('zlib').zstdDecompressSync(require('fs').readFileSync(0)))"
      buf = require('node:child_process').execFileSync(node24(), ['-e', script], { input: buf, maxBuffer: 256 * 1024 * 1024 }) as Buffer
    }
    return Profile.decode(buf).sample.reduce((n, s) => n + Number(s.value[0] ?? 0), 0)
  } catch {
    return 0 // unreadable counts as empty
  }
}

function cpuprofileSamples(file: string): number {
  try {
    return ((JSON.parse(fs.readFileSync(file, 'utf8')) as { samples?: unknown[] }).samples ?? []).length
  } catch {
    return 0
  }
}

const sum = (list: number[]) => list.reduce((a, b) => a + b, 0)

/**
 * What a run left in its output directory, and whether that is what the variant promises: profiles of each expected
 * type, with samples in them, from at least `minProcesses` processes where the layout tells. `requireSamples`
 * false is for processes too short to be sure of one sample at 99 Hz (start-up): profiles must still be written.
 */
export function checkProfiles(v: Variant, outDir: string, minProcesses = 1, requireSamples = true): ProfileCheck {
  const files = walk(outDir)
  const size = (list: string[]) => sum(list.map((f) => fs.statSync(f).size))
  const ends = (list: string[]) => list.map(eventEnd).filter((t): t is number => t !== undefined).sort((a, b) => a - b)
  if (v.expect === 'none') {
    const stray = files.filter((f) => /\.(pprof|cpuprofile)$/.test(f))
    return { ok: stray.length === 0, detail: stray.length ? `unexpected profiles: ${stray[0]}` : 'no profiles, as expected', files: 0, bytes: 0, samples: 0, exportEnds: [] }
  }
  if (v.expect === 'dd-run') {
    const pprof = files.filter((f) => f.endsWith('.pprof'))
    // <out>/<service>/<pid-kind-id>/<seq-time>/<type>.pprof
    const procs = new Set(pprof.map((f) => path.dirname(path.dirname(f))))
    const problems: string[] = []
    let samples = 0
    for (const t of v.types ?? []) {
      const typed = pprof.filter((f) => path.basename(f) === `${t}.pprof`)
      const n = sum(typed.map(pprofSamples))
      // dd-run writes no profile without samples: in a run too short for one wall sample (an empty script without
      // the watchdog thread, on a fast moment) the start-up check, which does not require samples, finds none.
      if (typed.length === 0) {
        if (requireSamples) problems.push(`no ${t}.pprof`)
      }
      else if (n === 0 && requireSamples && !v.mayBeEmpty?.includes(t)) problems.push(`no ${t} samples`)
      if (t === 'wall') samples = n
    }
    if (procs.size < minProcesses) problems.push(`profiles from ${procs.size} process(es), expected ${minProcesses}`)
    const ok = pprof.length > 0 && problems.length === 0
    const detail = ok ? `${pprof.length} pprof files from ${procs.size} process(es)` : `${pprof.length} pprof files: ${problems.join(', ') || 'none written'}`
    const bundleFiles = files.filter((f) => f.endsWith('.pprof') || f.endsWith('event.json'))
    return { ok, detail, files: pprof.length, bytes: size(bundleFiles), samples, processes: procs.size, exportEnds: ends(files.filter((f) => f.endsWith('event.json'))) }
  }
  if (v.expect === 'dd-trace') {
    const pprof = files.filter((f) => f.endsWith('.pprof'))
    const wall = pprof.filter((f) => path.basename(f).startsWith('wall_'))
    const samples = sum(wall.map(pprofSamples))
    const events = files.filter((f) => /^event_.*\.json$/.test(path.basename(f)))
    const ok = wall.length > 0 && (samples > 0 || !requireSamples)
    return {
      ok,
      detail: ok ? `${pprof.length} pprof files` : `no wall samples in dd-trace-js's wall_*.pprof (${pprof.length} pprof files)`,
      files: pprof.length,
      bytes: size([...pprof, ...events]),
      samples,
      exportEnds: ends(events),
    }
  }
  const prof = files.filter((f) => f.endsWith('.cpuprofile'))
  const samples = sum(prof.map(cpuprofileSamples))
  const ok = prof.length >= minProcesses && (samples > 0 || !requireSamples)
  return {
    ok,
    detail: ok ? `${prof.length} .cpuprofile files` : `expected ${minProcesses} .cpuprofile file(s) with samples, found ${prof.length} with ${samples} samples`,
    files: prof.length,
    bytes: size(prof),
    samples,
    processes: prof.length,
    exportEnds: [],
  }
}
