// The independent reader: Go's pprof (Debian's golang-go), which rejects malformed or inconsistent profiles.
import { execFileSync } from 'node:child_process'

export function goPprof(args: string[]): string {
  return execFileSync('go', ['tool', 'pprof', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PPROF_TMPDIR: '/tmp', GOFLAGS: '-mod=mod', HOME: process.env.HOME ?? '/tmp' },
    maxBuffer: 64 * 1024 * 1024,
  })
}

/** `go tool pprof -top` rows for one sample type, as {flat, name}; throws if pprof cannot read the file. */
export function pprofTop(file: string, sampleIndex?: string): { flat: string; name: string }[] {
  const out = goPprof(['-top', '-nodecount=200', ...(sampleIndex ? [`-sample_index=${sampleIndex}`] : []), file])
  const rows: { flat: string; name: string }[] = []
  for (const line of out.split('\n')) {
    const m = /^\s*(\S+)\s+\S+%\s+\S+%\s+\S+\s+\S+%\s+(.+)$/.exec(line)
    if (m && m[1] !== 'flat') rows.push({ flat: m[1] as string, name: (m[2] as string).trim() })
  }
  return rows
}

/** `go tool pprof -tags` output: the labels of the samples. */
export function pprofTags(file: string): string {
  return goPprof(['-tags', file])
}

/** `go tool pprof -raw` output: sample types, samples and locations. */
export function pprofRaw(file: string): string {
  return goPprof(['-raw', file])
}
