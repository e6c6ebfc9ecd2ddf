// The composition root of a profiled process: what the preload runs in every Node process (and worker thread) of the
// tree once its first checks passed. It reads the configuration from the environment, gathers the process's facts,
// asks the guard (guard.ts) whether to profile, and wires the parts together: the status for the launcher, the
// profilers, the exporters, the session, the watchdog. Never throws into the app; a profiler that cannot start is one
// line on stderr.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fromEnv, type Resolved } from '../config/layers'
import type { Config, ProfilerName } from '../config/schema'
import { createExporters } from '../export/index'
import type { Exporter } from '../export/types'
import { createLogger, firstLine as message, type Logger } from '../log'
import { RUN_CHANNEL, RUN_LAUNCHER_PID, RUN_SERVICE_INFERRED, RUN_PARENT_PID, RUN_PARENT_RUNTIME_ID } from '../run/env-names'
import { StatusLedger } from '../run/status'
import type { ProcessStatus } from '../run/status-shape'
import { randomUuid } from '../random-id'
import { ALLOCATION_MIN_NODE_MAJOR, nodeMajor } from '../node-support'
import { DIST_DIR } from '../dist-dir'
import { eventInfo, platformInfo, processTags, tagInputs } from './event-info'
import { processAlive, watchExitSignals } from './exit-signals'
import { AUTO_AFTER_MS, shouldProfile, type GuardFacts } from './guard'
import { commandSummary, identify, isLoaderThread } from './process-kind'
import type { Pprof } from './load-pprof'
import { nativeThreadId, Profilers, WALL_INTERVAL_MICROS } from './profilers'
import type { Session } from './session'
import { SESSION_KEY } from './session-key'
import { serviceOf } from './tags'
import { HELPER_MARK } from './watchdog/protocol'
import { isoTime } from '../iso-time'

type WorkerThreads = typeof import('node:worker_threads')

/**
 * resolved: the configuration, when the Profiler API starts profiling from its options (the preload reads the
 * environment). Returns the session, or undefined when the process stays dormant or profiling is off.
 */
export function startProfiling(resolved: Resolved = fromEnv(process.env), startedByAuto = false): Session | undefined {
  const wt = require('node:worker_threads') as WorkerThreads
  const facts = processFacts(wt)
  const config = resolved.config
  const verdict = shouldProfile(facts, config)
  if (verdict.kind === 'ignore') return undefined
  const log = createLogger({ debug: config.debug, quiet: config.quiet })
  const status = newStatus(facts, process.env[RUN_CHANNEL] || undefined, log)
  if (verdict.kind === 'later') {
    // Dormant until then; the run summary says why if the process ends first.
    status.notProfiled('dormant', verdict.reason)
    return startLater(resolved)
  }
  let session: Session | undefined
  if (verdict.flushWorkers) {
    const terminate = require('./worker-terminate') as typeof import('./worker-terminate')
    terminate.flushBeforeTerminate(wt)
    if (!wt.isMainThread) terminate.answerFinalProfileRequests(wt, () => session?.finish('terminated by its owner (worker.terminate())'))
  }
  const command = status.status.command
  if (verdict.kind === 'dormant') {
    // One line, not only under --debug: the user asked both dd-trace and dd-run to profile.
    if (verdict.byDdTrace) log.info(`pid ${process.pid} (${command}): ${verdict.reason}`)
    log.debug(`pid ${process.pid} (${command}) stays dormant: ${verdict.reason}`)
    status.notProfiled('dormant', verdict.reason)
    return undefined
  }
  // Under dd-run the launcher said it once already (or stopped, with --strict): each process says it under --debug.
  for (const p of resolved.problems) {
    if (process.env[RUN_LAUNCHER_PID]) log.debug(`${p}; using the default in pid ${process.pid}`)
    else log.warn(`${p}; using the default in pid ${process.pid}`)
  }
  const off = (reason: string): undefined => {
    // An error, not a warning: --quiet must not hide that the profiling the user asked for does not happen.
    log.error(`profiling is off in this process: ${reason} (pid ${process.pid}, ${command})`)
    status.notProfiled('off', reason)
    return undefined
  }
  // The final-flush listener goes first, before @datadog/pprof registers its own `exit` listener (which stops
  // the wall profiler), and ahead of the app's listeners.
  process.prependListener('exit', (code) => {
    try {
      if (session) session.finish(`exit code ${code}`)
    } catch {
      // Never change how the process ends.
    }
  })
  let pprof: Pprof
  try {
    pprof = (require('./load-pprof') as typeof import('./load-pprof')).loadPprof()
  } catch (err) {
    return off(`the native profiler (@datadog/pprof) could not load: ${message(err)}`)
  }
  let exporters: Exporter[]
  try {
    exporters = createExporters(config, log)
  } catch (err) {
    return off(`no exporter could be set up: ${message(err)}`)
  }
  try {
    session = startSession({ wt, facts, config, profilers: verdict.profilers, pprof, exporters, status, log, startedByAuto })
  } catch (err) {
    return off(`the profiler could not start: ${message(err)}`)
  }
  return session
}

