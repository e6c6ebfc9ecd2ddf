// Datadog's own conventions never stop the app (issue 12): a bad value in the environment is a warning and the
// default (exit 2 only with --strict or DD_RUN_STRICT), dd-trace-js's and ddtrace-py's names and values are read,
// DD_PROFILING_ENABLED=auto leaves short-lived processes alone, and the upload timeout is in milliseconds.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, it } from 'node:test'
import { fixture, PRELOAD } from '../helpers/paths'
import { listBundles } from '../helpers/profiles'
import { cleanEnv, ddRun, start, tempDir } from '../helpers/run'

const APP = ['node', '-e', 'setTimeout(() => console.log("app ran"), 50)']

interface InfoJson {
  settings: Record<string, { variable: string; value: unknown; source: string }>
  warnings: string[]
}

async function info(env: NodeJS.ProcessEnv, args: string[] = []): Promise<InfoJson> {
  const r = await ddRun([...args, '--info', '--json'], { env: cleanEnv(env) })
  assert.equal(r.code, 0, r.stderr)
  return JSON.parse(r.stdout) as InfoJson
}

describe('a bad value in the environment does not stop the app', () => {
  it('one warning naming the variable, the value and what was expected; the default; the run summary says it again', async () => {
    const out = tempDir()
    const r = await ddRun(['-o', out, ...APP], { env: cleanEnv({ DD_PROFILING_UPLOAD_PERIOD: '60s', DD_PROFILING_CPU_ENABLED: 'maybe' }) })
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, 'app ran\n')
    const warned = r.stderr.split('\n').filter((l) => /^dd-run: DD_PROFILING_UPLOAD_PERIOD="60s": expected a number of seconds .*; using the default \(--strict stops instead\)$/.test(l))
    assert.equal(warned.length, 1, r.stderr)
    assert.match(r.stderr, /DD_PROFILING_CPU_ENABLED="maybe": expected true, false, 1, 0, yes, no, on or off; using the default/)
    assert.match(r.stderr, /setting ignored: DD_PROFILING_UPLOAD_PERIOD="60s"/)
    // The profiled process does not repeat it: the launcher said it.
    assert.equal(r.stderr.match(/DD_PROFILING_CPU_ENABLED="maybe"/g)?.length, 2, r.stderr)
    assert.equal(listBundles(out).length, 1)
  })

  it('a bad value in an env file or ./.env warns the same way, naming the file', async () => {
    const dir = tempDir()
    fs.writeFileSync(path.join(dir, '.env'), 'DD_PROFILING_UPLOAD_PERIOD=soon\n')
    fs.writeFileSync(path.join(dir, 'app.env'), 'DD_TRACE_AGENT_PORT=http\n')
    const r = await ddRun(['--env-file', 'app.env', ...APP], { cwd: dir, env: cleanEnv() })
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, 'app ran\n')
    assert.match(r.stderr, /DD_PROFILING_UPLOAD_PERIOD \(in .*\.env\)="soon": expected/)
    assert.match(r.stderr, /DD_TRACE_AGENT_PORT \(in app\.env\)="http": expected/)
  })

  it('--strict and DD_RUN_STRICT=true restore exit 2 before anything runs', async () => {
    for (const [args, env] of [[['--strict'], {}], [[], { DD_RUN_STRICT: 'true' }]] as const) {
      const r = await ddRun([...args, ...APP], { env: cleanEnv({ DD_PROFILING_UPLOAD_PERIOD: '60s', ...env }) })
      assert.equal(r.code, 2, r.stderr)
      assert.equal(r.stdout, '')
      assert.match(r.stderr, /^dd-run: DD_PROFILING_UPLOAD_PERIOD="60s": expected/m)
      assert.match(r.stderr, /nothing was run.*--strict/)
    }
  })

  it('a bad value typed as a flag still stops dd-run (the user is right there)', async () => {
    const r = await ddRun(['--upload-period', '60s', ...APP], { env: cleanEnv() })
    assert.equal(r.code, 2)
    assert.equal(r.stdout, '')
    assert.match(r.stderr, /^dd-run: --upload-period="60s": expected/m)
  })

  it('--info lists ignored values and likely typos among its warnings', async () => {
    const i = await info({ DD_PROFILING_UPLOAD_PERIOD: '60s', DD_PROFILING_UPLAOD_PERIOD: '30' })
    assert.ok(i.warnings.some((w) => /^DD_PROFILING_UPLOAD_PERIOD="60s": expected .*; using the default/.test(w)), i.warnings.join('\n'))
    assert.ok(i.warnings.some((w) => /DD_PROFILING_UPLAOD_PERIOD is not a dd-run setting \(did you mean DD_PROFILING_UPLOAD_PERIOD\?\)/.test(w)), i.warnings.join('\n'))
    assert.equal(i.settings.uploadPeriod?.value, 60)
  })
})

