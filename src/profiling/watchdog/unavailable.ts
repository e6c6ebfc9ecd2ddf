// Why the watchdog thread cannot run in this thread, if it cannot. Its own file: a child process decides this at
// start but starts the thread only after 1 s (most never live that long), and loading the thread's starter for the
// question alone cost such a child about 0.3 ms.

/** Why the watchdog cannot run in this thread, or undefined when it can. */
export function watchdogUnavailable(isMainThread: boolean): string | undefined {
  if (!isMainThread) return 'a worker thread (the inspector reaches only the main thread)'
  if (!process.features.inspector) return 'this Node was built without the inspector'
  if (typeof SharedArrayBuffer !== 'function') return 'SharedArrayBuffer is not available'
  // A debugger may pause the main thread at a breakpoint: the watchdog must not take profiles behind its back.
  if (process.execArgv.some((a) => /^--inspect/.test(a)) || /--inspect/.test(process.env.NODE_OPTIONS ?? '')) {
    return 'the process runs with --inspect (a debugger owns the main thread)'
  }
  return undefined
}
