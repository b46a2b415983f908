// Starts the GOV.UK Frontend components (error summary focus, service
// navigation, skip link and so on) on every page. Loaded as an ES module, so
// browsers too old for GOV.UK Frontend never run it.
import { initAll } from './govuk-frontend.min.js'

// base.html sets these classes with a small inline script as early as
// possible. Pages rendered without a CSP nonce (for example the server error
// page) skip that script, so make sure the classes are there before starting.
document.body.classList.add('js-enabled', 'govuk-frontend-supported')

initAll()
