// The profiles of one upload, compressed as DD_PROFILING_DEBUG_UPLOAD_COMPRESSION says. A bundle's attachments are
// gzip (what the file exporter writes and what a spooled bundle keeps); for zstd, other gzip levels or none, each
// is gunzipped and compressed again on libuv's thread pool, once per bundle, not per attempt. zstd is Node's own
// (zlib.zstdCompress, Node 22.15 and 23.8 on): nothing more is loaded, and where it is missing gzip is used.
import * as zlib from 'node:zlib'
import { promisify } from 'node:util'
import type { UploadCompression } from '../config/value-types'
import type { Attachment, Bundle } from './types'

export type Codec = 'gzip' | 'zstd' | 'none'

const gunzip = promisify(zlib.gunzip)
const gzip = promisify(zlib.gzip)

/** What `setting` means in this process: the codec and level used. */
export function chooseCodec(setting: UploadCompression, hasZstd = typeof (zlib as { zstdCompress?: unknown }).zstdCompress === 'function'): { codec: Codec; level?: number } {
  if (setting.method === 'off') return { codec: 'none' }
  if (setting.method === 'gzip') return setting.level === undefined ? { codec: 'gzip' } : { codec: 'gzip', level: setting.level }
  if (!hasZstd) return { codec: 'gzip' } // a zstd level means nothing to gzip
  return setting.level === undefined ? { codec: 'zstd' } : { codec: 'zstd', level: setting.level }
}

/** The bundle with its attachments in the chosen codec (the same bundle when that is gzip at its own level). */
export async function forUpload(bundle: Bundle, choice: { codec: Codec; level?: number }): Promise<Bundle> {
  if (choice.codec === 'gzip' && choice.level === undefined) return bundle
  const attachments: Attachment[] = []
  for (const a of bundle.attachments) attachments.push({ ...a, data: await recompress(a.data, choice) })
  return { ...bundle, attachments }
}

async function recompress(gz: Buffer, choice: { codec: Codec; level?: number }): Promise<Buffer> {
  const raw = await gunzip(gz)
  if (choice.codec === 'none') return raw
  if (choice.codec === 'gzip') return gzip(raw, { level: choice.level })
  const z = zlib as unknown as {
    zstdCompress(b: Buffer, o: object, cb: (e: Error | null, r: Buffer) => void): void
    constants: Record<string, number>
  }
  const params = choice.level === undefined ? {} : { [z.constants.ZSTD_c_compressionLevel as number]: choice.level }
  return new Promise((resolve, reject) => z.zstdCompress(raw, { params }, (e, r) => (e ? reject(e) : resolve(r))))
}
