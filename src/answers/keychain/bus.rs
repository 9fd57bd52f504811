//! Is there a D-Bus session bus to reach the Secret Service through? Answered from the environment and
//! one socket connect (which does not wait for the bus to speak), so that a shell over SSH with no
//! session bus gets a clear answer at once instead of a D-Bus library's wait.
//!
//! It finds the address the way zbus does: DBUS_SESSION_BUS_ADDRESS, else `$XDG_RUNTIME_DIR/bus`.

use std::io;
use std::net::{TcpStream, ToSocketAddrs};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::time::Duration;

const VAR: &str = "DBUS_SESSION_BUS_ADDRESS";

#[derive(Debug, Clone, PartialEq, Eq)]
enum BusAddress {
    UnixPath(PathBuf),
    UnixAbstract(Vec<u8>),
    Tcp {
        host: String,
        port: u16,
    },
    /// A transport this check does not open (launchd, unixexec, …): the call's deadline covers it.
    Unchecked,
}

/// Ok when a session bus answers a connect; else why not, in words for the user.
pub(crate) fn check_session_bus(var: &dyn Fn(&str) -> Option<String>) -> Result<(), String> {
    let (address, origin) = session_address(var)?;
    let no_bus = |what: String| format!("no D-Bus session bus: {what}");
    match address {
        BusAddress::UnixPath(path) => connect_unix(&path, origin),
        BusAddress::UnixAbstract(name) => connect_abstract(&name).map_err(|e| {
            no_bus(format!(
                "{origin} the abstract socket @{}: {e}",
                String::from_utf8_lossy(&name)
            ))
        }),
        BusAddress::Tcp { host, port } => {
            connect_tcp(&host, port).map_err(|e| no_bus(format!("{origin} tcp {host}:{port}: {e}")))
        }
        BusAddress::Unchecked => Ok(()),
    }
}

fn connect_unix(path: &std::path::Path, origin: &str) -> Result<(), String> {
    let shown = path.display();
    UnixStream::connect(path)
        .map(drop)
        .map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => {
                format!("no D-Bus session bus: {origin} {shown}, which does not exist")
            }
            io::ErrorKind::ConnectionRefused => {
                format!("no D-Bus session bus: {origin} {shown}, where nothing listens")
            }
            _ => format!("cannot open the D-Bus session bus at {shown}: {e}"),
        })
}

/// The address, and how to name where it came from in a message.
fn session_address(
    var: &dyn Fn(&str) -> Option<String>,
) -> Result<(BusAddress, &'static str), String> {
    if let Some(value) = var(VAR).filter(|v| !v.trim().is_empty()) {
        return Ok((parse(&value)?, "DBUS_SESSION_BUS_ADDRESS points to"));
    }
    let runtime_dir = var("XDG_RUNTIME_DIR")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(user_runtime_dir);
    match runtime_dir.map(|d| d.join("bus")) {
        Some(path) if path.exists() => Ok((BusAddress::UnixPath(path), "the default bus socket")),
        _ => Err(format!("no D-Bus session bus: {VAR} is not set")),
    }
}

/// `/run/user/UID`. The uid is asked of the kernel: `/proc/self` belongs to root once the process
/// is not dumpable (`core_dumps`).
fn user_runtime_dir() -> Option<PathBuf> {
    let uid = rustix::process::getuid().as_raw();
    Some(PathBuf::from(format!("/run/user/{uid}")))
}

/// The first address of a D-Bus address list (the D-Bus specification, "Server Addresses").
fn parse(value: &str) -> Result<BusAddress, String> {
    let first = value
        .split(';')
        .find(|a| !a.trim().is_empty())
        .unwrap_or_default();
    let bad = || format!("{VAR}='{value}' is not a D-Bus address");
    let (transport, options) = first.trim().split_once(':').ok_or_else(bad)?;
    let mut keys = std::collections::HashMap::new();
    for pair in options.split(',').filter(|p| !p.is_empty()) {
        let (key, raw) = pair.split_once('=').ok_or_else(bad)?;
        keys.insert(key, unescape(raw).ok_or_else(bad)?);
    }
    let address = match (transport, keys.get("path"), keys.get("abstract")) {
        ("unix", Some(path), _) => BusAddress::UnixPath(PathBuf::from(bytes_to_string(path))),
        ("unix", None, Some(name)) => BusAddress::UnixAbstract(name.clone()),
        ("tcp", _, _) => {
            let host = keys
                .get("host")
                .map(|h| bytes_to_string(h))
                .unwrap_or("localhost".into());
            let port = keys
                .get("port")
                .and_then(|p| bytes_to_string(p).parse().ok())
                .ok_or_else(bad)?;
            BusAddress::Tcp { host, port }
        }
        _ => BusAddress::Unchecked,
    };
    Ok(address)
}

