//! One AWS call, as the deployment history records it: plain data, shared by the server (which
//! logs the calls its AWS adapters make) and the UI crate (which hands them to the history).

/// One AWS call, as the deployment history records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsCall {
    pub at: i64,
    /// `service:Operation`, e.g. `acm:RequestCertificate`.
    pub operation: String,
    /// The request in words: the operation and its key parameters, never a secret
    /// (`server::aws::audit::summarise`), shortened.
    pub summary: String,
    pub ok: bool,
    pub error_code: Option<String>,
    pub duration_ms: i64,
}
