// The agent and agentless exporters: the same multipart upload, to the Datadog Agent or straight to the intake.
// Runs inside the app's process, so it is careful: a bounded queue (dropped bundles are counted), one upload at a
// time, retries inside a budget no longer than the upload period, timers and sockets that never keep the process
// alive, and one warning per kind of trouble rather than one a minute.
import type { Config } from '../config/schema'
import type { Logger } from '../log'
import { PRODUCT_VERSION } from '../version'
import { agentAddress } from './agent-address'
import { containerId, entityId } from './container-id'
import { send, targetOf, type Attempt, type Target } from './http-send'
import { encodeMultipart, memoryBytes } from './multipart'
import { chooseCodec, forUpload, type Codec } from './upload-compression'
import { DEFAULT_BACKOFF, nextDelay, type Backoff, type Outcome } from './retry'
import type { Bundle, Exporter, ExporterStats } from './types'

export const AGENT_ENDPOINT = '/profiling/v1/input'
export const INTAKE_ENDPOINT = '/api/v2/profile'
/** At most this many bundles wait in memory (the one in flight included)... */
export const MAX_QUEUED_BUNDLES = 4
/** ...and at most this many bytes of profiles. */
export const MAX_QUEUED_BYTES = 16 * 1024 * 1024

export interface HttpExporterOptions {
  name: 'agent' | 'agentless'
  target: Target
  headers: Record<string, string>
  /** One attempt's limit. */
  uploadTimeoutMs: number
  /** All attempts of one bundle, waiting in the queue included: the upload period. */
  budgetMs: number
  log: Logger
  maxBundles?: number
  maxBytes?: number
  /** The profiles' codec on the wire (DD_PROFILING_DEBUG_UPLOAD_COMPRESSION); gzip when not given. */
  compression?: { codec: Codec; level?: number }
  backoff?: Backoff
}

interface Item {
  bundle: Bundle
  bytes: number
  /** End of the retry budget, set at the first attempt. */
  deadline: number
  done: () => void
}

export function intakeUrl(config: Pick<Config, 'agentlessUrl' | 'site'>): string {
  return config.agentlessUrl ?? `https://intake.profile.${config.site}${INTAKE_ENDPOINT}`
}

/**
 * Headers of every upload: who sends, and the container (and pod) it comes from, as dd-trace-js sends them: the
 * agent tags profiles from Datadog-Container-ID, Datadog-Entity-ID and Datadog-External-Env.
 */
export function commonHeaders(config: Pick<Config, 'externalEnv'>): Record<string, string> {
  const id = containerId()
  const entity = entityId()
  return {
    'DD-EVP-ORIGIN': 'dd-run',
    'DD-EVP-ORIGIN-VERSION': PRODUCT_VERSION,
    ...(id ? { 'Datadog-Container-ID': id } : {}),
    ...(entity ? { 'Datadog-Entity-ID': entity } : {}),
    ...(config.externalEnv ? { 'Datadog-External-Env': config.externalEnv } : {}),
  }
}

/** Where and how the agent exporter uploads: the address, the endpoint, the headers and the profiles' codec. */
function agentUpload(config: Config): Pick<HttpExporterOptions, 'target' | 'headers' | 'compression'> {
  return {
    target: targetOf(agentAddress(config).url, AGENT_ENDPOINT),
    headers: commonHeaders(config),
    compression: chooseCodec(config.uploadCompression),
  }
}

export function createAgentExporter(config: Config, log: Logger): Exporter {
  return new HttpExporter({
    name: 'agent',
    ...agentUpload(config),
    uploadTimeoutMs: config.uploadTimeout,
    budgetMs: budgetOf(config),
    log,
  })
}

/**
 * One upload of `bundle` to the agent, the request the agent exporter sends (address, endpoint, headers, codec,
 * body), once and without retries: dd-run doctor's test. Resolves with the outcome, never rejects.
 */
export async function uploadOnceToAgent(config: Config, bundle: Bundle, timeoutMs: number): Promise<Outcome> {
  const u = agentUpload(config)
  const mp = encodeMultipart(await forUpload(bundle, u.compression ?? { codec: 'gzip' }).catch(() => bundle))
  return send(u.target, { ...u.headers, 'Content-Type': mp.contentType }, mp.body, timeoutMs).done
}

