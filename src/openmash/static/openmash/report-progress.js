// While a committee report is made in the background, ask how far it has got every two seconds and say so;
// when it is finished (or failed), load the page again to show the download. Without JavaScript the page
// has a "Check again" link instead.
const box = document.getElementById('app-report-progress')
if (box) {
  const url = box.dataset.statusUrl
  const stage = box.querySelector('[data-report-stage]')
  const percent = box.querySelector('[data-report-percent]')
  const bar = box.querySelector('progress')
  const poll = async () => {
    try {
      const response = await fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      if (!response.ok) return
      const status = await response.json()
      if (status.state === 'done' || status.state === 'failed') {
        window.location.reload()
        return
      }
      if (stage) stage.textContent = status.stage || status.state_label
      if (percent) percent.textContent = String(status.progress)
      if (bar) bar.value = status.progress
    } catch (error) {
      // A dropped connection: try again on the next tick.
    }
    window.setTimeout(poll, 2000)
  }
  window.setTimeout(poll, 2000)
}
