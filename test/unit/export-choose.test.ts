// The exporter choice and the agent address rules, with the probe and the socket check passed in.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { fromEnv } from '../../src/config/layers'
import { hideCredentials } from '../../src/config/redact'
import { agentAddress, basicAuthOf, DEFAULT_AGENT_SOCKET } from '../../src/export/agent-address'
import { intakeUrl } from '../../src/export/agent'
import { combinationProblems, resolveLaunch } from '../../src/config/resolve'
import { chooseExporters, decideExporters } from '../../src/export/choose'

const resolved = (env: NodeJS.ProcessEnv) => fromEnv(env)
const noAgent = async () => false
const anAgent = async () => true

describe('agentAddress', () => {
  const none = () => false
  const socket = (p: string) => p === DEFAULT_AGENT_SOCKET
  it('DD_TRACE_AGENT_URL wins over everything', () => {
    const c = resolved({ DD_TRACE_AGENT_URL: 'unix:///tmp/a.sock', DD_AGENT_HOST: 'x', DD_TRACE_AGENT_PORT: '1' }).config
    assert.deepEqual(agentAddress(c, socket), { url: 'unix:///tmp/a.sock', shown: 'unix:///tmp/a.sock', reason: 'DD_TRACE_AGENT_URL', configured: true })
    assert.equal(agentAddress(resolved({ DD_TRACE_AGENT_URL: 'https://agent:8443' }).config, none).url, 'https://agent:8443')
  })
  it('the default socket when it exists and no host or port is set', () => {
    assert.equal(agentAddress(resolved({}).config, socket).url, `unix://${DEFAULT_AGENT_SOCKET}`)
    assert.equal(agentAddress(resolved({}).config, socket).configured, true)
    assert.equal(agentAddress(resolved({ DD_AGENT_HOST: 'agent' }).config, socket).url, 'http://agent:8126')
    assert.equal(agentAddress(resolved({ DD_TRACE_AGENT_PORT: '9126' }).config, socket).url, 'http://127.0.0.1:9126')
  })
  it('else host and port, defaulting to 127.0.0.1:8126 (not configured)', () => {
    assert.deepEqual(agentAddress(resolved({}).config, none), { url: 'http://127.0.0.1:8126', shown: 'http://127.0.0.1:8126', reason: 'the default address', configured: false })
    assert.equal(agentAddress(resolved({ DD_AGENT_HOST: '::1' }).config, none).url, 'http://[::1]:8126')
  })
})

describe('intakeUrl', () => {
  it('follows DD_SITE, and the test-only override', () => {
    assert.equal(intakeUrl(resolved({}).config), 'https://intake.profile.datadoghq.com/api/v2/profile')
    assert.equal(intakeUrl(resolved({ DD_SITE: 'datadoghq.eu' }).config), 'https://intake.profile.datadoghq.eu/api/v2/profile')
    assert.equal(intakeUrl(resolved({ DD_PROFILING_AGENTLESS_URL: 'http://127.0.0.1:9/api/v2/profile' }).config), 'http://127.0.0.1:9/api/v2/profile')
  })
  it('allows plain http only to the loopback address', () => {
    const r = resolved({ DD_PROFILING_AGENTLESS_URL: 'http://intake.example.com/api/v2/profile' })
    assert.deepEqual(r.problems, ['DD_PROFILING_AGENTLESS_URL="http://intake.example.com/api/v2/profile": expected an https:// URL (http:// only for 127.0.0.1 or localhost)'])
    assert.deepEqual(resolved({ DD_PROFILING_AGENTLESS_URL: 'https://intake.example.com/x' }).problems, [])
  })
})

describe('chooseExporters', () => {
  it('keeps the list the user gave, without probing', async () => {
    const probe = async () => assert.fail('probed')
    const c = await chooseExporters(resolved({ DD_PROFILING_EXPORTERS: 'file,agent' }), probe)
    assert.deepEqual(c, { names: ['file', 'agent'], reason: 'set by DD_PROFILING_EXPORTERS' })
  })
  it('agent when an address is configured, without probing', async () => {
    const probe = async () => assert.fail('probed')
    const c = await chooseExporters(resolved({ DD_AGENT_HOST: 'datadog-agent' }), probe)
    assert.deepEqual(c.names, ['agent'])
    assert.match(c.reason, /DD_AGENT_HOST.*http:\/\/datadog-agent:8126/)
  })
  it('probes the default address otherwise: agent when it answers, else file', async () => {
    const probed: string[] = []
    const probe = async (url: string) => {
      probed.push(url)
      return false
    }
    const none = resolved({})
    // Only meaningful where the default socket does not exist (it does not on test machines).
    assert.deepEqual((await chooseExporters(none, probe)).names, ['file'])
    assert.deepEqual(probed, ['http://127.0.0.1:8126'])
    const yes = await chooseExporters(none, anAgent)
    assert.deepEqual(yes, { names: ['agent'], reason: 'an agent answers at the default address http://127.0.0.1:8126' })
  })
})

describe('combinationProblems and decideExporters', () => {
  it('agentless without DD_API_KEY is an error naming both', () => {
    const r = resolved({ DD_PROFILING_EXPORTERS: 'agentless' })
    assert.deepEqual(combinationProblems(r.config, r.sources), [
      'DD_PROFILING_EXPORTERS=agentless: agentless export needs DD_API_KEY, which is not set (set it, or choose the agent or file exporter)',
    ])
    const keyed = resolved({ DD_PROFILING_EXPORTERS: 'agentless', DD_API_KEY: 'k' })
    assert.deepEqual(combinationProblems(keyed.config, keyed.sources), [])
  })
  it('writes the choice into the configuration and says why', async () => {
    const said: string[] = []
    const d = await decideExporters(resolved({}), (m) => said.push(m), noAgent)
    assert.deepEqual(d.resolved.config.exporters, ['file'])
    assert.deepEqual(said, ['exporters: file (no agent address is set and nothing answers at http://127.0.0.1:8126)'])
  })
  it('agentless without a key stops the launch with the other configuration problems, whatever its source', () => {
    const r = resolveLaunch({ flags: {}, env: { DD_PROFILING_EXPORTERS: 'agent,agentless' }, envFiles: [], cwd: '/nonexistent-dd-run-test' })
    assert.match(r.flagProblems[0] ?? '', /^DD_PROFILING_EXPORTERS=agent,agentless: .*DD_API_KEY/)
    assert.deepEqual(r.problems, r.flagProblems)
  })
})

describe('credentials in the agent URL', () => {
  it('are kept for the request, decoded, and never in what is shown', () => {
    const a = agentAddress(resolved({ DD_TRACE_AGENT_URL: 'http://us%40er:p%3Ass@agent:8126' }).config, () => false)
    assert.equal(a.url, 'http://us%40er:p%3Ass@agent:8126')
    assert.equal(a.shown, 'http://***@agent:8126')
    assert.equal(basicAuthOf(new URL(a.url)), 'us@er:p:ss')
    assert.equal(basicAuthOf(new URL('http://agent:8126')), undefined)
    assert.equal(basicAuthOf(new URL('https://token@agent')), 'token:')
  })
  it('hideCredentials hides everything up to the last @, valid URL or not', () => {
    assert.equal(hideCredentials('http://user:pw@host:8126'), 'http://***@host:8126')
    assert.equal(hideCredentials('https://u:p@ss/w@rd@host'), 'https://***@host')
    assert.equal(hideCredentials('user:pw@host'), '***@host')
    assert.equal(hideCredentials('http://host:8126'), 'http://host:8126')
  })
})
