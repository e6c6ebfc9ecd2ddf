// The two profilers of @datadog/pprof behind one small interface: start them, and take one profile of each,
// either restarting (periodic: no gap between periods) or for good (the final profile).
import type { Config, ProfilerName } from '../config/schema'
import type { Block, EventsRecorder } from './events'
import type { ExceptionsRecorder } from './exceptions'
import type { Pprof, Profile } from './load-pprof'
import type { StackFrame } from './pprof-build'
import type { SourceMaps } from '../sourcemap/source-maps'


export interface Taken {
  /** The attachment is `<name>.pprof`: a profiler's name, or `blocks` (the events profiler's second profile). */
  name: ProfilerName | 'blocks'
  profile: Profile
}

export interface ProfilersSetup {
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
  /** `end_timestamp_ns` on every wall sample, for Datadog's timeline view (DD_PROFILING_TIMELINE_ENABLED). */
  timeline: boolean
  /** The events and exceptions recorders, when those profilers are on (see events.ts, exceptions.ts). */
  events?: EventsRecorder | undefined
  exceptions?: ExceptionsRecorder | undefined
  /** Maps frames to their original source while a profile is serialised (DD_PROFILING_SOURCE_MAP). */
  sourceMaps?: SourceMaps | undefined
}

/** The source mapper as @datadog/pprof's serialiser takes it (an interface it declares as a class). */
type PprofSourceMapper = Parameters<Pprof['heap']['profile']>[1]

/** Set on this thread's globalThis while the wall profiler keeps its contexts on AsyncContextFrame (labels.ts). */
export const CPED_KEY = Symbol.for('dd-run.wall.cped')
/** Where withLabels (src/labels.ts) keeps its labels in a wall-profiler context object. */
export const LABELS_KEY = Symbol.for('dd-run.labels')
/** A label put for a moment on wall samples that fall in an event-loop block, to find their stacks. */
const BLOCK_MARK = 'dd-run block'
/** The one sample that carries the CPU time of the threads that run no JavaScript, labelled as dd-trace-js does. */
export const NON_JS_THREADS_LABELS: Readonly<Record<string, string>> = { 'thread name': 'Non-JS threads', 'thread id': 'NA', 'os thread id': 'NA' }

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
  /**
   * What the last take() could not collect, one line per profiler. One profiler failing (another copy of
   * @datadog/pprof in the app stopped V8's heap profiler under this one, say) costs that profile only: the
   * period's others are still delivered, and at exit the final bundle is still written.
   */
  readonly failures: { profiler: string; text: string }[] = []

  constructor(
    private readonly pprof: Pprof,
    private readonly opts: ProfilersSetup,
  ) {}

  get sourceMaps(): SourceMaps | undefined {
    return this.opts.sourceMaps
  }

  get names(): readonly ProfilerName[] {
    return this.opts.profilers
  }

  start(): void {
    const { pprof, opts } = this
    if (opts.profilers.includes('wall')) {
      // CPU time per sample and the timeline's timestamps need contexts; without either, contexts only cost.
      // With a source mapper, the serialiser maps each frame; 'emit' keeps the column of a frame whose declared map
      // is missing, for the backend to map it (as dd-trace-js).
      const withContexts = opts.cpu || opts.timeline
      const useCPED = withContexts && opts.useCped === true
      pprof.time.start({
        intervalMicros: opts.wallIntervalMicros,
        withContexts,
        collectCpuTime: opts.cpu,
        lineNumbers: false,
        useCPED,
        ...(opts.sourceMaps ? { sourceMapper: mapper(opts.sourceMaps), columnNumbers: 'emit' as const } : {}),
      })
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
    this.failures.length = 0
    if (!this.running) return []
    const out: Taken[] = []
    const labels = this.opts.threadLabels
    // The heap first: taken after the wall profile, the heap would hold the wall profile's own buffers (its
    // samples, labels and serialised form) as if they were the app's memory.
    // Thread labels on heap samples too, as dd-trace-js puts them.
    const space = this.opts.profilers.includes('space') ? this.part('heap', () => heapProfile(this.pprof, this.opts.sourceMaps, () => labels)) : undefined
    if (this.opts.profilers.includes('space') && !restart) {
      try {
        this.pprof.heap.stop()
      } catch {
        // Already stopped under us (see failures): nothing of the period depends on it.
      }
    }
    const blocks = this.part('events', () => this.opts.events?.pendingBlocks()) ?? []
    const wall = this.opts.profilers.includes('wall') ? this.part('wall', () => this.wallProfile(restart, blocks)) : undefined
    if (wall) out.push({ name: 'wall', profile: wall })
    if (space) out.push({ name: 'space', profile: space })
    const end = new Date()
    const events = this.opts.events
    if (events) {
      const both = this.part('events', () => events.take(this.periodStart, end))
      if (both) out.push({ name: 'events', profile: both.events }, { name: 'blocks', profile: both.blocks })
      if (!restart) events.stop()
    }
    const exceptions = this.opts.exceptions
    if (exceptions) {
      const profile = this.part('exceptions', () => exceptions.take(this.periodStart, end))
      if (profile) out.push({ name: 'exceptions', profile })
      if (!restart) exceptions.stop()
    }
    this.periodStart = end
    if (!restart) this.running = false
    return out
  }

  /** One profiler's share of take(): its failure is recorded and costs only its own profile. */
  private part<T>(name: string, collect: () => T): T | undefined {
    try {
      return collect()
    } catch (err) {
      this.failures.push({ profiler: name, text: `the ${name} profile could not be taken: ${err instanceof Error ? err.message : String(err)}` })
      return undefined
    }
  }

  private wallProfile(restart: boolean, blocks: readonly Block[]): Profile | undefined {
    const labels = this.opts.threadLabels
    const timeline = this.opts.timeline
    if (!this.pprof.time.isStarted()) return undefined
    const nonJs = nonJsThreadsFunction(this.pprof)
    // Without the timeline, thread labels only on the per-node aggregate (no context argument): a label per
    // context would make one sample per tick instead of one per stack. With it, every sample has its own end
    // time, as in dd-trace-js: Datadog's timeline view is drawn from those.
    const wall = this.pprof.time.stop(restart, ({ node, context }) => {
      if (node.name === nonJs) return NON_JS_THREADS_LABELS
      if (!context) return labels
      const own = (context.context as Record<symbol, Record<string, string>> | undefined)?.[LABELS_KEY]
      const block = blocks.length > 0 && node.name !== '(idle)' ? blockOf(blocks, Number(context.timestamp) / 1000) : -1
      if (!own && block < 0 && !timeline) return {}
      const out: Record<string, string | number> = own ? { ...labels, ...own } : { ...labels }
      // Microseconds in, nanoseconds out; a bigint keeps the nanoseconds exact (the encoder takes it).
      if (timeline) out.end_timestamp_ns = (context.timestamp * 1000n) as unknown as number
      if (block >= 0) out[BLOCK_MARK] = block
      return out
    })
    if (blocks.length > 0) attributeBlocks(wall, blocks)
    return wall
  }
}

