// The profile types the reports know: which attachment and sample column each is read from, its unit and its name.
export type ProfileType = 'cpu' | 'wall' | 'space' | 'alloc' | 'events' | 'blocks' | 'exceptions'
export const PROFILE_TYPES: readonly ProfileType[] = ['cpu', 'wall', 'space', 'alloc', 'events', 'blocks', 'exceptions']

export interface TypeInfo {
  /** The attachment the samples come from. */
  attachment: string
  /** The pprof sample type (the value column). */
  sample: string
  unit: 'nanoseconds' | 'bytes' | 'count'
  label: string
}

export const TYPE_INFO: Readonly<Record<ProfileType, TypeInfo>> = {
  cpu: { attachment: 'wall.pprof', sample: 'cpu', unit: 'nanoseconds', label: 'CPU time' },
  wall: { attachment: 'wall.pprof', sample: 'wall', unit: 'nanoseconds', label: 'Wall time' },
  space: { attachment: 'space.pprof', sample: 'inuse_space', unit: 'bytes', label: 'Heap in use' },
  // Node >= 26 (DD_PROFILING_ALLOCATION_ENABLED): bytes allocated during each period, freed or not. Unlike the heap
  // in use, periods add up, as CPU time does.
  alloc: { attachment: 'space.pprof', sample: 'alloc_space', unit: 'bytes', label: 'Allocated' },
  events: { attachment: 'events.pprof', sample: 'timeline', unit: 'nanoseconds', label: 'Events (GC pauses)' },
  blocks: { attachment: 'blocks.pprof', sample: 'blocked', unit: 'nanoseconds', label: 'Event-loop blocking' },
  exceptions: { attachment: 'exceptions.pprof', sample: 'exception-samples', unit: 'count', label: 'Exceptions' },
}

/** A label filter (`dd-run top --label route=/users`): only samples carrying it count. */
export interface LabelFilter {
  key: string
  value: string
}
