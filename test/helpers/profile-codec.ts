// The codecs a profile may arrive in (DD_PROFILING_DEBUG_UPLOAD_COMPRESSION): gzip, zstd or none, told apart by
// their magic bytes. The tests run on Node 20, whose zlib has no zstd: a zstd profile is then decompressed by one
// of the matrix's newer Node binaries (scripts/install-node-versions.sh), in a child process.
import { execFileSync } from 'node:child_process'
import * as zlib from 'node:zlib'
import { nodeBinary } from './node-versions'

export type ProfileCodec = 'gzip' | 'zstd' | 'none'

export function codecOf(data: Buffer): ProfileCodec {
  if (data[0] === 0x1f && data[1] === 0x8b) return 'gzip'
  if (data.readUInt32LE(0) === 0xfd2fb528) return 'zstd'
  return 'none'
}

export function decompressProfile(data: Buffer): Buffer {
  const codec = codecOf(data)
  if (codec === 'gzip') return zlib.gunzipSync(data)
  if (codec === 'none') return data
  const own = (zlib as { zstdDecompressSync?: (b: Buffer) => Buffer }).zstdDecompressSync
  if (own) return own(data)
  const node = nodeBinary(24) ?? nodeBinary(26) ?? nodeBinary(22)
  if (!node) throw new Error('a zstd profile, and no Node with zstd to read it (scripts/install-node-versions.sh)')
  const script = "process.stdout.write(require('zlib').zstdDecompressSync(require('fs').readFileSync(0)))"
  return execFileSync(node, ['-e', script], { input: data, env: {}, maxBuffer: 256 * 1024 * 1024 })
}
