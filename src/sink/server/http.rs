//! Just enough HTTP/1.1 for the container-credentials protocol: one request head read (at most
//! `MAX_HEAD` bytes, no body), and one answer written with `Connection: close`. The SDKs send a GET
//! with an `Authorization` header and read a JSON body; nothing else is needed, so no HTTP server
//! crate is.

use tokio::io::{AsyncRead, AsyncReadExt};

/// The most a request head may take; the SDKs send a few hundred bytes.
pub const MAX_HEAD: usize = 8 * 1024;

/// What the endpoint needs of a request.
#[derive(Debug, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    /// The path without its query.
    pub path: String,
    /// The `Authorization` header's value, as sent.
    pub authorization: Option<Vec<u8>>,
}

/// Why no request could be read.
#[derive(Debug, PartialEq, Eq)]
pub enum ReadError {
    /// The head did not end within `MAX_HEAD` bytes.
    TooLarge,
    /// Not an HTTP/1.x request line and headers.
    Malformed,
    /// The peer closed the connection before a whole head.
    Closed,
}

/// Reads one request head from `stream` (bytes past the head, a body, are ignored).
pub async fn read_request<R: AsyncRead + Unpin>(stream: &mut R) -> Result<Request, ReadError> {
    let mut head = Vec::with_capacity(512);
    let mut chunk = [0u8; 1024];
    loop {
        let n = stream
            .read(&mut chunk)
            .await
            .map_err(|_| ReadError::Closed)?;
        if n == 0 {
            return Err(ReadError::Closed);
        }
        head.extend_from_slice(&chunk[..n]);
        if let Some(end) = find_end(&head) {
            return parse_head(&head[..end]);
        }
        if head.len() > MAX_HEAD {
            return Err(ReadError::TooLarge);
        }
    }
}

/// Where the head ends (before its blank line), if it has.
fn find_end(bytes: &[u8]) -> Option<usize> {
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n");
    end.or_else(|| bytes.windows(2).position(|w| w == b"\n\n"))
        .filter(|&at| at <= MAX_HEAD)
}

/// The request line and the one header the endpoint reads.
pub fn parse_head(head: &[u8]) -> Result<Request, ReadError> {
    let text = std::str::from_utf8(head).map_err(|_| ReadError::Malformed)?;
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let request_line = lines.next().ok_or(ReadError::Malformed)?;
    let mut words = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (words.next(), words.next(), words.next(), words.next())
    else {
        return Err(ReadError::Malformed);
    };
    if !version.starts_with("HTTP/1.") || method.is_empty() || !target.starts_with('/') {
        return Err(ReadError::Malformed);
    }
    let path = target.split(['?', '#']).next().unwrap_or(target);
    let mut authorization = None;
    for line in lines.filter(|l| !l.is_empty()) {
        let (name, value) = line.split_once(':').ok_or(ReadError::Malformed)?;
        if name.eq_ignore_ascii_case("authorization") {
            if authorization.is_some() {
                return Err(ReadError::Malformed);
            }
            authorization = Some(value.trim().as_bytes().to_vec());
        }
    }
    Ok(Request {
        method: method.to_string(),
        path: path.to_string(),
        authorization,
    })
}

/// A whole answer: status line, headers and the JSON body.
pub fn response(status: u16, body: &[u8]) -> Vec<u8> {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Error",
    };
    let mut out = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_botocore_request_is_read() {
        let head = b"GET /profile/prod?x=1 HTTP/1.1\r\nHost: 127.0.0.1:4000\r\nAccept-Encoding: identity\r\nAuthorization: abc-DEF_123\r\nUser-Agent: Botocore/1.43\r\n";
        let request = parse_head(head).unwrap();
        assert_eq!(
            request,
            Request {
                method: "GET".into(),
                path: "/profile/prod".into(),
                authorization: Some(b"abc-DEF_123".to_vec()),
            }
        );
    }

    #[test]
    fn no_header_is_no_authorization() {
        let request = parse_head(b"GET / HTTP/1.0").unwrap();
        assert_eq!(request.authorization, None);
    }

    #[test]
    fn what_is_not_a_request_is_malformed() {
        for head in [
            &b"GET /"[..],
            b"GET / HTTP/1.1 extra",
            b"GET http://x/ HTTP/1.1",
            b"GET / SPDY/3",
            b"GET / HTTP/1.1\r\nno colon here",
            b"GET / HTTP/1.1\r\nAuthorization: a\r\nauthorization: b",
            b"\xff / HTTP/1.1",
        ] {
            assert_eq!(parse_head(head), Err(ReadError::Malformed), "{head:?}");
        }
    }

    #[tokio::test]
    async fn a_head_is_read_to_its_blank_line() {
        let mut input: &[u8] = b"GET /a HTTP/1.1\r\nAuthorization: t\r\n\r\nbody ignored";
        let request = read_request(&mut input).await.unwrap();
        assert_eq!(request.path, "/a");
    }

    #[tokio::test]
    async fn an_endless_head_is_refused() {
        let mut big = b"GET / HTTP/1.1\r\n".to_vec();
        big.extend(std::iter::repeat_n(b'x', MAX_HEAD * 2));
        let mut input: &[u8] = &big;
        assert_eq!(read_request(&mut input).await, Err(ReadError::TooLarge));
        let mut short: &[u8] = b"GET / HTTP/1.1\r\n";
        assert_eq!(read_request(&mut short).await, Err(ReadError::Closed));
    }

    #[test]
    fn an_answer_says_its_length_and_closes() {
        let text = String::from_utf8(response(403, b"{}")).unwrap();
        assert!(text.starts_with("HTTP/1.1 403 Forbidden\r\n"), "{text}");
        assert!(text.contains("Content-Length: 2\r\n"));
        assert!(text.contains("Connection: close\r\n"));
        assert!(text.ends_with("\r\n\r\n{}"));
    }
}
