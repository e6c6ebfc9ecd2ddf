// Prints docs/configuration.md from the settings table.
import { configurationDoc } from '../src/config/doc'

process.stdout.write(configurationDoc())
