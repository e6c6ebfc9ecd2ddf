// A fake Datadog Agent (or intake) for tests: 127.0.0.1 on port 0 and, on request, a unix socket in a temp dir or
// TLS. It parses multipart strictly, validates event.json as the intake expects (see docs/exporters.md), decompresses
// (gzip or zstd) and decodes every profile, and answers what the test scripts: 200, 500, 429, 413, 400, slow, or never.
import * as fs from 'node:fs'
import * as http from 'node:http'
import * as https from 'node:https'
import type { Socket } from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import { after } from 'node:test'
import { checkEvent, checkHeaders, checkProfile } from './datadog-rules'
import { decompressProfile } from './profile-codec'

export interface Part {
  name: string
  filename: string
  contentType: string
  data: Buffer
}

export interface Upload {
  path: string
  headers: http.IncomingHttpHeaders
  /** Which listener received it. */
  via: 'tcp' | 'unix'
  event: Record<string, unknown> & { attachments: string[]; tags_profiler: string; start: string; end: string }
  parts: Part[]
  /** Each attachment gunzip'ed: the raw profile.proto, by attachment name. */
  profiles: Record<string, Buffer>
  /** The status answered, or 'none' for a black hole. */
  answered: number | 'none'
  bodyBytes: number
  /** Date.now() when the body was complete. */
  at: number
}

/** What to do with one request. */
export type Reply =
  | {
      status: number
      headers?: Record<string, string>
      delayMs?: number
      /** Answer a few bytes a second, never finishing: the status line and headers ('head') or the body ('body'). */
      trickle?: 'head' | 'body'
      /** Answer the status, then a body that never ends, 1 KiB a millisecond for as long as the client reads. */
      endless?: boolean
    }
  | 'black-hole'

export interface FakeAgentOptions {
  /** Also listen on a unix socket (in a fresh temp dir). */
  unix?: boolean
  /** Serve TLS on the TCP listener. */
  tls?: { key: string | Buffer; cert: string | Buffer }
  /** The endpoint path; uploads elsewhere are invalid. Default the agent's. */
  endpoint?: string
  /** A fixed TCP port (default: any free one). */
  port?: number
  /** Skip the Datadog fidelity rules (for uploads made by hand in exporter tests, or by dd-trace-js). */
  lenientDatadogRules?: boolean
  /** Accept a chunked body without Content-Length, as dd-trace-js sends it (dd-run always sends the length). */
  acceptChunked?: boolean
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/

export class FakeAgent {
  /** Valid uploads, in arrival order (black-holed ones included). */
  readonly uploads: Upload[] = []
  /** Requests rejected by validation (answered 400), with the reason. */
  readonly invalid: string[] = []
  /** Every upload request seen, valid or not. */
  requestCount = 0
  /** GET /info requests (probes). */
  infoRequests = 0
  /** Every endless body (the `endless` reply): what it answered and how many bytes the client took before hanging up. */
  readonly endless: EndlessStream[] = []
  url = ''
  /** Connections open now (the test's view of sockets a client may leave behind). */
  get openConnections(): number {
    return this.sockets.size
  }
  socketUrl: string | undefined
  private replies: Reply[] = []
  private fallback: Reply = { status: 200 }
  private readonly servers: (http.Server | https.Server)[] = []
  private readonly sockets = new Set<Socket>()
  private dir: string | undefined
  private readonly endpoint: string

  private constructor(private readonly opts: FakeAgentOptions) {
    this.endpoint = opts.endpoint ?? '/profiling/v1/input'
  }

  static async start(opts: FakeAgentOptions = {}): Promise<FakeAgent> {
    const agent = new FakeAgent(opts)
    await agent.listen()
    return agent
  }

  /** The next requests get these replies, in order; after them the default. */
  script(...replies: Reply[]): this {
    this.replies.push(...replies)
    return this
  }

  /** The reply once the script is used up. */
  setDefault(reply: Reply): this {
    this.fallback = reply
    return this
  }

  async waitForUploads(n: number, timeoutMs = 20_000): Promise<Upload[]> {
    const t0 = Date.now()
    while (this.uploads.length < n) {
      if (Date.now() - t0 > timeoutMs) {
        throw new Error(`fake agent: ${this.uploads.length} upload(s) after ${timeoutMs} ms, expected ${n}; invalid: ${this.invalid.join(' | ')}`)
      }
      await new Promise((r) => setTimeout(r, 20))
    }
    return this.uploads.slice(0, n)
  }

