// The product version, read once from dd-run's own package.json (beside dist/).
import * as fs from 'node:fs'
import * as path from 'node:path'
import { DIST_DIR } from './dist-dir'

function readVersion(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(DIST_DIR, '..', 'package.json'), 'utf8')) as { version?: string }
    return pkg.version ?? '0.0.0'
  } catch {
    return '0.0.0'
  }
}

export const PRODUCT_VERSION = readVersion()
