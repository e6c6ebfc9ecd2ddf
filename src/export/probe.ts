// Does anything answer HTTP at an agent address? A short GET /info (the agent's own description), unix sockets
// included. Used by the launcher's exporter choice, --info and doctor; never by the preload.
// A plain connection is tried first: on a laptop without an agent it is refused at once, and the launcher does
// not load node:http (about 8 ms of its start) to learn that.
import * as net from 'node:net'
import { basicAuthOf } from './agent-address'
import { readCapped } from './read-capped'

/** Where to connect: a unix socket or a host and port. */
type Endpoint = { socketPath: string } | { host: string; port: number }

export async function probeAgent(url: string, timeoutMs = 300): Promise<boolean> {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return false
  }
  const deadline = Date.now() + timeoutMs
  const target: Endpoint =
    u.protocol === 'unix:'
      ? { socketPath: u.pathname }
      : { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)) }
  if (!(await connects(target, timeoutMs))) return false
  return answersHttp(u, target, Math.max(1, deadline - Date.now()))
}

function connects(target: Endpoint, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let socket: net.Socket
    try {
      socket = 'socketPath' in target ? net.connect({ path: target.socketPath }) : net.connect({ host: target.host, port: target.port })
    } catch {
      resolve(false)
      return
    }
    socket.setTimeout(timeoutMs, () => {
      socket.destroy()
      resolve(false)
    })
    socket.on('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.on('error', () => resolve(false))
  })
}

function answersHttp(u: URL, target: Endpoint, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let req: import('node:http').ClientRequest
    // The whole exchange, not only each silence, is bounded: a peer trickling its headers a byte at a time never
    // lets an idle timeout fire.
    const timer = setTimeout(() => {
      resolve(false)
      req?.destroy()
    }, timeoutMs)
    try {
      const mod = u.protocol === 'https:' ? (require('node:https') as typeof import('node:https')) : (require('node:http') as typeof import('node:http'))
      const auth = basicAuthOf(u)
      req = mod.get({ ...target, path: '/info', timeout: timeoutMs, agent: false, ...(auth === undefined ? {} : { auth }) }, (res) => {
        clearTimeout(timer)
        // An answer is all the probe needs: a capped read, then the connection is dropped (an endless body would
        // keep the launcher reading, and alive, for as long as the peer cares to send).
        readCapped(res)
        resolve(true)
      })
    } catch {
      clearTimeout(timer)
      resolve(false)
      return
    }
    req.on('timeout', () => req.destroy())
    req.on('error', () => {
      clearTimeout(timer)
      resolve(false)
    })
  })
}
