// The Entra emulator's sign-in application: draws every page from the embedded $Config, as
// Entra's converged sign-in does. Element ids and names follow Entra's stable ones (loginfmt,
// passwd, otc, idSIButton9, idBtn_Back, idRichContext_DisplaySign, KmsiCheckboxField).
(function () {
  'use strict';
  var C = window.$Config || {};
  var box = document.getElementById('lightbox');
  var WORDS = {
    unknown: 'This username may be incorrect. Make sure you typed it correctly. Otherwise, contact your admin.',
    noPassword: 'Please enter your password.',
    noCode: 'Please enter the code.',
    wrongCode: 'You didn\'t enter the expected verification code. Please try again.',
    denied: 'We didn\'t sign you in. You denied the sign-in request on your Microsoft Authenticator app.',
    timedOut: 'We didn\'t hear from you. We sent an identity verification request to your Microsoft Authenticator app, but we didn\'t get a response in time.',
    passkeyFailed: 'We couldn\'t sign you in with your passkey. Try again, or use another sign-in option.',
    trouble: 'Something went wrong. Please try again.'
  };

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function add(parent, child) { parent.appendChild(child); return child; }
  // Each view drawn gets a number: a push poll of a view no longer shown stops.
  var views = 0;
  function fresh() { views += 1; box.textContent = ''; return box; }
  function heading(parent, text) {
    return add(parent, el('div', { role: 'heading', 'aria-level': '1', id: 'loginHeader', 'class': 'row title' }, text));
  }
  function alertBox(parent, id, text) {
    var d = add(parent, el('div', { id: id, role: 'alert', 'aria-live': 'assertive', 'class': 'error' }));
    if (text) { d.textContent = text; }
    return d;
  }
  function identity(parent, name) {
    if (name) { add(parent, el('div', { id: 'displayName', 'class': 'identity', title: name }, name)); }
  }
  function hidden(form, name, value) {
    add(form, el('input', { type: 'hidden', name: name, value: value === undefined ? '' : String(value) }));
  }
  function flowForm(parent, action) {
    var f = add(parent, el('form', { name: 'f1', id: 'i0281', method: 'post', action: action, novalidate: 'novalidate', autocomplete: 'off' }));
    hidden(f, 'ctx', C.sCtx);
    hidden(f, C.sFTName || 'flowToken', C.sFT);
    hidden(f, C.sCanaryTokenName || 'canary', C.canary);
    hidden(f, 'hpgrequestid', C.hpgrequestid);
    return f;
  }
  function post(action, fields) {
    var f = flowForm(document.body, action);
    Object.keys(fields).forEach(function (k) { hidden(f, k, fields[k]); });
    f.submit();
  }
  function api(url, body) {
    return fetch(url, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json; charset=UTF-8', 'client-request-id': C.correlationId || '', 'hpgrequestid': C.hpgrequestid || '' },
      body: JSON.stringify(body)
    }).then(function (r) { return r.json(); });
  }
  function button(parent, id, value, type) {
    return add(parent, el('input', { type: type || 'submit', id: id, 'class': 'win-button button_primary', value: value }));
  }
  function link(parent, id, text, onclick) {
    var a = add(parent, el('a', { id: id, href: '#', role: 'link' }, text));
    a.addEventListener('click', function (ev) { ev.preventDefault(); onclick(); });
    return a;
  }

  // ---- username, password, pick an account, passkey ----
  function usernameView(error) {
    var b = fresh();
    heading(b, 'Sign in');
    var f = flowForm(b, C.urlPost);
    var err = alertBox(f, 'usernameError', error);
    var input = add(f, el('input', { type: 'email', name: 'loginfmt', id: 'i0116', maxlength: '113', 'class': 'form-control ltr_override', 'aria-required': 'true', 'aria-label': 'Enter your email, phone, or Skype.', placeholder: 'Email, phone, or Skype', autocomplete: 'username' }));
    input.value = C.sPOST_Username || '';
    add(f, el('div', { id: 'cantAccessAccount' }, 'Can\'t access your account?'));
    button(f, 'idSIButton9', 'Next');
    f.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var name = input.value.trim();
      if (!name) { err.textContent = 'Enter a valid email address, phone number, or Skype name.'; return; }
      api(C.urlGetCredentialType, { username: name, isOtherIdpSupported: true, checkPhones: false, isRemoteNGCSupported: true, isCookieBannerShown: false, isFidoSupported: true, originalRequest: C.sCtx, flowToken: C.sFT })
        .then(function (r) { afterCredentialType(name, r, err); })
        .catch(function () { err.textContent = WORDS.trouble; });
    });
    input.focus();
  }
  function afterCredentialType(name, r, err) {
    if (r.FlowToken) { C.sFT = r.FlowToken; }
    var creds = r.Credentials || {};
    if (r.IfExistsResult === 1) { err.textContent = WORDS.unknown; return; }
    if (creds.FederationRedirectUrl) {
      var b = fresh();
      heading(b, 'Taking you to your organization\'s sign-in page');
      window.location.assign(creds.FederationRedirectUrl);
      return;
    }
    C.sPOST_Username = name;
    if (!creds.HasPassword && creds.FidoParams) { passkeyView(name, creds.FidoParams); return; }
    passwordView(name, '');
  }
  function passwordView(name, error) {
    var b = fresh();
    identity(b, name);
    heading(b, 'Enter password');
    var f = flowForm(b, C.urlPost);
    var err = alertBox(f, 'passwordError', error);
    hidden(f, 'login', name);
    hidden(f, 'loginfmt', name);
    hidden(f, 'type', 11);
    hidden(f, 'LoginOptions', 3);
    hidden(f, 'i13', 0);
    var input = add(f, el('input', { type: 'password', name: 'passwd', id: 'i0118', 'class': 'form-control input ext-input text-box ext-text-box', 'aria-required': 'true', 'aria-label': 'Enter the password for ' + name, placeholder: 'Password', autocomplete: 'current-password' }));
    add(f, el('a', { id: 'idA_PWD_ForgotPassword', role: 'link', href: '#' }, 'Forgot my password'));
    button(f, 'idSIButton9', 'Sign in');
    f.addEventListener('submit', function (ev) {
      if (!input.value) { ev.preventDefault(); err.textContent = WORDS.noPassword; }
    });
    input.focus();
  }
  function pickAccountView() {
    var b = fresh();
    heading(b, 'Pick an account');
    var list = add(b, el('div', { id: 'tilesHolder', role: 'list', 'aria-label': 'Pick an account' }));
    (C.arrSessions || []).forEach(function (s) {
      var tile = add(list, el('div', { role: 'button', tabindex: '0', 'class': 'table', 'data-test-id': s.name, 'aria-label': 'Sign in with ' + s.name + ' work or school account.' }));
      add(tile, el('div', { 'class': 'table-cell text-left content' }, s.displayName || s.name));
      add(tile, el('small', {}, s.name));
      add(tile, el('div', { 'class': 'tile-status' }, s.isSignedIn ? 'Signed in' : ''));
      tile.addEventListener('click', function () { post(C.urlPost, { type: 20, login: s.name, loginfmt: s.name }); });
    });
    var other = add(list, el('div', { id: 'otherTile', role: 'button', tabindex: '0', 'class': 'table', 'aria-label': 'Use another account' }));
    add(other, el('div', { id: 'otherTileText' }, 'Use another account'));
    other.addEventListener('click', function () { C.sPOST_Username = ''; usernameView(''); });
  }
  function b64url(bytes) {
    var s = ''; new Uint8Array(bytes).forEach(function (c) { s += String.fromCharCode(c); });
    return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }
  function unb64url(text) {
    var s = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    var out = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) { out[i] = s.charCodeAt(i); }
    return out;
  }
  function passkeyView(name, fido) {
    var b = fresh();
    identity(b, name);
    heading(b, 'Sign in with a passkey');
    add(b, el('div', { id: 'fidoDescription', 'class': 'row text-body' }, 'When you are prompted, use your passkey or security key to sign in.'));
    var err = alertBox(b, 'fidoError', '');
    link(b, 'idA_SignInOptions', 'Sign-in options', function () { usernameView(''); });
    if (!navigator.credentials || !window.PublicKeyCredential) { err.textContent = WORDS.passkeyFailed; return; }
    navigator.credentials.get({ publicKey: { challenge: unb64url(fido.Challenge), rpId: location.hostname, timeout: fido.Timeout || 60000, userVerification: 'required', allowCredentials: [] } })
      .then(function (cred) {
        post(C.urlPost, { type: 23, login: name, loginfmt: name, credentialId: cred.id,
          clientDataJSON: b64url(cred.response.clientDataJSON), authenticatorData: b64url(cred.response.authenticatorData),
          signature: b64url(cred.response.signature), userHandle: cred.response.userHandle ? b64url(cred.response.userHandle) : '' });
      })
      .catch(function () { err.textContent = WORDS.passkeyFailed; });
  }

  // ---- verify your identity: method list, push with number matching, code ----
  var proofs = C.arrUserProofs || [];
  function anotherWay(parent) {
    if (proofs.length > 1) { link(parent, 'signInAnotherWay', 'Sign in another way', methodListView); }
  }
  function methodListView() {
    var b = fresh();
    identity(b, C.sPOST_Username);
    heading(b, 'Verify your identity');
    var list = add(b, el('div', { id: 'idDiv_SAOTCS_Proofs', role: 'list' }));
    proofs.forEach(function (p) {
      var tile = add(list, el('div', { role: 'button', tabindex: '0', 'class': 'table', 'data-value': p.authMethodId }, p.display));
      tile.addEventListener('click', function () { beginMethod(p); });
    });
  }
  function beginMethod(p) {
    api(C.urlBeginAuth, { AuthMethodId: p.authMethodId, Method: 'BeginAuth', ctx: C.sCtx, flowToken: C.sFT })
      .then(function (r) {
        if (r.FlowToken) { C.sFT = r.FlowToken; }
        if (!r.Success) { failure('Verify your identity', r.Message || WORDS.trouble); return; }
        if (p.authMethodId === 'PhoneAppNotification') { pushView(p, r); } else { codeView(p, r.SessionId); }
      })
      .catch(function () { failure('Verify your identity', WORDS.trouble); });
  }
  function failure(title, words) {
    var b = fresh();
    identity(b, C.sPOST_Username);
    heading(b, title);
    alertBox(b, 'idDiv_SAASDS_Error', words);
    anotherWay(b);
  }
  function endAuth(p, session, extra) {
    var body = { Method: 'EndAuth', SessionId: session, FlowToken: C.sFT, Ctx: C.sCtx, AuthMethodId: p.authMethodId };
    Object.keys(extra).forEach(function (k) { body[k] = extra[k]; });
    return api(C.urlEndAuth, body).then(function (r) { if (r.FlowToken) { C.sFT = r.FlowToken; } return r; });
  }
  function processAuth(p) {
    var b = fresh();
    heading(b, 'Signing in');
    post(C.urlPost, { type: 22, request: C.sCtx, mfaAuthMethod: p.authMethodId, login: C.sPOST_Username });
  }
  function pushView(p, begun) {
    var b = fresh();
    identity(b, C.sPOST_Username);
    heading(b, 'Approve sign in request');
    add(b, el('div', { id: 'idDiv_SAOTCAS_Description', 'class': 'row text-body' }, 'Open your Authenticator app, and enter the number shown to sign in.'));
    add(b, el('div', { id: 'idRichContext_DisplaySign', 'class': 'displaySign', 'aria-live': 'polite' }, String(begun.Entropy)));
    add(b, el('div', { 'class': 'row text-body' }, 'No numbers in your app? Make sure to upgrade to the latest version.'));
    anotherWay(b);
    var polls = 0;
    var mine = views;
    function poll() {
      if (views !== mine) { return; }
      polls += 1;
      endAuth(p, begun.SessionId, { PollCount: polls }).then(function (r) {
        if (views !== mine) { return; }
        if (r.Success) { processAuth(p); return; }
        if (r.ResultValue === 'AuthenticationPending') { setTimeout(poll, C.iPollingInterval || 1000); return; }
        if (r.ResultValue === 'PhoneAppDenied') { failure('Request denied', WORDS.denied); return; }
        if (r.ResultValue === 'PhoneAppNoResponse') { failure('We didn\'t hear from you', WORDS.timedOut); return; }
        failure('Verify your identity', r.Message || WORDS.trouble);
      }).catch(function () { setTimeout(poll, C.iPollingInterval || 1000); });
    }
    setTimeout(poll, C.iPollingInterval || 1000);
  }
  function codeView(p, session) {
    var b = fresh();
    identity(b, C.sPOST_Username);
    heading(b, 'Enter code');
    var words = p.authMethodId === 'OneWaySMS'
      ? 'We texted your phone ' + p.display.replace(/^Text /, '') + '. Please enter the code to sign in.'
      : 'Enter the code displayed in the Microsoft Authenticator app on your mobile device';
    add(b, el('div', { id: 'idDiv_SAOTCC_Description', 'class': 'row text-body' }, words));
    var f = add(b, el('form', { name: 'f1', novalidate: 'novalidate', autocomplete: 'off' }));
    var err = alertBox(f, 'idSpan_SAOTCC_Error_OTC', '');
    var input = add(f, el('input', { type: 'tel', name: 'otc', id: 'idTxtBx_SAOTCC_OTC', 'class': 'form-control input text-box', 'aria-label': 'Code', placeholder: 'Code', autocomplete: 'one-time-code', maxlength: '8' }));
    button(f, 'idSubmit_SAOTCC_Continue', 'Verify');
    anotherWay(b);
    f.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var code = input.value.trim();
      if (!code) { err.textContent = WORDS.noCode; return; }
      endAuth(p, session, { AdditionalAuthData: code, PollCount: 1 }).then(function (r) {
        if (r.Success) { processAuth(p); return; }
        err.textContent = WORDS.wrongCode;
        input.value = '';
        input.focus();
      }).catch(function () { err.textContent = WORDS.trouble; });
    });
    input.focus();
  }
  function tfa() {
    if (C.sErrTxt) { failure('Verify your identity', C.sErrTxt); return; }
    var first = proofs.filter(function (p) { return p.isDefault; })[0] || proofs[0];
    if (C.fShowMethodList || !first) { methodListView(); } else { beginMethod(first); }
  }

  // ---- stay signed in?, expired password ----
  function kmsiView() {
    var b = fresh();
    identity(b, C.sPOST_Username);
    heading(b, 'Stay signed in?');
    var f = flowForm(b, C.urlPost);
    hidden(f, 'type', 28);
    var options = add(f, el('input', { type: 'hidden', name: 'LoginOptions', value: '1' }));
    add(f, el('div', { id: 'KmsiDescription', 'class': 'row text-body' }, 'Do this to reduce the number of times you are asked to sign in.'));
    var label = add(f, el('label', { 'for': 'KmsiCheckboxField' }));
    add(label, el('input', { type: 'checkbox', name: 'DontShowAgain', id: 'KmsiCheckboxField', value: 'true' }));
    add(label, el('span', {}, 'Don\'t show this again'));
    var no = button(f, 'idBtn_Back', 'No', 'button');
    button(f, 'idSIButton9', 'Yes');
    no.addEventListener('click', function () { options.value = '3'; f.submit(); });
    f.addEventListener('submit', function () { options.value = '1'; });
  }
  function changePasswordView() {
    var b = fresh();
    identity(b, C.sPOST_Username);
    heading(b, 'Update your password');
    alertBox(b, 'passwordError', C.sErrTxt);
    add(b, el('div', { 'class': 'row text-body' }, 'You need to update your password because your password has expired.'));
    var f = flowForm(b, C.urlPost);
    hidden(f, 'type', 12);
    hidden(f, 'login', C.sPOST_Username);
    add(f, el('input', { type: 'password', name: 'oldPassword', id: 'currentPassword', placeholder: 'Current password' }));
    add(f, el('input', { type: 'password', name: 'newPassword', id: 'newPassword', placeholder: 'New password' }));
    add(f, el('input', { type: 'password', name: 'confirmNewPassword', id: 'confirmNewPassword', placeholder: 'Confirm password' }));
    button(f, 'idSIButton9', 'Sign in');
  }

  function proofUpView() {
    var b = fresh();
    identity(b, C.sPOST_Username);
    heading(b, 'More information required');
    add(b, el('div', { id: 'idDiv_ProofUp_Description', 'class': 'row text-body' }, C.sErrTxt));
    add(b, el('a', { id: 'moreInfoUrl', href: 'https://aka.ms/MFASetup', role: 'link' }, 'Learn more'));
    var f = flowForm(b, C.urlPost);
    hidden(f, 'type', 13);
    hidden(f, 'login', C.sPOST_Username);
    button(f, 'idSIButton9', 'Next');
  }
  function errorView() {
    var b = fresh();
    identity(b, C.sPOST_Username);
    heading(b, 'You can\'t get there from here');
    alertBox(b, 'idDiv_Error', C.sErrTxt);
    var details = add(b, el('div', { id: 'debugDetails', 'class': 'debug-details-section' }));
    add(details, el('div', {}, 'Error Code: ' + C.sErrorCode));
    add(details, el('div', {}, 'Request Id: ' + (C.hpgrequestid || '')));
    add(details, el('div', {}, 'Correlation Id: ' + (C.correlationId || '')));
  }

  function start() {
    switch (C.pgid) {
      case 'ConvergedTFA': tfa(); break;
      case 'KmsiInterrupt': kmsiView(); break;
      case 'ConvergedChangePassword': changePasswordView(); break;
      case 'ConvergedProofUpRedirect': proofUpView(); break;
      case 'ConvergedError': errorView(); break;
      default:
        if ((C.arrSessions || []).length > 1 && !C.sErrorCode) { pickAccountView(); }
        else if (C.sPOST_Username && C.sErrorCode && C.sErrorCode !== '50034') { passwordView(C.sPOST_Username, C.sErrTxt); }
        else { usernameView(C.sErrTxt); }
    }
  }
  start();
}());
