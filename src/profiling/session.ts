// One profiling session per profiled process (or worker thread): every upload period it takes one profile of each
// type and exports them as one bundle; on every way out it takes the final one. Exports never overlap: a period
// that ends while the previous export still runs is merged into the next one (the profilers just keep going).
import type { Config } from '../config/schema'
import { buildBundle, formatTags, type Snapshot } from '../export/bundle'
import { deliverFinal } from '../export/final'
import type { Attachment, Bundle, Exporter } from '../export/types'
import { firstLine as message, type Logger } from '../log'
import { mapProfile } from '../sourcemap/map-profile'
import { withMissingMapsInfo } from '../sourcemap/missing'
import type { StatusLedger } from '../run/status'
import type { ProcessStatus } from '../run/status-shape'
import { watchExitSignals, type ExitSignals } from './exit-signals'
import type { Identity } from './process-kind'
import type { Pprof } from './load-pprof'
import { heapNow, type Profilers, type Taken } from './profilers'
import { profileTags, type TagInputs } from './tags'

export interface SessionOptions {
  pprof: Pprof
  profilers: Profilers
  config: Config
  identity: Identity
  tags: TagInputs
  info: Record<string, unknown>
  /** process_tags of event.json. */
  processTags?: string | undefined
  exporters: Exporter[]
  /** The process's status for the launcher: the session records its bundles, spools and failures there. */
  status: StatusLedger
  /** The run channel, when a launcher is there to relay spooled bundles. */
  channel?: string | undefined
  /** The launcher (0 without one), and whether it still runs: final bundles for the network are spooled for it. */
  launcherPid: number
  launcherAlive: () => boolean
  /** Watches the terminating signals (src/profiling/exit-signals.ts); tests leave it out. */
  watchExitSignals?: typeof watchExitSignals
  log: Logger
}

interface Period {
  seq: number
  snapshot: Snapshot
  start: Date
  end: Date
  taken: Taken[]
}

export class Session {
  /** profile_seq of the next upload: from 0, as dd-trace-js counts. */
  private seq = 0
  private periodStart = new Date()
  private timer: NodeJS.Timeout | undefined
  private inflight: { period: Period; remaining: Set<Exporter>; done?: Promise<void> } | undefined
  private finished = false
  private readonly delivered = new Map<string, number>()
  private readonly warned = new Set<string>()
  private exitSignals: ExitSignals | undefined
  /** Inside a synchronous step of the session: the watchdog, which may interrupt it anywhere, then takes nothing. */
  private busy = false
  /** Called at each period of the session's own timer (the watchdog's heartbeat), and once it has finished. */
  onPeriod: (() => void) | undefined
  onFinish: (() => void) | undefined
  /** Called as finish() begins: the watchdog thread winds down beside the final profile rather than after it. */
  onFinishing: (() => void) | undefined
  /** A bundle spooled while the session runs (behind a stall), for the watchdog thread to send now. */
  onSpooled: ((exporter: string, dir: string) => void) | undefined
  /** Last word on the status before it is written (the watchdog thread's sends). */
  onStatus: ((status: ProcessStatus) => void) | undefined

  constructor(private readonly o: SessionOptions) {}

  start(): void {
    this.o.profilers.start()
    this.periodStart = new Date()
    this.timer = setInterval(() => this.tick(), this.o.config.uploadPeriod * 1000)
    this.timer.unref()
    // Signals are delivered to the main thread only.
    if (this.o.identity.role !== 'worker_thread') this.exitSignals = this.o.watchExitSignals?.((how) => this.finish(how))
    this.saveStatus()
  }

  /** The final profile, synchronously: called from the `exit` event and before re-raising a signal. Idempotent. */
  finish(how: string): void {
    if (this.finished) return
    this.finished = true
    this.onFinishing?.()
    if (this.timer) clearInterval(this.timer)
    // An export the exit cut short: its bundle is written now, for the exporters that did not get it yet.
    const cut = this.inflight
    if (cut && cut.remaining.size > 0) this.deliverSync(cut.period, [...cut.remaining])
    this.deliverSync(this.take('on_shutdown', false), this.o.exporters)
    this.o.status.ended(how)
    this.saveStatus()
    // Only now: a signal that comes during the flush is absorbed by our listeners instead of killing it half-way.
    this.exitSignals?.stop()
    this.onFinish?.()
  }

