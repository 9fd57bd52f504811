// Fills fields and presses a button in the form the classifier chose (arguments: {form, gathered,
// fills: [[name, value]], click, submit}), the way a person would: focus, type (input and change
// events, so script-built pages see it), then click the submit button, else submit the form.
// deep.js comes first: forms and fields in open shadow roots count as snapshot.js counted them.
((a) => {
  const d = document;
  const all = __samlbridgeDeep(d.documentElement, 'input, select, textarea, button');
  const keyOf = (el) => el.getAttribute('name') || el.id || 'samlbridge-field-' + all.indexOf(el);
  const scope = a.gathered ? d.body : __samlbridgeDeep(d.documentElement, 'form')[a.form];
  if (!scope) { return 'no-form'; }
  const inScope = (sel) => __samlbridgeDeep(scope, sel);
  const setValue = (el, v) => {
    el.focus && el.focus();
    if (el.type === 'checkbox' || el.type === 'radio') {
      el.checked = (v === el.value || v === 'on' || v === 'true');
    } else {
      const w = el.ownerDocument.defaultView || window;
      const proto = el.tagName === 'TEXTAREA' ? w.HTMLTextAreaElement.prototype
        : el.tagName === 'SELECT' ? w.HTMLSelectElement.prototype : w.HTMLInputElement.prototype;
      const desc = Object.getOwnPropertyDescriptor(proto, 'value');
      if (desc && desc.set) { desc.set.call(el, v); } else { el.value = v; }
    }
    el.dispatchEvent(new Event('input', { bubbles: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
    // Pages that read a field on key up or when it loses focus see it as after a person's typing.
    el.dispatchEvent(new KeyboardEvent('keyup', { key: 'Unidentified', bubbles: true, composed: true }));
    if (el.blur && el.ownerDocument.activeElement === el) { el.blur(); }
  };
  for (const [name, v] of a.fills) {
    const named = inScope('input, select, textarea').filter((el) => keyOf(el) === name);
    let el = named.find((e) => e.type === 'radio' && e.value === v) || named[0];
    if (!el) {
      if (scope.tagName !== 'FORM') { continue; }
      el = scope.ownerDocument.createElement('input');
      el.type = 'hidden';
      el.name = name;
      scope.appendChild(el);
    }
    setValue(el, v);
  }
  if (!a.submit) { return 'filled'; }
  const typeOf = (b) => (b.getAttribute('type') || (b.tagName === 'BUTTON' ? 'submit' : '')).toLowerCase();
  const labelOf = (b) => (b.innerText || b.value || b.getAttribute('aria-label') || '').trim().toLowerCase();
  const verbs = /^(sign ?in|log ?in|login|next|continue|submit|verify|send|ok|yes|accept|confirm|go)\b/;
  // Another way in, beside the form's own button: "Continue with Google", "Sign in with a
  // passkey", "Verify with something else", "Use a security key".
  const elsewhere = /\b(with|using|via|passkey|security key|sso|single sign|another|something else|other|options|google|microsoft|apple|facebook|github)\b/;
  const off = (b) => b.disabled || b.getAttribute('aria-disabled') === 'true';
  const shown = (b) => b.offsetParent !== null || getComputedStyle(b).position === 'fixed';
  const candidates = () => inScope('button, input[type=submit], input[type=image], input[type=button], [role=button], a');
  const filled = a.fills.map(([name]) => inScope('input, select, textarea').find((el) => keyOf(el) === name))
    .filter((el) => el && el.type !== 'hidden');
  const lastFilled = filled[filled.length - 1];
  const after = (b) => !lastFilled
    || !!(lastFilled.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING);
  // The button a person would press: the form's submit button, else a plain button (or a link)
  // whose words say what it does — the one that says only that first, one after the typed fields
  // before one above them, never one that signs in another way.
  const rank = (b) => {
    const label = labelOf(b).replace(/[^a-z ]+/g, ' ').trim();
    const submit = ['submit', 'image'].includes(typeOf(b));
    if (elsewhere.test(label)) { return submit ? 0 : -1; }
    if (!submit && !verbs.test(label)) { return -1; }
    return (submit ? 4 : 0) + (label.split(' ').length <= 2 ? 2 : 0) + (after(b) ? 1 : 0);
  };
  const choose = () => {
    const all = candidates().filter((b) => typeOf(b) !== 'reset' && shown(b));
    if (a.click) {
      return all.find((b) => b.getAttribute('name') === a.click || b.id === a.click || b.value === a.click)
        || candidates().find((b) => b.getAttribute('name') === a.click || b.id === a.click);
    }
    let best = null;
    let bestRank = -1;
    for (const b of all) {
      const r = rank(b);
      if (r > bestRank) { best = b; bestRank = r; }
    }
    return best || candidates().find((b) => ['submit', 'image'].includes(typeOf(b)));
  };
  // A press as a pointer makes it (press libraries act on pointer down then up, not on click).
  const press = (b) => {
    const r = b.getBoundingClientRect();
    const at = { bubbles: true, cancelable: true, composed: true, view: window, button: 0,
      clientX: r.left + r.width / 2, clientY: r.top + r.height / 2 };
    const pointer = Object.assign({ pointerId: 1, pointerType: 'mouse', isPrimary: true }, at);
    b.dispatchEvent(new PointerEvent('pointerdown', Object.assign({ buttons: 1 }, pointer)));
    b.dispatchEvent(new MouseEvent('mousedown', Object.assign({ buttons: 1 }, at)));
    b.focus && b.focus();
    b.dispatchEvent(new PointerEvent('pointerup', pointer));
    b.dispatchEvent(new MouseEvent('mouseup', at));
    b.click();
  };
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  return (async () => {
    // A framework renders what was typed on its next tick: its button may be enabled only then.
    await sleep(120);
    let wanted = choose();
    for (let waited = 0; wanted && off(wanted) && waited < 3000; waited += 100) {
      await sleep(100);
      wanted = choose();
    }
    if (wanted && scope.tagName === 'FORM' && !a.gathered && !a.click
        && !['submit', 'image'].includes(typeOf(wanted))) {
      // A form with no submit button: its scripted button, and if that does nothing, the form.
      const page = scope.ownerDocument.documentElement;
      const before = page.outerHTML;
      press(wanted);
      await sleep(800);
      const quiet = !window.__samlbridgeLeaving && !window.__samlbridgeBusy;
      if (quiet && page.outerHTML === before) {
        if (scope.requestSubmit) { scope.requestSubmit(); } else { scope.submit(); }
        return 'clicked, then submitted';
      }
      return 'clicked';
    }
    if (wanted) { press(wanted); return 'clicked ' + (labelOf(wanted).slice(0, 40) || wanted.tagName); }
    if (scope.tagName === 'FORM') {
      if (scope.requestSubmit) { scope.requestSubmit(); } else { scope.submit(); }
      return 'submitted';
    }
    const active = lastFilled || d.activeElement;
    if (active) {
      for (const type of ['keydown', 'keypress', 'keyup']) {
        active.dispatchEvent(new KeyboardEvent(type, { key: 'Enter', code: 'Enter', keyCode: 13, which: 13, bubbles: true }));
      }
    }
    return 'entered';
  })();
})(__SAMLBRIDGE_ARGS__)
