// DD_PROFILING_DEBUG_UPLOAD_COMPRESSION, as dd-trace-js reads it: on | off | gzip[-1..9] | zstd[-1..22]. Only the
// upload to the agent or the intake is affected: files on disk stay gzip, which `go tool pprof` reads.
import type { ValueType } from './value-types'

export interface UploadCompression {
  /** 'on' picks zstd where the profiled process's zlib has it (Node 22.15+), else gzip. */
  method: 'on' | 'off' | 'gzip' | 'zstd'
  level?: number
}

export function uploadCompression(): ValueType<UploadCompression> {
  const expected = 'on, off, gzip, gzip-1 to gzip-9, zstd or zstd-1 to zstd-22'
  return {
    expected,
    parse(raw) {
      const m = /^(on|off|gzip|zstd)(?:-(\d{1,2}))?$/.exec(raw.trim().toLowerCase())
      const method = m?.[1] as UploadCompression['method'] | undefined
      const level = m?.[2] === undefined ? undefined : Number(m[2])
      const max = method === 'gzip' ? 9 : method === 'zstd' ? 22 : 0
      if (!method || (level !== undefined && (level < 1 || level > max))) return { ok: false, expected }
      return { ok: true, value: level === undefined ? { method } : { method, level } }
    },
    format: (v) => (v.level === undefined ? v.method : `${v.method}-${v.level}`),
  }
}
