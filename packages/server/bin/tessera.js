#!/usr/bin/env node
// The `tessera` command. A checked-in launcher rather than dist/cli.js itself: npm links (and
// marks executable) workspace bins before `npm install` runs the TypeScript build.
import { existsSync } from 'node:fs'

const cli = new URL('../dist/cli.js', import.meta.url)
if (!existsSync(cli)) {
  process.stderr.write('tessera: error: @tessera/server is not built; run: npm run build\n')
  process.exit(1)
}
await import(cli.href)
