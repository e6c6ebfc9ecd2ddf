// The product version, read once from dd-run's own package.json (two levels above dist/src).
import * as fs from 'node:fs'
import * as path from 'node:path'

function readVersion(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version?: string }
    return pkg.version ?? '0.0.0'
  } catch {
    return '0.0.0'
  }
}

export const PRODUCT_VERSION = readVersion()