/** The facts the guard and the identity are decided from. */
function processFacts(wt: WorkerThreads): GuardFacts {
  const facts: GuardFacts = {
    pid: process.pid,
    threadId: wt.threadId,
    isMainThread: wt.isMainThread,
    argv: process.argv,
    execArgv: process.execArgv,
    env: process.env,
    watchdogThread: !wt.isMainThread && Boolean((wt.workerData as Record<string, unknown> | null)?.[HELPER_MARK]),
    uptimeMs: process.uptime() * 1000,
    isDdRunItself: () => isDdRunItself(process.argv),
    // Loaded only when asked (the main thread of a process that would be profiled).
    leftToDdTrace: () => (require('./dd-trace') as typeof import('./dd-trace')).leftToDdTrace(process.env, process.execArgv),
  }
  if (isLoaderThread(wt)) facts.loaderThread = true
  // Only a process with an IPC channel can be a cluster worker: others skip loading the cluster module.
  if (wt.isMainThread && process.channel) {
    const cluster = require('node:cluster') as import('node:cluster').Cluster
    if (cluster.isWorker && cluster.worker) facts.clusterWorkerId = cluster.worker.id
  }
  return facts
}

/** The process's status for the launcher, written to the run channel when there is one. */
function newStatus(facts: GuardFacts, channel: string | undefined, log: Logger): StatusLedger {
  const status: ProcessStatus = {
    pid: facts.pid,
    threadId: facts.threadId,
    role: identify(facts, '').role,
    command: commandSummary(facts, process.cwd()),
    state: 'profiled',
    startedAt: isoTime(),
    exported: {},
    targets: {},
    spooled: {},
    deferred: 0,
    failures: [],
  }
  const launcherPid = Number(process.env[RUN_LAUNCHER_PID] ?? 0)
  return new StatusLedger(status, channel, () => processAlive(launcherPid), (msg) => log.debug(msg))
}

interface SessionParts {
  wt: WorkerThreads
  facts: GuardFacts
  config: Config
  profilers: ProfilerName[]
  pprof: Pprof
  exporters: Exporter[]
  status: StatusLedger
  log: Logger
  startedByAuto: boolean
}

