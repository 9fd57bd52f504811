// The page as samlbridge's classifier reads it: the DOM after scripts ran, open shadow roots written
// out in place, every input named (by its name, else its id, else its position, as act.js finds it
// again), and inputs that live outside any form gathered in one form, as a person sees them: one
// sign-in box. deep.js comes first.
(() => {
  const d = document;
  const root = d.documentElement;
  if (!root) {
    return JSON.stringify({ url: location.href, html: '', text: '', ready: d.readyState, webauthn: false, doc: '', busy: 0, leaving: false });
  }
  const fields = 'input, select, textarea, button';
  const live = __samlbridgeDeep(root, fields);
  const copyOf = (node) => {
    const framed = node.nodeType === 1 ? __samlbridgeFrameBody(node) : null;
    // A frame's page is written out in a div (a parser reads an iframe's content as text).
    const c = framed ? d.createElement('div') : node.cloneNode(false);
    if (node.shadowRoot) { for (const ch of node.shadowRoot.childNodes) { c.appendChild(copyOf(ch)); } }
    if (framed) { for (const ch of framed.childNodes) { c.appendChild(copyOf(ch)); } }
    for (const ch of node.childNodes) { c.appendChild(copyOf(ch)); }
    return c;
  };
  // A field a person cannot see: not laid out, or — for a field to type in — hidden from assistive
  // technology, transparent, a pixel or less, or moved off the page (a password input kept for
  // password managers beside an identifier-first screen).
  const typedKinds = ['text', 'email', 'password', 'tel', 'number', 'search', 'url', ''];
  const unseen = (el) => {
    const style = getComputedStyle(el);
    if (el.offsetParent === null && style.position !== 'fixed') { return true; }
    if (el.tagName !== 'INPUT' || !typedKinds.includes((el.getAttribute('type') || '').toLowerCase())) {
      return false;
    }
    const box = el.getBoundingClientRect();
    return !!el.closest('[aria-hidden="true"]') || style.visibility === 'hidden'
      || parseFloat(style.opacity) === 0 || box.width <= 1 || box.height <= 1
      || box.right <= 0 || box.bottom <= 0;
  };
  // What a person reads in `el`: its innerText when it is rendered. An element that is not (a
  // body kept display:none until scripts run, as Entra's is; a script) gives its raw text as
  // innerText, script source included: nothing of it is read.
  const unread = ['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE'];
  const shown = (el) => (unread.includes(el.tagName) || !el.getClientRects().length)
    ? '' : (el.innerText || '');
  const copy = copyOf(root);
  const copied = __samlbridgeDeep(copy, fields);
  copied.forEach((el, i) => {
    const orig = live[i];
    if (!el.getAttribute('name') && el.tagName !== 'BUTTON') {
      el.setAttribute('name', orig && orig.id ? orig.id : 'samlbridge-field-' + i);
    }
    if (orig && orig.tagName === 'INPUT' && orig.type !== 'password' && typeof orig.value === 'string') {
      el.setAttribute('value', orig.value);
    }
    if (orig && orig.hidden !== undefined && orig.type !== 'hidden' && unseen(orig)) {
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
    text: d.body ? [shown(d.body)].concat(__samlbridgeDeep(d.body, '*')
      .filter((el) => el.parentNode instanceof ShadowRoot || el.parentNode === el.ownerDocument.body
        && el.ownerDocument !== d)
      .map(shown)).join('\n') : '',
    ready: d.readyState,
    webauthn: !!window.__samlbridgeWebAuthn,
    doc: window.__samlbridgeDoc || (window.__samlbridgeDoc = Math.random().toString(36).slice(2)),
    busy: window.__samlbridgeBusy || 0,
    leaving: !!window.__samlbridgeLeaving,
  });
})()
