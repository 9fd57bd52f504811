//! Kerberos through the system's GSSAPI library (MIT's libgssapi_krb5, Heimdal's, macOS's GSS
//! framework), opened at run time: the binary builds and runs forms sign-ins without it, and a
//! Kerberos sign-in on a machine without it fails saying what to install. The library does the
//! Kerberos work (the credential cache, KRB5CCNAME, the KDC); this file only calls it.

use std::ffi::c_void;
use std::sync::OnceLock;

type Status = u32;
type NameHandle = *mut c_void;
type ContextHandle = *mut c_void;

/// `gss_OID_desc`; Apple's headers pack GSSAPI's structs to 2 bytes.
#[cfg_attr(target_vendor = "apple", repr(C, packed(2)))]
#[cfg_attr(not(target_vendor = "apple"), repr(C))]
struct Oid {
    length: u32,
    elements: *const u8,
}

/// `gss_buffer_desc`.
#[cfg_attr(target_vendor = "apple", repr(C, packed(2)))]
#[cfg_attr(not(target_vendor = "apple"), repr(C))]
struct Buffer {
    length: usize,
    value: *mut c_void,
}

impl Buffer {
    fn empty() -> Buffer {
        Buffer {
            length: 0,
            value: std::ptr::null_mut(),
        }
    }

    fn of(bytes: &[u8]) -> Buffer {
        Buffer {
            length: bytes.len(),
            value: bytes.as_ptr() as *mut c_void,
        }
    }
}

/// GSS_C_NT_HOSTBASED_SERVICE (1.2.840.113554.1.2.1.4): names written `service@host`.
const HOSTBASED_SERVICE: &[u8] = b"\x2a\x86\x48\x86\xf7\x12\x01\x02\x01\x04";
/// SPNEGO (1.3.6.1.5.5.2): what HTTP Negotiate carries.
const SPNEGO: &[u8] = b"\x2b\x06\x01\x05\x05\x02";
const MUTUAL_FLAG: u32 = 2;
const CONTINUE_NEEDED: Status = 1;
const GSS_CODE: i32 = 1;
const MECH_CODE: i32 = 2;
/// The routine error (bits 16-23) of a major status.
const NO_CRED: u32 = 7;
const CREDENTIALS_EXPIRED: u32 = 11;

type ImportName =
    unsafe extern "C" fn(*mut Status, *const Buffer, *const Oid, *mut NameHandle) -> Status;
type ReleaseName = unsafe extern "C" fn(*mut Status, *mut NameHandle) -> Status;
type InitSecContext = unsafe extern "C" fn(
    *mut Status,
    *mut c_void,
    *mut ContextHandle,
    NameHandle,
    *const Oid,
    u32,
    u32,
    *mut c_void,
    *const Buffer,
    *mut *mut Oid,
    *mut Buffer,
    *mut u32,
    *mut u32,
) -> Status;
type ReleaseBuffer = unsafe extern "C" fn(*mut Status, *mut Buffer) -> Status;
type DeleteSecContext =
    unsafe extern "C" fn(*mut Status, *mut ContextHandle, *mut Buffer) -> Status;
type DisplayStatus =
    unsafe extern "C" fn(*mut Status, Status, i32, *const Oid, *mut u32, *mut Buffer) -> Status;

/// The library's functions this client calls, with the library kept open for them.
pub struct Gss {
    import_name: ImportName,
    release_name: ReleaseName,
    init_sec_context: InitSecContext,
    release_buffer: ReleaseBuffer,
    delete_sec_context: DeleteSecContext,
    display_status: DisplayStatus,
    _library: libloading::Library,
}

/// Where the library is looked for, first found wins.
#[cfg(target_vendor = "apple")]
pub const LIBRARIES: &[&str] = &["/System/Library/Frameworks/GSS.framework/GSS"];
#[cfg(not(target_vendor = "apple"))]
pub const LIBRARIES: &[&str] = &["libgssapi_krb5.so.2", "libgssapi.so.3"];

/// What a user installs to get the library, for the message when it is missing.
#[cfg(target_vendor = "apple")]
const INSTALL: &str =
    "it is part of macOS; check that /System/Library/Frameworks/GSS.framework exists";
#[cfg(not(target_vendor = "apple"))]
const INSTALL: &str = "install MIT Kerberos's GSSAPI library (Debian/Ubuntu: apt install \
     libgssapi-krb5-2 krb5-user; Fedora/RHEL: dnf install krb5-libs krb5-workstation; Arch: \
     pacman -S krb5)";

