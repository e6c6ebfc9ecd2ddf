// The two profilers of @datadog/pprof behind one small interface: start them, and take one profile of each,
// either restarting (periodic: no gap between periods) or for good (the final profile).
import type * as PprofModule from '@datadog/pprof'
import type { Config, ProfilerName } from '../config/schema'
import type { Block, EventsRecorder } from './events'
import type { ExceptionsRecorder } from './exceptions'
import type { Frame } from './pprof-build'

/** The parts of @datadog/pprof dd-run uses (see load-pprof.ts). */
export type Pprof = Pick<typeof PprofModule, 'time' | 'heap' | 'encode' | 'encodeSync'>
export type Profile = ReturnType<Pprof['heap']['profile']>

export interface Taken {
  /** The attachment is `<name>.pprof`. */
  name: ProfilerName
  profile: Profile
}

export interface ProfilerOptions {
  profilers: readonly ProfilerName[]
  cpu: boolean
  heapInterval: number
  /** Allocation samples in the space profile (Node >= 26 and DD_PROFILING_ALLOCATION_ENABLED). */
  allocations?: boolean
  wallIntervalMicros: number
  /**
   * Contexts on AsyncContextFrame (@datadog/pprof's useCPED): the context rides with the async continuation in V8,
   * so withLabels needs no async_hooks hook. Only where ACF is active (Node 24+, or 22 with
   * --experimental-async-context-frame): see asyncContextFrameActive in load-pprof.ts.
   */
  useCped?: boolean
  /** Labels on every wall sample: which thread it comes from. */
  threadLabels: Record<string, string>
  /** The events and exceptions recorders, when those profilers are on (see events.ts, exceptions.ts). */
  events?: EventsRecorder | undefined
  exceptions?: ExceptionsRecorder | undefined
}

/** Set on this thread's globalThis while the wall profiler keeps its contexts on AsyncContextFrame (labels.ts). */
export const CPED_KEY = Symbol.for('dd-run.wall.cped')
/** Where withLabels (src/labels.ts) keeps its labels in a wall-profiler context object. */
export const LABELS_KEY = Symbol.for('dd-run.labels')
/** A label put for a moment on wall samples that fall in an event-loop block, to find their stacks. */
const BLOCK_MARK = 'dd-run block'

/** 99 Hz, as dd-trace-js: off the beat of 100 Hz timers in the app. */
export const WALL_INTERVAL_MICROS = 1e6 / 99
export const HEAP_STACK_DEPTH = 64

/** DD_PROFILING_PROFILERS adjusted by DD_PROFILING_WALLTIME_ENABLED / DD_PROFILING_HEAP_ENABLED, as dd-trace-js does. */
export function enabledProfilers(c: Pick<Config, 'profilers' | 'walltimeEnabled' | 'heapEnabled'>): ProfilerName[] {
  const set = new Set<ProfilerName>(c.profilers)
  if (c.walltimeEnabled === true) set.add('wall')
  if (c.walltimeEnabled === false) set.delete('wall')
  if (c.heapEnabled === true) set.add('space')
  if (c.heapEnabled === false) set.delete('space')
  return (['wall', 'space', 'events', 'exceptions'] as const).filter((n) => set.has(n))
}

export class Profilers {
  private running = false
  private periodStart = new Date()

  constructor(
    private readonly pprof: Pprof,
    private readonly opts: ProfilerOptions,
  ) {}

  get names(): readonly ProfilerName[] {
    return this.opts.profilers
  }

  start(): void {
    const { pprof, opts } = this
    if (opts.profilers.includes('wall')) {
      // CPU time per sample needs contexts; without CPU time, contexts only cost.
      const useCPED = opts.cpu && opts.useCped === true
      pprof.time.start({ intervalMicros: opts.wallIntervalMicros, withContexts: opts.cpu, collectCpuTime: opts.cpu, lineNumbers: false, useCPED })
      ;(globalThis as Record<symbol, boolean>)[CPED_KEY] = useCPED
    }
    if (opts.profilers.includes('space')) pprof.heap.start(opts.heapInterval, HEAP_STACK_DEPTH, opts.allocations === true)
    opts.events?.start()
    opts.exceptions?.start()
    this.running = true
    this.periodStart = new Date()
  }