  /** Writes one profile (the raw proto) to a file, for go tool pprof. */
  writeProfile(upload: Upload, name: string, dir: string): string {
    const data = upload.profiles[name]
    if (!data) throw new Error(`no ${name} in this upload (has ${Object.keys(upload.profiles).join(', ')})`)
    const file = path.join(dir, `${this.uploads.indexOf(upload)}-${name}`)
    fs.writeFileSync(file, data)
    return file
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy()
    await Promise.all(this.servers.map((s) => new Promise((r) => s.close(() => r(undefined)))))
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true })
  }

  private async listen(): Promise<void> {
    const tcp = this.opts.tls ? https.createServer(this.opts.tls, (q, s) => this.handle(q, s, 'tcp')) : http.createServer((q, s) => this.handle(q, s, 'tcp'))
    await this.listenOn(tcp, { host: '127.0.0.1', port: this.opts.port ?? 0 })
    const port = (tcp.address() as { port: number }).port
    this.url = `${this.opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`
    if (this.opts.unix) {
      this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-agent-'))
      const sock = path.join(this.dir, 'apm.socket')
      await this.listenOn(http.createServer((q, s) => this.handle(q, s, 'unix')), { path: sock })
      this.socketUrl = `unix://${sock}`
    }
  }

  private listenOn(server: http.Server | https.Server, where: { host: string; port: number } | { path: string }): Promise<void> {
    this.servers.push(server)
    server.on('connection', (s: Socket) => {
      this.sockets.add(s)
      s.on('close', () => this.sockets.delete(s))
    })
    server.on('secureConnection', (s: Socket) => {
      this.sockets.add(s)
      s.on('close', () => this.sockets.delete(s))
    })
    return new Promise((resolve, reject) => {
      server.once('error', reject)
      server.listen(where, () => resolve())
    })
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, via: 'tcp' | 'unix'): void {
    if (req.method === 'GET' && req.url === '/info') {
      // What dd-run's probe asks; a real agent describes itself here. A black hole answers nothing at all.
      this.infoRequests++
      if (this.fallback !== 'black-hole' && this.fallback.endless) return void this.endless.push(endlessBody(res, this.fallback.status, '/info'))
      if (this.fallback !== 'black-hole') res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ endpoints: [this.endpoint] }))
      return
    }
    this.requestCount++
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const reply = this.replies.shift() ?? this.fallback
      let upload: Upload
      try {
        upload = this.validate(req, body, via)
      } catch (err) {
        this.invalid.push((err as Error).message)
        // A black hole answers nothing, valid or not.
        if (reply !== 'black-hole') res.writeHead(400, { 'Content-Type': 'text/plain' }).end((err as Error).message)
        return
      }
      upload.answered = reply === 'black-hole' ? 'none' : reply.status
      this.uploads.push(upload)
      if (reply === 'black-hole') return
      if (reply.trickle) return trickle(res, reply.status, reply.trickle)
      if (reply.endless) return void this.endless.push(endlessBody(res, reply.status, req.url ?? ''))
      const answer = () => res.writeHead(reply.status, reply.headers ?? {}).end(reply.status < 300 ? '{}' : `status ${reply.status}`)
      if (reply.delayMs) setTimeout(answer, reply.delayMs)
      else answer()
    })
  }

  private validate(req: http.IncomingMessage, body: Buffer, via: 'tcp' | 'unix'): Upload {
    if (req.method !== 'POST') throw new Error(`method ${req.method}, expected POST`)
    if (req.url !== this.endpoint) throw new Error(`path ${req.url}, expected ${this.endpoint}`)
    for (const h of ['dd-evp-origin', 'dd-evp-origin-version']) if (!req.headers[h]) throw new Error(`header ${h} missing`)
    const chunked = this.opts.acceptChunked && req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === 'chunked'
    if (!chunked && req.headers['content-length'] !== String(body.length)) throw new Error(`Content-Length ${req.headers['content-length']} but ${body.length} bytes`)
    const parts = parseMultipart(req.headers['content-type'], body)
    const [first, ...rest] = parts
    if (!first || first.name !== 'event' || first.filename !== 'event.json') throw new Error('the first part is not event / event.json')
    if (first.contentType !== 'application/json') throw new Error(`event part Content-Type ${first.contentType}`)
    const event = JSON.parse(first.data.toString('utf8')) as Upload['event']
    validateEvent(event, rest)
    const profiles: Record<string, Buffer> = {}
    for (const p of rest) {
      if (p.name !== p.filename) throw new Error(`part name ${p.name} and filename ${p.filename} differ`)
      if (!/^[a-z]+\.pprof$/.test(p.name)) throw new Error(`part name ${p.name} is not <type>.pprof`)
      if (p.contentType !== 'application/octet-stream') throw new Error(`part ${p.name} Content-Type ${p.contentType}`)
      // gzip, zstd or none (DD_PROFILING_DEBUG_UPLOAD_COMPRESSION); decodeProfile below rejects anything else.
      const raw = decompressProfile(p.data)
      decodeProfile(raw, p.name)
      profiles[p.name] = raw
    }
    // What the Datadog backend relies on beyond the intake's shape (test/helpers/datadog-rules.ts).
    if (!this.opts.lenientDatadogRules) {
      checkHeaders(req.headers)
      checkEvent(event)
      for (const [name, raw] of Object.entries(profiles)) checkProfile(name, raw)
    }
    return { path: req.url, headers: req.headers, via, event, parts, profiles, answered: 200, bodyBytes: body.length, at: Date.now() }
  }
}

