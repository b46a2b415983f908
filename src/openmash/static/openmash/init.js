// Starts the GOV.UK Frontend components (error summary focus, service
// navigation, skip link and so on) on every page. Loaded as an ES module, so
// browsers too old for GOV.UK Frontend never run it.
import { initAll } from './govuk-frontend.min.js'

initAll()
