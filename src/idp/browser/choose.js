// Presses the way to verify that was chosen (arguments: {options: [css], value}), as a person
// would: the option element whose identity is `value` — the first quoted argument of its script,
// else its data-value, value or id, as the classifier read it; with an empty `value`, the first
// shown element (a link to other ways to verify). deep.js comes first.
((a) => {
  const quoted = (s) => s.includes("'" + a.value + "'") || s.includes('"' + a.value + '"');
  const idOf = (el) => el.getAttribute('data-value') || el.getAttribute('value') || el.id || '';
  for (const css of a.options) {
    let found = [];
    try { found = __samlbridgeDeep(document.documentElement, css); } catch (e) { continue; }
    const el = found.find((e) => {
      if (a.value === '') { return e.getClientRects().length > 0; }
      const script = e.getAttribute('onclick') || e.getAttribute('href') || '';
      return quoted(script) || idOf(e).trim() === a.value;
    });
    if (el) {
      if (el.scrollIntoView) { el.scrollIntoView(); }
      el.click();
      return 'pressed';
    }
  }
  return 'not-found';
})(__SAMLBRIDGE_ARGS__)
