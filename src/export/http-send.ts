// One upload attempt over http, https or a unix socket. The socket is unref'd: an upload never keeps the process
// alive (the final flush holds it open on purpose, for a bounded time). Resolves with an Outcome, never rejects.
import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http'
import { basicAuthOf } from './agent-address'
import { readCapped } from './read-capped'
import { classifyStatus, isCertificateError, type Outcome } from './retry'

export interface Target {
  /** Shown in messages: the address without any secret. */
  shown: string
  options: RequestOptions
  https: boolean
}

/** http://h:p/prefix, https://..., unix:///path/to.sock, plus the endpoint path. */
export function targetOf(url: string, endpoint: string): Target {
  const u = new URL(url)
  if (u.protocol === 'unix:') {
    return { shown: `${url}${endpoint}`, options: { socketPath: u.pathname, path: endpoint }, https: false }
  }
  const prefix = u.pathname.replace(/\/+$/, '')
  const https = u.protocol === 'https:'
  const auth = basicAuthOf(u)
  return {
    shown: `${u.protocol}//${u.host}${prefix}${endpoint}`,
    options: {
      host: u.hostname.replace(/^\[|\]$/g, ''),
      port: u.port || (https ? 443 : 80),
      path: `${prefix}${endpoint}${u.search}`,
      ...(auth === undefined ? {} : { auth }),
    },
    https,
  }
}

export interface Attempt {
  done: Promise<Outcome>
  /** Ends the attempt now (the final flush ran out of time). */
  abort(): void
}

export function send(target: Target, headers: Record<string, string>, body: Buffer, timeoutMs: number): Attempt {
  let req: ClientRequest | undefined
  let settle: (o: Outcome) => void = () => {}
  const done = new Promise<Outcome>((resolve) => {
    let settled = false
    settle = (o) => {
      if (settled) return
      settled = true
      resolve(o)
    }
    // The timer outlives the outcome: a peer that sends a status and then trickles its body forever would
    // otherwise hold a socket open per upload; the connection ends with the attempt's time limit at the latest.
    const timer = setTimeout(() => {
      settle({ kind: 'retry', reason: `no answer within ${Math.round(timeoutMs)} ms` })
      req?.destroy()
    }, timeoutMs)
    timer.unref()
    try {
      const mod = target.https ? (require('node:https') as typeof import('node:https')) : (require('node:http') as typeof import('node:http'))
      req = mod.request({
        ...target.options,
        method: 'POST',
        // A fresh connection per upload (one a minute): no pooled socket lingers after it.
        agent: false,
        headers: { ...headers, 'Content-Length': String(body.length) },
      })
      req.on('socket', (socket) => socket.unref())
      req.on('close', () => clearTimeout(timer))
      req.on('response', (res: IncomingMessage) => {
        // The status decides; of the body at most a few KiB is read, then the connection is dropped.
        readCapped(res)
        const retryAfter = res.headers['retry-after']
        settle(classifyStatus(res.statusCode ?? 0, Array.isArray(retryAfter) ? retryAfter[0] : retryAfter))
      })
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (isCertificateError(err.code)) settle({ kind: 'reject', reason: `${err.code}: ${err.message}` })
        else settle({ kind: 'retry', reason: err.code ?? err.message })
      })
      req.end(body)
    } catch (err) {
      settle({ kind: 'retry', reason: (err as Error).message })
    }
  })
  return {
    done,
    abort: () => {
      settle({ kind: 'retry', reason: 'the final flush ran out of time' })
      req?.destroy()
    },
  }
}
