// Kestrel sign-in: one form that changes in place, as Google's and Microsoft's identifier-first
// pages do. The first screen carries a password input for password managers, kept out of sight
// (off-screen, aria-hidden, not focusable); "Next" is a type=button whose handler checks the
// identifier, then turns it read-only and shows the real password input. The final button is an
// <input type=submit form=kf> outside the form. A wrong password marks the input aria-invalid and
// writes the reason into the element its aria-describedby names, a moment later.
(function () {
  var form = document.getElementById('kf');
  var ident = document.getElementById('kIdent');
  var decoy = document.getElementById('kHiddenPw');
  var next = document.getElementById('kNext');
  var stage = 'identifier';
  var call = function (path, data) {
    var body = new URLSearchParams(data);
    return fetch(path, { method: 'POST', body: body, credentials: 'same-origin' })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, json: j }; }); });
  };
  next.addEventListener('click', function () {
    if (stage !== 'identifier' || !ident.value) { return; }
    next.disabled = true;
    call('/k/lookup', { login: ident.value }).then(function (r) {
      next.disabled = false;
      if (!r.ok) { document.getElementById('kIdentErr').textContent = r.json.reason; return; }
      stage = 'password';
      decoy.remove();
      ident.readOnly = true;
      next.remove();
      var label = document.createElement('label');
      label.textContent = 'Enter your password';
      var pw = document.createElement('input');
      pw.type = 'password'; pw.setAttribute('autocomplete', 'current-password');
      pw.setAttribute('aria-describedby', 'kPwErr');
      label.appendChild(pw);
      var err = document.createElement('span');
      err.id = 'kPwErr'; err.className = 'k-hint';
      form.appendChild(label); form.appendChild(err);
      var go = document.createElement('input');
      go.type = 'submit'; go.value = 'Sign in'; go.setAttribute('form', 'kf');
      document.getElementById('kActions').appendChild(go);
      pw.focus();
    });
  });
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    if (stage !== 'password') { return; }
    var pw = form.querySelector('input[type=password]');
    call('/k/verify', { login: ident.value, secret: pw.value }).then(function (r) {
      if (r.ok) { location.href = r.json.next; return; }
      pw.value = '';
      setTimeout(function () {
        pw.setAttribute('aria-invalid', 'true');
        document.getElementById('kPwErr').textContent = r.json.reason;
      }, 500);
    });
  });
})();
