#!/usr/bin/env bash
# The keychain tests against a real Secret Service: gnome-keyring in a private D-Bus session, with a
# throwaway keyring unlocked by a known password; then a bus with no Secret Service on it; then
# gnome-keyring with no keyring unlocked. Nothing of the user's own session or keyring is touched.
# Installs what it needs on Debian/Ubuntu when run as root.
#
#   .ci/keychain-tests.sh            # from the repository root; CARGO_TARGET_DIR is honoured
set -euo pipefail
cd "$(dirname "$0")/.."

# dbus-run-session (dbus), gnome-keyring-daemon (gnome-keyring), secret-tool (libsecret-tools: a
# second client, so the test can see the item really is in the daemon).
if ! command -v dbus-run-session >/dev/null || ! command -v gnome-keyring-daemon >/dev/null \
    || ! command -v secret-tool >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            dbus gnome-keyring libsecret-tools >/dev/null
    else
        echo "keychain-tests: need dbus-run-session, gnome-keyring-daemon and secret-tool" \
             "(Debian: apt-get install dbus gnome-keyring libsecret-tools)" >&2
        exit 1
    fi
fi

# Build first, outside the private sessions, so their time is the tests' alone.
cargo test --lib --no-run --quiet

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

echo "== keychain tests against gnome-keyring in a private D-Bus session" >&2
XDG_DATA_HOME="$scratch/data" SAMLBRIDGE_KEYCHAIN_TEST=1 dbus-run-session -- bash -c '
    set -euo pipefail
    mkdir -p "$XDG_DATA_HOME"
    # Starts the daemon on this bus and creates the "login" keyring unlocked with this password.
    printf %s ci-keyring-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    cargo test --lib keychain:: -- --test-threads=1 --nocapture
'

echo "== keychain tests on a D-Bus session with no Secret Service" >&2
cat >"$scratch/bare-session.conf" <<'EOF'
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <!-- A session bus with no service directories: nothing can be activated on it. -->
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF
# The filters name the test by the end of its path (no --exact), so they hold wherever the keychain
# module lives; each name is unique.
SAMLBRIDGE_KEYCHAIN_TEST=no-daemon dbus-run-session --config-file="$scratch/bare-session.conf" -- \
    cargo test --lib keychain::tests::daemon::a_bus_without_a_secret_service_is_named -- --nocapture

echo "== keychain tests with gnome-keyring running but no keyring unlocked (and no display)" >&2
XDG_DATA_HOME="$scratch/locked" SAMLBRIDGE_KEYCHAIN_TEST=locked dbus-run-session -- bash -c '
    set -euo pipefail
    mkdir -p "$XDG_DATA_HOME"
    gnome-keyring-daemon --start --components=secrets >/dev/null
    cargo test --lib keychain::tests::daemon::a_locked_keyring_with_no_one_to_unlock_it_does_not_hang \
        -- --nocapture
'
