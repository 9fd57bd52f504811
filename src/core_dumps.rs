//! Keeps secrets out of core dumps (issue 18 §8): a crash while the password, an assertion or a
//! session token is in memory must not write them to a file another process (or a crash reporter
//! that uploads) can read. Called first thing by both programs.

/// Linux: the process is made non-dumpable (`PR_SET_DUMPABLE` 0), which also stops a core handed to
/// a pipe (systemd-coredump, apport) and other processes of the same user attaching with ptrace.
/// Other Unix: the core file size limit is set to 0. A failure is ignored: it leaves the process
/// as every other program is, and refusing to run would help nobody.
pub fn forbid_core_dumps() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with PR_SET_DUMPABLE takes one integer argument and touches no memory.
    unsafe {
        libc::prctl(libc::PR_SET_DUMPABLE, 0 as libc::c_ulong, 0, 0, 0);
    }
    #[cfg(all(unix, not(target_os = "linux")))]
    {
        let none = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: setrlimit reads the struct passed by reference, nothing else.
        unsafe {
            libc::setrlimit(libc::RLIMIT_CORE, &none);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_os = "linux")]
    fn the_process_is_no_longer_dumpable() {
        forbid_core_dumps();
        // SAFETY: PR_GET_DUMPABLE takes no argument and returns the flag.
        let dumpable = unsafe { libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0) };
        assert_eq!(dumpable, 0);
    }

    #[test]
    #[cfg(all(unix, not(target_os = "linux")))]
    fn the_core_file_limit_is_zero() {
        forbid_core_dumps();
        let mut limit = libc::rlimit {
            rlim_cur: 1,
            rlim_max: 1,
        };
        // SAFETY: getrlimit writes the struct passed by reference.
        assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_CORE, &mut limit) }, 0);
        assert_eq!(limit.rlim_cur, 0);
    }
}
