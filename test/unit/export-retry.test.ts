// The retry rules: which answers are retried, Retry-After, and capped exponential backoff with jitter inside the
// budget.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { classifyStatus, isCertificateError, MIN_ATTEMPT_MS, nextDelay, parseRetryAfter } from '../../src/export/retry'

describe('classifyStatus', () => {
  it('2xx is sent', () => {
    for (const s of [200, 202]) assert.equal(classifyStatus(s).kind, 'sent')
  })
  it('5xx and 429 are retried', () => {
    for (const s of [500, 502, 503, 504, 429]) assert.equal(classifyStatus(s).kind, 'retry')
  })
  it('other 4xx are rejected, naming the status', () => {
    for (const s of [400, 401, 403, 404, 413]) assert.deepEqual(classifyStatus(s), { kind: 'reject', status: s, reason: `HTTP ${s}` })
  })
  it('carries Retry-After', () => {
    assert.deepEqual(classifyStatus(429, '2'), { kind: 'retry', reason: 'HTTP 429', retryAfterMs: 2000 })
  })
})

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    const now = Date.parse('2026-11-24T21:00:00Z')
    assert.equal(parseRetryAfter('7', now), 7000)
    assert.equal(parseRetryAfter('Tue, 24 Nov 2026 21:00:03 GMT', now), 3000)
    assert.equal(parseRetryAfter('Tue, 24 Nov 2026 20:00:00 GMT', now), 0)
    assert.equal(parseRetryAfter('soon', now), undefined)
    assert.equal(parseRetryAfter(undefined, now), undefined)
  })
})

describe('nextDelay', () => {
  const backoff = { baseMs: 1000, capMs: 8000 }
  it('doubles from the base, with jitter between half and all of it', () => {
    assert.equal(nextDelay(1, 60_000, backoff, undefined, () => 0), 500)
    assert.equal(nextDelay(1, 60_000, backoff, undefined, () => 1), 1000)
    assert.equal(nextDelay(2, 60_000, backoff, undefined, () => 1), 2000)
    assert.equal(nextDelay(3, 60_000, backoff, undefined, () => 0.5), 3000)
  })
  it('is capped', () => {
    assert.equal(nextDelay(30, 60_000, backoff, undefined, () => 1), 8000)
  })
  it('gives up when the wait would leave the next attempt less than MIN_ATTEMPT_MS of the budget', () => {
    assert.equal(nextDelay(1, 900, backoff, undefined, () => 1), undefined)
    assert.equal(nextDelay(1, 900, backoff, undefined, () => 0), 500)
    // 999 ms of a 1000 ms budget would leave the attempt 1 ms: its "no answer" would hide the real error.
    assert.equal(nextDelay(1, 1000, backoff, undefined, () => 0.998), undefined)
    assert.equal(nextDelay(1, 500 + MIN_ATTEMPT_MS, backoff, undefined, () => 0), 500)
    assert.equal(nextDelay(1, 499 + MIN_ATTEMPT_MS, backoff, undefined, () => 0), undefined)
  })
  it('honours a longer Retry-After within the budget, and gives up beyond it', () => {
    assert.equal(nextDelay(1, 60_000, backoff, 5000, () => 0), 5000)
    assert.equal(nextDelay(1, 4000, backoff, 5000, () => 0), undefined)
    assert.equal(nextDelay(1, 60_000, backoff, 10, () => 0), 500)
  })
})

describe('isCertificateError', () => {
  it('knows the certificate failures, which are not retried', () => {
    for (const c of ['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID']) {
      assert.equal(isCertificateError(c), true, c)
    }
  })
  it('leaves connection errors and timeouts to the retries', () => {
    for (const c of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOENT', 'ERR_SSL_WRONG_VERSION_NUMBER', undefined]) {
      assert.equal(isCertificateError(c), false, String(c))
    }
  })
})