/** Builds the profilers and the session, starts them with the watchdog, and tells children who their parent is. */
function startSession(p: SessionParts): Session {
  const { wt, config, profilers, pprof, status, log } = p
  const record = status.status
  // Loaded only now: a dormant process (npm, a skipped build tool) pays for none of this.
  const { Session } = require('./session') as typeof import('./session')
  const identity = identify(p.facts, randomUuid())
  const service = serviceOf(config.service, config.tags)
  record.service = service
  record.runtimeId = identity.runtimeId
  if (identity.parentPid !== undefined) record.parentPid = identity.parentPid
  // Named as dd-trace-js names them, so the backend's thread views group dd-run's samples the same way.
  const threadName = wt.isMainThread ? 'Main Event Loop' : `Worker #${wt.threadId} Event Loop`
  const threadLabels: Record<string, string> = { 'thread name': threadName, 'thread id': String(wt.threadId) }
  const osThreadId = nativeThreadId(pprof)
  if (osThreadId !== undefined) threadLabels['os thread id'] = osThreadId
  // Loaded only when enabled: the preload runs in every process.
  const events = profilers.includes('events')
    ? new (require('./events') as typeof import('./events')).EventsRecorder(config.eventLoopThreshold, threadLabels, config.uploadPeriod * 1000)
    : undefined
  const exceptions = profilers.includes('exceptions')
    ? new (require('./exceptions') as typeof import('./exceptions')).ExceptionsRecorder(threadLabels)
    : undefined
  // What this runtime allows (src/node-support.ts), decided once per thread.
  const runtime = {
    allocations: profilers.includes('space') && config.allocationEnabled && nodeMajor(process.version) >= ALLOCATION_MIN_NODE_MAJOR,
    asyncContextFrame: config.cpuEnabled && config.asyncContextFrameEnabled && (require('./load-pprof') as typeof import('./load-pprof')).asyncContextFrameActive(),
  }
  const channel = process.env[RUN_CHANNEL] || undefined
  const launcherPid = Number(process.env[RUN_LAUNCHER_PID] ?? 0)
  const s = new Session({
    pprof,
    profilers: new Profilers(pprof, {
      profilers,
      cpu: config.cpuEnabled,
      heapInterval: config.heapSamplingInterval,
      allocations: runtime.allocations,
      useCped: runtime.asyncContextFrame,
      wallIntervalMicros: WALL_INTERVAL_MICROS,
      threadLabels,
      timeline: config.timelineEnabled,
      events,
      exceptions,
      sourceMaps: config.sourceMap ? newSourceMaps() : undefined,
    }),
    config,
    identity,
    tags: tagInputs(identity, config, service),
    info: eventInfo(config, service, profilers, platformInfo(config.reportHostname), p.startedByAuto, runtime),
    processTags: processTags(process.argv, process.cwd(), config.service !== undefined && !process.env[RUN_SERVICE_INFERRED], service),
    exporters: p.exporters,
    status,
    channel,
    launcherPid,
    launcherAlive: () => processAlive(launcherPid),
    watchExitSignals,
    log,
  })
  // Before start(), which writes the status: `dd-run snapshot` reads there whether this process can answer.
  record.watchdog = watchdog(s, config, wt.isMainThread, channel, record, log)
  s.start()
  if (config.oomMonitoring && profilers.includes('space')) {
    // Its gc observer can only run once the app yields to the event loop anyway: set it up then, so a short
    // script that never gets there does not pay for it. Unref'd: it keeps nothing alive.
    setTimeout(() => {
      try {
        const { watchNearHeapLimit } = require('./oom') as typeof import('./oom')
        watchNearHeapLimit(() => s.nearOutOfMemory())
      } catch (err) {
        log.debug(`out-of-memory monitoring is off: ${message(err)}`)
      }
    }, 0).unref()
  }
  ;(globalThis as Record<symbol, unknown>)[SESSION_KEY] = s
  const ddTrace = require('./dd-trace') as typeof import('./dd-trace')
  if (wt.isMainThread && ddTrace.ddTraceProfilingOn(process.env)) {
    // dd-trace started in the app's code (after this preload): its profiler cannot start beside dd-run's. Looked
    // at once, when the main module has run.
    setImmediate(() => {
      if (ddTrace.ddTraceLoaded()) log.info(`pid ${process.pid} (${record.command}): ${ddTrace.DD_TRACE_AFTER_DD_RUN}`)
    }).unref()
  }
  // Children (processes and worker threads) learn who their parent is from the environment they inherit.
  process.env[RUN_PARENT_PID] = String(process.pid)
  process.env[RUN_PARENT_RUNTIME_ID] = identity.runtimeId
  log.debug(`pid ${process.pid} (${record.command}) profiled as ${identity.role}, runtime-id ${identity.runtimeId}`)
  return s
}