export interface EndlessStream {
  path: string
  status: number
  /** Bytes of body handed to the kernel so far. */
  bytes: number
  /** The client hung up. */
  closed: boolean
}

/**
 * The status, then body bytes without end: 1 KiB per timer tick (about a millisecond), a tick's bytes counted once
 * the kernel took them. Paced so that a client that stops early leaves a count near what it read (plus the little
 * written while it decided); a client that reads on leaves a count that grows for as long as the connection lives.
 */
function endlessBody(res: http.ServerResponse, status: number, path: string): EndlessStream {
  const stream: EndlessStream = { path, status, bytes: 0, closed: false }
  res.writeHead(status, { 'Content-Type': 'application/json' })
  res.flushHeaders()
  const chunk = Buffer.alloc(1024, 0x20)
  const timer = setInterval(() => {
    const socket = res.socket
    if (!socket || socket.destroyed) return
    // Nothing queued in user space: what was written is with the kernel (or the client) already.
    if (socket.writableLength > 0) return
    res.write(chunk, (err) => {
      if (!err) stream.bytes += chunk.length
    })
  }, 1)
  res.on('close', () => {
    stream.closed = true
    clearInterval(timer)
  })
  return stream
}

/** Five bytes a second until the client hangs up: the head never completes ('head'), or the body never does. */
function trickle(res: http.ServerResponse, status: number, what: 'head' | 'body'): void {
  const socket = res.socket
  if (!socket) return
  let bytes: Buffer
  if (what === 'head') {
    bytes = Buffer.from(`HTTP/1.1 ${status} OK\r\nContent-Type: application/json\r\nX-Padding: ${'x'.repeat(4096)}\r\n\r\n{}`)
  } else {
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': '100000' })
    res.flushHeaders()
    bytes = Buffer.alloc(100_000, 0x20)
  }
  let at = 0
  const timer = setInterval(() => {
    if (socket.destroyed || at >= bytes.length) return clearInterval(timer)
    if (what === 'head') socket.write(bytes.subarray(at, at + 1))
    else res.write(bytes.subarray(at, at + 1))
    at++
  }, 200)
  socket.on('close', () => clearInterval(timer))
}

function validateEvent(event: Upload['event'], parts: Part[]): void {
  if (!Array.isArray(event.attachments)) throw new Error('event.attachments is not an array')
  const names = parts.map((p) => p.name)
  if (JSON.stringify(event.attachments) !== JSON.stringify(names)) {
    throw new Error(`event.attachments ${JSON.stringify(event.attachments)} differ from the parts ${JSON.stringify(names)}`)
  }
  if (new Set(names).size !== names.length) throw new Error('two parts have the same name')
  for (const k of ['start', 'end'] as const) {
    if (typeof event[k] !== 'string' || !RFC3339.test(event[k])) throw new Error(`event.${k} ${JSON.stringify(event[k])} is not RFC 3339 UTC`)
  }
  if (Date.parse(event.end) < Date.parse(event.start)) throw new Error('event.end is before event.start')
  if (event.family !== 'node') throw new Error(`event.family ${JSON.stringify(event.family)}`)
  if (event.version !== '4') throw new Error(`event.version ${JSON.stringify(event.version)}`)
  if (typeof event.tags_profiler !== 'string' || !/(^|,)service:[^,]+/.test(event.tags_profiler)) {
    throw new Error(`event.tags_profiler has no service: ${JSON.stringify(event.tags_profiler)}`)
  }
}

