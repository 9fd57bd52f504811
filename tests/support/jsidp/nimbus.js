// Nimbus sign-in: a small single-page application in the style of a component framework. State
// lives in the application; inputs are controlled (the framework's value tracker ignores a value
// it wrote itself, so only real edits reach the state); renders happen on the next tick; screens
// change with history.pushState; buttons are divs with role=button.
(function () {
  'use strict';
  var cfg = window.__NIMBUS__ || {};
  var root = document.getElementById('nb-root');
  var state = { identifier: '', passcode: '', busy: false, stateToken: null };
  var pending = false;
  var current = null;

  function api(method, path, payload) {
    return fetch(path, {
      method: method, credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: payload ? JSON.stringify(payload) : undefined,
    }).then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); });
  }

  function setState(patch) {
    Object.assign(state, patch);
    if (pending) { return; }
    pending = true;
    setTimeout(function () { pending = false; if (current) { current.update(); } }, 40);
  }

  // The framework's controlled input: it remembers the last value it saw, and an input event
  // whose value it already knows (one written through the element's own `value`) changes nothing.
  var uid = 0;
  function controlled(type, key, attrs) {
    var el = document.createElement('input');
    el.type = type;
    el.id = ':r' + (uid++).toString(36) + ':';
    Object.keys(attrs).forEach(function (a) { el.setAttribute(a, attrs[a]); });
    var proto = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value');
    var tracked = '';
    Object.defineProperty(el, 'value', {
      configurable: true,
      get: function () { return proto.get.call(this); },
      set: function (v) { tracked = String(v); proto.set.call(this, v); },
    });
    el.addEventListener('input', function () {
      var now = proto.get.call(el);
      if (now === tracked) { return; }
      tracked = now;
      var patch = {}; patch[key] = now; setState(patch);
    });
    el.value = state[key];
    return el;
  }

  function button(label, primary, onPress) {
    var b = document.createElement('div');
    b.setAttribute('role', 'button');
    b.setAttribute('tabindex', '0');
    b.className = primary ? 'nb-btn nb-btn--primary' : 'nb-btn nb-btn--secondary';
    b.textContent = label;
    var press = function (e) {
      e.preventDefault();
      if (b.getAttribute('aria-disabled') === 'true' || state.busy) { return; }
      onPress();
    };
    if (cfg.pointerPress) {
      // A press library: down then up on the same element is a press; a bare click is not.
      var down = false;
      b.addEventListener('pointerdown', function () { down = true; });
      b.addEventListener('pointerup', function (e) { if (down) { down = false; press(e); } });
    } else {
      b.addEventListener('click', press);
    }
    return b;
  }

  function spinner() {
    var s = document.createElement('div');
    s.className = 'nb-spinner'; s.setAttribute('aria-busy', 'true');
    return s;
  }

  function toast(message) {
    var area = document.getElementById('nb-toasts');
    setTimeout(function () {
      var t = document.createElement('div');
      t.className = 'nb-toast nb-toast--error';
      t.textContent = message;
      area.appendChild(t);
      setTimeout(function () { t.remove(); }, cfg.toastMs || 3000);
    }, 300);
  }

  function errorPage(message) {
    document.body.innerHTML = '';
    var main = document.createElement('div');
    main.className = 'nb-error-page';
    var h = document.createElement('h1'); h.textContent = "We couldn't sign you in";
    var p = document.createElement('p'); p.textContent = message;
    var a = document.createElement('a'); a.href = '/signin/identify'; a.textContent = 'Start over';
    main.append(h, p, a);
    document.body.appendChild(main);
    document.title = 'Nimbus | Error';
  }

  function go(path, screen) {
    history.pushState({ screen: path }, '', path);
    show(screen);
  }

  function show(screen) {
    root.innerHTML = '';
    current = screen();
    current.update();
  }

  function identifyScreen() {
    var card = document.createElement('section');
    var google = document.createElement('a');
    google.href = '/signin/federated/google'; google.className = 'nb-btn nb-social';
    google.setAttribute('role', 'button'); google.textContent = 'Continue with Google';
    var or = document.createElement('p'); or.textContent = 'or';
    var h = document.createElement('h2'); h.textContent = 'Sign in';
    var input = controlled('text', 'identifier',
      { autocomplete: 'username', 'aria-label': 'Email address', placeholder: 'name@company.com' });
    var next = button('Next', true, submit);
    var slot = document.createElement('div');
    slot.appendChild(next);
    input.addEventListener('keydown', function (e) { if (e.key === 'Enter') { submit(); } });
    card.append(google, or, h, input, slot);
    root.appendChild(card);
    function submit() {
      if (!state.identifier.trim() || state.busy) { return; }
      setState({ busy: true });
      api('POST', '/api/v1/identify', { identifier: state.identifier.trim() }).then(function (r) {
        setState({ busy: false });
        if (!r.ok) { toast(r.body.errorSummary); return; }
        state.stateToken = r.body.stateToken;
        go('/signin/challenge/password', passwordScreen);
      });
    }
    return {
      update: function () {
        next.setAttribute('aria-disabled', state.identifier.trim() ? 'false' : 'true');
        slot.replaceChildren(state.busy ? spinner() : next);
      },
    };
  }

  function passwordScreen() {
    var card = document.createElement('section');
    var h = document.createElement('h2'); h.textContent = 'Verify with your password';
    var who = document.createElement('p'); who.className = 'nb-identifier'; who.textContent = state.identifier;
    state.passcode = '';
    var input = controlled('password', 'passcode',
      { autocomplete: 'current-password', 'aria-label': 'Password' });
    var verify = button('Verify', true, submit);
    var slot = document.createElement('div');
    slot.appendChild(verify);
    var forgot = document.createElement('a'); forgot.href = '#'; forgot.textContent = 'Forgot password?';
    var other = button('Verify with something else', false, function () {});
    var back = document.createElement('a'); back.href = '/signin/identify'; back.textContent = 'Back to sign in';
    card.append(h, who, input, slot, forgot, other, back);
    root.appendChild(card);
    function submit() {
      if (!state.passcode || state.busy) { return; }
      setState({ busy: true });
      api('POST', '/api/v1/challenge/password', { stateToken: state.stateToken, passcode: state.passcode })
        .then(function (r) {
          if (!r.ok) {
            if (cfg.errorPage) { errorPage(r.body.errorSummary); return; }
            state.busy = false;
            show(passwordScreen);
            toast(r.body.errorSummary);
            return;
          }
          if (r.body.next === 'webauthn') { go('/signin/challenge/webauthn', keyScreen); return; }
          location.assign('/sso/saml');
        });
    }
    return {
      update: function () {
        verify.setAttribute('aria-disabled', state.passcode ? 'false' : 'true');
        slot.replaceChildren(state.busy ? spinner() : verify);
      },
    };
  }

  function keyScreen() {
    var card = document.createElement('section');
    var h = document.createElement('h2'); h.textContent = 'Verify it\u2019s you';
    var p = document.createElement('p'); p.textContent = 'Use your security key or biometric authenticator.';
    card.append(h, p, spinner());
    root.appendChild(card);
    setTimeout(function () {
      navigator.credentials.get({ publicKey: { challenge: new Uint8Array(32), timeout: 300000 } })
        .then(function () { location.assign('/sso/saml'); }, function () { p.textContent = 'That did not work. Try again.'; });
    }, 200);
    return { update: function () {} };
  }

  window.addEventListener('popstate', function () { show(identifyScreen); });
  api('GET', '/api/v1/session').then(function (r) {
    if (r.body.active) { location.assign('/sso/saml'); return; }
    history.replaceState({}, '', '/signin/identify');
    show(identifyScreen);
  });
})();
