// Where the Datadog Agent is, by the rules the Datadog libraries share: DD_TRACE_AGENT_URL wins; else the unix
// socket /var/run/datadog/apm.socket when it exists and no host or port is set; else http://host:port.
import * as fs from 'node:fs'
import { hideCredentials } from '../config/redact'
import type { Config } from '../config/schema'

export const DEFAULT_AGENT_SOCKET = '/var/run/datadog/apm.socket'

export interface AgentAddress {
  /** http://host:port, https://host:port or unix:///path; may hold a user and password, so never printed. */
  url: string
  /** The url with any user and password replaced by ***: what messages show. */
  shown: string
  /** Why this address: which setting, or the default. */
  reason: string
  /** True when the user named an agent (URL, host, port, or the socket exists). */
  configured: boolean
}

export function agentAddress(
  config: Pick<Config, 'agentUrl' | 'agentHost' | 'agentPort'>,
  socketExists: (p: string) => boolean = exists,
): AgentAddress {
  if (config.agentUrl) return { url: config.agentUrl, shown: hideCredentials(config.agentUrl), reason: 'DD_TRACE_AGENT_URL', configured: true }
  if (config.agentHost === undefined && config.agentPort === undefined && socketExists(DEFAULT_AGENT_SOCKET)) {
    const url = `unix://${DEFAULT_AGENT_SOCKET}`
    return { url, shown: url, reason: `${DEFAULT_AGENT_SOCKET} exists`, configured: true }
  }
  const host = config.agentHost ?? '127.0.0.1'
  const port = config.agentPort ?? 8126
  const shownHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
  const configured = config.agentHost !== undefined || config.agentPort !== undefined
  const reason = configured ? 'DD_AGENT_HOST / DD_TRACE_AGENT_PORT' : 'the default address'
  const url = `http://${shownHost}:${port}`
  return { url, shown: url, reason, configured }
}

function exists(p: string): boolean {
  try {
    return fs.statSync(p).isSocket()
  } catch {
    return false
  }
}

/**
 * The user and password of an agent URL (http://user:pw@host:8126), decoded, in the `user:password` form of Node's
 * `auth` request option, which sends them as `Authorization: Basic`: what Node's own http.request does with such a
 * URL, for an agent behind an authenticating proxy. (dd-trace-js copies only protocol, host and port from the URL,
 * so there they are silently dropped.) Undefined when the URL has none.
 */
export function basicAuthOf(u: URL): string | undefined {
  if (u.username === '' && u.password === '') return undefined
  return `${decode(u.username)}:${decode(u.password)}`
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}
