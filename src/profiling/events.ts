// The events profile: garbage-collection pauses and event-loop blocking, Node's counterpart of lock contention
// (the thing that makes every other request wait). Blocking comes from a cheap unref'd interval timer that notices
// when it runs late (no async_hooks, nothing per request); the stack of a block is taken from the wall profile's
// samples whose timestamps fall inside it (see profilers.ts).
// GC pauses come from v8.GCProfiler, harvested by the same timer every HARVEST_MS, not from a perf_hooks 'gc'
// observer: with such an observer about 3 KB more is promoted per scavenge, enough for V8 to double the young
// generation (+16 MB of RSS) within 20 s of a busy server's start instead of after a minute or never. The price:
// the profiler's entries carry no time of their own, so a pause is dated by the end of its harvest window (at
// most HARVEST_MS late). Node versions without GCProfiler (before 18.15) use the observer.
import { performance, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks'
import * as v8 from 'node:v8'
import { ProfileBuilder, syntheticFrame, type Frame } from './pprof-build'
import type { Profile } from './profilers'

export const EVENT_SAMPLE_TYPES = [['event', 'count'], ['duration', 'nanoseconds']] as const
/** Kept one by one per period; beyond that, GC pauses are summed per kind (blocks are rarer and also capped). */
const MAX_EVENTS = 2000

const GC_KINDS: Record<number, string> = { 1: 'scavenge', 2: 'minor mark-sweep', 4: 'mark-sweep-compact', 8: 'incremental marking', 16: 'weak callbacks' }
/** The same kinds as v8.GCProfiler names them. */
const GC_PROFILER_KINDS: Record<string, string> = {
  Scavenge: 'scavenge',
  MinorMarkSweep: 'minor mark-sweep',
  MinorMarkCompact: 'minor mark-sweep',
  MarkSweepCompact: 'mark-sweep-compact',
  IncrementalMarking: 'incremental marking',
  ProcessWeakCallbacks: 'weak callbacks',
}
/** How often GC pauses are collected from v8.GCProfiler: small batches, so parsing one never blocks for long. */
export const HARVEST_MS = 250

interface GcProfilerLike {
  start(): void
  stop(): { endTime?: number; statistics?: Array<{ gcType?: string; cost?: number }> } | undefined
}

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
  private gcProfiler: GcProfilerLike | undefined
  private lastHarvest = 0
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
    const GCProfiler = (v8 as { GCProfiler?: new () => GcProfilerLike }).GCProfiler
    if (GCProfiler) {
      this.gcProfiler = new GCProfiler()
      this.gcProfiler.start()
    } else {
      this.observer = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) this.gcEntry(e)
      })
      this.observer.observe({ entryTypes: ['gc'] })
    }
    this.last = performance.now()
    this.lastHarvest = this.last
    this.timer = setInterval(() => this.check(), this.interval)
    this.timer.unref()
  }

  stop(): void {
    this.harvest(false)
    this.gcProfiler = undefined
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
    this.harvest(true)
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

  /** The pauses v8.GCProfiler saw since the last harvest; it goes on when `restart`. */
  private harvest(restart: boolean): void {
    const p = this.gcProfiler
    if (!p) return
    this.lastHarvest = performance.now()
    try {
      const result = p.stop()
      if (restart) p.start()
      const endMs = result?.endTime ?? Date.now()
      for (const st of result?.statistics ?? []) {
        const durationMs = (st.cost ?? 0) / 1000
        this.gc(GC_PROFILER_KINDS[st.gcType ?? ''] ?? String(st.gcType), endMs - durationMs, durationMs)
      }
    } catch {
      // Never in the app's way: GC pauses are left out from here on.
      this.gcProfiler = undefined
    }
  }

  private gcEntry(e: PerformanceEntry): void {
    const kindNo = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? 0
    this.gc(GC_KINDS[kindNo] ?? `kind ${kindNo}`, performance.timeOrigin + e.startTime, e.duration)
  }

  private gc(kind: string, atMs: number, durationMs: number): void {
    if (this.gcs.length < MAX_EVENTS) {
      this.gcs.push({ kind, atMs, durationMs })
      return
    }
    const o = this.gcOverflow.get(kind) ?? { count: 0, durationMs: 0 }
    o.count++
    o.durationMs += durationMs
    this.gcOverflow.set(kind, o)
  }

  private check(): void {
    const now = performance.now()
    const gap = now - this.last
    this.last = now
    if (this.gcProfiler && now - this.lastHarvest >= HARVEST_MS) this.harvest(true)
    // The timer was due `interval` after the previous run: anything beyond is time the loop spent elsewhere.
    const late = gap - this.interval
    if (late < this.thresholdMs || this.blocks.length >= MAX_EVENTS) return
    const endMs = performance.timeOrigin + now
    this.blocks.push({ startMs: endMs - gap, endMs, durationMs: late, stacks: new Map() })
  }
}
