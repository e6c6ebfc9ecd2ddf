// The main thread's side of the watchdog: starts the helper thread and installs the entry point the helper calls
// through the inspector (whether it can run here at all is unavailable.ts's question). Everything it does at
// start-up is one `new Worker` (the thread boots beside the app, on another core) and one global; the rest runs
// only when the main thread stalls or when someone asks for a snapshot.
import * as path from 'node:path'
import type { Logger } from '../../log'
import { DIST_DIR } from '../../dist-dir'
import type { ProcessStatus } from '../../run/status-shape'
import type { Session } from '../session'
import type { EntryAnswer } from '../../run/channel-layout'
import { HEARTBEAT_SLOTS, HELPER_MARK, SENDING_SLOT, SENT_EXPORTERS, SENT_SLOT, WATCHDOG_ENTRY, type HelperData, type SpooledMessage } from './protocol'
import { stackHere } from './stack'

export interface WatchdogOptions {
  session: Session
  periodMs: number
  channel: string | undefined
  report: ProcessStatus
  debug: boolean
  log: Logger
}

/** Starts the helper thread; returns why it did not, or undefined when it runs. Never throws. */
export function startWatchdog(o: WatchdogOptions): string | undefined {
  try {
    const heartbeat = new SharedArrayBuffer(4 * HEARTBEAT_SLOTS)
    const beats = new Int32Array(heartbeat)
    o.session.onPeriod = () => Atomics.add(beats, 0, 1)
    // A session that finished (exit, or the Profiler API's stop()) ends its thread: starting again makes another.
    const release = (): void => {
      Atomics.store(beats, 1, 1)
      Atomics.notify(beats, 1)
    }
    // At exit the thread is told first, before the final profile is taken: it winds down (its loop empties, its heap
    // goes) while this thread encodes and writes, instead of after, when Node's exit waits for every thread to end.
    o.session.onFinishing = release
    o.session.onFinish = () => {
      // A bundle this thread is sending (taken behind a stall just before the exit): the exit waits for it, at most
      // the flush timeout, so that it is neither cut off mid-upload nor relayed again by the launcher.
      Atomics.wait(beats, SENDING_SLOT, 1, o.session.config.flushTimeout * 1000)
    }
    const g = globalThis as unknown as Record<symbol, unknown>
    g[WATCHDOG_ENTRY] = (kind: string, seen: number): string => JSON.stringify(answer(o, beats, kind, seen))
    const { Worker } = require('node:worker_threads') as typeof import('node:worker_threads')
    const config = o.session.config
    const network = (config.exporters ?? []).some((n) => (SENT_EXPORTERS as readonly string[]).includes(n))
    const data: HelperData = {
      heartbeat,
      periodMs: o.periodMs,
      channel: o.channel,
      pid: process.pid,
      debug: o.debug,
      quiet: config.quiet,
      exportConfig: network && o.channel ? config : undefined,
    }
    const worker = new Worker(path.join(DIST_DIR, 'preload', 'watchdog.js'), {
      workerData: { [HELPER_MARK]: data },
      // No NODE_OPTIONS and none of the process's own flags (`node -r <preload>` puts the preload there), so Node
      // does not run the preload in this thread (parsing its 150 KB bundle again there); the mark above still makes
      // the preload step aside should it run.
      env: {},
      execArgv: [],
      // Its own output never mixes with the app's: it writes nothing but debug lines, straight to fd 2.
      stdout: true,
      stderr: true,
      // A small heap: it holds a few timers, an inspector session and, at most, one request at a time.
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
    })
    worker.unref()
    worker.on('error', (err) => o.log.debug(`the watchdog thread stopped: ${err.message}`))
    if (data.exportConfig) handOff(o, worker, beats)
    return undefined
  } catch (err) {
    return `the watchdog thread could not start: ${(err as Error).message}`
  }
}

/**
 * A bundle for the agent or the intake taken while the main thread does not yield is spooled (on disk: nothing is lost
 * if the process dies now), then handed to the watchdog thread, which sends it during the run; postMessage needs no
 * turn of this thread's event loop. What that thread sent counts as exported, not spooled, in the run report.
 */
function handOff(o: WatchdogOptions, worker: import('node:worker_threads').Worker, beats: Int32Array): void {
  o.session.onSpooled = (exporter, dir) => {
    if (!(SENT_EXPORTERS as readonly string[]).includes(exporter)) return
    try {
      const m: SpooledMessage = { spooled: { exporter, dir } }
      worker.postMessage(m)
    } catch (err) {
      o.log.debug(`the spooled profile stays for the launcher: ${(err as Error).message}`)
    }
  }
  // exported is counted afresh for each report (from the exporters' stats); spooled only grows, so what this thread
  // took out of the spool is taken off it once.
  const movedOut = SENT_EXPORTERS.map(() => 0)
  o.session.onStatus = (r) => {
    SENT_EXPORTERS.forEach((name, i) => {
      const n = Atomics.load(beats, SENT_SLOT + i)
      if (n === 0) return
      r.exported[name] = (r.exported[name] ?? 0) + n
      r.spooled[name] = Math.max(0, (r.spooled[name] ?? 0) - (n - (movedOut[i] ?? 0)))
      movedOut[i] = n
    })
  }
}

/** Runs on the main thread, inside whatever it was doing: only reads the stack and takes a profile. */
function answer(o: WatchdogOptions, beats: Int32Array, kind: string, seen: number): EntryAnswer {
  const who = { command: o.report.command, role: o.report.role }
  if (kind.startsWith('signal:')) {
    // When the app has no handler of its own for it and the main thread has not received it since it was sent
    // (`seen` carries that time): the final profile, then the helper sends it again. Else the app's handler, or
    // the default action our listener left, decides on the main thread's loop.
    const delivered = o.session.signalBehindStall(kind.slice('signal:'.length) as NodeJS.Signals, seen > 0 ? seen : undefined)
    return { ...who, delivered, ...(delivered ? {} : { skipped: 'the main thread has received it, or the app handles it itself' }) }
  }
  const stack = kind === 'snapshot' ? stackHere() : undefined
  if (kind === 'period') {
    if (Atomics.load(beats, 0) !== seen) return { skipped: 'the main thread took its own profile meanwhile' }
    // An app that opened the inspector since (inspector.open()) may be stopped at a breakpoint: leave it alone.
    if (debuggerOpened()) return { skipped: 'a debugger is attached' }
  }
  const seq = o.session.takeBehindStall()
  if (seq === undefined) return { ...who, stack, skipped: o.session.stopped ? 'the session has finished' : 'the session is busy' }
  return { ...who, stack, seq, targets: { ...o.report.targets }, spooled: { ...o.report.spooled } }
}

function debuggerOpened(): boolean {
  try {
    return (require('node:inspector') as typeof import('node:inspector')).url() !== undefined
  } catch {
    return false
  }
}