/** The process's source maps, looked up lazily when a profile is serialised (nothing is read at start). */
function newSourceMaps(): import('../sourcemap/source-maps').SourceMaps {
  const { IN_PROCESS, SourceMaps } = require('../sourcemap/source-maps') as typeof import('../sourcemap/source-maps')
  const { isProfilerScript } = require('../sourcemap/own-files') as typeof import('../sourcemap/own-files')
  // The maps of code compiled in memory (jest, ts-node, @swc-node/register) are noted as it is compiled.
  ;(require('../sourcemap/compile-hooks') as typeof import('../sourcemap/compile-hooks')).watchCompiledCode()
  return new SourceMaps(isProfilerScript, IN_PROCESS)
}

/**
 * auto: the process stays dormant until it has lived AUTO_AFTER_MS, then starts as with true. The timer is
 * unref'd: a short-lived process (a build tool, a script) ends before it and is never profiled.
 */
function startLater(resolved: Resolved): undefined {
  const wait = Math.max(0, AUTO_AFTER_MS - process.uptime() * 1000)
  setTimeout(() => {
    try {
      startProfiling({ ...resolved, config: { ...resolved.config, profilingEnabled: true } }, true)
    } catch {
      // startProfiling says itself why profiling is off; never throw into the app.
    }
  }, wait).unref()
  return undefined
}

/** After this long on its event loop, a process that was not started at once gets its watchdog (auto). */
const WATCHDOG_DELAY_MS = 1000

/**
 * Starts the watchdog thread where it can run; returns what the status says about it. With `auto`, the process the
 * run started gets it at once (a synchronous job must be covered from its first line), the others only once they
 * have lived 1 s: a thread per short-lived child (a compiler, a test worker, a tool) would cost each about 20 ms of
 * CPU and 8 MB for nothing.
 */
function watchdog(session: Session, config: Config, isMainThread: boolean, channel: string | undefined, status: ProcessStatus, log: Logger): string {
  if (config.watchdog === false) return 'off: DD_PROFILING_WATCHDOG is false'
  const { watchdogUnavailable } = require('./watchdog/unavailable') as typeof import('./watchdog/unavailable')
  const unavailable = watchdogUnavailable(isMainThread)
  const off = (why: string): string => {
    log.debug(`pid ${process.pid}: the watchdog is off: ${why}; a main thread that does not yield gets its profile at exit only`)
    return `off: ${why}`
  }
  if (unavailable) return off(unavailable)
  // The starter is loaded only when the thread starts: a child that ends within its first second never loads it.
  const begin = (): string | undefined => {
    const { startWatchdog } = require('./watchdog/start-helper') as typeof import('./watchdog/start-helper')
    return startWatchdog({ session, periodMs: config.uploadPeriod * 1000, channel, report: status, debug: config.debug, log })
  }
  if (config.watchdog === true || status.role === 'main') {
    const failed = begin()
    return failed ? off(failed) : 'on'
  }
  setTimeout(() => {
    if (session.stopped) return
    const failed = begin()
    status.watchdog = failed ? off(failed) : 'on'
    if (!failed) log.debug(`pid ${process.pid}: the watchdog started (auto: the process has run for ${WATCHDOG_DELAY_MS / 1000} s)`)
    session.saveStatusNow()
  }, WATCHDOG_DELAY_MS).unref()
  return `off: not yet (auto: started once the process has run for ${WATCHDOG_DELAY_MS / 1000} s)`
}

/** dd-run's own executable, started inside a profiled run (nested launches, dd-run report in a script). */
function isDdRunItself(argv: readonly string[]): boolean {
  const script = argv[1]
  if (!script) return false
  const own = path.join(DIST_DIR, 'bin', 'dd-run.js')
  try {
    return fs.realpathSync(script) === own
  } catch {
    return false
  }
}
