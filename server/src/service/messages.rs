//! What the service says that belongs to no step area, in English and Korean: an AWS error met
//! while answering a request, the refusals of projects, runs, the doctor and the wizard's path,
//! the new-project form's missing lists and the wizard's summary of each step. The service
//! decides which one; the words live here (a step area's own refusals are in its
//! `steps/<area>/messages.rs`).

use crate::ports::PortError;
use lockstep_domain::{ko, msg, Message, Region, UserError};

// ---- An AWS error while answering a request (`aws_error`) ----

/// "Could not finish `task`", with why (`why`) and what to do (`fix`) in each language.
fn could_not_finish(task: &Message, why: Message, fix: Message) -> UserError {
    UserError {
        ko: ko(format!("{} 작업을 마치지 못했습니다.", task.ko), why.ko, fix.ko),
        what: format!("Could not finish {}.", task.en),
        why: why.en,
        fix: fix.en,
    }
}

/// AWS throttled the call or did not answer (`e`).
pub fn aws_not_answering(task: &Message, e: &PortError) -> UserError {
    could_not_finish(
        task,
        msg(format!("AWS did not answer properly ({e})."), format!("AWS가 제대로 응답하지 않았습니다 ({e}).")),
        msg("Wait a moment and try again.", "잠시 기다린 뒤 다시 시도하세요."),
    )
}

/// AWS denied the call (`code`) made through the team's own role.
pub fn denied_through_team_role(task: &Message, code: &str) -> UserError {
    could_not_finish(
        task,
        msg(
            format!("AWS answered {code}: your team's AWS role may not do this, or what was asked for belongs to another AWS account."),
            format!("AWS가 {code}로 응답했습니다. 팀의 AWS 역할에 이 작업 권한이 없거나, 요청한 대상이 다른 AWS 계정의 것입니다."),
        ),
        msg(
            "Choose something in your team's own AWS account. If it is yours, an owner gives the team's role the permission in IAM (Roles, the role, Permissions), then try again.",
            "팀 자신의 AWS 계정에 있는 것을 고르세요. 팀의 것이 맞다면 소유자가 IAM(역할, 해당 역할, 권한)에서 팀 역할에 권한을 준 뒤 다시 시도하세요.",
        ),
    )
}

/// AWS denied the call (`code`) made with lockstep's own credentials.
pub fn denied_to_lockstep(task: &Message, code: &str) -> UserError {
    could_not_finish(
        task,
        msg(
            format!("AWS answered {code}: the credentials lockstep uses are not allowed to do this."),
            format!("AWS가 {code}로 응답했습니다. lockstep이 사용하는 자격 증명에는 이 작업을 할 권한이 없습니다."),
        ),
        msg(
            "Give lockstep's IAM user or role the permission (Route 53, ACM, EC2, S3 as the step needs), then try again.",
            "lockstep의 IAM 사용자 또는 역할에 필요한 권한(단계에 따라 Route 53, ACM, EC2, S3)을 부여한 뒤 다시 시도하세요.",
        ),
    )
}

/// AWS found nothing of that name in `account` (see [`this_account`]).
pub fn not_in_account(task: &Message, account: &Message) -> UserError {
    let (en, ko) = (&account.en, &account.ko);
    could_not_finish(
        task,
        msg(
            format!("AWS found no such thing in {en}: lockstep sees only that account, so it may be another team's, in another region, or deleted."),
            format!("{ko}에서 AWS가 그것을 찾지 못했습니다. lockstep은 그 계정만 보므로, 다른 팀의 것이거나 다른 리전에 있거나 삭제되었을 수 있습니다."),
        ),
        msg(
            "Choose one from your team's own account (the lists show only those), or create it there first, then try again.",
            "팀 자신의 계정에 있는 것을 고르거나(목록에는 그것만 보입니다) 먼저 그곳에 만든 뒤 다시 시도하세요.",
        ),
    )
}

/// Any other AWS error (`e`, said as it is).
pub fn aws_failed(task: &Message, e: &PortError) -> UserError {
    could_not_finish(
        task,
        msg(e.to_string(), e.to_string()),
        msg("Check the AWS console, then try again.", "AWS 콘솔을 확인한 뒤 다시 시도하세요."),
    )
}

