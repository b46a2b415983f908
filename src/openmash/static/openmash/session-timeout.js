// Warns a signed-in person before their session ends, and lets them stay
// signed in without leaving the page (so nothing they have typed is lost).
//
// base.html includes this for signed-in pages only, with its settings on a
// hidden element:
//
//   <div id="app-session-timeout" hidden
//        data-session-timeout="1800"      seconds idle before the session ends
//        data-session-warning="120"       seconds before that to warn
//        data-keep-alive-url="/session/keep-alive/"
//        data-sign-out-url="/sign-out/">
//     <input type="hidden" name="csrfmiddlewaretoken" value="…">
//   </div>
//
// Every request renews the session on the server, so the clock starts again
// on each page load. Other tabs of the same site share the time of the last
// renewal through localStorage, so a tab left open does not warn or sign out
// while the person is busy in another.
//
// The warning is a modal <dialog> with role="alertdialog": focus moves into
// it and stays there, Escape means "Stay signed in", and focus goes back to
// where it was afterwards. When time runs out the page signs out (a POST to
// the sign-out page) and shows why. No inline styles or event handler
// attributes: the Content Security Policy forbids them.

const STORAGE_KEY = 'openmash:session-renewed-at'
const TICK_MS = 1000
const ANNOUNCE_EVERY_SECONDS = 30

/** "2 minutes", "1 minute 5 seconds", "45 seconds" */
export function describeDuration (totalSeconds) {
  const seconds = Math.max(0, Math.ceil(totalSeconds))
  const minutes = Math.floor(seconds / 60)
  const rest = seconds % 60
  const parts = []
  if (minutes) parts.push(`${minutes} minute${minutes === 1 ? '' : 's'}`)
  if (rest || !minutes) parts.push(`${rest} second${rest === 1 ? '' : 's'}`)
  return parts.join(' ')
}

function readShared () {
  try {
    return Number(window.localStorage.getItem(STORAGE_KEY)) || 0
  } catch {
    return 0 // storage switched off: each tab keeps its own time
  }
}

function writeShared (time) {
  try {
    window.localStorage.setItem(STORAGE_KEY, String(time))
  } catch {
    // storage switched off: nothing to share
  }
}

function element (tag, attributes = {}, text = '') {
  const el = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value)
  if (text) el.textContent = text
  return el
}

class SessionTimeout {
  constructor (config) {
    this.timeoutMs = Number(config.dataset.sessionTimeout) * 1000
    this.warningMs = Math.min(Number(config.dataset.sessionWarning) * 1000, this.timeoutMs)
    this.keepAliveUrl = config.dataset.keepAliveUrl
    this.signOutUrl = config.dataset.signOutUrl
    const tokenInput = config.querySelector('input[name="csrfmiddlewaretoken"]')
    this.csrfToken = tokenInput ? tokenInput.value : ''
    this.renewedAt = Date.now()
    this.lastAnnounced = null
    this.busy = false
    this.signingOut = false
    this.returnFocusTo = null
    this.closedByUs = false
    writeShared(this.renewedAt)
    this.build()
  }

