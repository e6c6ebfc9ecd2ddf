// docs/configuration.md, generated from the settings table (npm run docs:config). A test fails when the committed
// file differs from what this produces.
import { KEYS, SCHEMA, type Group, type Setting } from './schema'

const GROUPS: Group[] = ['Tagging', 'Profiling', 'Output and export', 'Launcher']

export function configurationDoc(): string {
  const out: string[] = [
    '# Configuration',
    '',
    '<!-- Generated from src/config/schema.ts by `npm run docs:config`; edit the schema, not this file. -->',
    '',
    'Every setting is a `DD_*` environment variable; most also have a flag. Where a value comes from, highest first:',
    '',
    '1. a flag (`dd-run --service web ...`)',
    '2. the environment (`DD_SERVICE=web dd-run ...`)',
    '3. `--env-file` files, in order (a later file wins); their other variables are passed to the command too, unless the',
    '   environment already sets them',
    '4. `./.env` in the directory dd-run starts in: `DD_*` keys only, never overriding the environment',
    '5. the nearest `package.json` (service = `name`, normalised as dd-trace-js does: `@Acme/Web-API` files as',
    '   `acme/web-api`; version = `version`)',
    '6. the git checkout dd-run starts in (`DD_GIT_COMMIT_SHA` = the commit of HEAD, `DD_GIT_REPOSITORY_URL` = the',
    '   `origin` remote without user or password), for Datadog Source Code Integration',
    '7. the default',
    '',
    '`dd-run --info` shows each value with its source. A bad value typed as a flag stops dd-run before anything runs',
    '(exit 2), with one line per problem naming the flag, the value and what was expected. A bad value in the',
    'environment, an env file or `.env` does not stop the app, as in dd-trace-js and ddtrace-py (a deployment must not',
    'fail on a value another Datadog library accepts): one warning line names the variable, the value and what was',
    'expected, the default is used, and the run summary and `--info` list it again. `--strict` (or `DD_RUN_STRICT=true`)',
    'makes those stop with exit 2 too, for CI. Blank variables count as unset.',
    'Booleans are `true`, `false`, `1`, `0`, and ddtrace-py\'s `yes`, `no`, `on`, `off` (any case).',
    '`DD_PROFILING_ENABLED=auto`, which Datadog single-step instrumentation sets, profiles a process once it has lived',
    '30 seconds, as dd-trace-js does: under a launcher that leaves short-lived build tools and scripts alone.',
    'Variables another Datadog library reads under another name are read under that name too (the "Also read" column:',
    'dd-trace-js\'s `DD_PROFILING_EXPERIMENTAL_*` names, `DD_SERVICE_NAME`, `DD_TRACE_AGENT_HOSTNAME`; ddtrace-py\'s',
    '`DD_PROFILING_UPLOAD_INTERVAL`, `DD_PROFILING_TAGS`, `DD_PROFILING_API_TIMEOUT_MS`), so an environment set up for',
    'them works unchanged; the main name wins when both are set. dd-run\'s own variables that are not Datadog\'s',
    '(`DD_PROFILING_OUTPUT_DIR`, `DD_PROFILING_ONLY`, ...) keep the `DD_PROFILING_` prefix so that one prefix configures',
    'profiling; if a Datadog library ever claims one of those names with another meaning, dd-run will follow it. Those that',
    'concern only the launcher start with `DD_RUN_`.',
    'The launcher passes the settings to the command as plain `DD_*`',
    'variables, so a preload started without it (`node --require dd-run/preload app.js`) reads the same values with the',
    'same parser. There, a bad value is not fatal: the process runs with the default and one `dd-run:` line on stderr.',
    '',
    'Every number has an upper bound, and it is a real limit, given in the message: settings that end up in a timer stop',
    "at Node's timer limit (2^31-1 ms, 2147483.647 s; past it Node would fire the timer after 1 ms), the heap sampling",
    'interval at 2^32-1 bytes (the heap profiler takes a 32-bit value). Service names stop at 100 bytes, where the',
    'Datadog Agent cuts them; env, version and each tag at 200 characters for the whole `key:value` tag, the Datadog',
    'limit on tags.',
    '',
  ]
  for (const group of GROUPS) {
    out.push(`## ${group}`, '', '| Variable | Also read | Flag | Default | Expected | Description |', '|---|---|---|---|---|---|')
    for (const key of KEYS) {
      const row = SCHEMA[key] as Setting<unknown>
      if (row.group !== group) continue
      const flags = [row.flag, row.negate].filter(Boolean).map((f) => `\`${f}\``).join(', ') || '-'
      const def = row.defaultText ?? (row.default === undefined ? '-' : `\`${row.type.format(row.default) || '(empty)'}\``)
      const aliases = row.aliases?.map((a) => `\`${a}\``).join(', ') || '-'
      out.push(`| \`${row.env}\` | ${aliases} | ${flags} | ${def} | ${row.type.expected} | ${row.doc} |`)
    }
    out.push('')
  }
  out.push(
    '## Launcher-only flags',
    '',
    '| Flag | Description |',
    '|---|---|',
    '| `--env-file <path>` | Read variables from this file (repeatable; a later file wins). |',
    '| `-i, --info` | Show every setting with its source, the agent address and whether it answers, and warnings; exit 0. `--json` for machines. |',
    '| `--dry-run` | Print what would change in the command\'s environment, as shell `export` lines and Dockerfile `ENV` lines; exit 0. |',
    '| `--no-color` | No colour in dd-run\'s own output. `NO_COLOR` is honoured too, and colour is only used on a terminal. |',
    '| `-v, --version` | Print the version. |',
    '| `-h, --help` | Show the help. |',
    '',
  )
  return out.join('\n')
}