/// The account an action's AWS calls see: the team's own (`through_team_role`) or lockstep's.
pub fn this_account(through_team_role: bool) -> Message {
    if through_team_role {
        msg("your team's AWS account", "팀의 AWS 계정")
    } else {
        msg("the AWS account lockstep uses", "lockstep이 사용하는 AWS 계정")
    }
}

// ---- Starting a run ----

/// The task named when a team may not use AWS for the step it starts.
pub fn starting_this_step() -> Message {
    msg("starting this step", "이 단계 시작")
}

/// A step that creates was started while a teardown of the project still deletes.
pub fn teardown_still_deleting() -> UserError {
    UserError {
        ko: ko(
            "아무것도 시작하지 않았습니다. 정리 작업이 아직 이 프로젝트의 리소스를 삭제하고 있습니다.",
            "지금 단계를 시작하면 정리 작업이 새로 만든 것을 지우거나 레코드를 잃을 수 있습니다.",
            "정리가 끝날 때까지 기다린 뒤(아래 \"lockstep이 AWS에 만든 것과 정리\") 단계를 다시 시작하세요.",
        ),
        what: "Nothing was started: a teardown is still deleting this project's resources.".into(),
        why: "A step started now could create something the teardown then deletes, or lose a record to it.".into(),
        fix: "Wait until the teardown finishes (below, in \"What lockstep made in AWS\"), then start the step again."
            .into(),
    }
}

/// The free path, the load balancer or the frontend was asked for before a domain was chosen.
pub fn no_names_yet() -> UserError {
    UserError {
        ko: ko(
            "이 프로젝트에는 아직 이름이 없습니다.",
            "무료 경로는 프로젝트의 API 이름을 제공하는데, 그 이름은 도메인을 바탕으로 정해집니다.",
            "먼저 1단계에서 도메인(또는 무료 nip.io 이름)을 선택하세요.",
        ),
        what: "This project has no names yet.".into(),
        why: "The free path serves the project's API name, which comes from its domain.".into(),
        fix: "Choose a domain (or a free nip.io name) in step 1 first.".into(),
    }
}

/// The doctor was started before a domain was chosen.
pub fn no_names_to_check() -> UserError {
    UserError {
        ko: ko(
            "이 프로젝트에는 아직 점검할 이름이 없습니다.",
            "HTTPS 점검은 프로젝트의 API와 프론트엔드 이름을 확인하는데, 그 이름은 도메인을 바탕으로 정해집니다.",
            "먼저 1단계에서 도메인을 선택하세요. 또는 터미널에서 `lockstep doctor https://...`로 아무 URL이나 점검할 수 있습니다.",
        ),
        what: "This project has no names to check yet.".into(),
        why: "The doctor checks the project's API and frontend names, which come from its domain.".into(),
        fix: "Choose a domain in step 1 first; or check any URL with `lockstep doctor https://...` in a terminal.".into(),
    }
}

// ---- Runs ----

/// "Retry" was pressed on a run that did not stop on a failed step.
pub fn nothing_to_retry() -> UserError {
    UserError {
        ko: ko(
            "이 실행에는 다시 시도할 것이 없습니다.",
            "실패한 단계에서 멈춘 실행만 다시 시도할 수 있습니다. 이 실행은 진행 중이거나 이미 끝났습니다.",
            "페이지를 새로 고쳐 현재 상태를 확인하세요.",
        ),
        what: "There is nothing to retry in this run.".into(),
        why: "Only a run that stopped on a failed step can be retried; this one is running or done.".into(),
        fix: "Reload the page to see its current state.".into(),
    }
}

/// "Cancel" was pressed on a run that already ended.
pub fn nothing_to_cancel() -> UserError {
    UserError {
        ko: ko(
            "이 실행에는 취소할 것이 없습니다.",
            "진행 중인 실행만 취소할 수 있습니다. 이 실행은 이미 끝났거나 멈췄습니다.",
            "페이지를 새로 고쳐 현재 상태를 확인하세요.",
        ),
        what: "There is nothing to cancel in this run.".into(),
        why: "Only a run in progress can be cancelled; this one has already finished or stopped.".into(),
        fix: "Reload the page to see its current state.".into(),
    }
}

// ---- Projects ----

/// The task (for `aws_error`) when a new project's instance is looked up.
pub fn task_check_instance() -> Message {
    msg("checking the instance", "인스턴스 확인")
}

