'use strict'
// A tree of 8 Node processes: the root forks 7 children (one level, so the count is easy to check) and every process
// does the same fixed amount of work. The root writes what every process reported about itself.
const { fork } = require('node:child_process')
const fs = require('node:fs')
const { unitOfWork } = require('./work')

function work(units) {
  let sink = 0
  for (let i = 0; i < units; i++) sink += unitOfWork(i).length
  return sink
}
function report() {
  const cpu = process.cpuUsage()
  return { pid: process.pid, cpuUs: cpu.user + cpu.system, maxRssKb: process.resourceUsage().maxRSS }
}

const units = Number(process.argv[3] || 3000)
if (process.argv[2] === '--child') {
  work(units)
  process.send(report(), () => process.disconnect())
} else {
  const t0 = process.hrtime.bigint()
  const children = []
  for (let i = 0; i < 7; i++) {
    children.push(
      new Promise((resolve, reject) => {
        let got
        const c = fork(__filename, ['--child', String(units)])
        c.on('message', (m) => (got = m))
        c.on('error', reject)
        c.on('exit', (code) => (code === 0 && got ? resolve(got) : reject(new Error('child exited with ' + code))))
      }),
    )
  }
  work(units)
  Promise.all(children).then((kids) => {
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6
    fs.writeFileSync(process.argv[2], JSON.stringify({ wallMs, processes: [report(), ...kids] }))
  })
}
