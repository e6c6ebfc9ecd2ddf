// Where a thread's running session is kept (a global symbol, so two copies of dd-run in one process share it),
// for the Profiler API and withLabels to find the profiling the preload started.
export const SESSION_KEY = Symbol.for('dd-run.session')