/**
 * All attempts of one bundle fit in 90% of the upload period, so with the agent down the next period's export
 * starts on time instead of being merged into the one after.
 */
function budgetOf(config: Pick<Config, 'uploadPeriod'>): number {
  return Math.max(500, config.uploadPeriod * 900)
}

export function createAgentlessExporter(config: Config, log: Logger): Exporter {
  if (!config.apiKey) throw new Error('agentless export needs DD_API_KEY, which is not set')
  const url = new URL(intakeUrl(config))
  const target = targetOf(`${url.protocol}//${url.host}`, `${url.pathname}${url.search}`)
  return new HttpExporter({
    name: 'agentless',
    target,
    headers: { ...commonHeaders(config), 'DD-API-KEY': config.apiKey },
    uploadTimeoutMs: config.uploadTimeout,
    compression: chooseCodec(config.uploadCompression),
    budgetMs: budgetOf(config),
    log,
  })
}

export class HttpExporter implements Exporter {
  readonly name: string
  private readonly queue: Item[] = []
  private queuedBytes = 0
  private current: Attempt | undefined
  private pumping = false
  private wait: { timer: NodeJS.Timeout; wake: () => void } | undefined
  private readonly counts = { sent: 0, failed: 0, dropped: 0, retries: 0 }
  /** Why the last attempt failed, for the run summary of bundles a flush handed back. */
  private lastFailure: string | undefined
  private readonly warned = new Set<string>()
  private readonly idle = new Set<() => void>()

  /** Where the bundles go, for the run summary. */
  readonly target: string
  /** What messages call the other end. */
  private readonly peer: string

  constructor(private readonly opts: HttpExporterOptions) {
    this.name = opts.name
    this.target = opts.target.shown
    this.peer = opts.name === 'agent' ? 'agent' : 'intake'
  }

  stats(): ExporterStats {
    return { ...this.counts, queued: this.queue.length }
  }

  lastError(): string | undefined {
    return this.lastFailure
  }

  /** Queues the bundle; resolves once it is sent or given up. Never rejects. */
  export(bundle: Bundle): Promise<void> {
    return new Promise((resolve) => {
      const bytes = memoryBytes(bundle)
      const max = this.opts.maxBytes ?? MAX_QUEUED_BYTES
      if (bytes > max) {
        this.counts.dropped++
        this.warnOnce('too-big', `a profile of ${mb(bytes)} is larger than the upload queue (${mb(max)}): dropped`)
        resolve()
        return
      }
      // Make room by dropping the oldest waiting bundles (never the one in flight): the newest data matters most.
      while (this.queue.length > 0 && (this.queue.length >= (this.opts.maxBundles ?? MAX_QUEUED_BUNDLES) || this.queuedBytes + bytes > max)) {
        const oldest = this.pumping ? this.queue.splice(1, 1)[0] : this.queue.shift()
        if (!oldest) break
        this.queuedBytes -= oldest.bytes
        this.counts.dropped++
        this.warnOnce('dropped', `the ${this.peer} at ${this.opts.target.shown} is not keeping up: dropping the oldest waiting profiles; the run summary counts them`)
        this.opts.log.debug(`${this.name}: dropped a waiting profile (${this.counts.dropped} so far)`)
        oldest.done()
      }
      if (this.queue.length >= (this.opts.maxBundles ?? MAX_QUEUED_BUNDLES) || this.queuedBytes + bytes > max) {
        // Only the bundle in flight is left and there is still no room: this one goes.
        this.counts.dropped++
        this.opts.log.debug(`${this.name}: dropped a profile, no room beside the one in flight (${this.counts.dropped} so far)`)
        resolve()
        return
      }
      this.queue.push({ bundle, bytes, deadline: 0, done: resolve })
      this.queuedBytes += bytes
      void this.pump()
    })
  }

