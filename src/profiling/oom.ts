// Near out-of-memory: when the old generation holds more than RATIO of its limit, call back once (the session then
// writes an on_oom heap profile synchronously). Plain JavaScript on a timer and perf_hooks 'gc' entries: it prints
// nothing and does not touch V8's heap limit, so the process dies exactly as it would have (same fatal message, same
// status). @datadog/pprof's heap.monitorOutOfMemory is not used: its native near-heap-limit callback writes
// unprefixed lines to stderr and raises the heap limit.
// While the old generation is small (below ARM_RATIO of its limit) a 100 ms timer checks it; past that, a 'gc'
// observer also checks after each garbage collection.
// What this cannot see: a leak in one synchronous run of JavaScript that never yields to the event loop (the
// callbacks never run before V8 gives up).
// node:v8 (0.35 ms to load) and perf_hooks are loaded at the first tick, not at start: a process that ends within
// 100 ms (most tools a build or a test run starts) never needs them here, and no heap is near its limit while the
// preload runs.
import type { PerformanceObserver } from 'node:perf_hooks'

type V8 = typeof import('node:v8')

export const OOM_RATIO = 0.8
/** V8 (64-bit) reserves 3 semi-spaces for the young generation inside heap_size_limit; 16 MiB each by default. */
const DEFAULT_SEMI_SPACE_MB = 16

/** While the old generation is below this part of its limit, a timer checks it (no 'gc' observer). */
export const ARM_RATIO = 0.25
const POLL_MS = 100

export function watchNearHeapLimit(onNear: () => void, ratio = OOM_RATIO): () => void {
  let v8: V8 | undefined
  let oldLimit = 0
  let armAt = 0
  let fired = false
  // Not a 'gc' observer from the start: with one, about 3 KB more is promoted per scavenge under the HTTP bench,
  // enough for V8 to double the young generation (+16 MB of peak RSS) within 20 s instead of after a minute.
  let observer: PerformanceObserver | undefined
  const stop = (): void => {
    clearInterval(timer)
    observer?.disconnect()
  }
  const check = (): void => {
    if (fired) return
    try {
      if (!v8) {
        v8 = require('node:v8') as V8
        oldLimit = oldGenerationLimit(v8)
        armAt = Math.min(ARM_RATIO, ratio / 2) * oldLimit
      }
      const used = oldGenerationUsed(v8)
      if (used >= ratio * oldLimit) {
        fired = true
        stop()
        onNear()
      } else if (!observer && used >= armAt) {
        const perfHooks = require('node:perf_hooks') as typeof import('node:perf_hooks')
        observer = new perfHooks.PerformanceObserver(check)
        observer.observe({ entryTypes: ['gc'] })
      }
    } catch {
      // Never in the app's way.
    }
  }
  const timer = setInterval(check, POLL_MS)
  timer.unref()
  return stop
}

function oldGenerationUsed(v8: V8): number {
  let used = 0
  for (const s of v8.getHeapSpaceStatistics()) if (!/^new_/.test(s.space_name)) used += s.space_used_size
  return used
}

function oldGenerationLimit(v8: V8): number {
  // --max-old-space-size is the old generation's limit itself. Without it, heap_size_limit less the young
  // generation, whose size V8 picks per version (Node 24 reserves 3 x 64 MB beside a 48 MB old generation, Node 26
  // 3 x 32 MB): an estimate that only matters next to large default limits, where it errs by a few percent.
  const old = flagMb('--max-old-space-size')
  if (old !== undefined) return old * 1024 * 1024
  const semi = flagMb('--max-semi-space-size') ?? DEFAULT_SEMI_SPACE_MB
  return v8.getHeapStatistics().heap_size_limit - 3 * semi * 1024 * 1024
}

function flagMb(name: string): number | undefined {
  const args = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)]
  for (const a of args) {
    const m = new RegExp(`^${name}[=](\\d+)$`).exec(a.replace(/_/g, '-'))
    if (m) return Number(m[1])
  }
  return undefined
}
