// Run by bench/allocation.ts on Node 26: how long heap.profile() takes with and without allocation samples
// (DD_PROFILING_ALLOCATION_ENABLED), with LIVE_MB of small live objects on the heap. With allocations, @datadog/pprof
// asks V8 for kSamplingForceGC: every profile first runs a full garbage collection, whose pause grows with the
// live heap. Prints one JSON line: { allocations, liveMb, ms: [...] }.
'use strict'
const pprof = require(process.argv[2])
const allocations = process.argv[3] === 'true'
const liveMb = Number(process.argv[4])
const rounds = Number(process.argv[5])
pprof.heap.start(512 * 1024, 64, allocations)
const live = []
for (let i = 0; i < liveMb * 1024 * 16; i++) live.push({ i, s: 'x' }) // ~64 B each: about liveMb MB
const ms = []
for (let r = 0; r < rounds; r++) {
  for (let i = 0; i < 200000; i++) void { i } // some garbage between profiles, as a real period has
  const t = process.hrtime.bigint()
  pprof.heap.profile()
  ms.push(Number(process.hrtime.bigint() - t) / 1e6)
}
pprof.heap.stop()
process.stdout.write(JSON.stringify({ allocations, liveMb, heapMb: Math.round(process.memoryUsage().heapUsed / 2 ** 20), ms, kept: live.length }) + '\n')
