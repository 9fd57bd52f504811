//! Test support: loopback HTTP servers whose accepted connections have TCP_NODELAY, so that a test's
//! time is its own. tiny_http writes a response's head and body in separate writes; with Nagle on,
//! the body then waits for the client's delayed ACK, ~40 ms per request on a kept-alive connection.

use std::net::TcpListener;

/// 127.0.0.1 on a free port, TCP_NODELAY set on the listening socket: accepted sockets inherit it
/// (Linux, the BSDs, macOS), which is the only way to reach the sockets tiny_http accepts itself.
pub fn nodelay_listener() -> TcpListener {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    socket2::SockRef::from(&listener)
        .set_tcp_nodelay(true)
        .expect("TCP_NODELAY on the listener");
    listener
}

/// A tiny_http server on [`nodelay_listener`]; use it instead of `tiny_http::Server::http`.
pub fn server() -> tiny_http::Server {
    tiny_http::Server::from_listener(nodelay_listener(), None).expect("tiny_http on 127.0.0.1")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpStream;

    fn accepted_nodelay(listener: &TcpListener) -> bool {
        let _client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (accepted, _) = listener.accept().unwrap();
        accepted.nodelay().unwrap()
    }

    #[test]
    fn accepted_connections_inherit_nodelay() {
        assert!(accepted_nodelay(&nodelay_listener()));
        // and a plain listener's do not: the helper is what makes the difference
        assert!(!accepted_nodelay(
            &TcpListener::bind("127.0.0.1:0").unwrap()
        ));
    }

    #[test]
    fn the_server_listens_on_loopback() {
        let server = server();
        let addr = server.server_addr().to_ip().unwrap();
        assert!(addr.ip().is_loopback() && addr.port() != 0, "{addr}");
    }
}
