// Who is this process (or thread) in the tree: its facts, its role and lineage, the command the run summary shows.
// Pure functions over argv, the environment and a few facts about the thread, so they are tested without starting
// processes. Whether it is profiled at all is guard.ts's question.
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
