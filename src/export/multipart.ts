// The body of one upload: multipart/form-data with the `event` part first, then one part per profile, as the
// Datadog intake reads it (see docs/exporters.md). Pure; builds the bytes once per attempt, no streaming needed at
// the sizes a profile has.
import { randomUuid } from '../random-id'
import type { Bundle } from './types'

export interface Multipart {
  contentType: string
  body: Buffer
}

const CRLF = '\r\n'

export function encodeMultipart(bundle: Bundle, boundary = newBoundary()): Multipart {
  const chunks: Buffer[] = []
  const part = (name: string, filename: string, type: string, data: Buffer) => {
    chunks.push(
      Buffer.from(
        `--${boundary}${CRLF}` +
          `Content-Disposition: form-data; name="${quote(name)}"; filename="${quote(filename)}"${CRLF}` +
          `Content-Type: ${type}${CRLF}${CRLF}`,
        'latin1',
      ),
      data,
      Buffer.from(CRLF, 'latin1'),
    )
  }
  part('event', 'event.json', 'application/json', Buffer.from(JSON.stringify(bundle.event), 'utf8'))
  for (const a of bundle.attachments) part(a.name, a.name, 'application/octet-stream', a.data)
  chunks.push(Buffer.from(`--${boundary}--${CRLF}`, 'latin1'))
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: Buffer.concat(chunks) }
}

/** 32 random hex characters: no part body (gzip or JSON) realistically contains it. */
export function newBoundary(): string {
  return `ddrun${randomUuid().replace(/-/g, '')}`
}

/** Bytes the bundle holds in memory: what the queue bound counts. */
export function memoryBytes(bundle: Bundle): number {
  let n = 1024 // the event, roughly
  for (const a of bundle.attachments) n += a.data.length
  return n
}

function quote(s: string): string {
  // Part names are `<type>.pprof`; escape anyway so a strange name cannot break the header.
  return s.replace(/["\\\r\n]/g, '_')
}