/// The task (for `aws_error`) when a new project's bucket is looked up.
pub fn task_check_bucket() -> Message {
    msg("checking the S3 bucket", "S3 버킷 확인")
}

/// The new project's instance `id` is not in `region` of `account` (see [`this_account`]).
pub fn no_such_instance(id: &str, region: &Region, account: &Message) -> Message {
    let (account, account_ko) = (&account.en, &account.ko);
    msg(
        format!("There is no instance {id} in {region} in {account} (lockstep looks only there). Check the id and the region in that account's EC2 console, or enter the instance's public IPv4 address."),
        format!("{account_ko}의 {region}에 인스턴스 {id}가 없습니다(lockstep은 그 계정만 봅니다). 그 계정의 EC2 콘솔에서 ID와 리전을 확인하거나, 인스턴스의 퍼블릭 IPv4 주소를 입력하세요."),
    )
}

/// The new project's `bucket` does not exist.
pub fn no_such_bucket(bucket: &str, account: &Message) -> Message {
    let (account, account_ko) = (&account.en, &account.ko);
    msg(
        format!(
            "There is no S3 bucket {bucket} in {account}. Create it there first (S3 console), then create the project."
        ),
        format!("{account_ko}에 S3 버킷 {bucket}이(가) 없습니다. 먼저 S3 콘솔에서 만든 뒤 프로젝트를 만드세요."),
    )
}

/// The new project's `bucket` exists, but not in `account` (or may not be read from it).
pub fn bucket_not_in_account(bucket: &str, account: &Message) -> Message {
    let (account, account_ko) = (&account.en, &account.ko);
    msg(
        format!("The S3 bucket {bucket} is not in {account} (or the account's access may not read it). Bucket names are shared by all of AWS: use a bucket your team owns."),
        format!("S3 버킷 {bucket}은(는) {account_ko}에 있지 않습니다(또는 그 계정의 권한으로 읽을 수 없습니다). 버킷 이름은 AWS 전체에서 공유되니, 팀이 소유한 버킷을 쓰세요."),
    )
}

/// The new-project form asked for its lists with a region that does not parse (`why`).
pub fn no_lists_read(why: &Message) -> UserError {
    UserError {
        ko: ko("목록을 가져오지 않았습니다.", why.ko.clone(), "목록에서 리전을 고르세요."),
        what: "No lists were read.".into(),
        why: why.en.clone(),
        fix: "Pick a region from the list.".into(),
    }
}

/// A project was to be deleted while one of its runs is active.
pub fn project_run_active() -> UserError {
    UserError {
        ko: ko(
            "프로젝트를 삭제하지 않았습니다: 이 프로젝트의 실행이 아직 진행 중입니다.",
            "진행 중인 단계가 지금 AWS에 무언가를 만들고 있을 수 있습니다. 지금 삭제하면 그 리소스가 lockstep의 기록 없이 남아(비용이 계속 나갈 수 있습니다) 정리할 수 없게 됩니다.",
            "실행이 끝날 때까지 기다리거나, 실행 옆의 \"취소\"를 누른 뒤 다시 삭제하세요. AWS에 만든 것도 지우려면 먼저 정리(teardown)를 실행하세요.",
        ),
        what: "The project was not deleted: one of its runs is still going.".into(),
        why: "The running step may be creating something in AWS right now. Deleting the project would leave that resource without lockstep's record of it (it may keep costing money) and nothing could tear it down.".into(),
        fix: "Wait until the run ends, or press \"Cancel\" beside it, then delete again. To remove what it made in AWS too, run the teardown first.".into(),
    }
}

// ---- The new-project form's lists (`choices`) ----

/// The running instances in `region` could not be listed: the list, and how to type one instead.
pub fn instances_not_listed(region: &Region) -> (Message, Message) {
    (
        msg(
            format!("lockstep could not list the running EC2 instances in {region}"),
            format!("lockstep이 {region}의 실행 중인 EC2 인스턴스 목록을 가져오지 못했습니다"),
        ),
        msg(
            "Choose \"Type it instead\" and enter the instance id or its public IPv4 address.",
            "\"직접 입력\"을 고르고 인스턴스 ID나 퍼블릭 IPv4 주소를 입력하세요.",
        ),
    )
}

