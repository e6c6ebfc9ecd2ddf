// What each Node process (or worker thread) of a run tells the launcher: one small JSON file per process,
//   <channel>/reports/<pid>-<threadId>.json
// rewritten atomically (temporary name, then rename) whenever it changes, synchronously on the exit path.
import * as fs from 'node:fs'
import * as path from 'node:path'

export type ProcessState = 'profiled' | 'dormant' | 'off'

export interface ProcessReport {
  pid: number
  threadId: number
  role: string
  command: string
  /** profiled; dormant by policy (package manager, --only/--skip, worker threads off); off after a failure. */
  state: ProcessState
  reason?: string
  service?: string
  runtimeId?: string
  parentPid?: number
  startedAt: string
  endedAt?: string
  /** How the process ended, when the session saw it: exit code, or the signal it re-raised. */
  exit?: string
  /** Bundles delivered per exporter. */
  exported: Record<string, number>
  /** Where each exporter put them (the file exporter: the process directory). */
  targets: Record<string, string>
  /** Bundles left in the spool for the launcher, per exporter. */
  spooled: Record<string, number>
  /** Bundles an exporter gave up on (failed) or dropped from its full queue, per exporter, when any. */
  lost?: Record<string, { failed: number; dropped: number }>
  /** Periods merged into the next one because the previous export was still running. */
  deferred: number
  failures: string[]
}

export function reportsDir(channel: string): string {
  return path.join(channel, 'reports')
}

export function writeReport(channel: string, report: ProcessReport): void {
  const dir = reportsDir(channel)
  // Never recreates the channel itself: once the launcher (or a process that found it gone) removed it, a new
  // directory at that /tmp path would be nobody's, or somebody else's.
  try {
    fs.mkdirSync(dir, { mode: 0o700 })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
  }
  const file = path.join(dir, `${report.pid}-${report.threadId}.json`)
  const tmp = `${file}.tmp-${process.pid}-${report.threadId}`
  fs.writeFileSync(tmp, JSON.stringify(report), { mode: 0o600 })
  fs.renameSync(tmp, file)
}

export function readReports(channel: string): ProcessReport[] {
  const dir = reportsDir(channel)
  let names: string[]
  try {
    names = fs.readdirSync(dir)
  } catch {
    return []
  }
  const out: ProcessReport[] = []
  for (const name of names) {
    if (!/^\d+-\d+\.json$/.test(name)) continue
    try {
      out.push(JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as ProcessReport)
    } catch {
      // A report being replaced at this very moment, or garbage: skip it.
    }
  }
  return out.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.pid - b.pid || a.threadId - b.threadId)
}
