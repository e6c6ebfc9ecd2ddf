// A process status as a preload writes it into the run channel, for tests of the launcher's end of a run: an ended,
// profiled main process with nothing exported, unless `over` says otherwise.
import type { ProcessStatus } from '../../src/run/status-shape'

export function processStatus(over: Partial<ProcessStatus>): ProcessStatus {
  return {
    pid: 1,
    threadId: 0,
    role: 'main',
    command: 'node app.js',
    state: 'profiled',
    startedAt: '2026-11-24T21:00:00.000Z',
    endedAt: '2026-11-24T21:00:01.000Z',
    exported: {},
    targets: {},
    spooled: {},
    deferred: 0,
    failures: [],
    ...over,
  }
}
