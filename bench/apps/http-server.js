'use strict'
// HTTP server benchmark app. GET / does one unit of realistic work; GET /__stats answers this process's pid, CPU
// time and peak RSS, so the harness measures the server itself (not a launcher in front of it). On SIGTERM it
// closes and lets the event loop drain, so every profiler gets its natural-exit flush.
const http = require('node:http')
const { unitOfWork } = require('./work')

let seed = 0
const server = http.createServer((req, res) => {
  if (req.url === '/__stats') {
    const cpu = process.cpuUsage()
    const body = JSON.stringify({ pid: process.pid, cpuUs: cpu.user + cpu.system, maxRssKb: process.resourceUsage().maxRSS })
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(body)
    return
  }
  const body = unitOfWork(seed++)
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
  res.end(body)
})
server.keepAliveTimeout = 1000
server.listen(0, '127.0.0.1', () => {
  // The harness reads the port from this file (stdout stays free for the app).
  require('node:fs').writeFileSync(process.argv[2], String(server.address().port))
})
process.once('SIGTERM', () => {
  server.close()
  server.closeAllConnections()
})
