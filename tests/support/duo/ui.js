// The Duo emulator's prompt, as Duo's Universal Prompt behaves in a browser: it reads the prompt's
// JSON data, sends a push to the preferred phone when Duo Push is the preferred factor ("Check for a
// Duo Push", "Sent to …"; a Verified Duo Push shows the code to type), offers "Other options"
// (Duo Push per phone, "Duo Mobile passcode"), long-polls the factor's status, writes Duo's refusal
// in its words, and on allow asks "Trust this browser?" when remember-me is offered before it posts
// the oidc-exit-form. The requests are the ones Duo's own script sends (and samlbridge's Duo client).
(() => {
  'use strict';
  const legacy = document.getElementById('login-form');
  const exit = document.querySelector('form.oidc-exit-form');
  const hidden = (form, name) => (form.querySelector('[name="' + name + '"]') || {}).value || '';
  const sid = hidden(exit, 'sid');
  const xsrf = hidden(exit, '_xsrf');
  // The page's form for older clients is not what a person sees.
  if (legacy) { legacy.remove(); }
  const app = document.createElement('div');
  app.id = 'app';
  exit.parentNode.insertBefore(app, exit);

  const el = (tag, attrs, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) { e.setAttribute(k, v); }
    for (const c of children) { e.append(c); }
    return e;
  };
  const link = (text, onPress, attrs) => {
    const a = el('a', Object.assign({ href: '#' }, attrs || {}), text);
    a.addEventListener('click', (ev) => { ev.preventDefault(); onPress(); });
    return a;
  };
  const show = (...children) => {
    app.replaceChildren(...children);
  };
  const header = (text) => el('h1', { id: 'header-text' }, text);
  const errorBox = (message) => el('div', { class: 'error-message', role: 'alert' }, message);

  let data = null;
  let polling = null;
  const stopPolling = () => {
    if (polling) { polling.abort(); polling = null; }
  };
  const post = (path, fields, signal) => fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
    signal,
  }).then((r) => r.json());
  const digits = (phone) => phone.end_of_number ? ' (•••-•••-' + phone.end_of_number + ')' : '';
  const pushPhones = () => (data.auth_method_order || [])
    .filter((m) => m.factor === 'Duo Push')
    .map((m) => data.phones.find((p) => p.key === m.deviceKey))
    .filter(Boolean);
  const offersPasscode = () => (data.auth_method_order || []).some((m) => m.factor === 'Passcode');
  const otherOptions = () => link('Other options', () => { stopPolling(); showOptions(); },
    { class: 'button--link other-options-link', id: 'other-options-link' });

  // A factor started: its status polled until Duo says more than "pushed" (each poll may be held).
  // A poll that fails or hangs (a network hiccup) is sent again, as Duo's prompt does: a lost
  // answer must not leave the prompt waiting forever.
  const follow = (txid, onPending, onRefused) => {
    const controller = new AbortController();
    polling = controller;
    const poll = () => {
      const timer = setTimeout(() => controller.abort(), 15000);
      return post('/frame/v4/status', { sid, txid }, controller.signal)
        .finally(() => clearTimeout(timer))
        .then(handle, () => {
          if (polling !== controller) { return; }
          // Failed, or aborted by the timer (not by stopPolling): again in a second, afresh.
          setTimeout(() => { if (polling === controller) { follow(txid, onPending, onRefused); } }, 1000);
        });
    };
    const handle = (body) => {
      if (polling !== controller) { return; }
      if (body.stat !== 'OK') { polling = null; onRefused(body.message || 'Something went wrong.'); return; }
      const status = body.response;
      if (status.status_code === 'allow') { polling = null; allowed(txid); return; }
      if (['pushed', 'calling', 'answered', 'sent'].includes(status.status_code)) {
        onPending(status);
        setTimeout(poll, 250);
        return;
      }
      polling = null;
      onRefused(status.status || status.reason || 'Login request denied.');
    };
    poll();
  };

  const startPush = (phone) => {
    stopPolling();
    show(header('Sending a Duo Push…'));
    post('/frame/v4/prompt', {
      sid, _xsrf: xsrf, factor: 'Duo Push', device: phone.index, postAuthDestination: 'OIDC_EXIT',
    }).then((body) => {
      if (body.stat !== 'OK') { pushRefused(phone, body.message); return; }
      let shown = false;
      follow(body.response.txid, (status) => {
        if (shown) { return; }
        shown = true;
        const code = ((status.risk_based_factor_selection_data || {}).step_up_code || '').toString();
        const verified = code
          ? [el('p', { class: 'verification-instructions' }, 'Enter this code in Duo Mobile'),
            el('div', { class: 'verification-code' }, code)]
          : [];
        show(header(code ? 'Enter code in Duo Mobile' : 'Check for a Duo Push'),
          el('p', { class: 'device-label' }, 'Sent to "' + phone.name + '"' + digits(phone)),
          ...verified, otherOptions());
      }, (message) => pushRefused(phone, message));
    });
  };

  const pushRefused = (phone, message) => {
    const again = el('button', { type: 'button', class: 'button--primary try-again-button' }, 'Try again');
    again.addEventListener('click', () => startPush(phone));
    show(header('Check for a Duo Push'), errorBox(message), again, otherOptions());
  };

  const showOptions = () => {
    const items = pushPhones().map((phone) => el('li', {},
      link(el('span', { class: 'method-label' }, 'Duo Push'), () => startPush(phone),
        { class: 'auth-method-link', id: 'auth-method-push-' + phone.index }),
      el('span', { class: 'method-description' }, 'Send a request to ' + phone.name + digits(phone))));
    if (offersPasscode()) {
      const label = pushPhones().length ? 'Duo Mobile passcode' : 'Passcode';
      items.push(el('li', {},
        link(el('span', { class: 'method-label' }, label), showPasscode,
          { class: 'auth-method-link', id: 'auth-method-mobile-otp' }),
        el('span', { class: 'method-description' }, 'Enter a code from the Duo Mobile app or a token')));
    }
    show(header('Other options to log in'), el('ul', { class: 'auth-method-list', role: 'list' }, ...items));
  };

  const showPasscode = (message) => {
    stopPolling();
    const input = el('input', {
      id: 'passcode-input', name: 'passcode-input', type: 'text', inputmode: 'numeric',
      autocomplete: 'one-time-code', 'aria-label': 'Passcode',
    });
    const form = el('form', { class: 'passcode-form', method: 'post' },
      el('label', { for: 'passcode-input' }, 'Passcode'), input,
      el('button', { type: 'submit', class: 'button--primary verify-button' }, 'Verify'));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const passcode = input.value.trim();
      show(header('Verifying…'));
      post('/frame/v4/prompt', {
        sid, _xsrf: xsrf, factor: 'Passcode', device: 'None', passcode, postAuthDestination: 'OIDC_EXIT',
      }).then((body) => {
        if (body.stat !== 'OK') { showPasscode(body.message); return; }
        follow(body.response.txid, () => {}, showPasscode);
      });
    });
    const said = typeof message === 'string' && message ? [errorBox(message)] : [];
    show(header('Enter code from Duo Mobile'), ...said, form, otherOptions());
  };

  // Allowed: "Trust this browser?" when Duo offers to remember it, then the exit to the IdP.
  const allowed = (txid) => {
    hiddenField('txid').value = txid;
    if (!data.remember_me_enabled) {
      show(header('Success! Logging you in…'));
      exit.submit();
      return;
    }
    const choice = el('form', { id: 'trust-browser-form', class: 'trust-browser-form' },
      el('button', { type: 'submit', id: 'trust-browser-button', class: 'button--primary', value: 'true' },
        'Yes, this is my device'),
      el('button', { type: 'submit', id: 'dont-trust-browser-button', class: 'button--link', value: 'false' },
        'No, other people use this device'));
    choice.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const pressed = ev.submitter || document.activeElement;
      hiddenField('dampen_choice').value = pressed && pressed.value === 'true' ? 'true' : 'false';
      show(header('Success! Logging you in…'));
      exit.submit();
    });
    show(el('h1', { id: 'trust-this-browser-label' }, 'Trust this browser?'),
      el('p', {}, "You won't need to verify your identity again on this browser for a while."), choice);
  };
  const hiddenField = (name) => {
    let f = exit.querySelector('[name="' + name + '"]');
    if (!f) {
      f = el('input', { type: 'hidden', name });
      exit.appendChild(f);
    }
    return f;
  };

  show(header('Loading…'));
  fetch('/frame/v4/auth/prompt/data?post_auth_action=OIDC_EXIT&sid=' + encodeURIComponent(sid))
    .then((r) => r.json())
    .then((body) => {
      if (body.stat !== 'OK') { show(header('Error'), errorBox(body.message || 'Something went wrong.')); return; }
      data = body.response;
      const preferred = data.phones.find((p) => p.index === data.preferred_device);
      if (data.preferred_factor === 'Duo Push' && preferred && pushPhones().includes(preferred)) {
        startPush(preferred);
      } else if (offersPasscode()) {
        showPasscode();
      } else {
        showOptions();
      }
    })
    .catch(() => show(header('Error'), errorBox('Duo could not load this prompt.')));
})();
