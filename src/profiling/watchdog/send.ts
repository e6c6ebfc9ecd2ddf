// The watchdog thread's exporter: sends the bundles the main thread spooled while it did not yield (it cannot use the
// network then: its event loop does not turn), from this thread's own event loop, during the run. Loaded the first
// time such a bundle comes, as its own small bundle (dist/preload/watchdog-send.js): a thread that never needs it
// never parses it.
//
// Each bundle is already on disk in the run's spool, so nothing is lost whatever happens next. This thread claims it
// (a rename the launcher respects while this process lives), hands it to an exporter made by the same code and
// configuration as the main thread's (same headers, upload timeout, retry budget and queue bound), and then removes
// it when the exporter delivered it, or puts it back for the launcher to relay at the end of the run when the
// exporter gave up. Killed in between, the claimed bundle is relayed by the launcher: at least once, as always.
import * as fs from 'node:fs'
import type { Config, ExporterName } from '../../config/schema'
import { createExporters } from '../../export/index'
import { claimSpooled, releaseClaim } from '../../export/spool'
import { readBundleDir } from '../../export/bundle-dir'
import type { Exporter } from '../../export/types'
import { createLogger } from '../../log'
import { SENDING_SLOT, SENT_EXPORTERS, SENT_SLOT } from './protocol'

export interface Sender {
  /** Queues one spooled bundle; bundles go one at a time, in the order they came. */
  send(exporter: string, dir: string): void
}

export function createSender(config: Config, counters: Int32Array, debug: (text: string) => void): Sender {
  // Written straight to fd 2, as the thread's debug lines: its process.stderr goes through the main thread.
  const log = createLogger({
    debug: config.debug,
    quiet: config.quiet,
    write: (line) => {
      try {
        fs.writeSync(2, `${line}\n`)
      } catch {
        // stderr is gone
      }
    },
  })
  const exporters = new Map<string, Exporter | undefined>()
  const exporterFor = (name: string): Exporter | undefined => {
    if (!exporters.has(name)) {
      let e: Exporter | undefined
      try {
        e = createExporters({ ...config, exporters: [name as ExporterName] }, log)[0]
      } catch (err) {
        debug(`cannot send to ${name} from this thread: ${(err as Error).message}; left to the launcher`)
      }
      exporters.set(name, e)
    }
    return exporters.get(name)
  }
  let chain: Promise<void> = Promise.resolve()
  const one = async (name: string, dir: string): Promise<void> => {
    const slot = SENT_EXPORTERS.indexOf(name as (typeof SENT_EXPORTERS)[number])
    const e = slot < 0 ? undefined : exporterFor(name)
    // Once the main thread's session has finished (the process is exiting), what is left is the launcher's.
    if (!e || Atomics.load(counters, 1) !== 0) return
    Atomics.store(counters, SENDING_SLOT, 1)
    // The exporter's sockets and timers keep no event loop alive: this does, until the send is over, should the main
    // thread's session finish meanwhile (the thread's other timers are then gone).
    const hold = setInterval(() => undefined, 1 << 30)
    try {
      await claimAndSend(e, name, slot, dir)
    } finally {
      clearInterval(hold)
      // The main thread, if it is exiting meanwhile, waits for this (bounded) rather than leave a bundle half-sent.
      Atomics.store(counters, SENDING_SLOT, 0)
      Atomics.notify(counters, SENDING_SLOT)
    }
  }
  const claimAndSend = async (e: Exporter, name: string, slot: number, dir: string): Promise<void> => {
    const claimed = claimSpooled(dir)
    if (!claimed) return // the launcher has it already, or the run is over
    let sent = false
    try {
      const before = e.stats?.().sent ?? 0
      await e.export(readBundleDir(claimed))
      sent = (e.stats?.().sent ?? 0) > before
    } catch (err) {
      debug(`could not send a spooled profile: ${(err as Error).message}`)
    }
    if (sent) {
      Atomics.add(counters, SENT_SLOT + slot, 1)
      try {
        fs.rmSync(claimed, { recursive: true, force: true })
      } catch {
        // the channel is removed as a whole at the end of the run
      }
      debug(`sent the profile the main thread spooled while it did not yield (${name})`)
    } else if (releaseClaim(claimed)) {
      debug(`${name} did not take a profile spooled behind a stall: left to the launcher for the end of the run`)
    }
  }
  return {
    send(exporter, dir) {
      chain = chain.then(() => one(exporter, dir)).catch(() => undefined)
    },
  }
}
