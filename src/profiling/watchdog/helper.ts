// The watchdog thread: a worker thread with an event loop of its own, so it runs whatever the main thread does.
// Each upload period it checks the main thread's heartbeat; when the main thread has not taken a profile for a whole
// period (it has not yielded to its event loop), it runs the main thread's entry point through an inspector session
// (V8 interrupts the running JavaScript to run it), which takes and delivers the period's profile. It also answers
// `dd-run snapshot` requests that appear in the run channel. It never evaluates anything but that one entry point.
import * as fs from 'node:fs'
import * as inspector from 'node:inspector'
import * as path from 'node:path'
import { parentPort, workerData } from 'node:worker_threads'
import { SIGNAL_PREFIX, SNAPSHOT_PREFIX, type EntryAnswer, type SnapshotAnswer } from '../../run/channel-layout'
import { HELPER_MARK, SIGNAL_GRACE_MS, type HelperData, type SpooledMessage } from './protocol'
import type { Sender } from './send'

type Outcome = EntryAnswer & { error?: string }

export function runHelper(): void {
  const data = (workerData as Record<string, HelperData>)[HELPER_MARK]
  if (!data) return
  const beats = new Int32Array(data.heartbeat)
  const debug = (text: string): void => {
    if (!data.debug) return
    try {
      fs.writeSync(2, `dd-run: watchdog (pid ${data.pid}): ${text}\n`)
    } catch {
      // stderr is gone
    }
  }
  // One call at a time: a call the main thread has not answered (it is inside native code, where V8 cannot
  // interrupt it) is never joined by more. The session is connected for the call only: while a session from
  // another thread is connected, a pause of the app's own debugger session (`debugger` under Debugger.enable)
  // waits for that session to resume it, which it never would.
  let calling = false
  const call = (kind: string, seen: number): Promise<Outcome> =>
    new Promise((resolve) => {
      calling = true
      const session = new inspector.Session()
      try {
        session.connectToMainThread()
      } catch (err) {
        calling = false
        return resolve({ error: (err as Error).message })
      }
      const expression = `globalThis[Symbol.for('dd-run.watchdog')]?.(${JSON.stringify(kind)}, ${seen})`
      // A pending inspector call keeps no event loop alive: without this, the session finishing on the main thread
      // (a signal's final profile) ends this thread before the answer, and with it what was to follow (the kill).
      const hold = setInterval(() => undefined, 1 << 30)
      session.post('Runtime.evaluate', { expression, returnByValue: true, silent: true }, (err, res) => {
        clearInterval(hold)
        calling = false
        session.disconnect()
        if (err) return resolve({ error: err.message })
        if (res.exceptionDetails) return resolve({ error: res.exceptionDetails.exception?.description?.split('\n')[0] ?? res.exceptionDetails.text })
        const value = res.result?.value
        if (typeof value !== 'string') return resolve({ error: 'the main thread has no dd-run session' })
        try {
          resolve(JSON.parse(value) as EntryAnswer)
        } catch {
          resolve({ error: 'an answer that is not JSON' })
        }
      })
    })

  // Checks half a period out of phase with the main thread's own timer: a main thread that ticks on time is never
  // raced; one that has not ticked since the previous check gets its period taken here.
  let last = Atomics.load(beats, 0)
  const check = async (): Promise<void> => {
    const now = Atomics.load(beats, 0)
    if (now !== last || calling) {
      last = now
      return
    }
    const outcome = await call('period', now)
    last = Atomics.load(beats, 0)
    if (outcome.error) debug(`could not reach the main thread: ${outcome.error}`)
    else if (outcome.seq !== undefined) debug(`the main thread has not yielded for a period: profile ${outcome.seq} taken`)
  }
  let interval: NodeJS.Timeout | undefined
  const phase = setTimeout(() => (interval = setInterval(() => void check(), data.periodMs)), data.periodMs / 2)

  const watcher = data.channel ? answerSnapshots(data.channel, data.pid, call, debug) : undefined
  if (data.exportConfig) sendSpooled(data.exportConfig, beats, debug)
  // Once the main thread's session has finished, nothing is left to do: the thread ends (its loop empties).
  const stop = (): void => {
    clearTimeout(phase)
    if (interval) clearInterval(interval)
    watcher?.close()
  }
  const waitAsync = (Atomics as unknown as { waitAsync?: (a: Int32Array, i: number, v: number) => { async: boolean; value: Promise<string> | string } }).waitAsync
  if (typeof waitAsync === 'function') {
    const w = waitAsync(beats, 1, 0)
    if (w.async) void (w.value as Promise<string>).then(stop)
    else stop()
  } else {
    const poll = setInterval(() => {
      if (Atomics.load(beats, 1) !== 0) {
        clearInterval(poll)
        stop()
      }
    }, Math.min(data.periodMs, 1000))
  }
}

/**
 * Bundles for the agent or the intake that the main thread spooled while it did not yield: sent from here, during the
 * run (src/profiling/watchdog/send.ts, its own bundle, loaded with the first one).
 */
