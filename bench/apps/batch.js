'use strict'
// Fixed-work CPU batch: the same units of work as the HTTP server, back to back, plus a little allocation churn.
// It measures its own work time (in-process time), so the harness can separate it from start-up and exit.
const { unitOfWork } = require('./work')
const fs = require('node:fs')
const units = Number(process.argv[3] || 20000)

const t0 = process.hrtime.bigint()
let keep = []
let sink = 0
for (let i = 0; i < units; i++) {
  const out = unitOfWork(i)
  sink += out.length
  keep.push(out)
  if (keep.length > 500) keep = [] // some garbage that lives a while, as real batches have
}
const workMs = Number(process.hrtime.bigint() - t0) / 1e6
const cpu = process.cpuUsage()
fs.writeFileSync(process.argv[2], JSON.stringify({ workMs, cpuUs: cpu.user + cpu.system, maxRssKb: process.resourceUsage().maxRSS, sink }))
