// Reading an HTTP answer from an agent, the intake or anything else listening at their address: dd-run needs the
// status and at most a short error text, so it reads a few KiB of the body and then drops the connection. A peer
// that answers 200 and streams an endless body would otherwise cost the profiled app a core for as long as the
// connection lives (and the launcher's probe would never end).
import type { IncomingMessage } from 'node:http'

/** The most of a response body dd-run ever reads. */
export const RESPONSE_CAP_BYTES = 4096

/**
 * Reads at most `cap` bytes of `res`, then destroys the connection (also when the body ends first: a connection of
 * dd-run's is never reused). `done` gets the text read, once, also when the connection fails midway.
 */
export function readCapped(res: IncomingMessage, done: (text: string) => void = () => {}, cap = RESPONSE_CAP_BYTES): void {
  const chunks: Buffer[] = []
  let bytes = 0
  let finished = false
  const finish = () => {
    if (finished) return
    finished = true
    res.removeListener('data', onData)
    // destroy() on the response destroys its socket: nothing more is read, the peer sees the connection close.
    res.destroy()
    done(Buffer.concat(chunks).subarray(0, cap).toString('utf8'))
  }
  const onData = (chunk: Buffer) => {
    chunks.push(chunk)
    bytes += chunk.length
    if (bytes >= cap) finish()
  }
  res.on('data', onData)
  res.on('end', finish)
  res.on('close', finish)
  // Destroying before the body ended makes the response emit an error; it must never reach the app as uncaught.
  res.on('error', finish)
}