describe('the names and values other Datadog libraries use', () => {
  it('aliases of dd-trace-js and ddtrace-py are read, the main name wins', async () => {
    const i = await info({
      DD_SERVICE_NAME: 'from-alias',
      DD_TRACE_AGENT_HOSTNAME: 'agent.internal',
      DD_PROFILING_EXPERIMENTAL_TIMELINE_ENABLED: 'false',
      DD_PROFILING_EXPERIMENTAL_CPU_ENABLED: 'false',
      DD_PROFILING_UPLOAD_INTERVAL: '30',
      DD_PROFILING_TAGS: 'team:py',
      DD_PROFILING_API_TIMEOUT_MS: '2500',
    })
    assert.equal(i.settings.service?.value, 'from-alias')
    assert.equal(i.settings.agentHost?.value, 'agent.internal')
    assert.equal(i.settings.timelineEnabled?.value, false)
    assert.equal(i.settings.cpuEnabled?.value, false)
    assert.equal(i.settings.uploadPeriod?.value, 30)
    assert.deepEqual(i.settings.tags?.value, { team: 'py' })
    assert.equal(i.settings.uploadTimeout?.value, 2500)
    assert.ok(!i.warnings.some((w) => /not a dd-run setting/.test(w)), i.warnings.join('\n'))
    const both = await info({ DD_SERVICE: 'main', DD_SERVICE_NAME: 'alias' })
    assert.equal(both.settings.service?.value, 'main')
  })

  it('booleans: yes/on/no/off as ddtrace-py accepts them', async () => {
    const i = await info({ DD_PROFILING_CPU_ENABLED: 'off', DD_PROFILING_OOM_MONITORING: 'no', DD_TRACE_REPORT_HOSTNAME: 'yes', DD_PROFILING_TIMELINE_ENABLED: 'on' })
    assert.equal(i.settings.cpuEnabled?.value, false)
    assert.equal(i.settings.oomMonitoring?.value, false)
    assert.equal(i.settings.reportHostname?.value, true)
    assert.equal(i.settings.timelineEnabled?.value, true)
  })

  it('DD_PROFILING_UPLOAD_TIMEOUT is in milliseconds, as in dd-trace-js (60000 is a minute, not 16 hours)', async () => {
    const i = await info({ DD_PROFILING_UPLOAD_TIMEOUT: '60000' })
    assert.equal(i.settings.uploadTimeout?.value, 60000)
    const small = await info({ DD_PROFILING_UPLOAD_TIMEOUT: '10' })
    assert.ok(small.warnings.some((w) => /DD_PROFILING_UPLOAD_TIMEOUT="10": expected a whole number of milliseconds from 100/.test(w)), small.warnings.join('\n'))
  })

  it('the service inferred from package.json is normalised as dd-trace-js does', async () => {
    const dir = tempDir()
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: '@Acme/Web-API', version: '1.0.0' }))
    const r = await ddRun(['--info', '--json'], { cwd: dir, env: cleanEnv() })
    assert.equal(r.code, 0, r.stderr)
    assert.equal((JSON.parse(r.stdout) as InfoJson).settings.service?.value, 'acme/web-api')
    // And the uploads say it was inferred (svc.auto), as dd-trace-js's process_tags do.
    const out = tempDir()
    const run = await ddRun(['-o', out, ...APP], { cwd: dir, env: cleanEnv() })
    assert.equal(run.code, 0, run.stderr)
    const [b] = listBundles(out)
    assert.equal(b?.tags.service, 'acme/web-api')
    assert.match(String((b?.event as { process_tags?: string } | undefined)?.process_tags), /(^|,)svc\.auto:acme\/web-api$/)
  })

  it('DD_PROFILING_ENABLED=auto: a process that ends before it has lived 30 s is not profiled, and the app runs as without dd-run', async () => {
    const out = tempDir()
    const r = await ddRun(['-o', out, ...APP], { env: cleanEnv({ DD_PROFILING_ENABLED: 'auto' }) })
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, 'app ran\n')
    assert.equal(listBundles(out).length, 0)
    assert.match(r.stderr, /dormant \(DD_PROFILING_ENABLED=auto: profiled once it has lived 30 s\)/)
    const i = await info({ DD_PROFILING_ENABLED: 'auto' })
    assert.equal(i.settings.profilingEnabled?.value, 'auto')
  })

  it('DD_PROFILING_ENABLED=auto: a process that lives past 30 s is profiled from then on', async () => {
    // The process says it has lived 29.5 s already (a preload ahead of dd-run's): dd-run starts 0.5 s later.
    const dir = tempDir()
    const older = path.join(dir, 'older.js')
    fs.writeFileSync(older, 'const t0 = Date.now(); process.uptime = () => 29.5 + (Date.now() - t0) / 1000\n')
    const out = tempDir()
    const r = await start(process.execPath, ['-r', older, '-r', PRELOAD, fixture('profiling/cpu-burn.js'), '1500'], {
      env: cleanEnv({ DD_PROFILING_ENABLED: 'auto', DD_PROFILING_OUTPUT_DIR: out }),
    }).done
    assert.equal(r.code, 0, r.stderr)
    const bundles = listBundles(out)
    assert.equal(bundles.length, 1, r.stderr)
    assert.equal(bundles[0]!.event.info.profiler.activation, 'auto')
    // Profiled from 0.5 s on, not from the start: the period is shorter than the process's life.
    assert.ok(Date.parse(bundles[0]!.event.end) - Date.parse(bundles[0]!.event.start) < 1500)
  })
})