  async flush(timeoutMs: number): Promise<Bundle[]> {
    if (this.queue.length > 0) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer)
          this.idle.delete(done)
          resolve()
        }
        // Ref'd on purpose: the process stays up for the final flush, for at most timeoutMs.
        const timer = setTimeout(done, timeoutMs)
        this.idle.add(done)
        // Nothing waits out a backoff at exit: try again at once.
        this.wait?.wake()
      })
    }
    const left = this.queue.splice(0)
    this.queuedBytes = 0
    this.current?.abort()
    for (const item of left) item.done()
    if (left.length > 0) this.opts.log.debug(`${this.name}: ${left.length} profile(s) not delivered within ${timeoutMs} ms, handed back`)
    return left.map((i) => i.bundle)
  }

  private async pump(): Promise<void> {
    if (this.pumping) return
    this.pumping = true
    try {
      for (let item = this.queue[0]; item; item = this.queue[0]) {
        await this.deliver(item)
        // flush() may have taken the queue meanwhile.
        if (this.queue[0] === item) {
          this.queue.shift()
          this.queuedBytes -= item.bytes
          item.done()
        }
      }
    } finally {
      this.pumping = false
      for (const f of [...this.idle]) f()
    }
  }

  private async deliver(item: Item): Promise<void> {
    const { log, target, backoff = DEFAULT_BACKOFF } = this.opts
    // Compressed for the upload only (zstd where Node has it): item.bundle stays gzip for a flush to hand back.
    const upload = await forUpload(item.bundle, this.opts.compression ?? { codec: 'gzip' }).catch(() => item.bundle)
    if (this.queue[0] !== item) return // handed back by flush() meanwhile
    const mp = encodeMultipart(upload)
    const headers = { ...this.opts.headers, 'Content-Type': mp.contentType }
    // The budget starts with the first attempt; the queue bound keeps the wait before it short.
    item.deadline = Date.now() + this.opts.budgetMs
    for (let attempt = 0; ; attempt++) {
      const remaining = item.deadline - Date.now()
      if (attempt > 0) this.counts.retries++
      this.current = send(target, headers, mp.body, Math.max(1, Math.min(this.opts.uploadTimeoutMs, remaining)))
      const outcome = await this.current.done
      this.current = undefined
      if (this.queue[0] !== item) return // handed back by flush()
      if (outcome.kind === 'sent') {
        this.counts.sent++
        if (this.warned.delete('unreachable')) log.info(`the ${this.peer} at ${target.shown} accepts profiles again`)
        log.debug(`${this.name}: sent ${item.bundle.attachments.map((a) => a.name).join(', ')} (${mb(mp.body.length)})`)
        return
      }
      this.lastFailure = outcome.reason
      if (outcome.kind === 'reject' && outcome.status === undefined) {
        this.counts.failed++
        this.warnOnce('certificate', `cannot upload to the ${this.peer} at ${target.shown} (${outcome.reason}): its certificate is not trusted, profiles are not sent (NODE_EXTRA_CA_CERTS adds a CA)`)
        return
      }
      if (outcome.kind === 'reject') {
        this.counts.failed++
        const size = outcome.status === 413 ? ` (payload ${mb(mp.body.length)} too large)` : ''
        this.warnOnce(`status-${outcome.status}`, `the ${this.peer} at ${target.shown} refused a profile with HTTP ${outcome.status}${size}: not retried`)
        return
      }
      const delay = nextDelay(attempt + 1, item.deadline - Date.now(), backoff, outcome.retryAfterMs)
      if (delay === undefined) {
        this.counts.failed++
        this.warnOnce('unreachable', `cannot upload to the ${this.peer} at ${target.shown} (${outcome.reason}); profiles are dropped until it answers, see the run summary`)
        log.debug(`${this.name}: gave up on a profile after ${attempt + 1} attempt(s): ${outcome.reason}`)
        return
      }
      log.debug(`${this.name}: ${outcome.reason}; retrying in ${delay} ms`)
      await this.sleep(delay)
      if (this.queue[0] !== item) return
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer)
        this.wait = undefined
        resolve()
      }
      const timer = setTimeout(wake, ms)
      timer.unref()
      this.wait = { timer, wake }
    })
  }

  private warnOnce(key: string, msg: string): void {
    // Repeats are left to the debug lines and the run summary's counts.
    if (this.warned.has(key)) return
    this.warned.add(key)
    this.opts.log.warn(msg)
  }
}

function mb(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} KB`
}