function decodeProfile(raw: Buffer, name: string): void {
  // pprof-format comes with @datadog/pprof; decoding proves the proto is well formed beyond the gzip layer.
  const { Profile } = require('pprof-format') as { Profile: { decode(b: Uint8Array): { sampleType: unknown[] } } }
  let p: { sampleType: unknown[] }
  try {
    p = Profile.decode(raw)
  } catch (err) {
    throw new Error(`part ${name} is not a pprof profile: ${(err as Error).message}`)
  }
  if (p.sampleType.length === 0) throw new Error(`part ${name} has no sample types`)
}

/**
 * multipart/form-data as RFC 7578 / RFC 2046 define it, strictly: the boundary from the header (1-70 characters,
 * optionally quoted), CRLF line ends, a delimiter first (no preamble), headers then a blank line in every part,
 * form-data dispositions with a name and a filename, a Content-Type, and the close delimiter last (no epilogue).
 */
export function parseMultipart(contentType: string | undefined, body: Buffer): Part[] {
  const m = /^multipart\/form-data;\s*boundary=(?:"([^"]{1,70})"|([0-9A-Za-z'()+_,\-./:=?]{1,70}))$/i.exec(contentType ?? '')
  if (!m) throw new Error(`Content-Type ${JSON.stringify(contentType)} is not multipart/form-data with a valid boundary`)
  const boundary = (m[1] ?? m[2]) as string
  const delim = Buffer.from(`--${boundary}`, 'latin1')
  if (!body.subarray(0, delim.length + 2).equals(Buffer.concat([delim, Buffer.from('\r\n')]))) throw new Error('the body does not start with the boundary line')
  const sep = Buffer.from(`\r\n--${boundary}`, 'latin1')
  const parts: Part[] = []
  let at = delim.length + 2
  for (;;) {
    const next = body.indexOf(sep, at)
    if (next < 0) throw new Error('no close delimiter')
    parts.push(parsePart(body.subarray(at, next)))
    at = next + sep.length
    const tail = body.subarray(at, at + 2).toString('latin1')
    if (tail === '--') {
      const rest = body.subarray(at + 2).toString('latin1')
      if (rest !== '' && rest !== '\r\n') throw new Error('bytes after the close delimiter')
      return parts
    }
    if (tail !== '\r\n') throw new Error('a delimiter is not followed by CRLF')
    at += 2
  }
}

function parsePart(raw: Buffer): Part {
  const end = raw.indexOf('\r\n\r\n')
  if (end < 0) throw new Error('a part has no blank line after its headers')
  const headers: Record<string, string> = {}
  for (const line of raw.subarray(0, end).toString('latin1').split('\r\n')) {
    const m = /^([A-Za-z0-9-]+):[ \t]*(.*)$/.exec(line)
    if (!m || line.includes('\n') || line.includes('\r')) throw new Error(`malformed part header ${JSON.stringify(line)}`)
    const key = (m[1] as string).toLowerCase()
    if (headers[key] !== undefined) throw new Error(`part header ${key} twice`)
    headers[key] = m[2] as string
  }
  const cd = headers['content-disposition']
  const d = /^form-data; name="([^"\r\n]+)"; filename="([^"\r\n]+)"$/.exec(cd ?? '')
  if (!d) throw new Error(`part Content-Disposition ${JSON.stringify(cd)} is not form-data with name and filename`)
  const contentType = headers['content-type']
  if (!contentType) throw new Error(`part ${d[1]} has no Content-Type`)
  return { name: d[1] as string, filename: d[2] as string, contentType, data: raw.subarray(end + 4) }
}

const started: FakeAgent[] = []
/** Starts a fake agent that is closed when the calling test file ends. */
export async function fakeAgent(opts: FakeAgentOptions = {}): Promise<FakeAgent> {
  if (started.length === 0) after(() => Promise.all(started.splice(0).map((a) => a.close())))
  const a = await FakeAgent.start(opts)
  started.push(a)
  return a
}

/** A loopback port nothing listens on (bound, then closed): connecting to it is refused at once. */
export async function closedPort(): Promise<number> {
  const net = require('node:net') as typeof import('node:net')
  const s = net.createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()))
  const port = (s.address() as import('node:net').AddressInfo).port
  await new Promise((r) => s.close(r))
  return port
}
