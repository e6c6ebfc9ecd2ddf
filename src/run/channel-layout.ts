// The run channel's layout: where channels live and the names inside one. The launcher creates and reads it
// (src/launch/), the profiled processes and their watchdog threads write into it (src/profiling/), dd-run snapshot
// finds and asks it (src/run/snapshot.ts):
//   <parent>/dd-run-XXXXXX/                      one channel per launch (mode 0700)
//     reports/<pid>-<threadId>.json              each process's status (src/run/status.ts)
//     spool/...                                  last-gasp bundles (src/export/spool.ts)
//     launcher.json                              the launcher's pid and command (src/run/launcher-info.ts)
//     snapshot-<id>/<pid>-0.json                 a dd-run snapshot request and the answers
//     signal-<n>-<SIGNAME>                       a signal the launcher forwarded (for main threads that do not yield)
import * as os from 'node:os'
import * as path from 'node:path'

/** The channel directory's name starts with this (mkdtemp adds the rest). */
export const CHANNEL_PREFIX = 'dd-run-'

/**
 * Where a channel may go, in order: the temporary directory the user chose (os.tmpdir(): TMPDIR, else /tmp), then
 * the usual writable places of a Unix system: /tmp, /var/tmp, and /dev/shm, a tmpfs that container runtimes mount
 * writable even when the root filesystem is read-only. Duplicates are tried once.
 */
export function channelParents(tmpdir: string = os.tmpdir(), platform: NodeJS.Platform = process.platform): string[] {
  const fallbacks = platform === 'win32' ? [] : ['/tmp', '/var/tmp', '/dev/shm']
  return [...new Set([tmpdir, ...fallbacks].map((d) => path.resolve(d)))]
}

/** A snapshot request is a directory `<channel>/<SNAPSHOT_PREFIX><id>` the asker creates; answers go into it. */
export const SNAPSHOT_PREFIX = 'snapshot-'

/**
 * The launcher forwarded a signal that ends processes: a file `<channel>/<SIGNAL_PREFIX><n>-<SIGNAME>`. A main
 * thread that does not yield cannot run its signal listener; the watchdog acts for it.
 */
export const SIGNAL_PREFIX = 'signal-'

/** Signals whose default action ends the process, and after which a final profile is worth taking. SIGUSR1 starts
 * Node's inspector, SIGPROF drives the CPU profiler, SIGABRT comes from abort(): none of them here. A profiled
 * process flushes on these (src/profiling/exit-signals.ts); the launcher writes a signal file for these only. */
export const FLUSHED_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR2', 'SIGALRM', 'SIGVTALRM', 'SIGXCPU', 'SIGXFSZ']

/** What a process's main thread answers its watchdog (JSON, returned by value through the inspector). */
export interface EntryAnswer {
  /** For a signal: the final profile is written and the signal's default action is back: the caller sends it again. */
  delivered?: boolean
  /** Why nothing was taken: the main thread ticked meanwhile, the session is busy or has finished. */
  skipped?: string
  /** profile_seq of the bundle taken, when one was. */
  seq?: number
  /** The main thread's stack where it was interrupted (snapshot only), innermost first; [] when idle. */
  stack?: string[]
  /** Where the bundle went, per exporter (the report's targets), and failures. */
  targets?: Record<string, string>
  spooled?: Record<string, number>
  command?: string
  role?: string
}

/** What a process writes into a snapshot request directory, as `<pid>-<threadId>.json`. */
export interface SnapshotAnswer extends EntryAnswer {
  pid: number
  threadId: number
  /** When the main thread could not be reached (inspector error). */
  error?: string
}
