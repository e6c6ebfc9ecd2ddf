// The facts of a plain app's main thread (`node /app/server.js`), for the unit tests of who a process is and
// whether it is profiled; each test overrides what it is about.
import type { ProcessFacts } from '../../src/profiling/process-kind'

export function appFacts(over: Partial<ProcessFacts> = {}): ProcessFacts {
  return {
    pid: 100,
    threadId: 0,
    isMainThread: true,
    argv: ['/usr/bin/node', '/app/server.js'],
    execArgv: [],
    env: {},
    ...over,
  }
}
