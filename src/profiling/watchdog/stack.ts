// The main thread's stack at the point the watchdog interrupted it. The inspector runs the entry point on top of
// the interrupted frames, so an Error made here sees them: the frames below the evaluated expression are the app's.

/** The app's frames, innermost first; [] when the main thread was idle in the event loop. */
export function stackHere(limit = 64): string[] {
  const saved = Error.stackTraceLimit
  const holder: { stack?: string } = {}
  try {
    Error.stackTraceLimit = limit + 8
    Error.captureStackTrace(holder, stackHere)
  } finally {
    Error.stackTraceLimit = saved
  }
  return appFrames(holder.stack ?? '', limit)
}

/** Drops the header and dd-run's own frames up to and including the inspector's evaluated expression. Pure. */
export function appFrames(stack: string, limit = 64): string[] {
  const lines = stack.split('\n').slice(1).map((l) => l.trim()).filter((l) => l.startsWith('at '))
  const evaluated = lines.findIndex((l) => /^at (<anonymous>|eval) ?\(?<anonymous>:\d+:\d+\)?$|^at <anonymous>:\d+:\d+$/.test(l))
  const app = evaluated >= 0 ? lines.slice(evaluated + 1) : lines
  return app.slice(0, limit).map((l) => l.slice(3))
}
