// The retry rules: which answers are retried, Retry-After, and capped exponential backoff with jitter inside the
// budget.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { classifyStatus, nextDelay, parseRetryAfter } from '../../src/export/retry'

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
  it('gives up when the wait would end past the budget', () => {
    assert.equal(nextDelay(1, 900, backoff, undefined, () => 1), undefined)
    assert.equal(nextDelay(1, 900, backoff, undefined, () => 0), 500)
  })
  it('honours a longer Retry-After within the budget, and gives up beyond it', () => {
    assert.equal(nextDelay(1, 60_000, backoff, 5000, () => 0), 5000)
    assert.equal(nextDelay(1, 4000, backoff, 5000, () => 0), undefined)
    assert.equal(nextDelay(1, 60_000, backoff, 10, () => 0), 500)
  })
})
