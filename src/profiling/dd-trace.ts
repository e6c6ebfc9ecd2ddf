// dd-trace in the same process. When the app loads dd-trace with its profiler on (DD_PROFILING_ENABLED=true, 1 or
// auto, as dd-trace reads it), dd-trace profiles and dd-run stays out of that process: dd-trace's profiles carry
// what dd-run cannot give them, the trace correlation (code hotspots, endpoints), and two profilers in one process
// would share one native sampler (the second fails to start) or double the cost. One line says so, naming
// dd-trace. Pure checks over the process's options and environment, plus one look at the global dd-trace sets.

/** dd-trace's entry points that start it before the app: `-r dd-trace/init`, `--import dd-trace/initialize.mjs`. */
const INIT = /(^|[\\/])dd-trace[\\/](init|initialize\.mjs|register\.js)(\.js)?$/

/** Whether dd-trace would start its profiler: its DD_PROFILING_ENABLED (or the older name) says true, 1 or auto. */
export function ddTraceProfilingOn(env: NodeJS.ProcessEnv): boolean {
  const raw = env.DD_PROFILING_ENABLED ?? env.DD_EXPERIMENTAL_PROFILING_ENABLED
  return raw !== undefined && /^(true|1|auto)$/i.test(raw.trim())
}

/** Whether the process starts dd-trace from its options (command line or NODE_OPTIONS), before the app runs. */
export function ddTraceInOptions(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  const words = [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].map((w) => w.replace(/^["']|["']$/g, '').replace(/^--(require|import|loader)=/, ''))
  return words.some((w) => INIT.test(w))
}

/** Whether dd-trace is already loaded in this process (it sets global._ddtrace when it loads). */
export function ddTraceLoaded(): boolean {
  return (globalThis as Record<string, unknown>)._ddtrace !== undefined
}

/**
 * Why dd-run leaves this process to dd-trace, or undefined. Checked before dd-run starts: dd-trace started
 * already (a `-r dd-trace/init` before dd-run's preload), or will start before the app (its init in the options).
 */
export function leftToDdTrace(env: NodeJS.ProcessEnv, execArgv: readonly string[]): string | undefined {
  if (!ddTraceProfilingOn(env)) return undefined
  if (ddTraceLoaded() || ddTraceInOptions(execArgv, env.NODE_OPTIONS)) {
    return 'dd-trace profiles this process (it is loaded with DD_PROFILING_ENABLED on): dd-run leaves profiling to it, keeping its trace correlation (code hotspots, endpoints)'
  }
  return undefined
}

/** The line for dd-trace started in code after dd-run's profiler: dd-run goes on, and says what to do instead. */
export const DD_TRACE_AFTER_DD_RUN =
  'dd-trace was started in code with DD_PROFILING_ENABLED on after dd-run started profiling this process: dd-run goes on profiling it, and dd-trace\'s profiler cannot run beside it; to have dd-trace profile (with trace correlation), start it with --require dd-trace/init or --import dd-trace/initialize.mjs'
