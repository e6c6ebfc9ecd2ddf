// The events profile: garbage-collection pauses and event-loop blocking, Node's counterpart of lock contention
// (the thing that makes every other request wait). GC pauses come from perf_hooks 'gc' entries; blocking from a
// cheap unref'd interval timer that notices when it runs late (no async_hooks, nothing per request). The stack
// of a block is taken from the wall profile's samples whose timestamps fall inside it (see profilers.ts).
// The 'gc' observer has a memory cost: with it, about 3 KB more survives each scavenge, so under a busy server V8
// grows the young generation from 16 to 32 MB sooner (seconds instead of about a minute). v8.GCProfiler would
// avoid that, but on Node 20 each start() after a stop() leaves its GC callback behind: memory grows with the
// square of the restarts (1 GB after 150), so it cannot be harvested periodically. See docs/performance.md.
import { performance, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks'
import { ProfileBuilder, syntheticFrame, type Frame } from './pprof-build'
import type { Profile } from './profilers'

export const EVENT_SAMPLE_TYPES = [['event', 'count'], ['duration', 'nanoseconds']] as const
/** Kept one by one per period; beyond that, GC pauses are summed per kind (blocks are rarer and also capped). */
const MAX_EVENTS = 2000

const GC_KINDS: Record<number, string> = { 1: 'scavenge', 2: 'minor mark-sweep', 4: 'mark-sweep-compact', 8: 'incremental marking', 16: 'weak callbacks' }

export interface Block {
  /** Epoch milliseconds: the window in which the loop did not get back to its timers. */
  startMs: number
  endMs: number
  /** A lower bound of the longest tick in the window. */
  durationMs: number
  /** Wall-profile stacks (leaf first) sampled in the window, with their sample counts. */
  stacks: Map<string, { frames: Frame[]; count: number }>
}

interface GcEvent {
  kind: string
  atMs: number
  durationMs: number
}

export class EventsRecorder {
  private gcs: GcEvent[] = []
  private gcOverflow = new Map<string, { count: number; durationMs: number }>()
  private blocks: Block[] = []
  private observer: PerformanceObserver | undefined
  private timer: NodeJS.Timeout | undefined
  private last = 0
  private readonly interval: number

  constructor(
    private readonly thresholdMs: number,
    private readonly labels: Record<string, string>,
  ) {
    // Half the threshold: a block of 1.5 x threshold is always seen, shorter ones down to the threshold sometimes.
    this.interval = Math.min(250, Math.max(5, thresholdMs / 2))
  }

  start(): void {
    this.observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) this.gc(e)
    })
    this.observer.observe({ entryTypes: ['gc'] })
    this.last = performance.now()
    this.timer = setInterval(() => this.check(), this.interval)
    this.timer.unref()
  }

  stop(): void {
    this.observer?.disconnect()
    if (this.timer) clearInterval(this.timer)
    this.observer = undefined
    this.timer = undefined
  }

  /**
   * The blocks recorded so far this period, for the wall profile to attribute before take(). Checks the loop now
   * too: a block that is still running when the period (or the process) ends is not lost.
   */
  pendingBlocks(): readonly Block[] {
    if (this.timer) this.check()
    return this.blocks
  }

  take(start: Date, end: Date): Profile {
    const b = new ProfileBuilder(EVENT_SAMPLE_TYPES)
    for (const g of this.gcs) {
      b.add([syntheticFrame(`(gc: ${g.kind})`)], [1, Math.round(g.durationMs * 1e6)], { ...this.labels, event: 'gc', 'gc kind': g.kind, end_timestamp_ns: Math.round((g.atMs + g.durationMs) * 1e6) })
    }
    for (const [kind, o] of this.gcOverflow) b.add([syntheticFrame(`(gc: ${kind})`)], [o.count, Math.round(o.durationMs * 1e6)], { ...this.labels, event: 'gc', 'gc kind': kind })
    for (const k of this.blocks) {
      const labels = { ...this.labels, event: 'event loop block', end_timestamp_ns: Math.round(k.endMs * 1e6) }
      const ns = Math.round(k.durationMs * 1e6)
      const stacks = [...k.stacks.values()].sort((x, y) => y.count - x.count)
      const total = stacks.reduce((s, x) => s + x.count, 0)
      if (total === 0) {
        b.add([syntheticFrame('(event loop blocked: stack unknown)')], [1, ns], labels)
        continue
      }
      // The duration is shared by the stacks sampled in the window; the event itself counts once, on the first.
      stacks.forEach((s, i) => b.add(s.frames, [i === 0 ? 1 : 0, Math.round((ns * s.count) / total)], labels))
    }
    this.gcs = []
    this.gcOverflow = new Map()
    this.blocks = []
    return b.build(start, end)
  }

  private gc(e: PerformanceEntry): void {
    const kindNo = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? 0
    const kind = GC_KINDS[kindNo] ?? `kind ${kindNo}`
    if (this.gcs.length < MAX_EVENTS) {
      this.gcs.push({ kind, atMs: performance.timeOrigin + e.startTime, durationMs: e.duration })
      return
    }
    const o = this.gcOverflow.get(kind) ?? { count: 0, durationMs: 0 }
    o.count++
    o.durationMs += e.duration
    this.gcOverflow.set(kind, o)
  }

  private check(): void {
    const now = performance.now()
    const gap = now - this.last
    this.last = now
    // The timer was due `interval` after the previous run: anything beyond is time the loop spent elsewhere.
    const late = gap - this.interval
    if (late < this.thresholdMs || this.blocks.length >= MAX_EVENTS) return
    const endMs = performance.timeOrigin + now
    this.blocks.push({ startMs: endMs - gap, endMs, durationMs: late, stacks: new Map() })
  }
}
