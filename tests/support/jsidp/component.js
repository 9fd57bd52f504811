// The component application: the sign-in form lives in the open shadow root of a custom element
// (<acme-sign-in>), as web-component sign-in pages are built; refusals are written inside it.
(async function () {
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
  class AcmeSignIn extends HTMLElement {
    connectedCallback() {
      const shadow = this.attachShadow({ mode: 'open' });
      shadow.innerHTML = '<style>.oops { color: #b00; }</style><h1>Acme</h1>'
        + '<form><input id="login-email" type="email" placeholder="Email">'
        + '<input id="login-secret" type="password" placeholder="Password">'
        + '<button type="submit">Sign in</button><p class="oops"></p></form>';
      const form = shadow.querySelector('form');
      form.addEventListener('submit', async (event) => {
        event.preventDefault();
        const user = shadow.getElementById('login-email').value;
        const pass = shadow.getElementById('login-secret').value;
        const reply = await post('/api/authn', { username: user, password: pass });
        const said = await reply.json();
        if (!reply.ok) { shadow.querySelector('.oops').textContent = said.message; return; }
        toAws();
      });
    }
  }
  customElements.define('acme-sign-in', AcmeSignIn);
  const session = await (await post('/api/session')).json();
  if (session.signedIn) { toAws(); } else { document.getElementById('root').innerHTML = '<acme-sign-in></acme-sign-in>'; }
})();