/// The buckets could not be listed: the list, and how to type one instead.
pub fn buckets_not_listed() -> (Message, Message) {
    (
        msg("lockstep could not list the S3 buckets", "lockstep이 S3 버킷 목록을 가져오지 못했습니다"),
        msg(
            "Choose \"Type it instead\" and enter the bucket's name.",
            "\"직접 입력\"을 고르고 버킷 이름을 입력하세요.",
        ),
    )
}

/// AWS denied the list (`code`).
pub fn list_denied(code: &str) -> Message {
    msg(
        format!("AWS answered {code}: the AWS access lockstep uses for your team may not list them."),
        format!("AWS가 {code}로 응답했습니다. lockstep이 팀을 위해 쓰는 AWS 권한으로는 목록을 볼 수 없습니다."),
    )
}

/// AWS throttled the list or did not answer.
pub fn list_unanswered() -> Message {
    msg("AWS did not answer properly just now.", "AWS가 방금 제대로 응답하지 않았습니다.")
}

/// AWS refused the list request.
pub fn list_refused() -> Message {
    msg("AWS refused the request.", "AWS가 요청을 거절했습니다.")
}

/// A list (`what`) is missing, because of `why` (none: no reason given); `fix` says how to type.
pub fn list_missing(what: &Message, why: Option<&Message>, fix: &Message) -> UserError {
    let (why, why_ko) = why.map_or(("", ""), |w| (w.en.as_str(), w.ko.as_str()));
    UserError {
        ko: ko(format!("{}.", what.ko), why_ko, fix.ko.as_str()),
        what: format!("{}.", what.en),
        why: why.to_string(),
        fix: fix.en.clone(),
    }
}

// ---- The wizard ----

/// The domain step's summary: the API's and the first frontend name's URLs.
pub fn api_and_frontend(api: &str, frontend: &str) -> Message {
    msg(format!("API {api}, frontend https://{frontend}"), format!("API {api}, 프론트엔드 https://{frontend}"))
}

/// The domain step's summary when the plan has no frontend name.
pub fn api_only(api: &str) -> Message {
    msg(format!("API {api}"), format!("API {api}"))
}

/// The certificate step's summary for a free name or the bare IP (nothing to issue).
pub fn certificate_not_needed() -> Message {
    msg(
        "Not needed: the frontend uses CloudFront's own name (https://….cloudfront.net)",
        "필요 없음: 프론트엔드는 CloudFront 자체 이름(https://….cloudfront.net)을 씁니다",
    )
}

/// The certificate step's summary once issued (`names`: the plan's, joined).
pub fn issued_for(names: &str) -> Message {
    msg(format!("Issued for {names}"), format!("{names}용으로 발급됨"))
}

/// The paid backend's summary once built.
pub fn load_balancer_serves(api: &str, port: u16) -> Message {
    msg(
        format!("https://{api} → load balancer → the app on port {port}"),
        format!("https://{api} → 로드 밸런서 → 포트 {port}의 앱"),
    )
}

/// The free path's summary once done.
pub fn nginx_serves(api: &str) -> Message {
    msg(
        format!("Nginx serves https://{api}; Certbot renews its certificate"),
        format!("Nginx가 https://{api}를 제공하고 Certbot이 인증서를 갱신합니다"),
    )
}

/// The frontend's summary once deployed under its own name (`name`).
pub fn cloudfront_serves(name: &str) -> Message {
    msg(format!("https://{name} on CloudFront"), format!("CloudFront의 https://{name}"))
}

/// The frontend's summary once deployed under CloudFront's own name.
pub fn cloudfront_own_name() -> Message {
    msg("CloudFront in front of the bucket", "버킷 앞의 CloudFront")
}

/// The HTTPS check's summary when it ran before the last change.
pub fn checked_before_last_change() -> Message {
    msg("Checked before the last change: check again", "마지막 변경 전에 확인했습니다. 다시 확인하세요")
}

/// A backend path was chosen that does not exist.
pub fn no_such_path() -> UserError {
    UserError {
        ko: ko(
            "아무것도 바꾸지 않았습니다. 그런 경로는 없습니다.",
            "백엔드 HTTPS는 무료(Nginx + Certbot) 또는 유료(ALB + ACM) 중 하나입니다.",
            "두 버튼 중 하나를 누르세요.",
        ),
        what: "Nothing changed: there is no such path.".into(),
        why: "The backend's HTTPS is either free (Nginx + Certbot) or paid (ALB + ACM).".into(),
        fix: "Press one of the two buttons.".into(),
    }
}

