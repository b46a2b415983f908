// Keeps a draft of a long form as it is typed, so a session that times out loses nothing.
//
// The form names where to save and where to say so:
//
//   <form method="post" data-draft-url="/refer/draft/" data-draft-status="app-draft-status">
//
// Every few seconds, if anything has changed, the form's inputs are posted there, with the CSRF token
// the form already carries; the server keeps them for the signed-in person alone. When the page is
// hidden or left, the last changes go with navigator.sendBeacon. Without JavaScript the form's "Save
// and come back later" button keeps the draft instead.
//
// A save renews the session on the server, so the timeout warning (session-timeout.js) is told through
// the localStorage key it already reads: someone typing is not signed out for doing nothing.
// Loaded as a module with the page's CSP nonce; no inline handlers or styles.

const SAVE_EVERY_MS = 5000
const SESSION_KEY = 'openmash:session-renewed-at'

function timeNow () {
  return new Date().toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })
}

class DraftSaver {
  constructor (form) {
    this.form = form
    this.url = form.dataset.draftUrl
    this.status = document.getElementById(form.dataset.draftStatus || '')
    this.dirty = false
    this.saving = false
    this.submitting = false
  }

  start () {
    const changed = () => { this.dirty = true }
    this.form.addEventListener('input', changed)
    this.form.addEventListener('change', changed)
    // The form's own buttons save the draft on the server; no need to race them.
    this.form.addEventListener('submit', () => { this.submitting = true })
    window.setInterval(() => this.save(), SAVE_EVERY_MS)
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') this.saveOnLeaving()
    })
    window.addEventListener('pagehide', () => this.saveOnLeaving())
  }

  body () {
    const body = new FormData(this.form)
    body.delete('action')
    return body
  }

  async save () {
    if (!this.dirty || this.saving || this.submitting) return
    this.saving = true
    this.dirty = false
    try {
      const response = await window.fetch(this.url, {
        method: 'POST',
        body: this.body(),
        credentials: 'same-origin',
        redirect: 'manual'
      })
      if (response.status === 204) {
        this.show(`Draft saved at ${timeNow()}`)
        try {
          window.localStorage.setItem(SESSION_KEY, String(Date.now()))
        } catch {
          // storage switched off: the timeout warning keeps its own time
        }
      } else {
        this.failed()
      }
    } catch {
      this.failed()
    } finally {
      this.saving = false
    }
  }

  failed () {
    this.dirty = true
    this.show('Your answers could not be saved just now. Select "Save and come back later" to keep them.')
  }

  saveOnLeaving () {
    if (!this.dirty || this.submitting || typeof navigator.sendBeacon !== 'function') return
    if (navigator.sendBeacon(this.url, this.body())) this.dirty = false
  }

  show (text) {
    if (this.status) this.status.textContent = text
  }
}

for (const form of document.querySelectorAll('form[data-draft-url]')) {
  new DraftSaver(form).start()
}
