// Loads @datadog/pprof from dd-run's own install (resolution starts from this file, never from the app). Only the
// parts dd-run uses are loaded: the package's index also loads its source-map support, ~10 ms per process that a
// profiled process does not need. If the package's layout ever differs, the index is loaded instead.
//
// In the preload bundle, those parts' JavaScript (and pprof-format's) is bundled in (scripts/bundle.ts): resolving,
// reading and compiling about ten files one by one cost ~5 ms in every profiled process. Only the native addon is
// still loaded from the installed package, so the bundled JavaScript is used only when the installed package is the
// version it was built from; any other install is loaded file by file, as outside the bundle.
import type * as PprofModule from '@datadog/pprof'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { setPprofSrcDir } from './pprof-dir'

/** The parts of @datadog/pprof dd-run uses. */
export type Pprof = Pick<typeof PprofModule, 'time' | 'heap' | 'encode' | 'encodeSync'>
export type Profile = ReturnType<Pprof['heap']['profile']>

/** The @datadog/pprof version bundled into the preload (scripts/bundle.ts defines it); undefined outside the bundle. */
declare const DD_RUN_BUNDLED_PPROF: string | undefined
const BUNDLED = typeof DD_RUN_BUNDLED_PPROF === 'string' ? DD_RUN_BUNDLED_PPROF : undefined

/** Where the installed package is, and whether the bundled JavaScript can drive its addon. */
interface Installed {
  dir: string | undefined
  /** The same version as the bundled JavaScript, read from its package.json. */
  bundledFits: boolean
}

let installed: Installed | undefined

/** Found once per thread: loadPprof and asyncContextFrameActive both ask, at start-up. */
function findInstalled(): Installed {
  if (installed) return installed
  let dir: string | undefined
  try {
    dir = path.dirname(require.resolve('@datadog/pprof/package.json'))
  } catch {
    dir = undefined
  }
  let fits = false
  if (dir !== undefined && BUNDLED !== undefined) {
    try {
      fits = (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: unknown }).version === BUNDLED
    } catch {
      fits = false
    }
  }
  installed = { dir, bundledFits: fits }
  if (dir !== undefined && fits) setPprofSrcDir(path.join(dir, 'out', 'src'))
  return installed
}

export function loadPprof(): Pprof {
  const { dir, bundledFits } = findInstalled()
  if (dir !== undefined && bundledFits) {
    const src = path.join(dir, 'out', 'src')
    // Static paths, so that esbuild bundles them; only the addon is read from `dir`.
    const time = require('@datadog/pprof/out/src/time-profiler') as Pprof['time']
    const heap = require('@datadog/pprof/out/src/heap-profiler') as Pprof['heap']
    const encoder = require('@datadog/pprof/out/src/profile-encoder') as Pick<Pprof, 'encode' | 'encodeSync'>
    shareWithTheApp(src, {
      'time-profiler.js': time,
      'heap-profiler.js': heap,
      'profile-encoder.js': encoder,
      'profile-serializer.js': require('@datadog/pprof/out/src/profile-serializer'),
      'time-profiler-bindings.js': require('@datadog/pprof/out/src/time-profiler-bindings'),
      'heap-profiler-bindings.js': require('@datadog/pprof/out/src/heap-profiler-bindings'),
    })
    return { time, heap, encode: encoder.encode, encodeSync: encoder.encodeSync }
  }
  const base = dir === undefined ? undefined : path.join(dir, 'out', 'src')
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
 * Puts the bundled modules in Node's module cache under the installed package's file names. Code of the app that
 * loads the same install (dd-trace-js started in the app's code, beside dd-run in one node_modules) then gets these
 * very modules, as it did when the preload loaded the package's files: one wall profiler and one heap profiler
 * state per process, so its profiler's start fails at once ("already started") instead of half-starting and
 * stopping dd-run's heap profiler under it. A file something has loaded already is left as it is.
 */
function shareWithTheApp(src: string, modules: Record<string, unknown>): void {
  try {
    const Module = require('node:module') as unknown as {
      new (id: string, parent?: unknown): NodeJS.Module
      _nodeModulePaths?: (dir: string) => string[]
    }
    for (const [name, exports] of Object.entries(modules)) {
      const filename = path.join(src, name)
      if (require.cache[filename]) continue
      const m = new Module(filename)
      m.filename = filename
      m.exports = exports
      m.paths = Module._nodeModulePaths?.(src) ?? []
      m.loaded = true
      require.cache[filename] = m
    }
  } catch {
    // The app then loads its own copy: as with any other install of the package.
  }
}

/**
 * Whether AsyncLocalStorage runs on AsyncContextFrame in this thread, as @datadog/pprof detects it (a probe of the
 * slot its addon reads; flags and version alone can mislead both ways). Asked only on Node 22 and newer: older
 * ones have no AsyncContextFrame, and the probe is not worth loading there.
 */
export function asyncContextFrameActive(): boolean {
  if (!(parseInt(process.versions.node, 10) >= 22)) return false
  try {
    const { dir, bundledFits } = findInstalled()
    if (dir === undefined) return false
    type Acf = { isAsyncContextFrameActive?: () => boolean }
    let acf: Acf
    if (bundledFits) {
      acf = require('@datadog/pprof/out/src/async-context-frame') as Acf
    } else {
      acf = require(path.join(dir, 'out', 'src', 'async-context-frame.js')) as Acf
    }
    return acf.isAsyncContextFrameActive?.() === true
  } catch {
    return false
  }
}

function isAddonFailure(err: unknown): boolean {
  return err instanceof Error && /No native build|\.node|ERR_DLOPEN_FAILED|invalid ELF|NODE_MODULE_VERSION/.test(`${err.message} ${(err as NodeJS.ErrnoException).code ?? ''}`)
}
