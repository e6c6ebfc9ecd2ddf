// Real bundles built in this process with @datadog/pprof (a wall profile of a little work and a heap profile), for
// exporter tests that do not need a profiled child process.
import type { Bundle } from '../../src/export/types'

/** The event.json fields dd-trace-js sends beside the intake's required ones (see test/helpers/datadog-rules.ts). */
const DATADOG_FIELDS = {
  endpoint_counts: {},
  process_tags: 'entrypoint.type:script',
  info: { profiler: { activation: 'manual', ssi: { mechanism: 'none' }, serverless: false } },
}

export async function realBundle(opts: { service?: string; seq?: number } = {}): Promise<Bundle> {
  const pprof = require('@datadog/pprof') as typeof import('@datadog/pprof')
  const start = new Date()
  pprof.time.start({ intervalMicros: 1000 })
  pprof.heap.start(16 * 1024, 64)
  const keep: number[][] = []
  const t0 = Date.now()
  while (Date.now() - t0 < 60) keep.push(Array.from({ length: 100 }, (_, i) => Math.sqrt(i * t0)))
  // Thread labels as dd-run puts them, so the strict fake agent's Datadog rules hold for these bundles too.
  const wall = await pprof.encode(pprof.time.stop(false, () => ({ 'thread name': 'Main Event Loop', 'thread id': '0' })))
  const space = await pprof.encode(pprof.heap.profile())
  pprof.heap.stop()
  const attachments = [
    { name: 'wall.pprof', data: wall },
    { name: 'space.pprof', data: space },
  ]
  const service = opts.service ?? 'exporter-test'
  return {
    event: {
      attachments: attachments.map((a) => a.name),
      start: start.toISOString(),
      end: new Date().toISOString(),
      family: 'node',
      version: '4',
      tags_profiler: `language:javascript,runtime:nodejs,service:${service},snapshot:periodic,profile_seq:${opts.seq ?? 0}`,
      ...DATADOG_FIELDS,
    },
    attachments,
  }
}

/** A bundle of about `bytes` bytes (random, incompressible), for queue-bound tests where nothing is decoded. */
export function bigBundle(bytes: number, seq = 0): Bundle {
  const { randomBytes } = require('node:crypto') as typeof import('node:crypto')
  const now = new Date().toISOString()
  return {
    event: { attachments: ['big.pprof'], start: now, end: now, family: 'node', version: '4', tags_profiler: `service:big,profile_seq:${seq}`, ...DATADOG_FIELDS },
    attachments: [{ name: 'big.pprof', data: randomBytes(bytes) }],
  }
}
