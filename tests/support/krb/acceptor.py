"""The integrated-auth emulator's acceptor: real GSSAPI (MIT krb5 + gss-ntlmssp) behind a pipe.

Run by samlbridge_emulators::krb::Acceptor with Debian's python3 (python3-gssapi). One JSON object
a line on stdin, one answer a line on stdout:

  {"op": "step", "conn": "127.0.0.1:40112", "token": "<base64>"}
      -> {"state": "continue", "token": "<base64>"}
      -> {"state": "complete", "token": "<base64>" | null, "user": "alice@REALM", "mech": "krb5"}
      -> {"state": "rejected", "error": "<words>"}
  {"op": "forget", "conn": "127.0.0.1:40112"}  -> {"state": "forgotten"}

A context lives per client connection ("conn"): NTLM's legs must share one, as IIS requires, and a
leg that arrives on another connection meets no context and is refused by the mechanism itself.
Kerberos uses the keytab in KRB5_KTNAME; NTLM the user file in NTLM_USER_FILE (gss-ntlmssp).
"""

import base64
import json
import sys

import gssapi

KRB5 = gssapi.OID.from_int_seq("1.2.840.113554.1.2.2")
SPNEGO = gssapi.OID.from_int_seq("1.3.6.1.5.5.2")
NTLMSSP = gssapi.OID.from_int_seq("1.3.6.1.4.1.311.2.2.10")
NAMES = {str(KRB5): "krb5", str(SPNEGO): "spnego", str(NTLMSSP): "ntlm"}


def words(err):
    try:
        return " ".join(err.gen_message().split())
    except Exception:  # noqa: BLE001 - any failure to render is still a refusal
        return type(err).__name__


def step(contexts, conn, token):
    ctx = contexts.get(conn)
    if ctx is None:
        ctx = gssapi.SecurityContext(usage="accept")
        contexts[conn] = ctx
    try:
        out = ctx.step(token)
    except gssapi.exceptions.GSSError as err:
        contexts.pop(conn, None)
        return {"state": "rejected", "error": words(err)}
    answer = {"token": base64.b64encode(out).decode() if out else None}
    if not ctx.complete:
        answer["state"] = "continue"
        return answer
    contexts.pop(conn, None)
    answer["state"] = "complete"
    answer["user"] = str(ctx.initiator_name)
    answer["mech"] = NAMES.get(str(ctx.mech), str(ctx.mech))
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
            answer = handle(contexts, request) if isinstance(request, dict) else None
        except ValueError:
            answer = None
        if answer is None:
            answer = {"state": "rejected", "error": "the request is not a JSON object"}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
