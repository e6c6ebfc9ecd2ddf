#!/usr/bin/env node
// dd-run's command, started by the installed wrapper (bin/dd-run) or directly with `node dist/bin/dd-run.js`. It
// runs the launcher's bundle (dist/bin/launcher.js, from bin/launcher.ts) with V8's code cache for it when a trusted
// one exists (src/code-cache.ts): every launch would otherwise parse and compile it again.
import path = require('node:path')
import { runWithCodeCache } from '../src/code-cache'

runWithCodeCache(path.join(__dirname, 'launcher.js'), 'launcher', 'exit')
