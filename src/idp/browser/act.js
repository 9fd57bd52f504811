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
  const shown = (b) => !b.disabled && b.offsetParent !== null;
  const candidates = inScope('button, input[type=submit], input[type=image], input[type=button], [role=button], a');
  const submits = candidates.filter((b) => ['submit', 'image'].includes(typeOf(b)) && !b.disabled);
  // Script-built pages press a plain button (or a link) whose words say what it does.
  const scripted = candidates.filter((b) => !['submit', 'image', 'reset'].includes(typeOf(b))
    && shown(b) && verbs.test(labelOf(b)));
  const named = (b) => b.getAttribute('name') === a.click || b.id === a.click || b.value === a.click;
  const wanted = a.click
    ? candidates.find(named)
    : (submits.find(shown) || scripted[0] || submits[0]);
  if (wanted && scope.tagName === 'FORM' && !a.gathered && !a.click
      && !['submit', 'image'].includes(typeOf(wanted))) {
    // A form with no submit button: its scripted button, and if that does nothing, the form.
    const page = scope.ownerDocument.documentElement;
    const before = page.outerHTML;
    wanted.click();
    return new Promise((resolve) => setTimeout(() => {
      const quiet = !window.__samlbridgeLeaving && !window.__samlbridgeBusy;
      if (quiet && page.outerHTML === before) {
        if (scope.requestSubmit) { scope.requestSubmit(); } else { scope.submit(); }
        resolve('clicked, then submitted');
      } else {
        resolve('clicked');
      }
    }, 800));
  }
  if (wanted) { wanted.click(); return 'clicked'; }
  if (scope.tagName === 'FORM') {
    if (scope.requestSubmit) { scope.requestSubmit(); } else { scope.submit(); }
    return 'submitted';
  }
  const active = d.activeElement;
  if (active) {
    for (const type of ['keydown', 'keypress', 'keyup']) {
      active.dispatchEvent(new KeyboardEvent(type, { key: 'Enter', code: 'Enter', keyCode: 13, which: 13, bubbles: true }));
    }
  }
  return 'entered';
})(__SAMLBRIDGE_ARGS__)
