// The events profiler: garbage-collection pauses and event-loop blocking, Node's counterpart of lock contention
// (the thing that makes every other request wait). GC pauses come from perf_hooks 'gc' entries; blocking from a
// cheap unref'd interval timer that notices when it runs late (no async_hooks, nothing per request). The stack
// of a block is taken from the wall profile's samples whose timestamps fall inside it (see profilers.ts).
//
// It yields two attachments, because the Datadog backend reads `events.pprof` by its name as dd-trace-js's
// timeline profile:
// - events.pprof: the timeline schema exactly (one sample type `timeline/nanoseconds`; labels `event`, `gc type`,
//   `gc reason`, `end_timestamp_ns` and the thread labels; GC events capped per period by reservoir sampling, as
//   dd-trace-js does). Nothing dd-run-specific goes in it.
// - blocks.pprof: what no other tool has, the stacks of event-loop blocks (`blocks/count`, `blocked/nanoseconds`),
//   under a name the backend does not interpret. A block's duration excludes the GC pauses inside it: those are
//   in events.pprof already, and counting them twice would double the time the loop stood still.
//
// The 'gc' observer has a memory cost per GC it sees: Node builds each entry with deprecated accessors whose
// functions become prototypes, and the old-space maps V8 makes for them keep 3 to 5 KB of young objects alive
// until the next full collection. Under a busy server that makes V8 grow the young generation early (16 to 32 MB
// in seconds instead of a minute on Node 20; 32 to 64 MB on Node 24, which bare node had not reached after 7 min)
// and fills the old generation with garbage. So the observer sees at most MAX_GC_PER_SECOND GCs in any second (fewer
// when the period's MAX_GC_EVENTS spread over its seconds is less): past that, it is disconnected until the second
// is over (the block timer reconnects it). The events kept are spread over the period, and the GCs past the share
// cost nothing. 10 a second rather than dd-trace-js's ~33 (its 2,000 per 60 s period): on Node 20 under the HTTP
// bench, 4 rounds, the events profile's peak RSS went from +21.4 to +12.2 MB and the defaults' p99 from 1.15x to
// 1.06x; a process with at most 10 GCs a second (most that are not under load) keeps every one.
// v8.GCProfiler would avoid the cost, but each start() after a stop() leaves its GC callback behind (400 restarts
// reach 1 GB on Node 20 and 360 MB on Node 24, growing faster than the restarts), so it cannot be harvested
// periodically.
// See docs/performance.md.
import { performance, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks'
import { ProfileBuilder, syntheticFrame, type StackFrame } from './pprof-build'
import type { Profile } from './load-pprof'

export const TIMELINE_SAMPLE_TYPES = [['timeline', 'nanoseconds']] as const
export const BLOCK_SAMPLE_TYPES = [['blocks', 'count'], ['blocked', 'nanoseconds']] as const
/** GC events kept per period (dd-trace-js keeps about 1,980 per 65 s); beyond, a uniform sample of them. */
export const MAX_GC_EVENTS = 2000
/** The most GC events the observer sees in one second (see the top of this file). */
export const MAX_GC_PER_SECOND = 10
/** The span in which the observer sees at most its share: one second, so MAX_GC_PER_SECOND applies per slot. */
const GC_SLOT_MS = 1000
/** Blocks kept per period: each is at least the threshold long, so this many is already a stalled process. */
const MAX_BLOCKS = 2000

/** perf_hooks GC kinds, named as dd-trace-js labels them (`gc type`). */
const GC_TYPES: Record<number, string> = {
  1: 'minor',
  2: Number(process.versions.node.split('.')[0]) >= 22 ? 'minor_mark_sweep' : 'minor_mark_compact',
  4: 'major',
  8: 'incremental',
  16: 'weakcb',
}
/** perf_hooks GC flags, for `gc reason` (comma-separated when several are set). */
const GC_FLAGS: [number, string][] = [
  [2, 'construct_retained'],
  [4, 'forced'],
  [8, 'synchronous_phantom_processing'],
  [16, 'all_available_garbage'],
  [32, 'all_external_memory'],
  [64, 'schedule_idle'],
]

export interface Block {
  /** Epoch milliseconds: the window in which the loop did not get back to its timers. */
  startMs: number
  endMs: number
  /** A lower bound of the longest tick in the window. */
  durationMs: number
  /** Wall-profile stacks (leaf first) sampled in the window, with their sample counts. */
  stacks: Map<string, { frames: StackFrame[]; count: number }>
}

interface GcEvent {
  type: string
  reason: string
  /** Epoch milliseconds. */
  startMs: number
  durationMs: number
}

export interface EventProfiles {
  events: Profile
  blocks: Profile
}

export class EventsRecorder {
  private gcs: GcEvent[] = []
  /** GC events seen this period, kept or not (the reservoir's denominator). */
  private gcSeen = 0
  private blocks: Block[] = []
  private observer: PerformanceObserver | undefined
  private timer: NodeJS.Timeout | undefined
  private last = 0
  private readonly interval: number
  /** GC events the observer may see in one slot: MAX_GC_PER_SECOND, or the period's cap spread over its seconds. */
  private readonly perSlot: number
  /** performance.now() when the current slot began, the events seen in it, and whether the observer is off. */
  private slotStart = 0
  private slotSeen = 0
  private paused = false

  constructor(
    private readonly thresholdMs: number,
    private readonly labels: Record<string, string>,
    periodMs = 60_000,
  ) {
    // Half the threshold: a block of 1.5 x threshold is always seen, shorter ones down to the threshold sometimes.
    this.interval = Math.min(250, Math.max(5, thresholdMs / 2))
    const share = Math.ceil((MAX_GC_EVENTS * GC_SLOT_MS) / Math.max(GC_SLOT_MS, periodMs))
    this.perSlot = Math.max(1, Math.min(MAX_GC_PER_SECOND, share))
  }

  start(): void {
    this.observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) this.gc(e)
    })
    this.observer.observe({ entryTypes: ['gc'] })
    this.slotStart = performance.now()
    this.slotSeen = 0
    this.paused = false
    this.last = this.slotStart
    this.timer = setInterval(() => this.check(), this.interval)
    this.timer.unref()
  }

  stop(): void {
    this.observer?.disconnect()
    if (this.timer) clearInterval(this.timer)
    this.observer = undefined
    this.timer = undefined
    this.paused = false
  }

  /**
   * The blocks recorded so far this period, for the wall profile to attribute before take(). Checks the loop now
   * too: a block that is still running when the period (or the process) ends is not lost.
   */
  pendingBlocks(): readonly Block[] {
    if (this.timer) this.check()
    return this.blocks
  }

  take(start: Date, end: Date): EventProfiles {
    const events = new ProfileBuilder(TIMELINE_SAMPLE_TYPES)
    for (const g of this.gcs) {
      const labels: Record<string, string | number> = { ...this.labels, event: 'gc', 'gc type': g.type }
      if (g.reason) labels['gc reason'] = g.reason
      labels.end_timestamp_ns = Math.round((g.startMs + g.durationMs) * 1e6)
      events.add([syntheticFrame(`(gc: ${g.type})`)], [Math.round(g.durationMs * 1e6)], labels)
    }
    const blocks = new ProfileBuilder(BLOCK_SAMPLE_TYPES)
    for (const k of this.blocks) {
      const labels = { ...this.labels, end_timestamp_ns: Math.round(k.endMs * 1e6) }
      const ns = Math.round(Math.max(0, k.durationMs - this.gcWithin(k.startMs, k.endMs)) * 1e6)
      const stacks = [...k.stacks.values()].sort((x, y) => y.count - x.count)
      const total = stacks.reduce((s, x) => s + x.count, 0)
      if (total === 0) {
        blocks.add([syntheticFrame('(event loop blocked: stack unknown)')], [1, ns], labels)
        continue
      }
      // The duration is shared by the stacks sampled in the window; the block itself counts once, on the first.
      stacks.forEach((s, i) => blocks.add(s.frames, [i === 0 ? 1 : 0, Math.round((ns * s.count) / total)], labels))
    }
    this.gcs = []
    this.gcSeen = 0
    this.blocks = []
    return { events: events.build(start, end), blocks: blocks.build(start, end) }
  }

  /** Milliseconds of the GC pauses kept this period that overlap [startMs, endMs]. */
  private gcWithin(startMs: number, endMs: number): number {
    let ms = 0
    for (const g of this.gcs) ms += Math.max(0, Math.min(endMs, g.startMs + g.durationMs) - Math.max(startMs, g.startMs))
    return ms
  }

  private gc(e: PerformanceEntry): void {
    // Entries already delivered when the observer went off are still recorded; only the GCs after it are not seen.
    if (e.startTime - this.slotStart >= GC_SLOT_MS) {
      this.slotStart = e.startTime
      this.slotSeen = 0
    }
    if (++this.slotSeen >= this.perSlot && !this.paused) {
      this.paused = true
      this.observer?.disconnect()
    }
    const detail = (e as PerformanceEntry & { detail?: { kind?: number; flags?: number } }).detail
    const kind = detail?.kind ?? 0
    const flags = detail?.flags ?? 0
    const event: GcEvent = {
      type: GC_TYPES[kind] ?? `unknown_${kind}`,
      reason: GC_FLAGS.filter(([bit]) => flags & bit).map(([, name]) => name).join(','),
      startMs: performance.timeOrigin + e.startTime,
      durationMs: e.duration,
    }
    this.gcSeen++
    if (this.gcs.length < MAX_GC_EVENTS) {
      this.gcs.push(event)
      return
    }
    // Reservoir sampling: every GC event of the period has the same chance to be kept.
    const at = Math.floor(Math.random() * this.gcSeen)
    if (at < MAX_GC_EVENTS) this.gcs[at] = event
  }

  private check(): void {
    const now = performance.now()
    if (this.paused && now - this.slotStart >= GC_SLOT_MS) {
      this.paused = false
      this.slotStart = now
      this.slotSeen = 0
      this.observer?.observe({ entryTypes: ['gc'] })
    }
    const gap = now - this.last
    this.last = now
    // The timer was due `interval` after the previous run: anything beyond is time the loop spent elsewhere.
    const late = gap - this.interval
    if (late < this.thresholdMs || this.blocks.length >= MAX_BLOCKS) return
    const endMs = performance.timeOrigin + now
    this.blocks.push({ startMs: endMs - gap, endMs, durationMs: late, stacks: new Map() })
  }
}