  /**
   * The @datadog/pprof this session started its profilers with. The Profiler API's labels set contexts through it:
   * in the preload it is the copy bundled there (src/profiling/load-pprof.ts), which a fresh require would not be.
   */
  get pprof(): Pprof {
    return this.o.pprof
  }

  get config(): Config {
    return this.o.config
  }

  get stopped(): boolean {
    return this.finished
  }

  /** Takes a profile now and resolves once the exporters have it (the Profiler API's flush()). */
  async flush(): Promise<void> {
    while (this.inflight) await this.settled(this.inflight)
    if (this.finished) return
    await this.exportAsync(this.take('periodic', true))
  }

  private async settled(inflight: { done?: Promise<void> }): Promise<void> {
    await inflight.done
  }

  /** Near out of memory: the heap profile now, written synchronously (the process may die at any moment). */
  nearOutOfMemory(): void {
    if (this.finished) return
    let taken: Taken
    try {
      taken = heapNow(this.o.pprof, this.o.profilers.sourceMaps)
    } catch (err) {
      this.fail('collect', `could not take the out-of-memory heap profile: ${message(err)}`)
      return
    }
    this.deliverSync({ seq: this.seq++, snapshot: 'on_oom', start: this.periodStart, end: new Date(), taken: [taken] }, this.o.exporters)
    this.saveStatus()
    this.o.log.debug(`pid ${process.pid}: the heap nears its limit; heap profile written (snapshot:on_oom)`)
  }

  /** A terminating signal waits while the main thread does not yield: act on it now (see ExitSignals.readyToDie). */
  signalBehindStall(sig: NodeJS.Signals, sentAt?: number): boolean {
    return this.exitSignals?.readyToDie(sig, sentAt) ?? false
  }

  /**
   * A period taken from outside the event loop: the watchdog thread calls this on the main thread through the
   * inspector when the thread has not yielded for a whole period (or for `dd-run snapshot`). It is delivered
   * synchronously, as at exit. Returns the bundle's profile_seq, or undefined when the session is busy or done.
   */
  takeBehindStall(): number | undefined {
    if (this.finished || this.busy) return undefined
    this.busy = true
    try {
      const period = this.take('periodic', true)
      this.deliverSync(period, this.o.exporters)
      this.saveStatus()
      return period.seq
    } catch (err) {
      this.fail('collect', `could not take a profile: ${message(err)}`)
      return undefined
    } finally {
      this.busy = false
    }
  }

  private tick(): void {
    this.onPeriod?.()
    if (this.busy) return
    if (this.inflight) {
      this.o.status.deferred()
      this.o.log.debug(`the previous export is still running: this period is merged into the next`)
      return
    }
    let period: Period
    this.busy = true
    try {
      period = this.take('periodic', true)
    } catch (err) {
      this.fail('collect', `could not take a profile: ${message(err)}`)
      return
    } finally {
      this.busy = false
    }
    void this.exportAsync(period)
  }

  private take(snapshot: Snapshot, restart: boolean): Period {
    const end = new Date()
    // A profile without samples is not sent (dd-trace-js sends none either): an empty exceptions or blocks
    // profile every minute would be noise in the backend and in the output directory.
    const taken = this.o.profilers.take(restart).filter((t) => t.profile.sample.length > 0)
    for (const f of this.o.profilers.failures) this.fail(`collect ${f.profiler}`, f.text)
    // profile_seq counts uploads: a period with nothing to send does not use a number.
    const period = { seq: taken.length > 0 ? this.seq++ : this.seq, snapshot, start: this.periodStart, end, taken }
    this.periodStart = end
    return period
  }

  private bundle(period: Period, attachments: Attachment[]): Bundle {
    const tags = formatTags(profileTags(this.o.tags, period.snapshot, period.seq))
    const info = withMissingMapsInfo(this.o.info, period.taken.map((t) => t.profile))
    const bundle = buildBundle(attachments, { start: period.start, end: period.end, tags, info, processTags: this.o.processTags })
    bundle.process = { command: this.o.status.status.command }
    return bundle
  }

