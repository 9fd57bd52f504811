"""The integrated-auth emulator's acceptor: real GSSAPI (MIT krb5 + gss-ntlmssp) behind a pipe.

Run by samlbridge_emulators::krb::Acceptor with a python3 that has python3-gssapi (Debian's) and
pyspnego (PyPI; .ci/run makes a venv with both). One JSON object a line on stdin, one answer a line
on stdout:

  {"op": "step", "conn": "127.0.0.1:40112", "token": "<base64>"}
      -> {"state": "continue", "token": "<base64>"}
      -> {"state": "complete", "token": "<base64>" | null, "user": "alice@REALM", "mech": "krb5"}
      -> {"state": "rejected", "error": "<words>"}
  {"op": "forget", "conn": "127.0.0.1:40112"}  -> {"state": "forgotten"}

A context lives per client connection ("conn"): NTLM's legs must share one, as IIS requires, and a
leg that arrives on another connection meets no context and is refused by the mechanism itself.
Kerberos and SPNEGO go to MIT's GSSAPI with the keytab in KRB5_KTNAME; a raw NTLMSSP token (the
`NTLM` scheme, or NTLM sent under `Negotiate`) to pyspnego's NTLM acceptor with the user file in
NTLM_USER_FILE (lines DOMAIN:user:password). Neither is parsed here beyond its first bytes.
"""

import base64
import json
import sys

import gssapi
import spnego
import spnego.exceptions

KRB5 = gssapi.OID.from_int_seq("1.2.840.113554.1.2.2")
SPNEGO = gssapi.OID.from_int_seq("1.3.6.1.5.5.2")
NTLMSSP = gssapi.OID.from_int_seq("1.3.6.1.4.1.311.2.2.10")
NAMES = {str(KRB5): "krb5", str(SPNEGO): "spnego", str(NTLMSSP): "ntlm"}


def words(err):
    try:
        text = err.gen_message() if hasattr(err, "gen_message") else str(err)
        return " ".join(text.split())
    except Exception:  # noqa: BLE001 - any failure to render is still a refusal
        return type(err).__name__


NTLM_SIGNATURE = b"NTLMSSP\x00"


def is_first_leg(token):
    """A token that opens a handshake (NTLM NEGOTIATE, a GSS initial token): a new context."""
    if token.startswith(NTLM_SIGNATURE):
        return token[8:12] == b"\x01\x00\x00\x00"
    return token[:1] == b"\x60"


class Ntlm:
    """pyspnego's own NTLM acceptor (it takes every NEGOTIATE form IIS takes)."""

    def __init__(self):
        self.ctx = spnego.server(protocol="ntlm", options=spnego.NegotiateOptions.use_ntlm)

    def step(self, token):
        return self.ctx.step(token)

    @property
    def complete(self):
        return self.ctx.complete

    def who(self):
        return str(self.ctx.client_principal), "ntlm"


class Gss:
    """MIT GSSAPI with the default acceptor credential: Kerberos, SPNEGO (what the keytab allows)."""

    def __init__(self):
        self.ctx = gssapi.SecurityContext(usage="accept")

    def step(self, token):
        return self.ctx.step(token)

    @property
    def complete(self):
        return self.ctx.complete

    def who(self):
        mech = str(self.ctx.mech)
        return str(self.ctx.initiator_name), NAMES.get(mech, mech)


def step(contexts, conn, token):
    ctx = contexts.get(conn)
    if ctx is None or is_first_leg(token):
        try:
            ctx = Ntlm() if token.startswith(NTLM_SIGNATURE) else Gss()
        except (gssapi.exceptions.GSSError, spnego.exceptions.SpnegoError) as err:
            return {"state": "rejected", "error": words(err)}
        contexts[conn] = ctx
    try:
        out = ctx.step(token)
        complete = ctx.complete
        who = ctx.who() if complete else None
    except (gssapi.exceptions.GSSError, spnego.exceptions.SpnegoError) as err:
        # python-gssapi may return SPNEGO's reject token and raise on the next attribute read
        contexts.pop(conn, None)
        return {"state": "rejected", "error": words(err)}
    answer = {"token": base64.b64encode(out).decode() if out else None}
    if not complete:
        answer["state"] = "continue"
        return answer
    contexts.pop(conn, None)
    answer["state"] = "complete"
    answer["user"], answer["mech"] = who
    return answer


def handle(contexts, request):
    op = request.get("op")
    conn = str(request.get("conn", ""))
    if op == "forget":
        contexts.pop(conn, None)
        return {"state": "forgotten"}
    if op != "step":
        return {"state": "rejected", "error": "unknown op"}
    try:
        token = base64.b64decode(request.get("token", ""), validate=True)
    except (ValueError, TypeError):
        return {"state": "rejected", "error": "the token is not base64"}
    if not token:
        return {"state": "rejected", "error": "an empty token"}
    return step(contexts, conn, token)


def main():
    contexts = {}
    print(json.dumps({"state": "ready"}), flush=True)
    for line in sys.stdin:
        try:
            request = json.loads(line)
        except ValueError:
            request = None
        if not isinstance(request, dict):
            answer = {"state": "rejected", "error": "the request is not a JSON object"}
        else:
            try:
                answer = handle(contexts, request)
            except Exception as err:  # noqa: BLE001 - one bad token must not end the acceptor
                contexts.pop(str(request.get("conn", "")), None)
                answer = {"state": "rejected", "error": "%s: %s" % (type(err).__name__, err)}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
