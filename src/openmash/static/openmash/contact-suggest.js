// Recording a contact: while the child's details are typed, asks the server which children already on
// the register may be the same child (a GET to the page's data-suggest-url, a moment after typing stops)
// and offers them as radios named "child", the same markup the page has without scripts after "Find
// matches". Choosing one fills in what the register already knows (date of birth, NHS number, UPN,
// address, postcode, school) wherever nothing was typed, so a known fact is offered, not retyped.
// Choosing another child, or none, takes back only what was filled in and not changed since.

const DEBOUNCE_MS = 350
const SEARCH_FIELDS = [
  'first_name', 'last_name', 'date_of_birth_day', 'date_of_birth_month', 'date_of_birth_year',
  'nhs_number', 'upn', 'postcode'
]
const FILLED_FIELDS = ['nhs_number', 'upn', 'address', 'postcode', 'school']

const form = document.getElementById('contact-form')
const box = document.getElementById('suggestions')

function element (tag, attributes = {}, text = '') {
  const el = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value)
  if (text) el.textContent = text
  return el
}

function describe (child) {
  const parts = [`${child.score}% match: ${child.reasons.join('; ')}.`]
  if (child.address || child.postcode) parts.push(`Address: ${child.address} ${child.postcode}.`)
  if (child.school) parts.push(`School: ${child.school}.`)
  if (child.nhs_number) parts.push(`NHS number: ${child.nhs_number}.`)
  if (child.household.length) {
    parts.push(`Lives with: ${child.household.map((h) => `${h.name} (${h.relationship.toLowerCase()})`).join(', ')}.`)
  }
  return parts.join(' ')
}

if (form && box) {
  const url = form.getAttribute('data-suggest-url')
  const status = element('p', { class: 'govuk-visually-hidden', role: 'status' })
  box.after(status)
  const known = new Map() // child id -> what the register holds
  const filled = new Map() // field name -> the value this script put there
  let timer = 0
  let lastQuery = null
  let controller = null

  const field = (name) => form.elements.namedItem(name)
  const chosenId = () => {
    const checked = form.querySelector('input[name="child"]:checked')
    return checked ? checked.value : ''
  }

  function takeBackFilled () {
    for (const [name, value] of filled) {
      const input = field(name)
      if (input && input.value === value) input.value = ''
    }
    filled.clear()
  }

  function fillFrom (child) {
    takeBackFilled()
    if (!child) return
    const values = {
      nhs_number: child.nhs_number,
      upn: child.upn,
      address: child.address,
      postcode: child.postcode,
      school: child.school
    }
    if (child.date_of_birth) {
      const [year, month, day] = child.date_of_birth.split('-')
      Object.assign(values, {
        date_of_birth_day: String(Number(day)),
        date_of_birth_month: String(Number(month)),
        date_of_birth_year: year
      })
    }
    for (const [name, value] of Object.entries(values)) {
      const input = field(name)
      if (input && value && input.value.trim() === '') {
        input.value = value
        filled.set(name, value)
      }
    }
  }

  function radio (id, value, label, hint, checked) {
    const item = element('div', { class: 'govuk-radios__item' })
    const input = element('input', { class: 'govuk-radios__input', id, name: 'child', type: 'radio', value })
    if (checked) input.checked = true
    const labelEl = element('label', { class: 'govuk-label govuk-radios__label', for: id }, label)
    item.append(input, labelEl)
    if (hint) {
      input.setAttribute('aria-describedby', `${id}-hint`)
      item.append(element('div', { id: `${id}-hint`, class: 'govuk-hint govuk-radios__hint' }, hint))
    }
    input.addEventListener('change', () => fillFrom(known.get(value)))
    return item
  }

  function render (results) {
    const current = chosenId()
    // A child already chosen stays on offer even if the details typed since no longer find them.
    if (current && known.has(current) && !results.some((c) => String(c.id) === current)) {
      results = [known.get(current), ...results]
    }
    box.replaceChildren()
    if (!results.length) {
      box.append(element('p', { class: 'govuk-body' }, 'No child on the register matches these details so far.'))
      status.textContent = 'No possible matches'
      return
    }
    const group = element('div', { class: 'govuk-form-group' })
    const fieldset = element('fieldset', { class: 'govuk-fieldset', 'aria-describedby': 'child-hint' })
    const legend = element('legend', { class: 'govuk-fieldset__legend govuk-fieldset__legend--m' })
    legend.append(element('h2', { class: 'govuk-fieldset__heading' }, 'Is it one of these children?'))
    const hint = element('div', { id: 'child-hint', class: 'govuk-hint' },
      'Children already on the register who may be the one described, closest first. Choosing one fills in what is known.')
    const radios = element('div', { class: 'govuk-radios' })
    results.forEach((child, i) => {
      known.set(String(child.id), child)
      const label = `${child.name}, born ${child.date_of_birth_text} (${child.la_child_id})`
      radios.append(radio(`id_child_${i + 1}`, String(child.id), label, describe(child), String(child.id) === current))
    })
    radios.append(element('div', { class: 'govuk-radios__divider' }, 'or'))
    radios.append(radio('id_child_none', '', 'None of these, or not sure: match later', '', !current))
    fieldset.append(legend, hint, radios)
    group.append(fieldset)
    box.append(group)
    status.textContent = `${results.length} possible ${results.length === 1 ? 'match' : 'matches'}`
  }

  async function lookUp () {
    const params = new URLSearchParams()
    for (const name of SEARCH_FIELDS) {
      const input = field(name)
      if (input && input.value.trim()) params.set(name, input.value.trim())
    }
    const query = params.toString()
    if (query === lastQuery) return
    lastQuery = query
    if (controller) controller.abort()
    controller = new AbortController()
    try {
      const response = await fetch(`${url}?${query}`, {
        headers: { Accept: 'application/json' },
        credentials: 'same-origin',
        signal: controller.signal
      })
      if (!response.ok) return
      const data = await response.json()
      render(data.results)
    } catch {
      // Aborted by newer typing, or offline: the "Find matches" button still works.
    }
  }

  form.addEventListener('input', (event) => {
    const name = event.target.getAttribute('name')
    if (filled.has(name)) filled.delete(name) // changed by hand: no longer ours to take back
    if (!SEARCH_FIELDS.includes(name)) return
    window.clearTimeout(timer)
    timer = window.setTimeout(lookUp, DEBOUNCE_MS)
  })
  // Server-rendered suggestions (after "Find matches") fill in the same way.
  const rendered = document.getElementById('suggestions-data')
  for (const child of rendered ? JSON.parse(rendered.textContent) : []) known.set(String(child.id), child)
  for (const input of box.querySelectorAll('input[name="child"]')) {
    input.addEventListener('change', () => fillFrom(known.get(input.value)))
  }
}
