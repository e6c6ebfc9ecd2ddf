// The in-code Profiler: `new Profiler(options).start()`, for apps that start profiling themselves (a child made
// with child_process.fork without the preload, a script that profiles one phase). Options are the settings of the
// schema under their config names (service, env, version, tags, profilers, exporters, uploadPeriod, outputDir...),
// layered above the DD_* variables exactly as flags are above them in the launcher, so they are checked by the
// same rules and errors read the same way. When the preload already profiles this thread, start() reuses its
// session instead of starting a second profiler.
import { envLayer, resolveLayers, type Layer, type Resolved } from '../config/layers'
import { KEYS, SCHEMA, type Config, type Key, type Setting } from '../config/schema'
import { distance } from '../config/typos'
import { createLogger, type Logger } from '../log'
import type { Session } from '../profiling/session'
import { SESSION_KEY } from '../profiling/session-key'

type OptionValue = string | number | boolean | readonly string[] | Readonly<Record<string, string>> | undefined
export type ProfilerOptions = Partial<Record<Key, OptionValue>>

const PRELOAD_STARTED = Symbol.for('dd-run.preload.started')

export class Profiler {
  /** The settings in force: options over DD_* variables over defaults. */
  readonly config: Config
  private session: Session | undefined
  private owned = false
  private readonly log: Logger

  constructor(options: ProfilerOptions = {}, env: NodeJS.ProcessEnv = process.env) {
    const { layer, problems } = optionsLayer(options)
    const resolved = resolveLayers([layer, envLayer(env)])
    const all = [...problems, ...resolved.problems]
    if (all.length > 0) throw new TypeError(`dd-run: invalid Profiler options: ${all.join('; ')}`)
    this.config = resolved.config
    this.resolved = { ...resolved, config: this.config }
    this.log = createLogger({ debug: this.config.debug, quiet: this.config.quiet })
  }

  private readonly resolved: Resolved

  /** Starts profiling, or returns the session the preload already runs in this thread. Never throws. */
  start(): this {
    if (this.session && !this.session.stopped) return this
    const running = (globalThis as Record<symbol, Session | undefined>)[SESSION_KEY]
    if (running && !running.stopped) {
      this.session = running
      this.owned = false
      this.log.debug(`pid ${process.pid}: already profiled (by the preload or another Profiler): start() uses the running profiler; these options do not apply`)
      return this
    }
    // A preload loaded later in this thread must not start a second profiler.
    ;(globalThis as Record<symbol, boolean>)[PRELOAD_STARTED] = true
    try {
      const { startProfiling } = require('../profiling/start') as typeof import('../profiling/start')
      this.session = startProfiling(this.resolved)
      this.owned = this.session !== undefined
    } catch (err) {
      this.log.error(`profiling is off in this process: ${(err as Error).message} (pid ${process.pid})`)
    }
    return this
  }

  /** Takes a profile now; resolves once the exporters have it (at once when not profiling). */
  async flush(): Promise<void> {
    if (this.session && !this.session.stopped) await this.session.flush()
  }

  /**
   * Takes the final profile and stops the profilers this Profiler started. A Profiler that reuses the preload's
   * session leaves it running: it belongs to the run, and its final profile comes at exit.
   */
  stop(): void {
    if (!this.session) return
    if (this.owned) this.session.finish('Profiler.stop()')
    else this.log.debug(`pid ${process.pid}: stop() leaves the preload's profiler running`)
    this.session = undefined
  }

  /** True while this Profiler has a running session (its own or the preload's). */
  get running(): boolean {
    return this.session !== undefined && !this.session.stopped
  }
}

/** The options as a layer of raw text, as if they were flags: the schema's parsers do the checking. */
function optionsLayer(options: ProfilerOptions): { layer: Layer; problems: string[] } {
  const layer: Layer = {}
  const problems: string[] = []
  if (options === null || typeof options !== 'object') return { layer, problems: [`options=${JSON.stringify(options)}: expected an object`] }
  for (const [name, value] of Object.entries(options)) {
    if (!(KEYS as string[]).includes(name)) {
      const best = KEYS.map((k) => [k, distance(name, k)] as const).sort((a, b) => a[1] - b[1])[0]
      problems.push(`${name}: not a Profiler option${best && best[1] <= 3 ? ` (did you mean ${best[0]}?)` : ''}`)
      continue
    }
    if (value === undefined) continue
    const key = name as Key
    const raw = rawText(key, value)
    if (raw === undefined) {
      problems.push(`${name}=${JSON.stringify(value)}: expected ${expectedOf(key)}`)
      continue
    }
    layer[key] = { raw, source: 'flag', name }
  }
  return { layer, problems }
}

function rawText(key: Key, value: OptionValue): string | undefined {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (Array.isArray(value)) return value.every((v) => typeof v === 'string') ? value.join(',') : undefined
  if (key === 'tags' && value && typeof value === 'object') {
    const entries = Object.entries(value)
    return entries.every(([, v]) => typeof v === 'string') ? entries.map(([k, v]) => `${k}:${v}`).join(',') : undefined
  }
  return undefined
}

function expectedOf(key: Key): string {
  const row = SCHEMA[key] as Setting<unknown>
  const probe = row.type.parse('\u0000not a value\u0000')
  return probe.ok ? 'a string' : probe.expected
}