/// The backend path was changed while a step of either path (or a teardown) still runs.
pub fn path_step_running() -> UserError {
    UserError {
        ko: ko(
            "아무것도 바꾸지 않았습니다. 아직 진행 중인 단계가 있습니다.",
            "단계가 리소스를 만들거나 지우는 도중에 경로를 바꾸면 일부가 남게 됩니다.",
            "끝날 때까지 기다리거나 해당 단계에서 취소한 뒤 다시 고르세요.",
        ),
        what: "Nothing changed: a step is still running.".into(),
        why: "Changing the path while a step creates or deletes resources would leave some of them behind.".into(),
        fix: "Wait until it finishes, or cancel it in its step, then choose again.".into(),
    }
}

/// The instance has no public IPv4 address (free names and the free path need one).
pub fn no_public_ipv4(id: &str) -> Message {
    msg(
        format!("The instance {id} has no public IPv4 address, so nip.io / sslip.io cannot point at it. Give it a public IP (or an Elastic IP) in the EC2 console."),
        format!("인스턴스 {id}에 퍼블릭 IPv4 주소가 없어서 nip.io / sslip.io가 그 인스턴스를 가리킬 수 없습니다. EC2 콘솔에서 퍼블릭 IP(또는 탄력적 IP)를 붙이세요."),
    )
}

/// EC2 could not be asked for the instance's address.
pub fn instance_unreadable(id: &str, region: &Region, e: &PortError) -> Message {
    msg(
        format!("lockstep could not read the instance {id} in {region} ({e}). Enter its public IPv4 address in the project instead of the id."),
        format!("lockstep이 {region}의 인스턴스 {id}를 읽을 수 없었습니다({e}). 프로젝트에 인스턴스 id 대신 퍼블릭 IPv4 주소를 입력하세요."),
    )
}

/// Route 53 Domains sells no names under this top-level domain.
pub fn tld_not_sold(tld: &str) -> Message {
    msg(format!("Route 53 does not sell .{tld} domains"), format!("Route 53은 .{tld} 도메인을 팔지 않습니다"))
}

/// Route 53 could not say whether the name is free.
pub fn availability_unknown(word: &str) -> Message {
    msg(format!("unknown: {word}"), format!("알 수 없음: {word}"))
}

/// Edited names the issued certificate does not cover: a new request was started.
pub fn plan_needs_new_certificate(missing: &str) -> Message {
    msg(
        format!("The certificate does not cover {missing}: lockstep has started a new certificate request for the new names (step 2)."),
        format!("인증서가 {missing}을(를) 포함하지 않습니다. lockstep이 새 이름들로 새 인증서 요청을 시작했습니다(2단계)."),
    )
}

/// Names removed from the plan still have records.
pub fn plan_records_unused(names: &str) -> Message {
    msg(
        format!("Records made for {names} are no longer used; teardown removes them."),
        format!("{names}에 만든 레코드는 이제 쓰이지 않습니다. 정리(teardown)가 지웁니다."),
    )
}

/// The new certificate request after a plan edit could not start.
pub fn plan_certificate_not_started(e: &str) -> Message {
    msg(
        format!("The new certificate request could not start: {e}"),
        format!("새 인증서 요청을 시작하지 못했습니다: {e}"),
    )
}

/// The project was deleted (or never existed) by the time the call arrived.
pub fn project_gone() -> Message {
    msg("This project does not exist (it may have been deleted).", "이 프로젝트가 없습니다(삭제되었을 수 있습니다).")
}

/// The run was deleted with its project (or never existed).
pub fn run_gone() -> Message {
    msg("This run does not exist (it may have been deleted).", "이 실행이 없습니다(삭제되었을 수 있습니다).")
}

/// The project has no domain plan (yet, or any more).
pub fn domain_plan_gone() -> Message {
    msg(
        "This project's domain does not exist (it may have been deleted).",
        "이 프로젝트의 도메인이 없습니다(삭제되었을 수 있습니다).",
    )
}
