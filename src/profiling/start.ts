// What the preload runs in every Node process (and worker thread) of the tree once its first checks passed:
// read the configuration from the environment, decide whether this process is profiled, and start the session.
// Never throws into the app; a profiler that cannot start is one line on stderr.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fromEnv, type Resolved } from '../config/layers'
import type { Config } from '../config/schema'
import type { Exporter } from '../export/types'
import { createLogger, type Logger } from '../log'
import { RUN_CHANNEL, RUN_LAUNCHER_PID, RUN_SERVICE_INFERRED, RUN_PARENT_PID, RUN_PARENT_RUNTIME_ID } from '../run/env-names'
import { writeReport, type ProcessReport } from '../run/report'
import { randomUuid } from '../random-id'
import { ALLOCATION_MIN_NODE_MAJOR, nodeMajor } from '../node-support'
import { PRODUCT_VERSION } from '../version'
import { commandSummary, dormantReason, identify, isLoaderThread, type Identity, type ProcessFacts } from './process-kind'
import { enabledProfilers, nativeThreadId, Profilers, WALL_INTERVAL_MICROS, type Pprof } from './profilers'
import type { Session } from './session'
import { SESSION_KEY } from './session-key'
import { HELPER_MARK } from './watchdog/protocol'
import { serviceOf, type TagInputs } from './tags'
import { DIST_DIR } from '../dist-dir'


/**
 * resolved: the configuration, when the Profiler API starts profiling from its options (the preload reads the
 * environment). Returns the session, or undefined when the process stays dormant or profiling is off.
 */
