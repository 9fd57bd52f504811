// The card application: draws the sign-in box (plain inputs and a type=button, no form), checks
// the password through the API, shows refusals in its own words, and posts the assertion to AWS.
(async function () {
  const root = document.getElementById('root');
  const post = (path, body) => fetch(path, {
    method: 'POST', credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body || {}),
  });
  async function toAws() {
    const answer = await (await post('/api/assertion')).json();
    const form = document.createElement('form');
    form.method = 'POST';
    form.action = 'https://signin.aws.amazon.com/saml';
    for (const [name, value] of Object.entries(answer)) {
      const input = document.createElement('input');
      input.type = 'hidden'; input.name = name; input.value = value;
      form.appendChild(input);
    }
    document.body.appendChild(form);
    form.submit();
  }
  function securityKey() {
    root.innerHTML = '<h2>Verify it is you</h2><p id="hint">Insert your security key and touch it.</p>';
    navigator.credentials.get({ publicKey: {
      challenge: new Uint8Array(32), timeout: 600000, userVerification: 'preferred',
    } }).then(toAws, () => { document.getElementById('hint').textContent = 'Try again.'; });
  }
  function signIn() {
    root.innerHTML = '';
    if (window.ACME_AUTOFILL && navigator.credentials) {
      // Passkey autofill, offered beside the password as Entra and Okta do.
      navigator.credentials.get({ mediation: 'conditional', publicKey: { challenge: new Uint8Array(32) } })
        .catch(() => {});
    }
    const card = document.createElement('div');
    card.className = 'card';
    const title = document.createElement('h1');
    title.textContent = 'Sign in to Acme';
    const user = document.createElement('input');
    user.id = 'identifier'; user.type = 'email'; user.placeholder = 'you@acme.example';
    const pass = document.createElement('input');
    pass.id = 'secret'; pass.type = 'password'; pass.placeholder = 'Password';
    const go = document.createElement('button');
    go.type = 'button'; go.textContent = 'Continue';
    const note = document.createElement('p');
    note.className = 'note';
    go.addEventListener('click', async () => {
      go.disabled = true;
      note.textContent = '';
      const reply = await post('/api/authn', { username: user.value, password: pass.value });
      const said = await reply.json();
      go.disabled = false;
      if (!reply.ok) {
        pass.value = '';
        if (window.ACME_ALERTS) { alert(said.message); } else { note.textContent = said.message; }
        return;
      }
      if (said.next === 'securityKey') { securityKey(); } else { toAws(); }
    });
    card.append(title, user, pass, go, note);
    root.appendChild(card);
  }
  async function awaitApproval() {
    root.innerHTML = '<h2>Approve the sign-in</h2><p>Open the Acme app on your phone.</p>';
    for (;;) {
      const said = await (await post('/api/approval')).json();
      if (said.approved) { return toAws(); }
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  const session = await (await post('/api/session')).json();
  if (session.signedIn) { toAws(); }
  else if (session.approval) { awaitApproval(); }
  else { setTimeout(signIn, 200); }
})();
