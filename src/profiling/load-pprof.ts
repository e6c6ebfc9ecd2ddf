// Loads @datadog/pprof from dd-run's own install (resolution starts from this file, never from the app). Only the
// parts dd-run uses are loaded: the package's index also loads its source-map support, ~10 ms per process that a
// profiled process does not need. If the package's layout ever differs, the index is loaded instead.
import type * as PprofModule from '@datadog/pprof'
import * as path from 'node:path'

/** The parts of @datadog/pprof dd-run uses. */
export type Pprof = Pick<typeof PprofModule, 'time' | 'heap' | 'encode' | 'encodeSync'>
export type Profile = ReturnType<Pprof['heap']['profile']>

export function loadPprof(): Pprof {
  let base: string | undefined
  try {
    base = path.join(path.dirname(require.resolve('@datadog/pprof/package.json')), 'out', 'src')
  } catch {
    base = undefined
  }
  if (base !== undefined) {
    let parts: Pprof | undefined
    try {
      const time = require(path.join(base, 'time-profiler.js')) as Pprof['time']
      const heap = require(path.join(base, 'heap-profiler.js')) as Pprof['heap']
      const encoder = require(path.join(base, 'profile-encoder.js')) as Pick<Pprof, 'encode' | 'encodeSync'>
      if (typeof time.start === 'function' && typeof heap.profile === 'function' && typeof encoder.encodeSync === 'function') {
        parts = { time, heap, encode: encoder.encode, encodeSync: encoder.encodeSync }
      }
    } catch (err) {
      // A native addon that cannot load fails the index the same way: say so with its own message.
      if (isAddonFailure(err)) throw err
    }
    if (parts) return parts
  }
  return require('@datadog/pprof') as Pprof
}

/**
 * Whether AsyncLocalStorage runs on AsyncContextFrame in this thread, as @datadog/pprof detects it (a probe of the
 * slot its addon reads; flags and version alone can mislead both ways). Asked only on Node 22 and newer: older
 * ones have no AsyncContextFrame, and the probe is not worth loading there.
 */
export function asyncContextFrameActive(): boolean {
  if (!(parseInt(process.versions.node, 10) >= 22)) return false
  try {
    const base = path.join(path.dirname(require.resolve('@datadog/pprof/package.json')), 'out', 'src')
    const acf = require(path.join(base, 'async-context-frame.js')) as { isAsyncContextFrameActive?: () => boolean }
    return acf.isAsyncContextFrameActive?.() === true
  } catch {
    return false
  }
}

function isAddonFailure(err: unknown): boolean {
  return err instanceof Error && /No native build|\.node|ERR_DLOPEN_FAILED|invalid ELF|NODE_MODULE_VERSION/.test(`${err.message} ${(err as NodeJS.ErrnoException).code ?? ''}`)
}
