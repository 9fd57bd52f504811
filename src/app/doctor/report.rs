//! The doctor's findings: one line each (status, what was checked, what to do), or a JSON array of
//! `{check, status, message}` on stdout for scripts.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Warning,
    Problem,
}

impl Status {
    fn word(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warning => "warning",
            Status::Problem => "problem",
        }
    }
}

/// One finding. `message` names the profile, file or host, and the next step when there is one; text
/// from outside has been through `shown::outside` before it got here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Which check: `config`, `credentials-file`, `idp`, `clock`, `sts`, `session`, `keychain`,
    /// `schedule`, `browser`.
    pub check: &'static str,
    pub status: Status,
    pub message: String,
}

impl Finding {
    pub fn ok(check: &'static str, message: impl Into<String>) -> Finding {
        Finding::new(check, Status::Ok, message)
    }

    pub fn warning(check: &'static str, message: impl Into<String>) -> Finding {
        Finding::new(check, Status::Warning, message)
    }

    pub fn problem(check: &'static str, message: impl Into<String>) -> Finding {
        Finding::new(check, Status::Problem, message)
    }

    pub fn new(check: &'static str, status: Status, message: impl Into<String>) -> Finding {
        Finding {
            check,
            status,
            message: message.into(),
        }
    }
}

/// The findings as a person reads them: `problem  idp: …`, one line each, made safe for a terminal.
pub fn lines(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| {
            let line = format!("{:<8} {}: {}", f.status.word(), f.check, f.message);
            crate::shown::message(&line.replace(['\n', '\r'], " "))
        })
        .map(|line| line + "\n")
        .collect()
}

/// The findings as a JSON array.
pub fn json(findings: &[Finding]) -> String {
    serde_json::to_string_pretty(findings).unwrap_or_else(|_| "[]".into()) + "\n"
}

/// 0 when nothing is a problem (warnings included), else 1.
pub fn exit_code(findings: &[Finding]) -> u8 {
    u8::from(findings.iter().any(|f| f.status == Status::Problem))
}