  start () {
    this.timer = window.setInterval(() => this.tick(), TICK_MS)
    window.addEventListener('storage', (event) => {
      if (event.key === STORAGE_KEY) this.tick()
    })
    // Timers are slowed in background tabs and stop while a laptop sleeps:
    // check again as soon as the page is seen.
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.tick()
    })
  }

  latestRenewal () {
    return Math.max(this.renewedAt, readShared())
  }

  remainingMs () {
    return this.latestRenewal() + this.timeoutMs - Date.now()
  }

  tick () {
    if (this.signingOut) return
    const remaining = this.remainingMs()
    if (remaining <= 0) {
      this.signOut('timeout')
    } else if (remaining <= this.warningMs) {
      if (!this.dialog.open) this.open()
      this.showRemaining(remaining)
    } else if (this.dialog.open && !this.busy) {
      this.close() // renewed in another tab
    }
  }

  build () {
    const dialog = element('dialog', {
      class: 'app-timeout-dialog',
      role: 'alertdialog',
      'aria-modal': 'true',
      'aria-labelledby': 'app-timeout-dialog-title',
      'aria-describedby': 'app-timeout-dialog-description'
    })
    const title = element('h2', { class: 'govuk-heading-m', id: 'app-timeout-dialog-title' },
      'You will be signed out soon')
    const description = element('div', { id: 'app-timeout-dialog-description' })
    const countdownText = element('p', { class: 'govuk-body govuk-!-font-weight-bold' })
    // The visible countdown changes every second; screen readers hear the
    // live region instead, which changes every 30 seconds.
    this.countdown = element('span', { 'aria-hidden': 'true', class: 'app-timeout-dialog__countdown' })
    this.announcement = element('span', { class: 'govuk-visually-hidden', 'aria-live': 'polite' })
    countdownText.append(this.countdown, this.announcement)
    const why = element('p', { class: 'govuk-body' },
      `To keep information about children safe, we sign you out if you have not done anything for ${describeDuration(this.timeoutMs / 1000)}.`)
    const keep = element('p', { class: 'govuk-body' },
      'If you stay signed in, anything you have typed on this page will still be there.')
    description.append(countdownText, why, keep)
    // Added to the dialog only when there is a problem to report.
    this.error = element('p', { class: 'govuk-error-message', role: 'alert' })

    // A real form, so "Sign out" works as any sign-out does: a POST with the
    // CSRF token, then the signed-out page.
    const form = element('form', { method: 'post', action: this.signOutUrl })
    form.append(element('input', { type: 'hidden', name: 'csrfmiddlewaretoken', value: this.csrfToken }))
    this.reason = element('input', { type: 'hidden', name: 'reason', value: '' })
    form.append(this.reason)
    const buttons = element('div', { class: 'govuk-button-group' })
    this.stayButton = element('button', { type: 'button', class: 'govuk-button' }, 'Stay signed in')
    this.signOutButton = element('button', { type: 'submit', class: 'govuk-button govuk-button--secondary' },
      'Sign out')
    buttons.append(this.stayButton, this.signOutButton)
    form.append(buttons)
    dialog.append(title, description, form)

    this.stayButton.addEventListener('click', () => this.stay())
    form.addEventListener('submit', () => { this.signingOut = true })
    // Escape means "Stay signed in". Handle the key ourselves so the browser
    // does not close the dialog before the session is renewed.
    dialog.addEventListener('keydown', (event) => this.onKeydown(event))
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault()
      this.stay()
    })
    // If the browser closes the dialog some other way, treat it as "Stay
    // signed in". (The close event comes after close() has returned.)
    dialog.addEventListener('close', () => {
      if (this.closedByUs) {
        this.closedByUs = false
      } else if (!this.signingOut) {
        this.stay()
      }
    })

    this.dialog = dialog
    this.form = form
    document.body.append(dialog)
  }

  focusable () {
    return [this.stayButton, this.signOutButton].filter((button) => !button.disabled)
  }

  onKeydown (event) {
    if (event.key === 'Escape') {
      event.preventDefault()
      this.stay()
      return
    }
    if (event.key !== 'Tab') return
    // Keep focus inside the dialog, going round from the last control to the
    // first and back.
    const controls = this.focusable()
    if (!controls.length) {
      event.preventDefault()
      return
    }
    const first = controls[0]
    const last = controls[controls.length - 1]
    const active = document.activeElement
    if (event.shiftKey && (active === first || !this.dialog.contains(active))) {
      event.preventDefault()
      last.focus()
    } else if (!event.shiftKey && (active === last || !this.dialog.contains(active))) {
      event.preventDefault()
      first.focus()
    }
  }

  open () {
    this.returnFocusTo = document.activeElement
    this.lastAnnounced = null
    this.error.remove()
    this.dialog.showModal()
    this.stayButton.focus()
  }

  close () {
    if (this.dialog.open) {
      this.closedByUs = true
      this.dialog.close()
    }
    const target = this.returnFocusTo
    this.returnFocusTo = null
    if (target && target !== document.body && document.contains(target) && typeof target.focus === 'function') {
      target.focus()
    }
  }

  showRemaining (remainingMs) {
    const seconds = Math.ceil(remainingMs / 1000)
    const text = `We will sign you out in ${describeDuration(seconds)}.`
    this.countdown.textContent = text
    const step = Math.ceil(seconds / ANNOUNCE_EVERY_SECONDS)
    if (step !== this.lastAnnounced) {
      this.lastAnnounced = step
      this.announcement.textContent = text
    }
  }

  async stay () {
    if (this.busy || this.signingOut) return
    this.busy = true
    this.error.remove()
    try {
      const response = await window.fetch(this.keepAliveUrl, {
        method: 'POST',
        credentials: 'same-origin',
        redirect: 'manual',
        headers: { 'X-CSRFToken': this.csrfToken }
      })
      if (response.status === 204) {
        this.renewedAt = Date.now()
        writeShared(this.renewedAt)
        this.close()
      } else if (response.status === 401 || response.type === 'opaqueredirect') {
        this.signOut('timeout') // the session had already ended
      } else {
        this.showError()
      }
    } catch {
      this.showError()
    } finally {
      this.busy = false
    }
  }

  showError () {
    this.error.textContent = 'Sorry, there is a problem and we could not keep you signed in. Try again.'
    if (!this.dialog.open) this.open()
    this.form.before(this.error)
    this.stayButton.focus()
  }

  signOut (reason) {
    if (this.signingOut) return
    this.signingOut = true
    window.clearInterval(this.timer)
    this.reason.value = reason
    this.form.submit()
  }
}

const config = document.getElementById('app-session-timeout')
if (config && typeof HTMLDialogElement === 'function') {
  new SessionTimeout(config).start()
}
