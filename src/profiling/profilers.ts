// The two profilers of @datadog/pprof behind one small interface: start them, and take one profile of each,
// either restarting (periodic: no gap between periods) or for good (the final profile).
import type * as PprofModule from '@datadog/pprof'
import type { Config, ProfilerName } from '../config/schema'

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
  wallIntervalMicros: number
  /** Labels on every wall sample: which thread it comes from. */
  threadLabels: Record<string, string>
}

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
  return (['wall', 'space'] as const).filter((n) => set.has(n))
}

export class Profilers {
  private running = false

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
      pprof.time.start({ intervalMicros: opts.wallIntervalMicros, withContexts: opts.cpu, collectCpuTime: opts.cpu, lineNumbers: false })
    }
    if (opts.profilers.includes('space')) pprof.heap.start(opts.heapInterval, HEAP_STACK_DEPTH)
    this.running = true
  }

  /** Synchronous. With restart, the profilers go on (the wall profiler restarts before serialising). */
  take(restart: boolean): Taken[] {
    if (!this.running) return []
    const out: Taken[] = []
    const labels = this.opts.threadLabels
    if (this.opts.profilers.includes('wall') && this.pprof.time.isStarted()) {
      // Labels only on the per-node aggregate (no context argument): a label per context would make one sample
      // per tick instead of one per stack.
      out.push({ name: 'wall', profile: this.pprof.time.stop(restart, ({ context }) => (context ? {} : labels)) })
    }
    if (this.opts.profilers.includes('space')) {
      out.push({ name: 'space', profile: this.pprof.heap.profile() })
      if (!restart) this.pprof.heap.stop()
    }
    if (!restart) this.running = false
    return out
  }
}
