// Who is this process (or thread) in the tree, and should it be profiled? Pure functions over argv, the
// environment and a few facts about the thread, so they are tested without starting processes.
import * as path from 'node:path'
import type { Role } from '../export/bundle'
import { RUN_ID, RUN_PARENT_PID, RUN_PARENT_RUNTIME_ID } from '../run/env-names'

export interface ProcessFacts {
  pid: number
  threadId: number
  isMainThread: boolean
  /** cluster.worker.id in a cluster worker. */
  clusterWorkerId?: number
  /** Node's own module loader thread (module.register hooks, --import tsx), not a thread of the app. */
  loaderThread?: boolean
  argv: readonly string[]
  execArgv: readonly string[]
  env: NodeJS.ProcessEnv
}

export interface Identity {
  pid: number
  threadId: number
  role: Role
  runtimeId: string
  runId?: string
  parentPid?: number
  parentRuntimeId?: string
  clusterWorkerId?: number
}

/**
 * The role follows from the thread, the cluster and what the nearest profiled ancestor left in the environment:
 * each profiled process writes its own pid and runtime id there for its children (worker threads get a copy of
 * the environment of the thread that created them).
 */
export function identify(facts: ProcessFacts, runtimeId: string): Identity {
  const env = facts.env
  const parentPid = positiveInt(env[RUN_PARENT_PID])
  const parentRuntimeId = nonBlank(env[RUN_PARENT_RUNTIME_ID])
  const hasParent = parentPid !== undefined
  let role: Role
  if (!facts.isMainThread) role = 'worker_thread'
  else if (facts.clusterWorkerId !== undefined) role = 'cluster_worker'
  else if (hasParent && parentPid !== facts.pid) role = 'child'
  else role = 'main'
  const id: Identity = { pid: facts.pid, threadId: facts.threadId, role, runtimeId }
  const runId = nonBlank(env[RUN_ID])
  if (runId) id.runId = runId
  if (role !== 'main' && hasParent) {
    id.parentPid = parentPid
    if (parentRuntimeId) id.parentRuntimeId = parentRuntimeId
  }
  if (role === 'cluster_worker') id.clusterWorkerId = facts.clusterWorkerId
  return id
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

/**
 * Node's module loader thread: the internal worker that runs module.register() hooks (Node 20+). Node 22.14+ says
 * so (isInternalThread); before that, Node leaves parentPort null only for this internal thread (every worker the
 * app creates has its parentPort set before the preload runs). Takes the worker_threads module.
 */
export function isLoaderThread(wt: { isMainThread: boolean; parentPort: unknown; isInternalThread?: boolean }): boolean {
  if (wt.isInternalThread === true) return true
  return !wt.isMainThread && wt.parentPort === null
}

export const LOADER_THREAD = "Node's module loader thread"

/** Why this process stays dormant, or undefined when it is profiled. */
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

/** A short human description of the command, for the run summary. */
export function commandSummary(facts: ProcessFacts, cwd: string, max = 80): string {
  if (facts.loaderThread) return LOADER_THREAD
  if (!facts.isMainThread) return `worker thread ${facts.threadId}`
  const parts = [path.basename(facts.argv[0] ?? 'node')]
  const script = facts.argv[1]
  if (script) {
    const rel = path.relative(cwd, script)
    parts.push(rel !== '' && !rel.startsWith('..') && rel.length < script.length ? rel : script)
    parts.push(...facts.argv.slice(2))
  } else parts.push(...facts.execArgv)
  const text = parts.join(' ')
  return text.length > max ? `${text.slice(0, max - 3)}...` : text
}

function positiveInt(v: string | undefined): number | undefined {
  if (v === undefined || !/^\d+$/.test(v.trim())) return undefined
  const n = Number(v)
  return n > 0 ? n : undefined
}

function nonBlank(v: string | undefined): string | undefined {
  return v !== undefined && v.trim() !== '' ? v.trim() : undefined
}
