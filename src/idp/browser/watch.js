// Run in every document before its own scripts: notes what samlbridge cannot see in the DOM — a
// request for a security key or passkey (WebAuthn), requests still in flight, a navigation begun.
(() => {
  try {
    window.__samlbridgeBusy = 0;
    const done = () => { window.__samlbridgeBusy = Math.max(0, window.__samlbridgeBusy - 1); };
    const fetch0 = window.fetch;
    if (fetch0) {
      window.fetch = function (...args) {
        window.__samlbridgeBusy++;
        const p = fetch0.apply(this, args);
        p.then(done, done);
        return p;
      };
    }
    const send0 = XMLHttpRequest.prototype.send;
    XMLHttpRequest.prototype.send = function (...args) {
      window.__samlbridgeBusy++;
      this.addEventListener('loadend', done);
      return send0.apply(this, args);
    };
    window.addEventListener('beforeunload', () => { window.__samlbridgeLeaving = true; });
  } catch (e) {}
  try {
    const c = navigator.credentials;
    if (c) {
      for (const m of ['get', 'create']) {
        const orig = c[m] && c[m].bind(c);
        if (!orig) { continue; }
        c[m] = function (opts) {
          // Passkey autofill (mediation: conditional) waits beside a password form: not a demand.
          if (opts && opts.publicKey && opts.mediation !== 'conditional') { window.__samlbridgeWebAuthn = m; }
          return orig(opts);
        };
      }
    }
  } catch (e) {}
})();
