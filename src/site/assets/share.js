// The only script of the campaign page: copy, Web Share, the Mastodon server (remembered in this
// browser only) and, when the site counts taps, one anonymous beacon per tap. The page works
// without it.
(() => {
  const body = document.body;
  const countUrl = body.dataset.count;
  const count = (network) => {
    if (!countUrl || !navigator.sendBeacon) return;
    const data = new URLSearchParams({ campaign: body.dataset.campaign || '', network });
    navigator.sendBeacon(countUrl, data);
  };
  const textOf = (id) => {
    const node = document.getElementById(id);
    return node ? node.textContent : '';
  };

  for (const button of document.querySelectorAll('button.copy')) {
    if (!navigator.clipboard) continue;
    button.hidden = false;
    const label = button.textContent;
    button.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(textOf(button.dataset.copy));
        button.textContent = button.dataset.done;
        count('copy');
        setTimeout(() => {
          button.textContent = label;
        }, 2000);
      } catch {
        // Clipboard refused: the text stays on the page to select by hand.
      }
    });
  }

  for (const button of document.querySelectorAll('button.webshare')) {
    if (!navigator.share) continue;
    button.hidden = false;
    button.addEventListener('click', () => {
      count('webshare');
      navigator
        .share({ title: button.dataset.title, text: textOf(button.dataset.text), url: button.dataset.url })
        .catch(() => {});
    });
  }

  for (const link of document.querySelectorAll('a[data-network]')) {
    link.addEventListener('click', () => count(link.dataset.network));
  }

  const KEY = 'solidarity.mastodon';
  const instanceOf = (input) => {
    let text = input
      .trim()
      .toLowerCase()
      .replace(/^https?:\/\//, '')
      .replace(/\/.*$/, '');
    if (text.includes('@')) text = text.slice(text.lastIndexOf('@') + 1);
    return /^[a-z0-9-]+(\.[a-z0-9-]+)+(:\d{1,5})?$/.test(text) ? text : '';
  };
  let saved = '';
  try {
    saved = localStorage.getItem(KEY) || '';
  } catch {}
  for (const form of document.querySelectorAll('form[data-network="mastodon"]')) {
    form.hidden = false;
    const input = form.elements.instance;
    if (saved) input.value = saved;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const instance = instanceOf(input.value);
      if (!instance) {
        input.setCustomValidity('mastodon.social');
        input.reportValidity();
        input.setCustomValidity('');
        return;
      }
      try {
        localStorage.setItem(KEY, instance);
      } catch {}
      count('mastodon');
      window.open(form.dataset.template.replace('{instance}', instance), '_blank', 'noopener');
    });
  }
})();
