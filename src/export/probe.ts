// Does anything answer HTTP at an agent address? A short GET /info (the agent's own description), unix sockets
// included. Used by the launcher's exporter choice, --info and doctor; never by the preload.
import * as http from 'node:http'

export function probeAgent(url: string, timeoutMs = 300): Promise<boolean> {
  return new Promise((resolve) => {
    let req: http.ClientRequest
    try {
      const u = new URL(url)
      const target =
        u.protocol === 'unix:'
          ? { socketPath: u.pathname, path: '/info' }
          : { host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port || (u.protocol === 'https:' ? 443 : 80), path: '/info' }
      const mod = u.protocol === 'https:' ? (require('node:https') as typeof import('node:https')) : http
      req = mod.get({ ...target, timeout: timeoutMs, agent: false }, (res) => {
        res.resume()
        resolve(true)
      })
    } catch {
      resolve(false)
      return
    }
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve(false))
  })
}
