// When to try an upload again and how long to wait: capped exponential backoff with jitter, inside a budget. Pure
// (the random source is a parameter), so the rules are unit-tested without a network.

export type Outcome =
  | { kind: 'sent' }
  /** Worth another attempt: connection error, timeout, 5xx, 429. retryAfterMs from a Retry-After header. */
  | { kind: 'retry'; reason: string; retryAfterMs?: number }
  /** Another attempt cannot help: 4xx but 429 (status set), or a TLS certificate the client does not trust. */
  | { kind: 'reject'; status?: number; reason: string }

export function classifyStatus(status: number, retryAfter?: string, now = Date.now()): Outcome {
  if (status >= 200 && status < 300) return { kind: 'sent' }
  if (status === 429 || status >= 500) {
    const ms = parseRetryAfter(retryAfter, now)
    return { kind: 'retry', reason: `HTTP ${status}`, ...(ms === undefined ? {} : { retryAfterMs: ms }) }
  }
  return { kind: 'reject', status, reason: `HTTP ${status}` }
}

/** Retry-After is either delay-seconds or an HTTP date (RFC 9110 10.2.3). */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined
  const s = value.trim()
  if (/^\d+$/.test(s)) return Number(s) * 1000
  const t = Date.parse(s)
  return Number.isNaN(t) ? undefined : Math.max(0, t - now)
}

export interface Backoff {
  /** First delay, before jitter. */
  baseMs: number
  /** No single delay is longer. */
  capMs: number
}

export const DEFAULT_BACKOFF: Backoff = { baseMs: 1000, capMs: 15_000 }

/**
 * A retry must leave at least this long for its own attempt inside the budget: an attempt given a few
 * milliseconds cannot connect, and its "no answer" would hide the real reason of the failures before it.
 */
export const MIN_ATTEMPT_MS = 250

/**
 * The wait before attempt number `attempt` (1 = the first retry): base * 2^(attempt-1), capped, then "equal jitter"
 * (half fixed, half random) so many processes that lost the same agent do not come back in step. A Retry-After
 * wins when it is longer. Returns undefined when the wait would leave less than MIN_ATTEMPT_MS of the budget for
 * the attempt after it: give up.
 */
export function nextDelay(
  attempt: number,
  remainingMs: number,
  backoff: Backoff = DEFAULT_BACKOFF,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number | undefined {
  const exp = Math.min(backoff.capMs, backoff.baseMs * 2 ** Math.max(0, attempt - 1))
  let delay = exp / 2 + (random() * exp) / 2
  if (retryAfterMs !== undefined) delay = Math.max(delay, retryAfterMs)
  return delay + MIN_ATTEMPT_MS <= remainingMs ? Math.round(delay) : undefined
}

/**
 * TLS errors about the peer's certificate (OpenSSL verify codes, the host-name check): the same certificate
 * fails the same way a second later, so the bundle is not retried. Handshake resets and timeouts are retried.
 */
export function isCertificateError(code: string | undefined): boolean {
  if (!code) return false
  return /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY|DECRYPT)|ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH/.test(code)
}