function sendSpooled(config: NonNullable<HelperData['exportConfig']>, beats: Int32Array, debug: (t: string) => void): void {
  if (!parentPort) return
  let sender: Sender | undefined
  let broken = false
  parentPort.on('message', (m: SpooledMessage) => {
    const s = m?.spooled
    if (!s || broken) return
    try {
      // A path computed at run time: the build leaves it out of this thread's own bundle.
      sender ??= (require(path.join(__dirname, 'watchdog-send.js')) as typeof import('./send')).createSender(config, beats, debug)
    } catch (err) {
      broken = true
      debug(`spooled profiles are left to the launcher: ${(err as Error).message}`)
      return
    }
    sender.send(s.exporter, s.dir)
  })
  // Listening keeps no event loop alive: the thread still ends with the main thread's session.
  parentPort.unref()
}

/** Watches the run channel for snapshot requests (directories made by `dd-run snapshot`) and answers each once. */
function answerSnapshots(channel: string, pid: number, call: (kind: string, seen: number) => Promise<Outcome>, debug: (t: string) => void): { close(): void } {
  const seen = new Set<string>()
  // When this process started, to the millisecond the channel's file times use (performance.timeOrigin is the
  // worker's own start).
  const startedAt = Date.now() - process.uptime() * 1000 - 1
  const handle = async (name: string): Promise<void> => {
    if (name.startsWith(SIGNAL_PREFIX)) return signalled(name)
    if (!name.startsWith(SNAPSHOT_PREFIX) || name.includes('.') || seen.has(name)) return
    seen.add(name)
    const dir = path.join(channel, name)
    try {
      const st = fs.lstatSync(dir)
      // The channel is private (0700): only its owner can make a request. Anything else there is not one.
      if (!st.isDirectory() || (process.getuid && st.uid !== process.getuid())) return
    } catch {
      return
    }
    const outcome = await call('snapshot', 0)
    const answer: SnapshotAnswer = { ...outcome, pid, threadId: 0 }
    const file = path.join(dir, `${pid}-0.json`)
    try {
      fs.writeFileSync(`${file}.tmp`, JSON.stringify(answer), { mode: 0o600, flag: 'wx' })
      fs.renameSync(`${file}.tmp`, file)
    } catch (err) {
      debug(`could not answer the snapshot request ${name}: ${(err as Error).message}`)
    }
  }
  // A signal the launcher forwarded: if this process is still here after the grace time (its main thread did not run
  // the listener that would have ended it), act for that listener. The app's own handlers are left to the app.
  const signalled = (name: string): void => {
    const sig = /^signal-\d+-(SIG[A-Z0-9]+)$/.exec(name)?.[1]
    if (!sig || seen.has(name)) return
    seen.add(name)
    let sentAt: number
    try {
      const st = fs.lstatSync(path.join(channel, name))
      if (!st.isFile() || (process.getuid && st.uid !== process.getuid())) return
      // A signal forwarded before this process started was not meant for it.
      if (st.mtimeMs < startedAt) return
      // The launcher writes the note just before it sends the signal, and the file system's clock is coarse (it
      // lags, never leads): the note's time is at or before the signal's delivery.
      sentAt = Math.floor(st.mtimeMs)
    } catch {
      return
    }
    setTimeout(() => {
      void call(`signal:${sig}`, sentAt).then((outcome) => {
        if (outcome.error) debug(`could not hand ${sig} to the main thread: ${outcome.error}`)
        // The final profile is written and the signal's default action is back: the death the app would have had.
        else if (outcome.delivered) process.kill(process.pid, sig)
      })
    }, SIGNAL_GRACE_MS).unref()
  }
  let watcher: fs.FSWatcher | undefined
  const watch = (): void => {
    try {
      const w = fs.watch(channel, (_event, name) => {
        if (typeof name === 'string') void handle(name)
      })
      watcher = w
      w.on('error', () => w.close()) // the channel was removed: the run is over
      // What came before the watch began: a Ctrl-C can come first, and a snapshot request asked of this process.
      for (const name of fs.readdirSync(channel)) {
        if (name.startsWith(SIGNAL_PREFIX) || (name.startsWith(SNAPSHOT_PREFIX) && madeSince(path.join(channel, name), startedAt))) void handle(name)
      }
    } catch (err) {
      debug(`snapshot requests cannot be watched: ${(err as Error).message}`)
    }
  }
  // Not at once: a process that ends within WATCH_AFTER_MS (most short-lived ones) never pays for the watch (a few ms
  // of CPU for Node's first fs.watch in a thread); what comes meanwhile is found by the first look above.
  const timer = setTimeout(watch, WATCH_AFTER_MS)
  return {
    close: () => {
      clearTimeout(timer)
      watcher?.close()
    },
  }
}

/** How long after its start the thread begins to watch the run channel. */
export const WATCH_AFTER_MS = 200

function madeSince(file: string, since: number): boolean {
  try {
    return fs.lstatSync(file).mtimeMs >= since
  } catch {
    return false
  }
}