fn bytes_to_string(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// D-Bus address values escape bytes as `%XX`.
fn unescape(raw: &str) -> Option<Vec<u8>> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

#[cfg(target_os = "linux")]
fn connect_abstract(name: &[u8]) -> io::Result<()> {
    use std::os::linux::net::SocketAddrExt;
    let address = std::os::unix::net::SocketAddr::from_abstract_name(name)?;
    UnixStream::connect_addr(&address).map(drop)
}

#[cfg(not(target_os = "linux"))]
fn connect_abstract(_name: &[u8]) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "abstract sockets exist only on Linux",
    ))
}

fn connect_tcp(host: &str, port: u16) -> io::Result<()> {
    let mut last = io::Error::new(io::ErrorKind::NotFound, "the host has no address");
    for address in (host, port).to_socket_addrs()? {
        match TcpStream::connect_timeout(&address, Duration::from_secs(1)) {
            Ok(_) => return Ok(()),
            Err(e) => last = e,
        }
    }
    Err(last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::net::UnixListener;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn with_no_address_and_no_runtime_socket_the_message_names_the_variable() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_str().unwrap();
        let err = check_session_bus(&env(&[("XDG_RUNTIME_DIR", dir)])).unwrap_err();
        assert_eq!(
            err,
            "no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is not set"
        );
        let err = check_session_bus(&env(&[
            ("DBUS_SESSION_BUS_ADDRESS", " "),
            ("XDG_RUNTIME_DIR", dir),
        ]));
        assert!(err.is_err());
    }

    #[test]
    fn an_address_pointing_nowhere_is_named() {
        let err =
            check_session_bus(&env(&[(VAR, "unix:path=/nonexistent/samlbridge-bus")])).unwrap_err();
        assert_eq!(
            err,
            "no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS points to /nonexistent/samlbridge-bus, \
             which does not exist"
        );
    }

    #[test]
    fn a_listening_socket_passes_and_a_dead_one_does_not() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("bus");
        let listener = UnixListener::bind(&path).unwrap();
        let address = format!("unix:path={},guid=0123", path.display());
        assert_eq!(check_session_bus(&env(&[(VAR, &address)])), Ok(()));
        drop(listener); // the file stays, nobody listens
        let err = check_session_bus(&env(&[(VAR, &address)])).unwrap_err();
        assert!(err.contains("where nothing listens"), "{err}");
    }

    #[test]
    fn the_runtime_dir_socket_is_the_fallback() {
        let tmp = tempfile::tempdir().unwrap();
        let _listener = UnixListener::bind(tmp.path().join("bus")).unwrap();
        let dir = tmp.path().to_str().unwrap();
        assert_eq!(check_session_bus(&env(&[("XDG_RUNTIME_DIR", dir)])), Ok(()));
    }

    #[test]
    fn addresses_parse_like_the_specification_says() {
        assert_eq!(
            parse("unix:path=/run/user/1000/bus").unwrap(),
            BusAddress::UnixPath("/run/user/1000/bus".into())
        );
        assert_eq!(
            parse("unix:abstract=/tmp/dbus-Ab%2c1,guid=9f;unix:path=/x").unwrap(),
            BusAddress::UnixAbstract(b"/tmp/dbus-Ab,1".to_vec())
        );
        assert_eq!(
            parse("tcp:host=127.0.0.1,port=4444").unwrap(),
            BusAddress::Tcp {
                host: "127.0.0.1".into(),
                port: 4444
            }
        );
        assert_eq!(parse("launchd:env=X").unwrap(), BusAddress::Unchecked);
        assert!(parse("garbage").unwrap_err().contains("'garbage'"));
        assert!(parse("unix:path=%zz").is_err());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn an_abstract_socket_nobody_listens_on_is_reported() {
        let name = format!("samlbridge-test-{}", std::process::id());
        let err = check_session_bus(&env(&[(VAR, &format!("unix:abstract={name}"))])).unwrap_err();
        assert!(
            err.starts_with("no D-Bus session bus:") && err.contains(&name),
            "{err}"
        );
    }

    #[test]
    fn a_closed_tcp_port_is_reported() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let address = format!("tcp:host=127.0.0.1,port={port}");
        let err = check_session_bus(&env(&[(VAR, &address)])).unwrap_err();
        assert!(err.contains(&format!("127.0.0.1:{port}")), "{err}");
    }
}