export function startProfiling(resolved: Resolved = fromEnv(process.env), startedByAuto = false): Session | undefined {
  const wt = require('node:worker_threads') as typeof import('node:worker_threads')
  // dd-run's own watchdog thread, which Node runs the preload in too: nothing to profile or report there.
  if (!wt.isMainThread && (wt.workerData as Record<string, unknown> | null)?.[HELPER_MARK]) return undefined
  const facts: ProcessFacts = {
    pid: process.pid,
    threadId: wt.threadId,
    isMainThread: wt.isMainThread,
    argv: process.argv,
    execArgv: process.execArgv,
    env: process.env,
  }
  if (isLoaderThread(wt)) facts.loaderThread = true
  // Only a process with an IPC channel can be a cluster worker: others skip loading the cluster module.
  if (wt.isMainThread && process.channel) {
    const cluster = require('node:cluster') as import('node:cluster').Cluster
    if (cluster.isWorker && cluster.worker) facts.clusterWorkerId = cluster.worker.id
  }
  const config = resolved.config
  const log = createLogger({ debug: config.debug, quiet: config.quiet })
  const channel = process.env[RUN_CHANNEL] || undefined
  const report: ProcessReport = {
    pid: process.pid,
    threadId: wt.threadId,
    role: 'main',
    command: commandSummary(facts, process.cwd()),
    state: 'profiled',
    startedAt: new Date().toISOString(),
    exported: {},
    targets: {},
    spooled: {},
    deferred: 0,
    failures: [],
  }
  const tell = (): void => {
    if (!channel) return
    try {
      writeReport(channel, report)
    } catch (err) {
      log.debug(`could not write the report for the launcher: ${(err as Error).message}`)
    }
  }

  if (config.profilingEnabled === 'auto' && process.uptime() * 1000 < AUTO_AFTER_MS) {
    // Dormant until then; the run summary says why if the process ends first.
    report.state = 'dormant'
    report.reason = `DD_PROFILING_ENABLED=auto: profiled once it has lived ${AUTO_AFTER_MS / 1000} s`
    tell()
    return startLater(resolved)
  }
  const profilers = enabledProfilers(config)
  const ddTrace = require('./dd-trace') as typeof import('./dd-trace')
  const toDdTrace = wt.isMainThread ? ddTrace.leftToDdTrace(process.env, process.execArgv) : undefined
  const dormant = !config.profilingEnabled
    ? 'DD_PROFILING_ENABLED is false'
    : profilers.length === 0
      ? 'no profiler is enabled'
      : isDdRunItself(facts.argv)
        ? 'dd-run itself (a launcher inside the run)'
        : (toDdTrace ?? dormantReason(facts, config))
  report.role = identify(facts, '').role
  let session: Session | undefined
  if (config.profilingEnabled && profilers.length > 0 && config.workerThreads && !facts.loaderThread) {
    // Worker threads are profiled: whoever terminates one (this thread, for the workers it owns) asks it for its
    // final profile first, and this thread, if it is a worker, answers (dormant or not, so nobody waits for it).
    const terminate = require('./worker-terminate') as typeof import('./worker-terminate')
    terminate.flushBeforeTerminate(wt)
    if (!wt.isMainThread) terminate.answerFinalProfileRequests(wt, () => session?.finish('terminated by its owner (worker.terminate())'))
  }
  if (dormant) {
    // One line, not only under --debug: the user asked both dd-trace and dd-run to profile.
    if (dormant === toDdTrace) log.info(`pid ${process.pid} (${report.command}): ${toDdTrace}`)
    log.debug(`pid ${process.pid} (${report.command}) stays dormant: ${dormant}`)
    report.state = 'dormant'
    report.reason = dormant
    tell()
    return undefined
  }
  // Under dd-run the launcher said it once already (or stopped, with --strict): each process says it under --debug.
  for (const p of resolved.problems) {
    if (process.env[RUN_LAUNCHER_PID]) log.debug(`${p}; using the default in pid ${process.pid}`)
    else log.warn(`${p}; using the default in pid ${process.pid}`)
  }
  // Loaded only now: a dormant process (npm, a skipped build tool) pays for none of this.
  const { message, platformInfo, Session } = require('./session') as typeof import('./session')
  const identity = identify(facts, randomUuid())

  const off = (reason: string): void => {
    // An error, not a warning: --quiet must not hide that the profiling the user asked for does not happen.
    log.error(`profiling is off in this process: ${reason} (pid ${process.pid}, ${report.command})`)
    report.state = 'off'
    report.reason = reason
    tell()
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
    off(`the native profiler (@datadog/pprof) could not load: ${message(err)}`)
    return undefined
  }
  let exporters: Exporter[]
  try {
    const { createExporters } = require('../export/index') as typeof import('../export/index')
    exporters = createExporters(config, log)
  } catch (err) {
    off(`no exporter could be set up: ${message(err)}`)
    return undefined
  }
  const service = serviceOf(config.service, config.tags)
  report.service = service
  report.runtimeId = identity.runtimeId
  if (identity.parentPid !== undefined) report.parentPid = identity.parentPid
  // Named as dd-trace-js names them, so the backend's thread views group dd-run's samples the same way.
  const threadName = wt.isMainThread ? 'Main Event Loop' : `Worker #${wt.threadId} Event Loop`
  const threadLabels: Record<string, string> = { 'thread name': threadName, 'thread id': String(wt.threadId) }
  const osThreadId = nativeThreadId(pprof)
  if (osThreadId !== undefined) threadLabels['os thread id'] = osThreadId
  try {
    // Loaded only when enabled: the preload runs in every process.
    const events = profilers.includes('events')
      ? new (require('./events') as typeof import('./events')).EventsRecorder(config.eventLoopThreshold, threadLabels)
      : undefined
    const exceptions = profilers.includes('exceptions')
      ? new (require('./exceptions') as typeof import('./exceptions')).ExceptionsRecorder(threadLabels)
      : undefined
    // What this runtime allows (src/node-support.ts), decided once per thread.
    const runtime = {
      allocations: profilers.includes('space') && config.allocationEnabled && nodeMajor(process.version) >= ALLOCATION_MIN_NODE_MAJOR,
      asyncContextFrame: config.cpuEnabled && config.asyncContextFrameEnabled && (require('./load-pprof') as typeof import('./load-pprof')).asyncContextFrameActive(),
    }
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
      info: eventInfo(config, service, profilers, platformInfo(config.reportHostname), startedByAuto, runtime),
      processTags: processTags(process.argv, process.cwd(), config.service !== undefined && !process.env[RUN_SERVICE_INFERRED], service),
      exporters,
      report,
      channel,
      log,
    })
    // Before start(), which writes the report: `dd-run snapshot` reads there whether this process can answer.
    report.watchdog = watchdog(s, config, wt.isMainThread, channel, report, log)
    s.start()
    session = s
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
    if (wt.isMainThread && ddTrace.ddTraceProfilingOn(process.env)) {
      // dd-trace started in the app's code (after this preload): its profiler cannot start beside dd-run's. Looked
      // at once, when the main module has run.
      setImmediate(() => {
        if (ddTrace.ddTraceLoaded()) log.info(`pid ${process.pid} (${report.command}): ${ddTrace.DD_TRACE_AFTER_DD_RUN}`)
      }).unref()
    }
  } catch (err) {
    off(`the profiler could not start: ${message(err)}`)
    return undefined
  }
  // Children (processes and worker threads) learn who their parent is from the environment they inherit.
  process.env[RUN_PARENT_PID] = String(process.pid)
  process.env[RUN_PARENT_RUNTIME_ID] = identity.runtimeId
  log.debug(`pid ${process.pid} (${report.command}) profiled as ${identity.role}, runtime-id ${identity.runtimeId}`)
  return session
}

/** The process's source maps, looked up lazily when a profile is serialised (nothing is read at start). */
function newSourceMaps(): import('../sourcemap/source-maps').SourceMaps {
  const { IN_PROCESS, SourceMaps } = require('../sourcemap/source-maps') as typeof import('../sourcemap/source-maps')
  const { isProfilerScript } = require('../sourcemap/own-files') as typeof import('../sourcemap/own-files')
  // The maps of code compiled in memory (jest, ts-node, @swc-node/register) are noted as it is compiled.
  ;(require('../sourcemap/compile-hooks') as typeof import('../sourcemap/compile-hooks')).watchCompiledCode()
  return new SourceMaps(isProfilerScript, IN_PROCESS)
}

/** DD_PROFILING_ENABLED=auto: a process is profiled once it has lived this long (dd-trace-js's 30 s). */
export const AUTO_AFTER_MS = 30_000

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

