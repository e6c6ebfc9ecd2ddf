// The benchmark harness's arithmetic: rotation of the variant order, paired ratios, percentiles, the event-loop
// delay windows and the reading of wrk's output. The benchmarks themselves never run under `npm test`.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { corrected, delayFigures, WINDOW_AFTER_MS } from '../../bench/lib/delay'
import { pairedDiffs, pairedRatios, percentile, rotate, summarize } from '../../bench/lib/stats'
import { parseWrk } from '../../bench/lib/wrk'

test('rotate puts every variant in every position once over as many rounds as variants', () => {
  const variants = ['a', 'b', 'c', 'd']
  const orders = variants.map((_, r) => rotate(variants, r))
  assert.deepEqual(orders[1], ['b', 'c', 'd', 'a'])
  for (let pos = 0; pos < variants.length; pos++) {
    assert.deepEqual(new Set(orders.map((o) => o[pos])), new Set(variants))
  }
  for (const o of orders) assert.deepEqual([...o].sort(), variants)
})

test('paired ratios and differences use the same round of the baseline and skip failed rounds', () => {
  const base = [100, 200, 400, 50]
  const values = [110, NaN, 440, 60]
  assert.deepEqual(pairedRatios(values, base), [1.1, 1.1, 1.2])
  assert.deepEqual(pairedDiffs(values, base), [10, 40, 10])
  const s = summarize(pairedRatios(values, base))!
  assert.equal(s.median, 1.1)
  assert.equal(s.min, 1.1)
  assert.equal(s.max, 1.2)
  assert.equal(s.n, 3)
  assert.equal(summarize([NaN]), undefined)
  assert.equal(summarize([4, 1, 3, 2])!.median, 2.5)
})

test('percentile is nearest-rank', () => {
  const v = Array.from({ length: 100 }, (_, i) => 100 - i)
  assert.equal(percentile(v, 99), 99)
  assert.equal(percentile(v, 100), 100)
  assert.equal(percentile(v, 50), 50)
  assert.ok(Number.isNaN(percentile([], 99)))
})

test('a late tick stands for the ticks it swallowed', () => {
  assert.deepEqual(corrected([0.2, 3.5]), [0.2, 3.5, 2.5, 1.5, 0.5])
})

test('event-loop delay is split between export windows and the rest', () => {
  const start = 1_000_000
  const times: number[] = []
  const lags: number[] = []
  for (let t = 0; t < 20_000; t++) {
    times.push(start + t)
    lags.push(0.1)
  }
  const exportAt = start + 10_000
  lags[10_050] = 30 // a 30 ms stall 50 ms after the export's end time
  lags[3_000] = 8 // a stall with no export near it
  const f = delayFigures({ start, end: start + 20_000, times, lags, maxRssKb: 0 }, [exportAt])
  assert.equal(f.exportMaxMs, 30)
  assert.ok(f.exportP99Ms > 1, `p99 in the window counts the swallowed ticks, got ${f.exportP99Ms}`)
  assert.ok(f.samples >= WINDOW_AFTER_MS && f.samples < 2_000)
  assert.ok(f.steadyP99Ms < 1, 'one stall among 18000 quiet ticks is not the p99')
  const elsewhere = delayFigures({ start, end: start + 20_000, times, lags, maxRssKb: 0 }, [start + 15_000])
  assert.ok(elsewhere.exportMaxMs < 1, 'no stall near a window placed elsewhere')
})

test("wrk's summary is read with its units", () => {
  // Captured from wrk 4.1.0 (Debian) against bench/apps/http-server.js.
  const out = `Running 1s test @ http://127.0.0.1:40257/
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   540.10us  791.60us  14.08ms   93.97%
    Req/Sec     9.89k     3.72k   13.44k    72.73%
  Latency Distribution
     50%  387.00us
     75%  504.00us
     90%    0.92ms
     99%    3.87ms
  10790 requests in 1.10s, 4.03MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
Requests/sec:   9810.13
Transfer/sec:      3.67MB
`
  const w = parseWrk(out)
  assert.equal(w.requests, 10790)
  assert.equal(w.seconds, 1.1)
  assert.equal(w.rps, 9810.13)
  assert.equal(w.p50Ms, 0.387)
  assert.equal(w.p99Ms, 3.87)
  assert.equal(w.errors, 3)
  assert.throws(() => parseWrk('unable to connect to 127.0.0.1:1 Connection refused'), /could not read wrk's output/)
})
