// Should this process (or thread) be profiled, and if not, why: one answer from the facts of the process and the
// configuration. Checked in order: dd-run's own watchdog thread (nothing to say), DD_PROFILING_ENABLED=auto before
// the process has lived long enough, profiling off or no profiler enabled, dd-run's own launcher inside a run,
// dd-trace profiling the process itself, Node's module loader thread, worker threads off, package managers, and
// the --only / --skip patterns. Pure: the few facts that cost something to learn (a realpath, a look at dd-trace)
// come in as functions, asked only when the answer depends on them. (The version check and the once-per-thread
// guard run before any of this, in preload/index.ts, written to parse on any Node.)
import * as path from 'node:path'
import type { Config, ProfilerName } from '../config/schema'
import type { ProcessFacts } from './process-kind'
import { enabledProfilers } from './profilers'

/** DD_PROFILING_ENABLED=auto: a process is profiled once it has lived this long (dd-trace-js's 30 s). */
export const AUTO_AFTER_MS = 30_000

export interface GuardFacts extends ProcessFacts {
  /** dd-run's own watchdog thread, which Node runs the preload in too. */
  watchdogThread: boolean
  /** How long the process has lived. */
  uptimeMs: number
  /** The script is dd-run's own launcher (a nested dd-run, dd-run report in a script). */
  isDdRunItself: () => boolean
  /** Why dd-trace profiles this process itself (its profiler on, and loaded or about to be), if it does. */
  leftToDdTrace: () => string | undefined
}

export type GuardConfig = Pick<Config, 'profilingEnabled' | 'profilers' | 'walltimeEnabled' | 'heapEnabled' | 'workerThreads' | 'only' | 'skip'>

export type Verdict =
  /** dd-run's own thread: nothing to profile or report. */
  | { kind: 'ignore' }
  /** DD_PROFILING_ENABLED=auto: dormant until the process has lived AUTO_AFTER_MS, then asked again with true. */
  | { kind: 'later'; reason: string }
  | { kind: 'dormant'; reason: string; byDdTrace: boolean; flushWorkers: boolean }
  | { kind: 'profile'; profilers: ProfilerName[]; flushWorkers: boolean }

export function shouldProfile(facts: GuardFacts, config: GuardConfig): Verdict {
  if (facts.watchdogThread) return { kind: 'ignore' }
  if (config.profilingEnabled === 'auto' && facts.uptimeMs < AUTO_AFTER_MS) {
    return { kind: 'later', reason: `DD_PROFILING_ENABLED=auto: profiled once it has lived ${AUTO_AFTER_MS / 1000} s` }
  }
  const profilers = enabledProfilers(config)
  // Worker threads are profiled: whoever terminates one (this thread, for the workers it owns) asks it for its final
  // profile first, and this thread, if it is a worker, answers (dormant or not, so nobody waits for it).
  const flushWorkers = Boolean(config.profilingEnabled) && profilers.length > 0 && config.workerThreads && !facts.loaderThread
  const dormant = (reason: string, byDdTrace = false): Verdict => ({ kind: 'dormant', reason, byDdTrace, flushWorkers })
  if (!config.profilingEnabled) return dormant('DD_PROFILING_ENABLED is false')
  if (profilers.length === 0) return dormant('no profiler is enabled')
  if (facts.isDdRunItself()) return dormant('dd-run itself (a launcher inside the run)')
  // dd-trace's profiler would run on the main thread; it does not reach worker threads.
  const toDdTrace = facts.isMainThread ? facts.leftToDdTrace() : undefined
  if (toDdTrace) return dormant(toDdTrace, true)
  const byPolicy = dormantReason(facts, config)
  if (byPolicy) return dormant(byPolicy)
  return { kind: 'profile', profilers, flushWorkers }
}

const MANAGERS = ['npm', 'npx', 'yarn', 'pnpm', 'corepack'] as const
export type PackageManager = (typeof MANAGERS)[number]

