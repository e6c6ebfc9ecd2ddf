// One process of the labels benchmark: `node labels.js <mode> <requests>` with mode bare (no profiling), plain
// (profiled, no labels) or labelled (profiled, every request in withLabels). A "request" is a little synchronous
// work, an await and a setImmediate hop, like a handler. Prints {"nsPerRequest", "cpuNsPerRequest"} on stdout.
const path = require('node:path')
const { Profiler, withLabels } = require(path.join(__dirname, '..', '..', 'dist', 'src', 'index.js'))

const [mode = 'plain', nArg = '200000'] = process.argv.slice(2)
const n = Number(nArg)
if (mode !== 'bare') new Profiler({ service: 'bench-labels', uploadPeriod: 3600, profilers: ['wall'], exporters: ['file'] }).start()

function work(i) {
  let x = 0
  for (let k = 0; k < 200; k++) x += (i * k) % 7
  return x
}
async function handle(i) {
  work(i)
  await Promise.resolve()
  await new Promise((r) => setImmediate(r))
  return work(i + 1)
}
const ROUTES = ['/users/:id', '/orders', '/health', '/items/:id']

async function main() {
  // Warm-up, then the measured run.
  const run = async (count) => {
    for (let i = 0; i < count; i++) {
      if (mode === 'labelled') await withLabels({ route: ROUTES[i % 4] }, () => handle(i))
      else await handle(i)
    }
  }
  await run(Math.min(20000, n / 5))
  const c0 = process.cpuUsage()
  const t0 = process.hrtime.bigint()
  await run(n)
  const ns = Number(process.hrtime.bigint() - t0)
  const c = process.cpuUsage(c0)
  process.stdout.write(JSON.stringify({ nsPerRequest: ns / n, cpuNsPerRequest: ((c.user + c.system) * 1000) / n }) + '\n')
}
main()