  private async exportAsync(period: Period): Promise<void> {
    if (period.taken.length === 0) return this.nothingTaken(period)
    let resolveDone: () => void = () => undefined
    const done = new Promise<void>((r) => (resolveDone = r))
    const inflight = { period, remaining: new Set(this.o.exporters), done }
    this.inflight = inflight
    try {
      // One profile at a time, each in a turn of the event loop of its own: pprof's encode serialises
      // synchronously before it gzips off the thread, and four serialisations in one turn would add up to one
      // longer stall for the app.
      const attachments: Attachment[] = []
      for (const t of period.taken) {
        await new Promise((r) => setImmediate(r))
        this.busy = true // encode serialises synchronously before it returns its promise
        let encoded: Promise<Buffer>
        try {
          encoded = this.o.pprof.encode(this.mapped(t))
        } finally {
          this.busy = false
        }
        attachments.push({ name: `${t.name}.pprof`, data: await encoded })
      }
      if (this.finished) return
      const bundle = this.bundle(period, attachments)
      await Promise.all(
        this.o.exporters.map(async (e) => {
          try {
            await e.export(bundle)
            if (!this.finished) this.count(e)
          } catch (err) {
            this.fail(e.name, `${e.name}: ${message(err)}`)
          } finally {
            inflight.remaining.delete(e)
          }
        }),
      )
    } catch (err) {
      this.fail('encode', `could not encode a profile: ${message(err)}`)
    } finally {
      if (this.inflight === inflight) this.inflight = undefined
      if (!this.finished) this.saveStatus()
      resolveDone()
    }
  }

  private deliverSync(period: Period, exporters: Exporter[]): void {
    if (period.taken.length === 0) return this.nothingTaken(period)
    let bundle: Bundle
    try {
      bundle = this.bundle(
        period,
        period.taken.map((t) => ({ name: `${t.name}.pprof`, data: this.o.pprof.encodeSync(this.mapped(t)) })),
      )
    } catch (err) {
      this.fail('encode', `could not encode the final profile: ${message(err)}`)
      return
    }
    // Exporter, else spool (for the launcher to relay), else the output directory: src/export/final.ts.
    const outcomes = deliverFinal(bundle, exporters, {
      channel: this.o.channel,
      launcherPid: this.o.launcherPid,
      launcherAlive: this.o.launcherAlive,
      owner: this.o.identity,
      seq: period.seq,
      config: this.o.config,
      ownFile: this.o.exporters.find((x) => x.name === 'file'),
    })
    for (const d of outcomes) {
      if (d.to === 'exporter') this.count(d.exporter)
      else if (d.to === 'spool') {
        this.o.status.spooled(d.exporter.name)
        if (!this.finished) this.onSpooled?.(d.exporter.name, d.dir)
      } else {
        if (d.to === 'file' && d.written) this.o.status.keptInFile(d.target)
        this.fail(d.exporter.name, d.text)
      }
    }
  }

  /** The profile to encode, at its original source locations. The wall and heap profiles were mapped while
   * @datadog/pprof serialised them; the ones dd-run builds from stack text (events, blocks, exceptions) are mapped
   * here. */
  private mapped(t: Taken): Taken['profile'] {
    const maps = this.o.profilers.sourceMaps
    if (maps && (t.name === 'events' || t.name === 'blocks' || t.name === 'exceptions')) {
      try {
        mapProfile(t.profile as Parameters<typeof mapProfile>[0], maps)
      } catch (err) {
        this.o.log.debug(`could not source-map the ${t.name} profile: ${message(err)}`)
      }
    }
    return t.profile
  }

  private nothingTaken(period: Period): void {
    this.o.log.debug(`pid ${process.pid}: no profile of period ${period.seq} has a sample: nothing to send`)
  }

  private count(e: Exporter): void {
    this.delivered.set(e.name, (this.delivered.get(e.name) ?? 0) + 1)
  }

  /** One warning per kind of trouble per process; every failure is in the status. */
  private fail(kind: string, text: string): void {
    this.o.status.failure(text)
    if (this.warned.has(kind)) return
    this.warned.add(kind)
    this.o.log.warn(`${text} (pid ${process.pid})${this.finished ? '' : '; the app runs on'}`)
  }

  /** Writes the status now (the watchdog started later than the session). */
  saveStatusNow(): void {
    if (!this.finished) this.saveStatus()
  }

  private saveStatus(): void {
    for (const e of this.o.exporters) {
      const stats = e.stats?.()
      this.o.status.exporter(e.name, stats ? stats.sent : (this.delivered.get(e.name) ?? 0), stats, e.target)
    }
    this.onStatus?.(this.o.status.status)
    this.o.status.save()
  }
}
