// The MASH's pages: keeps each countdown ("due in 2 hours", "overdue by 3 hours") current while the
// page stays open, and on the decision form offers the words the referrer is told for the outcome
// chosen. The server writes the same words first (front_door/mash/selectors.py, duration_words), so
// the page reads the same without scripts. No inline scripts or styles: the CSP forbids them.

const REFRESH_MS = 30 * 1000

function plural (n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

/** "35 minutes", "2 hours 30 minutes", "3 days 4 hours": whole units, rounded down. */
export function durationWords (seconds) {
  const totalMinutes = Math.floor(Math.abs(seconds) / 60)
  if (totalMinutes < 1) return 'less than a minute'
  let hours = Math.floor(totalMinutes / 60)
  const minutes = totalMinutes % 60
  if (hours < 1) return plural(minutes, 'minute')
  if (hours < 24) return plural(hours, 'hour') + (hours < 4 && minutes ? ` ${plural(minutes, 'minute')}` : '')
  const days = Math.floor(hours / 24)
  hours = hours % 24
  return plural(days, 'day') + (hours ? ` ${plural(hours, 'hour')}` : '')
}

export function countdown (dueMs, nowMs) {
  const seconds = (dueMs - nowMs) / 1000
  const words = durationWords(seconds)
  return seconds < 0 ? `overdue by ${words}` : `due in ${words}`
}

function refreshCountdowns () {
  const now = Date.now()
  for (const el of document.querySelectorAll('[data-app-countdown]')) {
    const due = Date.parse(el.getAttribute('data-app-countdown'))
    if (!Number.isNaN(due)) el.textContent = countdown(due, now)
  }
}

if (document.querySelector('[data-app-countdown]')) {
  window.setInterval(refreshCountdowns, REFRESH_MS)
}

// What the referrer is told: filled in with the usual words for the outcome chosen, unless the
// practitioner has written their own.
const texts = document.getElementById('referrer-texts')
const told = document.getElementById('id_decision-outcome_for_referrer')
if (texts && told) {
  const byOutcome = JSON.parse(texts.textContent)
  let offered = ''
  const offer = (outcome) => {
    if (told.value.trim() === '' || told.value === offered) {
      offered = byOutcome[outcome] || ''
      told.value = offered
    }
  }
  for (const radio of document.querySelectorAll('input[name="decision-outcome"]')) {
    radio.addEventListener('change', () => offer(radio.value))
    if (radio.checked) offer(radio.value)
  }
}
