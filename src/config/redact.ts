// What may be printed of a value: secrets never, credentials in an address never. Used by every place that prints a
// setting (--info, --dry-run, error lines, the agent address in doctor and the exporter choice).

/** A secret (DD_API_KEY): **** plus its last 4 characters, the way Datadog shows API keys. */
export function redact(value: string): string {
  return value.length > 4 ? `****${value.slice(-4)}` : '****'
}

/**
 * An address with the user and password of `scheme://user:password@host` replaced by ***. Works on text that is
 * not a valid URL too (error lines show what the user wrote): everything between `://` (or the start) and the last
 * `@` goes, since a password typed unencoded may itself hold `@`, `/` or `:`.
 */
export function hideCredentials(text: string): string {
  const at = text.lastIndexOf('@')
  if (at < 0) return text
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(text)
  const start = scheme && scheme[0].length <= at ? scheme[0].length : 0
  return `${text.slice(0, start)}***${text.slice(at)}`
}

/** The text of a setting's value as it may be printed. */
export function printable(row: { secret?: boolean; hasAddress?: boolean }, text: string): string {
  if (row.secret) return redact(text)
  return row.hasAddress ? hideCredentials(text) : text
}
