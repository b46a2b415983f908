// Copies the runtime files OpenMASH needs out of node_modules:
//   - GOV.UK Frontend JavaScript (ES module) and its images and manifest
//     into the Django static folder
//   - axe-core into the end-to-end test vendor folder
// The GDS Transport font files are deliberately not copied: OpenMASH uses a
// system font stack.

import { copyFileSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const frontendDir = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const repoDir = resolve(frontendDir, '..')
const govukDist = join(frontendDir, 'node_modules', 'govuk-frontend', 'dist', 'govuk')
const staticDir = join(repoDir, 'src', 'openmash', 'static', 'openmash')
const assetsDir = join(staticDir, 'assets')
const e2eVendorDir = join(repoDir, 'tests', 'e2e', 'vendor')

mkdirSync(staticDir, { recursive: true })
mkdirSync(e2eVendorDir, { recursive: true })

// GOV.UK Frontend JavaScript. Drop the trailing sourceMappingURL comment: the
// map is not shipped, and Django's ManifestStaticFilesStorage fails
// collectstatic when a referenced map file is missing.
const js = readFileSync(join(govukDist, 'govuk-frontend.min.js'), 'utf8')
writeFileSync(
  join(staticDir, 'govuk-frontend.min.js'),
  js.replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '\n')
)

// Images and manifest only, no fonts
rmSync(assetsDir, { recursive: true, force: true })
mkdirSync(assetsDir, { recursive: true })
cpSync(join(govukDist, 'assets', 'images'), join(assetsDir, 'images'), { recursive: true })
copyFileSync(join(govukDist, 'assets', 'manifest.json'), join(assetsDir, 'manifest.json'))

// axe-core for accessibility checks in end-to-end tests
copyFileSync(
  join(frontendDir, 'node_modules', 'axe-core', 'axe.min.js'),
  join(e2eVendorDir, 'axe.min.js')
)

console.log('Copied GOV.UK Frontend JavaScript and assets to', staticDir)
console.log('Copied axe-core to', e2eVendorDir)
