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
    '5. the nearest `package.json` (service = `name`, version = `version`)',
    '6. the default',
    '',
    '`dd-run --info` shows each value with its source. Bad values stop dd-run before anything runs (exit 2), with one line',
    'per problem naming the flag or variable, the value and what was expected. Blank variables count as unset.',
    'Booleans are `true`, `false`, `1` or `0` (any case). The launcher passes the settings to the command as plain `DD_*`',
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
    out.push(`## ${group}`, '', '| Variable | Flag | Default | Expected | Description |', '|---|---|---|---|---|')
    for (const key of KEYS) {
      const row = SCHEMA[key] as Setting<unknown>
      if (row.group !== group) continue
      const flags = [row.flag, row.negate].filter(Boolean).map((f) => `\`${f}\``).join(', ') || '-'
      const def = row.defaultText ?? (row.default === undefined ? '-' : `\`${row.type.format(row.default) || '(empty)'}\``)
      out.push(`| \`${row.env}\` | ${flags} | ${def} | ${row.type.expected} | ${row.doc} |`)
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