/**
 * The package manager this process is, if it is one: judged from the script Node runs (argv[1]). npm, yarn and
 * pnpm put their own script path in npm_execpath for the scripts they run, which settles the unusual install
 * layouts; a script started *by* a package manager has its own argv[1] and is not one.
 */
export function packageManager(argv: readonly string[], env: NodeJS.ProcessEnv): PackageManager | undefined {
  const script = argv[1]
  if (!script) return undefined
  const norm = script.replace(/\\/g, '/')
  const base = path.posix.basename(norm).toLowerCase()
  const execpath = env.npm_execpath
  if (execpath && samePath(execpath, script)) return managerOf(execpath.replace(/\\/g, '/')) ?? 'npm'
  const byName = /^(npm-cli|npx-cli|npm|npx|yarn|yarnpkg|pnpm|pnpx|corepack)(\.c?js)?$/.exec(base)
  if (byName) return managerOf(norm)
  if (/^yarn-[\w.-]+\.c?js$/.test(base)) return 'yarn' // .yarn/releases/yarn-4.1.0.cjs
  if (/\/node_modules\/(npm|yarn|pnpm|corepack|@yarnpkg\/cli-dist)\/(bin|dist|lib)\//.test(norm)) return managerOf(norm)
  return undefined
}

function managerOf(p: string): PackageManager | undefined {
  const lower = p.toLowerCase()
  const base = path.posix.basename(lower)
  if (base.startsWith('npx')) return 'npx'
  if (base.startsWith('pnp')) return 'pnpm'
  if (base.startsWith('corepack')) return 'corepack'
  if (base.startsWith('yarn')) return 'yarn'
  if (base.startsWith('npm')) return 'npm'
  for (const m of MANAGERS) if (lower.includes(`/${m}/`)) return m
  return undefined
}

function samePath(a: string, b: string): boolean {
  return path.resolve(a) === path.resolve(b)
}

/** What --only / --skip patterns match against: the script path and its arguments. */
export function matchSubject(argv: readonly string[], execArgv: readonly string[]): string {
  const rest = argv.slice(1).join(' ')
  return rest !== '' ? rest : execArgv.join(' ')
}

/**
 * `*` matches any text; a pattern matches anywhere in the subject (so `webpack` matches .../webpack/bin/webpack.js).
 * No regular expression: `a*a*a*...*b` against a long `aaaa...` made a backtracking regex take minutes at start.
 * A pattern that matches anywhere is `*s1*s2*...*sk*`, and with stars at both ends the leftmost occurrence of each
 * literal segment, each after the previous one, is always the best choice (what the classic two-pointer wildcard
 * match does when it backtracks to the last star), so one left-to-right pass of indexOf decides it.
 */
export function patternMatches(pattern: string, subject: string): boolean {
  let at = 0
  for (const segment of pattern.split('*')) {
    if (segment === '') continue
    const found = subject.indexOf(segment, at)
    if (found < 0) return false
    at = found + segment.length
  }
  return true
}

export interface Policy {
  workerThreads: boolean
  only?: readonly string[] | undefined
  skip?: readonly string[] | undefined
}


/** Why this process stays dormant by policy (the thread, the program, the patterns), or undefined. */
export function dormantReason(facts: ProcessFacts, policy: Policy): string | undefined {
  // Node's code only, idle between imports, and stopped without an exit event: nothing of the app to profile.
  if (facts.loaderThread) return 'it runs module.register() hooks, not the app'
  if (!facts.isMainThread && !policy.workerThreads) return 'worker thread profiling is off (DD_PROFILING_WORKER_THREADS=false)'
  const manager = packageManager(facts.argv, facts.env)
  if (manager) return `package manager (${manager})`
  const subject = matchSubject(facts.argv, facts.execArgv)
  if (policy.only && policy.only.length > 0 && !policy.only.some((p) => patternMatches(p, subject))) {
    return `matches none of DD_PROFILING_ONLY (${policy.only.join(',')})`
  }
  const skipped = policy.skip?.find((p) => patternMatches(p, subject))
  if (skipped !== undefined) return `matches DD_PROFILING_SKIP pattern ${skipped}`
  return undefined
}