/**
 * process_tags of event.json, built as dd-trace-js builds them (sorted keys, lower case, other characters as _):
 * how the process was started and from where, so the backend can tell apart the processes of one service.
 * dd-trace-js's `package.json.name` is left out: it would cost the preload a file search in every process.
 */
export function processTags(argv: readonly string[], cwd: string, serviceSet: boolean, service: string): string {
  const script = argv[1] ?? ''
  const tags: [string, string | undefined][] = [
    ['entrypoint.basedir', script ? path.basename(path.dirname(script)) : undefined],
    ['entrypoint.name', path.basename(script, path.extname(script)) || undefined],
    ['entrypoint.type', 'script'],
    ['entrypoint.workdir', path.basename(cwd) || undefined],
    serviceSet ? ['svc.user', 'true'] : ['svc.auto', service],
  ]
  return tags
    .filter((t): t is [string, string] => t[1] !== undefined)
    .map(([k, v]) => `${k}:${v.toLowerCase().replace(/[^a-zA-Z0-9/_.-]+/g, '_')}`)
    .join(',')
}

/** After this long on its event loop, a process that was not started at once gets its watchdog (auto). */
const WATCHDOG_DELAY_MS = 1000

/**
 * Starts the watchdog thread where it can run; returns what the report says about it. With `auto`, the process the
 * run started gets it at once (a synchronous job must be covered from its first line), the others only once they
 * have lived 1 s: a thread per short-lived child (a compiler, a test worker, a tool) would cost each about 20 ms of
 * CPU and 8 MB for nothing.
 */
function watchdog(session: Session, config: Config, isMainThread: boolean, channel: string | undefined, report: ProcessReport, log: Logger): string {
  if (config.watchdog === false) return 'off: DD_PROFILING_WATCHDOG is false'
  const w = require('./watchdog/start-helper') as typeof import('./watchdog/start-helper')
  const unavailable = w.watchdogUnavailable(isMainThread)
  const off = (why: string): string => {
    log.debug(`pid ${process.pid}: the watchdog is off: ${why}; a main thread that does not yield gets its profile at exit only`)
    return `off: ${why}`
  }
  if (unavailable) return off(unavailable)
  const begin = (): string | undefined => w.startWatchdog({ session, periodMs: config.uploadPeriod * 1000, channel, report, debug: config.debug, log })
  if (config.watchdog === true || report.role === 'main') {
    const failed = begin()
    return failed ? off(failed) : 'on'
  }
  setTimeout(() => {
    if (session.stopped) return
    const failed = begin()
    report.watchdog = failed ? off(failed) : 'on'
    if (!failed) log.debug(`pid ${process.pid}: the watchdog started (auto: the process has run for ${WATCHDOG_DELAY_MS / 1000} s)`)
    session.saveReportNow()
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

function tagInputs(identity: Identity, config: Config, service: string): TagInputs {
  return {
    identity,
    service,
    env: config.env,
    version: config.version,
    userTags: config.tags,
    host: config.reportHostname ? os.hostname() : undefined,
    git: { commitSha: config.gitCommitSha, repositoryUrl: config.gitRepositoryUrl },
    profilerVersion: PRODUCT_VERSION,
    runtime: { version: process.version, arch: process.arch, os: process.platform },
  }
}

function eventInfo(
  config: Config,
  service: string,
  profilers: readonly string[],
  platform: Record<string, unknown>,
  auto: boolean,
  runtime: { allocations: boolean; asyncContextFrame: boolean },
): Record<string, unknown> {
  const startTime = new Date(Date.now() - process.uptime() * 1000).toISOString()
  return {
    application: { service, env: config.env, version: config.version, start_time: startTime },
    platform,
    profiler: {
      // dd-trace-js: manual when DD_PROFILING_ENABLED=true, auto for auto; injection when single-step
      // instrumentation put the library in.
      activation: config.injection ? 'injection' : auto || config.profilingEnabled === 'auto' ? 'auto' : 'manual',
      ssi: { mechanism: config.injection ? 'injected_agent' : 'none' },
      serverless: isServerless(process.env),
      version: PRODUCT_VERSION,
      settings: {
        profilers,
        uploadPeriodSeconds: config.uploadPeriod,
        wallSamplingIntervalMicros: WALL_INTERVAL_MICROS,
        cpuTime: config.cpuEnabled,
        timelineEnabled: config.timelineEnabled,
        heapSamplingIntervalBytes: config.heapSamplingInterval,
        exporters: config.exporters ?? null,
        allocationProfiling: runtime.allocations,
        labelsOnAsyncContextFrame: runtime.asyncContextFrame,
      },
    },
    runtime: { engine: 'nodejs', version: process.versions.node, available_processors: os.availableParallelism?.() ?? os.cpus().length },
  }
}

export type { Logger }

/** Whether the process runs in a serverless function (AWS Lambda, Azure Functions, Google Cloud Functions). */
function isServerless(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.AWS_LAMBDA_FUNCTION_NAME || env.FUNCTIONS_WORKER_RUNTIME || env.K_SERVICE || env.FUNCTION_NAME)
}