/// The system's library, opened once per run; the error says what to install.
pub fn system() -> Result<&'static Gss, String> {
    static GSS: OnceLock<Result<Gss, String>> = OnceLock::new();
    GSS.get_or_init(|| Gss::load(LIBRARIES))
        .as_ref()
        .map_err(Clone::clone)
}

impl Gss {
    /// Opens the first of `names` that loads and has every function.
    pub fn load(names: &[&str]) -> Result<Gss, String> {
        let mut tried = Vec::new();
        for name in names {
            // SAFETY: loading a GSSAPI library runs its initialisers, which have no preconditions.
            match unsafe { libloading::Library::new(*name) } {
                Ok(library) => match Gss::bind(library) {
                    Ok(gss) => return Ok(gss),
                    Err(e) => tried.push(format!("{name}: {e}")),
                },
                Err(_) => tried.push(format!("{name}: not found")),
            }
        }
        Err(format!(
            "Kerberos sign-in needs the system's GSSAPI library, which could not be loaded ({}); \
             {INSTALL}, or set saml_auth = form (or ntlm)",
            tried.join("; ")
        ))
    }

    fn bind(library: libloading::Library) -> Result<Gss, libloading::Error> {
        // SAFETY: the types above are GSSAPI's C signatures (RFC 2744) for these names.
        unsafe {
            Ok(Gss {
                import_name: *library.get::<ImportName>(b"gss_import_name\0")?,
                release_name: *library.get::<ReleaseName>(b"gss_release_name\0")?,
                init_sec_context: *library.get::<InitSecContext>(b"gss_init_sec_context\0")?,
                release_buffer: *library.get::<ReleaseBuffer>(b"gss_release_buffer\0")?,
                delete_sec_context: *library
                    .get::<DeleteSecContext>(b"gss_delete_sec_context\0")?,
                display_status: *library.get::<DisplayStatus>(b"gss_display_status\0")?,
                _library: library,
            })
        }
    }

    /// A security context for `HTTP@host` (the library turns it into HTTP/host@REALM).
    pub fn context(&'static self, host: &str) -> Result<Context, GssFailure> {
        let wanted = format!("HTTP@{host}");
        let name_type = Oid {
            length: HOSTBASED_SERVICE.len() as u32,
            elements: HOSTBASED_SERVICE.as_ptr(),
        };
        let mut minor: Status = 0;
        let mut name: NameHandle = std::ptr::null_mut();
        let input = Buffer::of(wanted.as_bytes());
        // SAFETY: every pointer is valid for the call; `name` is released by Context's Drop.
        let major = unsafe { (self.import_name)(&mut minor, &input, &name_type, &mut name) };
        if major >> 16 != 0 {
            return Err(self.failure(major, minor));
        }
        Ok(Context {
            gss: self,
            name,
            handle: std::ptr::null_mut(),
            complete: false,
        })
    }

    fn failure(&self, major: Status, minor: Status) -> GssFailure {
        let mut words = self.display(major, GSS_CODE);
        if minor != 0 {
            words.extend(self.display(minor, MECH_CODE));
        }
        GssFailure {
            routine: (major >> 16) & 0xff,
            minor: minor as i32,
            message: words.join(": "),
        }
    }

    /// The library's words for a status code.
    fn display(&self, code: Status, kind: i32) -> Vec<String> {
        let mut words = Vec::new();
        let mut more: u32 = 0;
        for _ in 0..8 {
            let mut minor: Status = 0;
            let mut text = Buffer::empty();
            // SAFETY: valid pointers; the text is copied out, then released.
            let major = unsafe {
                (self.display_status)(
                    &mut minor,
                    code,
                    kind,
                    std::ptr::null(),
                    &mut more,
                    &mut text,
                )
            };
            if major >> 16 != 0 {
                break;
            }
            // MIT counts the terminating NUL in the length.
            let said = String::from_utf8_lossy(&self.take(&mut text)).into_owned();
            words.push(
                said.trim_matches(|c: char| c == '\0' || c.is_whitespace())
                    .to_string(),
            );
            if more == 0 {
                break;
            }
        }
        // MIT's generic major-status text only points at the minor code, which follows.
        words.retain(|w| !w.is_empty() && !w.starts_with("Unspecified GSS failure"));
        words
    }

