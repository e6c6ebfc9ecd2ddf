// Which tags a profiled process puts in its bundles' tags_profiler: runtime facts, the service's tags, DD_TAGS, the
// process lineage and the snapshot kind. Pure: everything it needs comes in as arguments. The format itself (how
// pairs become the string and back) is src/export/bundle.ts's.
import { TAG, type Snapshot } from '../export/bundle'
import type { Identity } from './process-kind'

export interface TagInputs {
  identity: Identity
  service: string
  env?: string | undefined
  version?: string | undefined
  /** DD_TAGS. */
  userTags: Readonly<Record<string, string>>
  /** Only with DD_TRACE_REPORT_HOSTNAME=true: the agent adds its own host tag. */
  host?: string | undefined
  /** DD_GIT_COMMIT_SHA and DD_GIT_REPOSITORY_URL (or what the launcher found in the app's checkout). */
  git?: { commitSha?: string | undefined; repositoryUrl?: string | undefined }
  profilerVersion: string
  runtime: { version: string; arch: string; os: string }
}

/** Keys dd-run sets itself; DD_TAGS cannot override them (it can supply service, env and version when unset). */
const RESERVED = new Set([
  'language', 'runtime', 'runtime_version', 'runtime_arch', 'runtime_os', 'process_id', 'profiler_version', 'format',
  'host', 'runtime-id', 'snapshot', 'profile_seq', 'run_id', 'parent_pid', 'parent_runtime_id', 'process_role',
  'cluster_worker_id', 'thread_id', 'service', 'env', 'version', 'git.commit.sha', 'git.repository_url',
])

/** The service a process files its profiles under: DD_SERVICE, else a service tag in DD_TAGS, else "node". */
export function serviceOf(service: string | undefined, userTags: Readonly<Record<string, string>>): string {
  return service ?? userTags.service ?? 'node'
}

export function profileTags(t: TagInputs, snapshot: Snapshot, seq: number): [string, string][] {
  const id = t.identity
  const pairs: [string, string][] = [
    ['language', 'javascript'],
    ['runtime', 'nodejs'],
    ['runtime_version', t.runtime.version],
    ['runtime_arch', t.runtime.arch],
    ['runtime_os', t.runtime.os],
    [TAG.pid, String(id.pid)],
    ['profiler_version', t.profilerVersion],
    ['format', 'pprof'],
    [TAG.service, t.service],
  ]
  const env = t.env ?? t.userTags.env
  const version = t.version ?? t.userTags.version
  if (env !== undefined) pairs.push(['env', env])
  if (version !== undefined) pairs.push(['version', version])
  for (const [k, v] of Object.entries(t.userTags)) if (!RESERVED.has(k)) pairs.push([k, v])
  if (t.git?.commitSha) pairs.push(['git.commit.sha', t.git.commitSha])
  if (t.git?.repositoryUrl) pairs.push(['git.repository_url', t.git.repositoryUrl])
  if (t.host !== undefined) pairs.push(['host', t.host])
  pairs.push([TAG.runtimeId, id.runtimeId], ['snapshot', snapshot], [TAG.seq, String(seq)])
  if (id.runId) pairs.push([TAG.runId, id.runId])
  if (id.parentPid !== undefined) pairs.push(['parent_pid', String(id.parentPid)])
  if (id.parentRuntimeId) pairs.push(['parent_runtime_id', id.parentRuntimeId])
  pairs.push([TAG.role, id.role])
  if (id.clusterWorkerId !== undefined) pairs.push(['cluster_worker_id', String(id.clusterWorkerId)])
  if (id.role === 'worker_thread') pairs.push(['thread_id', String(id.threadId)])
  return pairs
}
