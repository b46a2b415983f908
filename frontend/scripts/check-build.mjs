// Checks the committed build output. Run with `npm run check` (needs only
// Node, not node_modules).
//
// - the stylesheet contains GOV.UK Frontend
// - the stylesheet loads nothing from another site and uses no web fonts
// - every url() points into /static/openmash/assets/ and the file exists
// - the JavaScript and axe-core files are in place

import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const repoDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
const staticDir = join(repoDir, 'src', 'openmash', 'static', 'openmash')
const failures = []

const requiredFiles = [
  join(staticDir, 'openmash.css'),
  join(staticDir, 'govuk-frontend.min.js'),
  join(staticDir, 'init.js'),
  join(staticDir, 'assets', 'manifest.json'),
  join(repoDir, 'tests', 'e2e', 'vendor', 'axe.min.js')
]
for (const file of requiredFiles) {
  if (!existsSync(file)) failures.push(`missing ${file}`)
}

if (existsSync(join(staticDir, 'assets', 'fonts'))) {
  failures.push('GDS Transport fonts were copied to assets/fonts')
}

const cssPath = join(staticDir, 'openmash.css')
if (existsSync(cssPath)) {
  const css = readFileSync(cssPath, 'utf8')
  if (!css.includes('.govuk-header')) failures.push('openmash.css has no .govuk-header rules')
  if (/fonts\.googleapis|GDS Transport|@font-face/i.test(css)) {
    failures.push('openmash.css refers to a web font')
  }
  if (/@import/i.test(css)) failures.push('openmash.css has an @import')
  for (const match of css.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)) {
    const url = match[1]
    if (url.startsWith('data:')) continue
    if (!url.startsWith('/static/openmash/assets/')) {
      failures.push(`url outside /static/openmash/assets/: ${url}`)
    } else if (!existsSync(join(staticDir, 'assets', url.slice('/static/openmash/assets/'.length)))) {
      failures.push(`url points to a missing file: ${url}`)
    }
  }
}

const jsPath = join(staticDir, 'govuk-frontend.min.js')
if (existsSync(jsPath)) {
  const js = readFileSync(jsPath, 'utf8')
  if (!/export\s*\{[^}]*\binitAll\b/.test(js)) failures.push('govuk-frontend.min.js does not export initAll')
  if (js.includes('sourceMappingURL')) failures.push('govuk-frontend.min.js still names a source map')
}

if (failures.length) {
  for (const failure of failures) console.error(`FAIL ${failure}`)
  process.exit(1)
}
console.log('Build output OK')