    /// Copies a buffer the library allocated, and releases it.
    fn take(&self, buffer: &mut Buffer) -> Vec<u8> {
        let bytes = if buffer.value.is_null() || buffer.length == 0 {
            Vec::new()
        } else {
            // SAFETY: the library returned `length` readable bytes at `value`.
            unsafe { std::slice::from_raw_parts(buffer.value as *const u8, buffer.length) }.to_vec()
        };
        let mut minor: Status = 0;
        // SAFETY: the buffer came from the library.
        unsafe { (self.release_buffer)(&mut minor, buffer) };
        bytes
    }
}

/// Why the library said no: its routine error, the mechanism's code, and its words.
#[derive(Debug, Clone)]
pub struct GssFailure {
    pub routine: u32,
    pub minor: i32,
    pub message: String,
}

/// MIT's com_err codes (krb5_err.et) that decide what the person must do.
const KRB5_FCC_NOFILE: i32 = -1765328189;
const KRB5_CC_NOTFOUND: i32 = -1765328243;
const KRB5KRB_AP_ERR_TKT_EXPIRED: i32 = -1765328352;
const KRB5_KDC_UNREACH: i32 = -1765328228;
const KRB5_REALM_CANT_RESOLVE: i32 = -1765328164;
const KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN: i32 = -1765328377;

/// What a failure means for the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    NoTicket,
    Expired,
    KdcUnreachable,
    UnknownService,
    Other,
}

impl GssFailure {
    pub fn kind(&self) -> FailureKind {
        let text = self.message.to_ascii_lowercase();
        if self.routine == CREDENTIALS_EXPIRED
            || self.minor == KRB5KRB_AP_ERR_TKT_EXPIRED
            || text.contains("expired")
        {
            FailureKind::Expired
        } else if self.minor == KRB5_KDC_UNREACH
            || self.minor == KRB5_REALM_CANT_RESOLVE
            || text.contains("cannot contact any kdc")
        {
            FailureKind::KdcUnreachable
        } else if self.minor == KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN
            || text.contains("not found in kerberos database")
        {
            FailureKind::UnknownService
        } else if self.routine == NO_CRED
            || self.minor == KRB5_FCC_NOFILE
            || self.minor == KRB5_CC_NOTFOUND
            || text.contains("no kerberos credentials")
            || text.contains("no credentials cache")
        {
            FailureKind::NoTicket
        } else {
            FailureKind::Other
        }
    }
}

/// One SPNEGO security context with one service; deleted when dropped.
pub struct Context {
    gss: &'static Gss,
    name: NameHandle,
    handle: ContextHandle,
    complete: bool,
}

// SAFETY: the handles are used by one task at a time (the handshake owns the Context), and the
// GSSAPI implementations allow a context to move between threads.
unsafe impl Send for Context {}

impl Context {
    /// The next token to send, given the server's (None for the first leg). Ok(None): the
    /// context is complete and nothing is left to send.
    pub fn step(&mut self, server: Option<&[u8]>) -> Result<Option<Vec<u8>>, GssFailure> {
        let gss = self.gss;
        let mech = Oid {
            length: SPNEGO.len() as u32,
            elements: SPNEGO.as_ptr(),
        };
        let input = server.map(Buffer::of).unwrap_or_else(Buffer::empty);
        let mut output = Buffer::empty();
        let mut minor: Status = 0;
        // SAFETY: valid pointers for the call; `output` is copied and released by `take`.
        let major = unsafe {
            (gss.init_sec_context)(
                &mut minor,
                std::ptr::null_mut(),
                &mut self.handle,
                self.name,
                &mech,
                MUTUAL_FLAG,
                0,
                std::ptr::null_mut(),
                &input,
                std::ptr::null_mut(),
                &mut output,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            )
        };
        let token = gss.take(&mut output);
        if major >> 16 != 0 {
            return Err(gss.failure(major, minor));
        }
        self.complete = major & CONTINUE_NEEDED == 0;
        Ok((!token.is_empty()).then_some(token))
    }

    /// Whether the server's last token completed the context (mutual authentication done).
    pub fn is_complete(&self) -> bool {
        self.complete
    }
}

impl Drop for Context {
    fn drop(&mut self) {
        let mut minor: Status = 0;
        // SAFETY: both handles came from the library (or are null, which it accepts).
        unsafe {
            if !self.handle.is_null() {
                (self.gss.delete_sec_context)(&mut minor, &mut self.handle, std::ptr::null_mut());
            }
            if !self.name.is_null() {
                (self.gss.release_name)(&mut minor, &mut self.name);
            }
        }
    }
}
