// What top, report and diff call a frame: V8's raw names for anonymous functions become readable, and the
// profiler's own frames (dd-run, @datadog/pprof) are recognised, to be shown as one line or hidden. Profiles keep
// @datadog/pprof's names (as uploaded by dd-trace-js); only the reading side renames.
import * as path from 'node:path'
import { isProfilerScript } from '../sourcemap/own-files'

/** The one frame that stands for everything the profiler runs in the app's process (its stacks end there). */
export const PROFILER_FRAME = '(dd-run profiler)'

/** How the profiler's own frames are shown: grouped under PROFILER_FRAME (default), hidden, or as they are. */
export type ProfilerFrames = 'group' | 'hide' | 'show'

const ANONYMOUS = /^\(anonymous(?::L#(\d+)(?::C#(\d+))?)?\)$/

/**
 * A readable name: `(anonymous:L#1:C#1)`, the function V8 wraps a module in, is `(module) <file>`; other
 * `(anonymous:L#16:C#27)` are `(anonymous)` (the line and column go to the location: see `column`).
 */
export function readableName(name: string, file: string, cwd: string): { name: string; column: number } {
  const m = ANONYMOUS.exec(name)
  if (!m) return { name, column: 0 }
  const line = Number(m[1] ?? 0)
  const column = Number(m[2] ?? 0)
  if (line === 1 && column <= 1 && file) return { name: `(module) ${shortFile(file, cwd)}`, column: 0 }
  return { name: '(anonymous)', column }
}

/** Whether a frame runs the profiler: dd-run's own scripts or @datadog/pprof's, wherever they are installed. */
export function isProfilerFrame(file: string): boolean {
  return file !== '' && isProfilerScript(file)
}

function shortFile(file: string, cwd: string): string {
  const f = file.startsWith('file://') ? file.slice(7) : file
  if (!path.isAbsolute(f)) return f
  const rel = path.relative(cwd, f)
  return !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : f
}
