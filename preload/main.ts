// The preload's second stage, run by preload/index.ts (with V8's code cache when it can) in every Node process (and
// worker thread) of the tree. Written for any Node version that might run it (no newer syntax here): it starts
// profiling at most once per thread, refuses Node versions the profiler does not support, and never throws into
// the app.
import { nodeMajor, PROFILED_MIN_NODE_MAJOR } from '../src/node-support'

;(function ddRunPreload(): void {
  try {
    var g = (typeof globalThis !== 'undefined' ? globalThis : global) as unknown as Record<symbol, boolean>
    var started = Symbol.for('dd-run.preload.started')
    if (g[started]) return // required twice (two paths, two installs): one profiler
    g[started] = true
    // The minimum is inlined by the bundle from src/node-support.ts (a constant and a tiny function, no imports).
    if (!(nodeMajor(process.version) >= PROFILED_MIN_NODE_MAJOR)) {
      process.stderr.write('dd-run: profiling is off in this process: Node ' + process.version + ' is older than ' + PROFILED_MIN_NODE_MAJOR + ' (pid ' + process.pid + ')\n')
      return
    }
    require('../src/profiling/start').startProfiling()
  } catch (err) {
    try {
      var text = err && (err as Error).message ? (err as Error).message : String(err)
      // A worker thread terminated while this code loads fails half-way through; the main thread has already said
      // whether profiling works in this process, so a worker says so only under debug.
      if (!require('worker_threads').isMainThread && !/^(1|true)$/i.test(process.env.DD_TRACE_DEBUG || '')) return
      process.stderr.write('dd-run: profiling is off in this process: ' + text.split('\n')[0] + ' (pid ' + process.pid + ')\n')
    } catch (ignored) {
      // stderr is gone: nothing to say it with.
    }
  }
})()
