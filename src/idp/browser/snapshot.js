// The page as samlbridge's classifier reads it: the DOM after scripts ran, with every input named
// (by its name, else its id, else its position, as act.js finds it again), and inputs that live
// outside any form gathered in one form, as a browser user would see them: one sign-in box.
(() => {
  const d = document;
  const root = d.documentElement;
  if (!root) {
    return JSON.stringify({ url: location.href, html: '', text: '', ready: d.readyState, webauthn: false, doc: '', busy: 0, leaving: false });
  }
  const fields = 'input, select, textarea, button';
  const live = Array.from(root.querySelectorAll(fields));
  const copy = root.cloneNode(true);
  const copied = Array.from(copy.querySelectorAll(fields));
  copied.forEach((el, i) => {
    const orig = live[i];
    if (!el.getAttribute('name') && el.tagName !== 'BUTTON') {
      el.setAttribute('name', orig && orig.id ? orig.id : 'samlbridge-field-' + i);
    }
    if (orig && orig.tagName === 'INPUT' && orig.type !== 'password' && typeof orig.value === 'string') {
      el.setAttribute('value', orig.value);
    }
    if (orig && orig.hidden !== undefined && orig.offsetParent === null && orig.type !== 'hidden'
        && getComputedStyle(orig).position !== 'fixed') {
      el.setAttribute('hidden', '');
    }
  });
  const body = copy.querySelector('body');
  if (body && !copy.querySelector('form') && copy.querySelector('input')) {
    const form = d.createElement('form');
    form.setAttribute('data-samlbridge-gathered', '');
    form.setAttribute('method', 'post');
    while (body.firstChild) { form.appendChild(body.firstChild); }
    body.appendChild(form);
  }
  return JSON.stringify({
    url: location.href,
    html: copy.outerHTML,
    text: d.body ? d.body.innerText : '',
    ready: d.readyState,
    webauthn: !!window.__samlbridgeWebAuthn,
    doc: window.__samlbridgeDoc || (window.__samlbridgeDoc = Math.random().toString(36).slice(2)),
    busy: window.__samlbridgeBusy || 0,
    leaving: !!window.__samlbridgeLeaving,
  });
})()
