// Profiles with known stacks, written as the file exporter writes them, for tests that need exact contents (the
// profiler's own frames, labels) rather than what a real run happens to sample.
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as zlib from 'node:zlib'
import { Profile, StringTable } from 'pprof-format'

/**
 * A sample: frames root first, each `name` (file /app/<name>.js) or `name@file`; CPU (and wall) nanoseconds; `at`,
 * its own end time (epoch ms), written as the wall profiler's `end_timestamp_ns` label.
 */
export type Sample = { frames: string[]; cpu: number; labels?: Record<string, string>; at?: number }

/** A file that dd-run takes for @datadog/pprof's: its frames are the profiler's. */
export const PPROF_FILE = '/opt/x/node_modules/@datadog/pprof/out/src/time-profiler.js'

export function wallProto(samples: Sample[]): Profile {
  const st = new StringTable()
  const ids = new Map<string, number>()
  const functions: { id: number; name: number; filename: number }[] = []
  const locations: { id: number; line: { functionId: number; line: number }[] }[] = []
  const idOf = (frame: string): number => {
    let id = ids.get(frame)
    if (id === undefined) {
      id = ids.size + 1
      ids.set(frame, id)
      const at = frame.indexOf('@')
      const name = at < 0 ? frame : frame.slice(0, at)
      functions.push({ id, name: st.dedup(name), filename: st.dedup(at < 0 ? `/app/${name}.js` : frame.slice(at + 1)) })
      locations.push({ id, line: [{ functionId: id, line: 10 }] })
    }
    return id
  }
  return new Profile({
    sampleType: [
      { type: st.dedup('sample'), unit: st.dedup('count') },
      { type: st.dedup('wall'), unit: st.dedup('nanoseconds') },
      { type: st.dedup('cpu'), unit: st.dedup('nanoseconds') },
    ],
    sample: samples.map((s) => ({
      locationId: s.frames.map(idOf).reverse(),
      value: [1, s.cpu, s.cpu],
      label: [
        ...Object.entries(s.labels ?? {}).map(([k, v]) => ({ key: st.dedup(k), str: st.dedup(v) })),
        ...(s.at === undefined ? [] : [{ key: st.dedup('end_timestamp_ns'), num: BigInt(Math.round(s.at)) * 1_000_000n }]),
      ],
    })),
    location: locations,
    function: functions,
    stringTable: st,
  })
}

/** One bundle (event.json + wall.pprof) of process `pid` in the file exporter's layout under `root`. */
export function writeBundle(root: string, p: { pid: string; seq: number; start: string; end: string; role?: string; runId?: string }, samples: Sample[]): void {
  const role = p.role ?? 'main'
  const runtimeId = `rt-${p.pid}`
  const dir = path.join(root, 'svc', `${p.pid}-${role}-${runtimeId}`, `${String(p.seq).padStart(4, '0')}-${p.end.replace(/[-:.]/g, '')}`)
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(path.join(dir, 'wall.pprof'), zlib.gzipSync(wallProto(samples).encode()))
  const event = {
    attachments: ['wall.pprof'],
    start: p.start,
    end: p.end,
    family: 'node',
    version: '4',
    tags_profiler: `service:svc,process_id:${p.pid},runtime-id:${runtimeId},run_id:${p.runId ?? 'run-1'},process_role:${role},profile_seq:${p.seq}`,
    info: {},
  }
  fs.writeFileSync(path.join(dir, 'event.json'), JSON.stringify(event))
}