/** The OS id of this thread, for the `os thread id` label (undefined where the addon does not tell). */
export function nativeThreadId(pprof: Pprof): string | undefined {
  const get = (pprof.time as { getNativeThreadId?: () => number }).getNativeThreadId
  try {
    return typeof get === 'function' ? String(get()) : undefined
  } catch {
    return undefined
  }
}

function nonJsThreadsFunction(pprof: Pprof): string {
  return (pprof.time as { constants?: { NON_JS_THREADS_FUNCTION_NAME?: string } }).constants?.NON_JS_THREADS_FUNCTION_NAME ?? 'Non JS threads activity'
}

/** Heap profile now, for the on_oom snapshot; the profilers go on. */
export function heapNow(pprof: Pprof, sourceMaps?: SourceMaps): Taken {
  return { name: 'space', profile: heapProfile(pprof, sourceMaps) }
}

/** The heap profile, mapped while serialised; 'pack' keeps a column of unmapped frames in the line, as dd-trace-js. */
function heapProfile(pprof: Pprof, sourceMaps: SourceMaps | undefined, labels?: () => Record<string, string>): Profile {
  return sourceMaps ? pprof.heap.profile(undefined, mapper(sourceMaps), labels, 'pack') : pprof.heap.profile(undefined, undefined, labels)
}

function mapper(sourceMaps: SourceMaps): PprofSourceMapper {
  return sourceMaps as unknown as PprofSourceMapper
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
    const frames: StackFrame[] = []
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
