// solidarity-bot review dashboard: keyboard shortcuts and selection. Served from /assets (the
// Content-Security-Policy allows no inline script). Every action submits an ordinary form, so the
// page works the same without this file.
(() => {
  const items = Array.from(document.querySelectorAll('.item'));
  const bulk = document.getElementById('bulk');
  const help = document.getElementById('help');
  const prompt = document.getElementById('keyprompt');
  const selCount = document.getElementById('selcount');
  const selectAll = document.getElementById('selectall');
  const storageKey = `sb:cur:${location.pathname}${location.search}`;
  let current = -1;
  let pending = null;

  function selected() {
    return items.filter((li) => li.querySelector('input.sel')?.checked);
  }

  function refreshSelection() {
    for (const li of items) li.classList.toggle('selected', Boolean(li.querySelector('input.sel')?.checked));
    if (selCount) selCount.textContent = String(selected().length);
  }

  function move(to) {
    if (items.length === 0) return;
    const next = Math.max(0, Math.min(items.length - 1, to));
    if (current >= 0) items[current]?.classList.remove('current');
    current = next;
    const li = items[current];
    li.classList.add('current');
    li.focus({ preventScroll: true });
    li.scrollIntoView({ block: 'nearest' });
    try {
      sessionStorage.setItem(storageKey, String(current));
    } catch {}
  }

  function showPrompt(text) {
    if (!prompt) return;
    prompt.textContent = text;
    prompt.hidden = !text;
  }

  function toggleHelp(show) {
    if (!help) return;
    help.hidden = show === undefined ? !help.hidden : !show;
  }

  /**
   * Submits `action` for the selection, or with nothing selected for the current item: on the
   * queue through the bulk form (with that one id), on an item page through its own form.
   */
  function decide(action, outcome) {
    let form = items[current]?.querySelector('form.decide');
    if (bulk) {
      form = bulk;
      if (selected().length === 0) {
        const id = items[current]?.getAttribute('data-id');
        if (!id) return;
        const one = document.createElement('input');
        one.type = 'hidden';
        one.name = 'ids';
        one.value = id;
        bulk.appendChild(one);
      }
    }
    if (!form) return;
    const button = form.querySelector(`button[name="action"][value="${action}"]`);
    if (!button) return;
    if (outcome) {
      const select = form.querySelector('select[name="outcome"]');
      if (select) select.value = outcome;
    }
    form.requestSubmit(button);
  }

  const OUTCOMES = { 1: 'reported-to-police', 2: 'reported-to-platform', 3: 'no-action' };

  /** Posts a small form (claim, take next) with the page's CSRF token. */
  function post(action, fields) {
    const token = document.querySelector('input[name="_csrf"]');
    if (!token) return;
    const form = document.createElement('form');
    form.method = 'post';
    form.action = action;
    const all = { _csrf: token.value, return: location.pathname + location.search, ...fields };
    for (const [name, value] of Object.entries(all)) {
      const input = document.createElement('input');
      input.type = 'hidden';
      input.name = name;
      input.value = value;
      form.appendChild(input);
    }
    document.body.appendChild(form);
    form.submit();
  }

  // Compact rows carry the posting time; shown as an age ("4 min", "3 h", "2 d") for a glance.
  for (const time of document.querySelectorAll('time.c-age')) {
    const minutes = Math.max(0, Math.floor((Date.now() - Date.parse(time.getAttribute('datetime'))) / 60000));
    if (Number.isNaN(minutes)) continue;
    const hours = Math.floor(minutes / 60);
    time.textContent =
      minutes < 60 ? `${minutes} min` : hours < 48 ? `${hours} h` : `${Math.floor(hours / 24)} d`;
  }

  // The undo offer disappears when its time is up (the server refuses a late undo anyway).
  const undo = document.getElementById('undo');
  if (undo) {
    let left = Number(undo.getAttribute('data-seconds') || 0);
    const shown = undo.querySelector('.undo-left');
    const timer = setInterval(() => {
      left -= 1;
      if (shown) shown.textContent = String(Math.max(0, left));
      if (left <= 0) {
        clearInterval(timer);
        undo.remove();
      }
    }, 1000);
  }

  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target instanceof HTMLElement && target.closest('input:not([type=checkbox]), select, textarea')) {
      if (event.key === 'Escape') target.blur();
      return;
    }
    const key = event.key;
    if (pending === 'resolve') {
      pending = null;
      showPrompt('');
      if (OUTCOMES[key]) {
        event.preventDefault();
        decide('resolve', OUTCOMES[key]);
      }
      return;
    }
    if (key === '?') {
      event.preventDefault();
      toggleHelp();
      return;
    }
    if (key === 'Escape') {
      toggleHelp(false);
      return;
    }
    // Keys that need no current item.
    const single = {
      u: () => {
        const form = document.getElementById('undo');
        if (form) form.requestSubmit();
      },
      t: () => post('/claim-next', {}),
      n: () => document.querySelector('form.decide input[name="note"], #bulk input[name="note"]')?.focus(),
      ']': () => document.getElementById('next-flag')?.click(),
      '[': () => document.getElementById('prev-flag')?.click(),
    };
    if (single[key]) {
      event.preventDefault();
      single[key]();
      return;
    }
    if (items.length === 0) return;
    if (current < 0 && 'jkxvoaedrc'.includes(key)) {
      move(0);
      if (key === 'j' || key === 'k') {
        event.preventDefault();
        return;
      }
    }
    const li = items[current];
    switch (key) {
      case 'j':
        move(current + 1);
        break;
      case 'k':
        move(current - 1);
        break;
      case 'x': {
        const box = li?.querySelector('input.sel');
        if (box) {
          box.checked = !box.checked;
          refreshSelection();
        }
        break;
      }
      case 'v': {
        const box = li?.querySelector('input.reveal');
        if (box) box.checked = !box.checked;
        break;
      }
      case 'o':
      case 'Enter': {
        const link = li?.querySelector('a.details');
        if (link) location.assign(link.href);
        break;
      }
      case 'a':
        decide('acknowledge');
        break;
      case 'e':
        decide('escalate');
        break;
      case 'd':
        decide('dismiss');
        break;
      case 'c': {
        const id = li?.getAttribute('data-id');
        if (id) post('/claim', { id });
        break;
      }
      case 'r':
        pending = 'resolve';
        showPrompt('Resolve as: 1 reported to police · 2 reported to platform · 3 no action · Esc cancels');
        break;
      default:
        return;
    }
    event.preventDefault();
  });

  for (const box of document.querySelectorAll('input.sel')) box.addEventListener('change', refreshSelection);
  if (selectAll) {
    selectAll.addEventListener('change', () => {
      for (const box of document.querySelectorAll('input.sel')) box.checked = selectAll.checked;
      refreshSelection();
    });
  }
  for (const button of document.querySelectorAll('[data-print]')) {
    button.addEventListener('click', () => window.print());
  }
  for (const button of document.querySelectorAll('[data-help]')) {
    button.addEventListener('click', () => toggleHelp());
  }
  items.forEach((li, i) => {
    li.addEventListener('click', (event) => {
      if (!(event.target instanceof HTMLElement) || !event.target.closest('a, button, input, select, label'))
        move(i);
    });
  });

  let saved = -1;
  try {
    saved = Number(sessionStorage.getItem(storageKey) ?? -1);
  } catch {}
  if (items.length > 0 && saved >= 0) move(Math.min(saved, items.length - 1));
  refreshSelection();
})();
