// What the main thread and its watchdog thread share. The watchdog is a helper worker thread that keeps its own event
// loop: when the main thread has not yielded for a whole upload period, or when `dd-run snapshot` asks, it runs a
// small function on the main thread through the inspector (V8 interrupts it wherever its JavaScript is).

/** The main thread's entry point, on globalThis under a global symbol (invisible to Object.keys and for...in). */
export const WATCHDOG_ENTRY = Symbol.for('dd-run.watchdog')

/** Marks the helper's workerData, so the preload (which Node also runs in that thread) leaves it alone. */
export const HELPER_MARK = 'dd-run.watchdog.helper'

// The names it shares with the launcher and dd-run snapshot (SNAPSHOT_PREFIX, SIGNAL_PREFIX) and the answers it
// writes there are the run channel's: src/run/channel-layout.ts.

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
