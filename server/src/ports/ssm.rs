//! SSM Run Command: running a shell script on an instance.

use super::*;

/// Where a command sent to an instance stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandStatus {
    /// Sent, not started yet (or SSM does not know the invocation yet: it appears a moment
    /// after SendCommand).
    Pending,
    Running,
    Success,
    /// The script exited non-zero.
    Failed,
    /// The script ran longer than the timeout.
    TimedOut,
    /// The agent never got it (instance stopped, agent not running, no route to SSM).
    Undeliverable,
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandState {
    pub status: CommandStatus,
    /// SSM's own words (StatusDetails), e.g. "Execution Timed Out".
    pub detail: String,
    pub exit_code: Option<i32>,
    /// The first 24,000 characters SSM keeps of each stream.
    pub stdout: String,
    pub stderr: String,
}

/// Running a shell script on an instance (SSM Run Command, AWS-RunShellScript).
#[async_trait]
pub trait RunCommand: Send + Sync {
    /// Is the instance managed by SSM (agent online, instance profile allows it)?
    async fn is_managed(&self, region: &Region, instance_id: &str) -> PortResult<bool>;
    /// Sends the script; returns the command id. `comment` (at most 100 characters) marks the
    /// command so [`RunCommand::find_sent`] finds it again after a crash.
    async fn send(
        &self,
        region: &Region,
        instance_id: &str,
        script: &str,
        timeout_secs: u32,
        comment: &str,
    ) -> PortResult<String>;
    /// The id of a command already sent to the instance with exactly this comment.
    async fn find_sent(&self, region: &Region, instance_id: &str, comment: &str) -> PortResult<Option<String>>;
    async fn state(&self, region: &Region, command_id: &str, instance_id: &str) -> PortResult<CommandState>;
}
