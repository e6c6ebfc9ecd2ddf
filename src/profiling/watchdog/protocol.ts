// What the main thread and its watchdog thread share. The watchdog is a helper worker thread that keeps its own event
// loop: when the main thread has not yielded for a whole upload period, or when `dd-run snapshot` asks, it runs a
// small function on the main thread through the inspector (V8 interrupts it wherever its JavaScript is).

/** The main thread's entry point, on globalThis under a global symbol (invisible to Object.keys and for...in). */
export const WATCHDOG_ENTRY = Symbol.for('dd-run.watchdog')

/** Marks the helper's workerData, so the preload (which Node also runs in that thread) leaves it alone. */
export const HELPER_MARK = 'dd-run.watchdog.helper'

/** A snapshot request is a directory `<channel>/<SNAPSHOT_PREFIX><id>` the asker creates; answers go into it. */
export const SNAPSHOT_PREFIX = 'snapshot-'

/**
 * The launcher forwarded a signal that ends processes: a file `<channel>/<SIGNAL_PREFIX><n>-<SIGNAME>`. A main
 * thread that does not yield cannot run its signal listener; the watchdog acts for it after SIGNAL_GRACE_MS.
 */
export const SIGNAL_PREFIX = 'signal-'
/** Long enough for a main thread that yields to handle the signal itself; short next to a person's patience. */
export const SIGNAL_GRACE_MS = 250

export interface HelperData {
  /**
   * Int32Array over it: [0] counts the main thread's own periods; [1] becomes 1 when its session has finished;
   * [SENDING_SLOT] is 1 while this thread sends a spooled bundle; from SENT_SLOT on, per network exporter
   * (SENT_EXPORTERS order), the spooled bundles this thread has sent.
   */
  heartbeat: SharedArrayBuffer
  periodMs: number
  /** The run channel, watched for snapshot requests; absent without a launcher. */
  channel?: string | undefined
  pid: number
  debug: boolean
  quiet: boolean
  /**
   * The configuration, when it names a network exporter: bundles taken behind a stall are spooled by the main thread
   * and sent from this thread (src/profiling/watchdog/send.ts, loaded when the first one comes).
   */
  exportConfig?: import('../../config/schema').Config | undefined
}

/** The network exporters whose stalled bundles the watchdog thread sends, and their counters' slots. */
export const SENT_EXPORTERS = ['agent', 'agentless'] as const
export const SENDING_SLOT = 2
export const SENT_SLOT = 3
export const HEARTBEAT_SLOTS = SENT_SLOT + SENT_EXPORTERS.length

/** The main thread to its watchdog thread (postMessage, which needs no turn of the main event loop). */
export interface SpooledMessage {
  spooled: { exporter: string; dir: string }
}

/** What the main thread answers (JSON, returned by value through the inspector). */
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
