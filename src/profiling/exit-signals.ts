// How a profiled process ends on a signal, with its final profile: when the app has no handler of its own for a
// signal that would kill it, the final profile is taken first, then the process dies of that same signal, exactly
// as it would have without dd-run. When the app does handle the signal, the app decides: its exit flushes.
//
// Three things make this harder than one listener:
// - Libraries that re-raise (signal-exit, used by execa, jest, write-file-atomic, ...) compare
//   `process.listeners(sig).length` with their own count and only re-raise when nobody else listens. Our listener
//   steps out of the list while the others run, and comes back on the next turn.
// - A second signal during the flush (systemd signals the whole cgroup while dd-run forwards the same signal) must not
//   kill the process half-way: the listener stays installed, absorbing it, until the final profile is written.
// - A signal a process sends itself as its last line (process.kill(process.pid, 'SIGTERM')) kills it before any
//   listener could run: process.kill is wrapped to flush first when that signal is about to kill.
// Functions the app can replace (process.kill, process.abort) are captured when the preload loads, before any app
// code, and only those originals are called.
import * as os from 'node:os'
import { FLUSHED_SIGNALS } from '../run/channel-layout'

const realKill = process.kill
const realAbort = process.abort

/** process.kill as Node made it, whatever the app has put in its place since. */
export function originalKill(pid: number, signal?: string | number): boolean {
  return realKill.call(process, pid, signal)
}

/** Whether a process still runs (the launcher, which relays the spool), asked with the original process.kill. */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return true
  try {
    originalKill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH'
  }
}

export interface ExitSignals {
  /** Removes every listener and wrapper: after the final profile, or when profiling stops. */
  stop(): void
  /**
   * What our listener would do with `sig`, run from outside the event loop: the watchdog thread calls it (through
   * the inspector) when the main thread does not yield while a signal waits for it. A JavaScript listener only runs
   * on the event loop, so without this a busy loop with no handler of its own would ignore the Ctrl-C that kills it
   * at once without dd-run. When the app has no handler for it: takes the final profile, puts the signal's default
   * action back and returns true; the caller then sends the signal again (from its own thread, once its inspector
   * session is closed: dying inside one makes Node print "Waiting for the debugger to disconnect").
   *
   * `sentAt` (ms since the epoch) is when the signal was sent. When the main thread's listeners have run for `sig`
   * since then, the main thread is not stuck and has received it: nothing is done and false is returned. That is
   * the case of an app whose `process.once('SIGTERM')` handler is draining: its listener is gone by now, and
   * without this check the app would be killed in the middle of its drain.
   */
  readyToDie(sig: NodeJS.Signals, sentAt?: number): boolean
}

/** finish(how): takes and writes the final profile, synchronously; idempotent. */
export function watchExitSignals(finish: (how: string) => void): ExitSignals {
  const handlers = new Map<NodeJS.Signals, () => void>()
  /** When each signal last reached the main thread's listeners (Date.now(): the launcher's note is wall-clock). */
  const received = new Map<NodeJS.Signals, number>()
  let stopped = false

  const appHandles = (sig: NodeJS.Signals): boolean => {
    const own = handlers.get(sig)
    return process.listeners(sig).some((l) => l !== own)
  }
  const flushAndDie = (sig: NodeJS.Signals): void => {
    try {
      finish(`signal ${sig}`)
    } catch {
      // Never keep the process from dying.
    }
    // Our listeners go only now: a signal that came during the flush was absorbed. Without listeners, the signal's
    // default action is back, and the re-raise ends the process as Node would have.
    exits.stop()
    if (process.listenerCount(sig) === 0) originalKill(process.pid, sig)
  }
  const install = (sig: NodeJS.Signals): void => {
    const handler = (): void => {
      received.set(sig, Date.now())
      if (stopped) return
      if (!appHandles(sig)) return flushAndDie(sig)
      // Others listen: out of the list while they run, back on the next turn (if the process is still there).
      process.removeListener(sig, handler)
      setImmediate(() => {
        if (!stopped && !process.listeners(sig).includes(handler)) process.prependListener(sig, handler)
      })
    }
    handlers.set(sig, handler)
    process.prependListener(sig, handler)
  }
  for (const sig of FLUSHED_SIGNALS) install(sig)

  const kill = function kill(this: unknown, pid: number, signal?: string | number): true {
    try {
      if (pid === process.pid || pid === 0 || pid === -process.pid) beforeSelfSignal(signal)
    } catch {
      // The kill itself must happen whatever.
    }
    return realKill.apply(process, arguments as unknown as [number, (string | number)?])
  }
  const abort = function abort(): never {
    try {
      finish('abort')
    } catch {
      // Never keep the process from aborting.
    }
    return realAbort.call(process)
  }
  process.kill = kill
  process.abort = abort

  /** A signal sent to this very process is about to be delivered: if it will kill, flush first. */
  const beforeSelfSignal = (signal: string | number | undefined): void => {
    const name = (signal === undefined ? 'SIGTERM' : typeof signal === 'number' ? signalName(signal) : signal) as NodeJS.Signals
    if (stopped || !handlers.has(name) || appHandles(name)) return
    try {
      finish(`signal ${name}`)
    } catch {
      // The kill goes ahead.
    }
    exits.stop()
  }

  const exits: ExitSignals = {
    readyToDie(sig, sentAt) {
      if (stopped || !handlers.has(sig) || appHandles(sig)) return false
      if (sentAt !== undefined && (received.get(sig) ?? -Infinity) >= sentAt) return false
      try {
        finish(`signal ${sig}`)
      } catch {
        // Never keep the process from dying.
      }
      exits.stop()
      return process.listenerCount(sig) === 0
    },
    stop() {
      if (stopped) return
      stopped = true
      for (const [sig, h] of handlers) process.removeListener(sig, h)
      if (process.kill === kill) process.kill = realKill
      if (process.abort === abort) process.abort = realAbort
    },
  }
  return exits
}

function signalName(n: number): string | undefined {
  return Object.entries(os.constants.signals).find(([, v]) => v === n)?.[0]
}
