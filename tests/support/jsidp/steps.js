// The steps application: a username form, then a password form, then (when the account has one) a
// one-time-code form, each drawn by script with a submit handler calling the JSON API; refusals are
// written into an alert; at the end the browser is sent to the server's auto-posting page.
(async function () {
  const root = document.getElementById('root');
  const post = (path, body) => fetch(path, {
    method: 'POST', credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body || {}),
  });
  let username = '';
  function screen(title, fields, button, onSubmit) {
    root.innerHTML = '';
    const h = document.createElement('h1');
    h.textContent = title;
    const alert = document.createElement('div');
    alert.setAttribute('role', 'alert');
    const form = document.createElement('form');
    form.innerHTML = fields + '<button type="submit">' + button + '</button>';
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      alert.textContent = '';
      const said = await onSubmit(form);
      if (said) { alert.textContent = said; }
    });
    root.append(h, alert, form);
  }
  function askUser() {
    screen('Sign in', '<label for="u">Email</label><input id="u" name="loginfmt" type="email" autocomplete="username">',
      'Next', async (form) => {
        username = form.elements.loginfmt.value;
        const reply = await post('/api/user', { username });
        if (!reply.ok) { return (await reply.json()).message; }
        setTimeout(askPassword, 150);
        return '';
      });
  }
  function askPassword() {
    screen('Enter password', '<p class="who"></p><input name="passwd" type="password" autocomplete="current-password">',
      'Sign in', async (form) => {
        const reply = await post('/api/authn', { username, password: form.elements.passwd.value });
        const said = await reply.json();
        if (!reply.ok) { form.elements.passwd.value = ''; return said.message; }
        if (said.next === 'code') { setTimeout(askCode, 150); } else { location.href = '/sso/finish'; }
        return '';
      });
    root.querySelector('.who').textContent = username;
  }
  function askCode() {
    screen('Verify your identity', '<label for="c">Verification code</label><input id="c" name="otc" inputmode="numeric" autocomplete="one-time-code">',
      'Verify', async (form) => {
        const reply = await post('/api/code', { code: form.elements.otc.value });
        if (!reply.ok) { form.elements.otc.value = ''; return (await reply.json()).message; }
        location.href = '/sso/finish';
        return '';
      });
  }
  const session = await (await post('/api/session')).json();
  if (session.signedIn) { location.href = '/sso/finish'; } else { setTimeout(askUser, 150); }
})();
