// The on-disk layout of a profile directory, shared by its writers (the file exporter, the launcher's relay, which
// writes a spooled bundle where its process would have) and its readers (dd-run report, top, diff):
//   <output dir>/<service>/<pid>-<role>-<runtime id, 8 chars>/<seq, 4 digits>-<end, YYYYMMDDTHHMMSSZ>/
//     event.json, <type>.pprof ...                      one bundle (see bundle-dir.ts)
//   <output dir>/<service>/<pid>-<role>-<runtime id>/process.json   facts about the process, once
// Anything being written carries the `.tmp-` prefix until it is renamed into place; readers skip it.
import { parseTags, ROLES, TAG } from './bundle'
import type { Bundle } from './types'

/** The Datadog event of a bundle, beside its attachments (also the spool's). */
export const EVENT_FILE = 'event.json'

/** Facts about the process (its command) beside its bundles, for dd-run report. */
export const PROCESS_FILE = 'process.json'

/**
 * Directories and files being written; never read. Removed by their own process when its exit finds them, and by
 * the launcher at the end of a run for a process that died without an exit (SIGKILL, the OOM killer).
 */
export const TMP_PREFIX = '.tmp-'

export function isTemporary(name: string): boolean {
  return name.startsWith(TMP_PREFIX)
}

/** A process directory of this layout: only those are ever pruned by the size cap. */
export const PROCESS_DIR = new RegExp(`^[A-Za-z0-9]+-(${ROLES.join('|')})-[A-Za-z0-9_-]+$`)
/** A bundle directory of this layout. */
export const BUNDLE_DIR = /^\d{4,}-\d{8}T\d{6}Z$/

/** Keeps [A-Za-z0-9._-]; anything else becomes `_` (and a name of dots only would climb directories). */
export function fsName(s: string): string {
  const out = s.replace(/[^A-Za-z0-9._-]/g, '_')
  return /^\.*$/.test(out) ? `_${out}` : out
}

export function compactTime(iso: string): string {
  // 2026-11-24T21:01:05.123Z -> 20261124T210105Z
  return iso.replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '')
}

/** The service directory of the layout. */
export function serviceDirName(service: string): string {
  return fsName(service)
}

/** A process directory's name: `<pid>-<role>-<runtime id, 8 chars>` (the launcher derives it from a status too). */
export function processDirName(pid: string | number, role: string, runtimeId: string): string {
  return fsName(`${pid}-${role}-${runtimeId.slice(0, 8)}`)
}

/** Where a bundle goes, relative to the output directory: [service, process directory, bundle directory]. */
export function bundlePath(bundle: Bundle): [string, string, string] {
  const tags = parseTags(bundle.event.tags_profiler)
  const service = serviceDirName(tags[TAG.service] ?? 'node')
  const proc = processDirName(tags[TAG.pid] ?? 'unknown', tags[TAG.role] ?? 'main', tags[TAG.runtimeId] ?? 'unknown')
  const seq = String(Number(tags[TAG.seq] ?? 0)).padStart(4, '0')
  return [service, proc, `${seq}-${compactTime(bundle.event.end)}`]
}