  /** Synchronous. With restart, the profilers go on (the wall profiler restarts before serialising). */
  take(restart: boolean): Taken[] {
    if (!this.running) return []
    const out: Taken[] = []
    const labels = this.opts.threadLabels
    const blocks = this.opts.events?.pendingBlocks() ?? []
    if (this.opts.profilers.includes('wall') && this.pprof.time.isStarted()) {
      // Thread labels only on the per-node aggregate (no context argument): a label per context would make one
      // sample per tick instead of one per stack. Samples with withLabels labels, or inside an event-loop block,
      // are the exceptions.
      const wall = this.pprof.time.stop(restart, ({ node, context }) => {
        if (!context) return labels
        const own = (context.context as Record<symbol, Record<string, string>> | undefined)?.[LABELS_KEY]
        const block = blocks.length > 0 && node.name !== '(idle)' ? blockOf(blocks, Number(context.timestamp) / 1000) : -1
        if (!own && block < 0) return {}
        return block < 0 ? { ...labels, ...own } : { ...labels, ...own, [BLOCK_MARK]: block }
      })
      if (blocks.length > 0) attributeBlocks(wall, blocks)
      out.push({ name: 'wall', profile: wall })
    }
    if (this.opts.profilers.includes('space')) {
      out.push({ name: 'space', profile: this.pprof.heap.profile() })
      if (!restart) this.pprof.heap.stop()
    }
    const end = new Date()
    if (this.opts.events) {
      out.push({ name: 'events', profile: this.opts.events.take(this.periodStart, end) })
      if (!restart) this.opts.events.stop()
    }
    if (this.opts.exceptions) {
      out.push({ name: 'exceptions', profile: this.opts.exceptions.take(this.periodStart, end) })
      if (!restart) this.opts.exceptions.stop()
    }
    this.periodStart = end
    if (!restart) this.running = false
    return out
  }
}

/** Heap profile now, for the on_oom snapshot; the profilers go on. */
export function heapNow(pprof: Pprof): Taken {
  return { name: 'space', profile: pprof.heap.profile() }
}

function blockOf(blocks: readonly Block[], ms: number): number {
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i] as Block
    if (ms >= b.startMs && ms <= b.endMs) return i
  }
  return -1
}

/** Moves the stacks of the wall samples marked as inside a block to the block, and removes the mark. */
function attributeBlocks(profile: Profile, blocks: readonly Block[]): void {
  const strings = profile.stringTable.strings
  const mark = strings.indexOf(BLOCK_MARK)
  if (mark < 0) return
  const fns = new Map(profile.function.map((f) => [Number(f.id), f]))
  const locs = new Map(profile.location.map((l) => [Number(l.id), l]))
  for (const sample of profile.sample) {
    const at = sample.label.findIndex((l) => Number(l.key) === mark)
    if (at < 0) continue
    const block = blocks[Number(sample.label[at]?.num)]
    sample.label.splice(at, 1)
    if (!block) continue
    const frames: Frame[] = []
    for (const id of sample.locationId) {
      const line = locs.get(Number(id))?.line[0]
      const fn = line ? fns.get(Number(line.functionId)) : undefined
      if (fn) frames.push({ name: strings[Number(fn.name)] || '(anonymous)', file: strings[Number(fn.filename)] ?? '', line: Number(line?.line ?? 0) })
    }
    const key = frames.map((f) => `${f.name}@${f.file}:${f.line}`).join(';')
    const seen = block.stacks.get(key)
    if (seen) seen.count++
    else block.stacks.set(key, { frames, count: 1 })
  }
}
