'use strict'
// Event-loop delay around exports: a 1 ms timer records how late each tick fires (ms since the epoch, lateness in
// ms) while a light background load runs. The harness lines the lateness up with the profiler's export moments.
const fs = require('node:fs')
const { unitOfWork } = require('./work')

const out = process.argv[2]
const durationMs = Number(process.argv[3] || 30000)
const t0 = Date.now()
const times = []
const lags = []
let expected = performance.now() + 1
const tick = setInterval(() => {
  const now = performance.now()
  lags.push(Math.max(0, now - expected))
  times.push(performance.timeOrigin + now)
  expected = now + 1
}, 1)
// Background load: a few units of work every 10 ms, so the profiles have something in them.
const load = setInterval(() => {
  for (let i = 0; i < 5; i++) unitOfWork(i)
}, 10)
setTimeout(() => {
  clearInterval(tick)
  clearInterval(load)
  fs.writeFileSync(out, JSON.stringify({ start: t0, end: Date.now(), times, lags, maxRssKb: process.resourceUsage().maxRSS }))
}, durationMs)
