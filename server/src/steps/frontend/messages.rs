//! What the frontend steps say, in English and Korean: the errors a person acts on, the notes
//! the timeline shows, and the tasks [`port_error`](super::super::port_error) names. The steps
//! call these functions; no step writes a sentence itself.

use super::policy::PolicyProblem;
use lockstep_domain::{msg, DomainName, Message, Region, UserError};

fn join(names: &[DomainName]) -> String {
    names.iter().map(DomainName::as_str).collect::<Vec<_>>().join(", ")
}

// ---- Errors ----

/// The certificate is in another region than us-east-1.
pub fn certificate_region_wrong(region: &str) -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            format!("인증서가 {region} 리전에 있지만, CloudFront는 us-east-1(버지니아 북부) 리전의 인증서만 사용합니다."),
            "CloudFront는 글로벌 서비스라서 us-east-1에 있는 ACM 인증서만 읽습니다. 앱 리전에 있는 인증서는 그 리전의 로드 밸런서에는 쓸 수 있지만, CloudFront에는 쓸 수 없습니다.",
            "us-east-1에서 인증서를 다시 요청한 뒤(lockstep의 인증서 단계가 프론트엔드 이름에 대해 이 작업을 해 줍니다) 프론트엔드 단계를 다시 시작하세요.",
        ),
        what: format!("The certificate is in {region}, but CloudFront only uses certificates from us-east-1 (N. Virginia)."),
        why: "CloudFront is a global service and reads certificates from ACM in us-east-1 only; a certificate in your app's region works for a load balancer there, not for CloudFront.".into(),
        fix: "Request the certificate again in us-east-1 (lockstep's certificate step does this for the frontend names), then start the frontend step again.".into(),
    }
}

/// The ARN is not an ACM certificate's.
pub fn not_a_certificate_arn(arn: &str) -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            format!("\"{arn}\"은(는) ACM 인증서 ARN이 아닙니다."),
            "CloudFront에는 ACM 인증서의 ARN(arn:aws:acm:us-east-1:ACCOUNT:certificate/ID)이 필요합니다.",
            "먼저 인증서 단계를 완료하세요. lockstep이 인증서의 ARN을 자동으로 넘겨줍니다.",
        ),
        what: format!("\"{arn}\" is not an ACM certificate ARN."),
        why: "CloudFront needs the ARN of an ACM certificate (arn:aws:acm:us-east-1:ACCOUNT:certificate/ID).".into(),
        fix: "Finish the certificate step first; lockstep passes its ARN on by itself.".into(),
    }
}

/// The certificate is not ISSUED; `status` as ACM spells it. `pending`: it may still be.
pub fn certificate_not_issued(status: &str, pending: bool) -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            format!("인증서가 아직 발급되지 않았습니다. ACM 상태: {status}."),
            "CloudFront는 발급 완료(ISSUED) 상태의 인증서만 받습니다. 다른 상태의 인증서로는 AWS가 배포 생성을 거부합니다.",
            if pending {
                "인증서 단계가 끝날 때까지 기다린 뒤(ACM 상태가 ISSUED가 될 때까지 기다리며, 보통 3~10분 걸립니다) 여기서 \"다시 시도\"를 누르세요."
            } else {
                "이 인증서는 더 이상 발급될 수 없습니다. 인증서 단계에서 새 인증서를 요청한 뒤 프론트엔드 단계를 다시 시작하세요."
            },
        ),
        what: format!("The certificate is not issued yet: ACM says {status}."),
        why: "CloudFront accepts only an ISSUED certificate; AWS refuses to create the distribution with any other."
            .into(),
        fix: if pending {
            "Let the certificate step finish (it waits until ACM says ISSUED, usually 3-10 minutes), then press Retry here.".into()
        } else {
            "This certificate can no longer be issued: request a new one in the certificate step, then start the frontend step again.".into()
        },
    }
}

/// The certificate (for `has`) does not cover `missing`.
pub fn certificate_misses_names(missing: &[&str], has: &[&str]) -> UserError {
    let (missing, has) = (missing.join(", "), has.join(", "));
    UserError {
        ko: lockstep_domain::ko(
            format!("인증서에 {missing}이(가) 포함되어 있지 않습니다."),
            format!(
                "이 인증서는 {has}만 포함합니다. CloudFront에는 모든 대체 도메인 이름을 포함하는 인증서가 필요하며, 포함되지 않은 이름에서는 브라우저가 이름 오류(ERR_CERT_COMMON_NAME_INVALID)를 표시합니다. 와일드카드는 정확히 한 단계만 포함합니다. *.example.com은 www.example.com은 포함하지만 example.com은 포함하지 않습니다."
            ),
            "프로젝트의 이름들로 인증서 단계를 다시 실행한 뒤(모든 이름을 포함하는 인증서 하나를 요청합니다) 프론트엔드 단계를 다시 시작하세요.",
        ),
        what: format!("The certificate does not cover {missing}."),
        why: format!(
            "It is for {has} only. CloudFront needs a certificate that covers every alternate name; browsers would show a name error (ERR_CERT_COMMON_NAME_INVALID) for the rest. A wildcard covers exactly one label: *.example.com covers www.example.com but not example.com."
        ),
        fix: "Run the certificate step again for the project's names (it requests one certificate covering all of them), then start the frontend step again.".into(),
    }
}

/// Names held by other distributions of the account: `held` lists "name (distribution ID, dxxx)".
pub fn aliases_held(held: &[String]) -> UserError {
    let list = held.join("; ");
    UserError {
        ko: lockstep_domain::ko(
            format!("이 이름들은 이미 계정의 다른 CloudFront 배포에 연결되어 있습니다: {list}."),
            "하나의 이름은 AWS 전체에서 단 하나의 CloudFront 배포에만 대체 도메인 이름으로 지정할 수 있습니다. 같은 이름으로 배포를 하나 더 만들면 실패합니다(CNAMEAlreadyExists).",
            "그 배포가 이 프론트엔드의 예전 사본이라면, CloudFront 콘솔에서 열어 설정(Settings) > 대체 도메인 이름(Alternate domain names)에서 이름을 제거하세요(또는 배포를 비활성화한 뒤 삭제하세요). 그런 다음 \"다시 시도\"를 누르세요.",
        ),
        what: format!("These names already belong to another CloudFront distribution in your account: {list}."),
        why: "A name can be the alternate domain name of only one CloudFront distribution in all of AWS; creating another with it fails (CNAMEAlreadyExists).".into(),
        fix: "If that distribution is an old copy of this frontend, open it in the CloudFront console and remove the name under Settings > Alternate domain names (or disable and delete it), then press Retry.".into(),
    }
}

/// CloudFront's CNAMEAlreadyExists, in plain words (`message` is AWS's).
pub fn cname_taken(aliases: &[DomainName], message: &str) -> UserError {
    let names = join(aliases);
    UserError {
        ko: lockstep_domain::ko(
            format!(
                "CloudFront가 이름 {names}을(를) 거부했습니다. 다른 배포가 이미 그중 하나를 사용하고 있습니다(CNAMEAlreadyExists)."
            ),
            format!(
                "하나의 이름은 AWS 전체에서 단 하나의 CloudFront 배포에만 연결될 수 있습니다. 이 계정에는 그 이름을 가진 배포가 없으므로, 아마 다른 AWS 계정에 있을 것입니다. 예전 수업용 계정이나 팀원의 계정, 또는 튜토리얼을 따라 하며 직접 만든 배포일 수 있습니다. AWS 메시지: {message}"
            ),
            "그 이름을 가진 계정에서 해당 배포의 이름을 제거한 뒤(CloudFront 콘솔 > 해당 배포 > 설정(Settings) > 대체 도메인 이름(Alternate domain names)) \"다시 시도\"를 누르세요. 그 계정에 아무도 접근할 수 없다면, 도메인 소유를 증명하면 AWS Support가 이름을 옮겨 줄 수 있습니다.",
        ),
        what: format!(
            "CloudFront refused the names {names}: another distribution already uses one of them (CNAMEAlreadyExists)."
        ),
        why: format!(
            "A name can belong to only one CloudFront distribution in all of AWS. None in this account has it, so it is probably in another AWS account: an old class account, a teammate's, or one made by hand while following a tutorial. AWS said: {message}"
        ),
        fix: "Remove the name from that distribution (CloudFront console > the distribution > Settings > Alternate domain names) in the account that has it, then press Retry. If nobody can reach that account, AWS Support can move the name once you prove you own the domain.".into(),
    }
}

/// The bucket was not found (looked for from `region`).
pub fn bucket_missing(bucket: &str, region: &Region) -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            format!("lockstep이 S3 버킷 {bucket}을(를) 찾을 수 없습니다."),
            format!("이 AWS 계정에 그 버킷이 없거나(lockstep은 {region} 리전에서 찾아보았습니다) 이름에 오타가 있습니다."),
            "S3 콘솔에서 버킷 이름을 확인하고(빌드한 프론트엔드를 업로드하는 버킷이어야 합니다) 프로젝트에서 고친 뒤, 프론트엔드 단계를 다시 시작하세요.",
        ),
        what: format!("lockstep cannot find the S3 bucket {bucket}."),
        why: format!("It does not exist in this AWS account (lockstep looked from {region}), or the name has a typo."),
        fix: "Check the bucket name in the S3 console (it must be the bucket your built frontend is uploaded to), fix it in the project, then start the frontend step again.".into(),
    }
}

/// The bucket's policy cannot be read (`problem`), so CloudFront's statement cannot be merged in.
pub fn policy_unreadable(bucket: &str, problem: PolicyProblem, distribution_arn: &str) -> UserError {
    let (why, why_ko) = match problem {
        PolicyProblem::NotJson { line, column } => (
            format!("it is not valid JSON (line {line}, column {column})"),
            format!("올바른 JSON이 아닙니다({line}번째 줄, {column}번째 열)"),
        ),
        PolicyProblem::NotAnObject => ("it is not a JSON object".into(), "JSON 객체가 아닙니다".into()),
        PolicyProblem::StatementNotAList => {
            ("its Statement is not a list".into(), "Statement가 목록이 아닙니다".into())
        }
    };
    UserError {
        ko: lockstep_domain::ko(
            format!("lockstep이 버킷 {bucket}의 정책에 CloudFront 읽기 권한을 추가할 수 없습니다."),
            format!("현재 정책을 읽을 수 없습니다: {why_ko}."),
            format!("S3 콘솔(권한 > 버킷 정책)에서 버킷 정책을 고치거나 삭제한 뒤 \"다시 시도\"를 누르세요. lockstep은 {distribution_arn}에 대해 cloudfront.amazonaws.com이 arn:aws:s3:::{bucket}/*에 s3:GetObject를 할 수 있도록 허용하는 문(Statement)을 추가합니다."),
        ),
        what: format!("lockstep cannot add CloudFront's read permission to the policy of the bucket {bucket}."),
        why: format!("The current policy cannot be read: {why}."),
        fix: format!("Fix or delete the bucket policy in the S3 console (Permissions > Bucket policy), then press Retry. lockstep adds a statement allowing cloudfront.amazonaws.com to s3:GetObject on arn:aws:s3:::{bucket}/* for {distribution_arn}."),
    }
}

/// Custom names without a certificate.
pub fn no_certificate() -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            "프론트엔드에 사용자 지정 이름이 있지만 인증서가 없습니다.",
            "CloudFront는 그 이름을 포함하는 us-east-1의 ACM 인증서가 있어야만 사용자 지정 이름을 HTTPS로 제공합니다.",
            "인증서 단계를 완료한 뒤(us-east-1에서 인증서를 요청합니다) 프론트엔드 단계를 다시 시작하세요.",
        ),
        what: "The frontend has custom names but no certificate.".into(),
        why: "CloudFront serves a custom name over HTTPS only with an ACM certificate from us-east-1 that covers it."
            .into(),
        fix: "Finish the certificate step (it requests the certificate in us-east-1), then start the frontend step again."
            .into(),
    }
}

/// ACM in us-east-1 does not know the certificate.
pub fn certificate_not_found() -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            "ACM(us-east-1)에서 인증서를 찾을 수 없습니다.",
            "콘솔에서 삭제되었거나, 다른 AWS 계정의 인증서일 수 있습니다.",
            "인증서 단계를 다시 실행한 뒤 프론트엔드 단계를 다시 시작하세요.",
        ),
        what: "The certificate was not found in ACM (us-east-1).".into(),
        why: "It may have been deleted in the console, or it belongs to another AWS account.".into(),
        fix: "Run the certificate step again, then start the frontend step again.".into(),
    }
}

/// Names outside the hosted zone `zone`.
pub fn names_outside_zone(outside: &[&str], zone: &str) -> UserError {
    let outside = outside.join(", ");
    UserError {
        ko: lockstep_domain::ko(
            format!("{outside}은(는) 호스팅 영역 {zone} 안에 있지 않습니다."),
            "Route 53은 영역 안에 있는 이름에 대해서만 레코드를 추가할 수 있습니다.",
            "1단계에서 프론트엔드 이름이 들어 있는 호스팅 영역을 선택한 뒤 프론트엔드 단계를 다시 시작하세요.",
        ),
        what: format!("{outside} is not inside the hosted zone {zone}."),
        why: "Route 53 can only add records for names inside the zone.".into(),
        fix: "Choose the hosted zone that contains the frontend names in step 1, then start the frontend step again."
            .into(),
    }
}

/// The distribution to invalidate is gone.
pub fn distribution_gone(id: &str) -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            format!("CloudFront 배포 {id}이(가) 더 이상 존재하지 않습니다."),
            "lockstep이 만든 뒤에 (콘솔에서 또는 리소스 정리로) 삭제되었습니다.",
            "프론트엔드 단계를 다시 실행해 배포를 만든 뒤, 필요하면 캐시를 비우세요.",
        ),
        what: format!("The CloudFront distribution {id} no longer exists."),
        why: "It was deleted (in the console or by a teardown) after lockstep created it.".into(),
        fix: "Run the frontend step again to create a distribution, then clear the cache if needed.".into(),
    }
}

/// AWS answered with something that is not the identifier it documents (`what`: "a CloudFront
/// distribution id", as [`lockstep_domain::ids::BadId`] names it).
pub fn unreadable_answer(what: &str) -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            "AWS의 응답에서 lockstep이 필요한 식별자를 읽지 못했습니다.",
            "AWS가 돌려준 값이 AWS 문서에 나온 모양이 아닙니다. 에뮬레이터나 프록시가 응답을 바꿨을 수 있습니다.",
            "다시 시도를 누르세요. 또 일어나면 시각과 함께 서버 운영자에게 알려 주세요.",
        ),
        what: "lockstep could not read an identifier it needs in AWS's answer.".into(),
        why: format!("The value AWS returned does not have the documented shape ({what}); an emulator or a proxy may have changed the answer."),
        fix: "Press Retry. If it happens again, tell the server's operator the time.".into(),
    }
}

// ---- Tasks (what lockstep was doing, for `port_error`) ----

pub fn locating_bucket(bucket: &str) -> Message {
    msg(format!("looking up where the bucket {bucket} is"), format!("버킷 {bucket}의 위치 조회"))
}

pub fn reading_website(bucket: &str) -> Message {
    msg(format!("reading the website settings of the bucket {bucket}"), format!("버킷 {bucket}의 웹 사이트 설정 읽기"))
}

pub fn creating_oac() -> Message {
    msg("creating the CloudFront Origin Access Control", "CloudFront 원본 액세스 제어(OAC) 생성")
}

pub fn reading_policy(bucket: &str) -> Message {
    msg(format!("reading the policy of the bucket {bucket}"), format!("버킷 {bucket}의 정책 읽기"))
}

pub fn adding_policy(bucket: &str) -> Message {
    msg(
        format!("adding CloudFront's read permission to the policy of the bucket {bucket}"),
        format!("버킷 {bucket}의 정책에 CloudFront 읽기 권한 추가"),
    )
}

pub fn reading_certificate() -> Message {
    msg("reading the certificate from ACM in us-east-1", "us-east-1의 ACM에서 인증서 읽기")
}

pub fn listing_distributions() -> Message {
    msg("listing CloudFront distributions", "CloudFront 배포 목록 조회")
}

pub fn reading_a_distribution() -> Message {
    msg("reading a CloudFront distribution", "CloudFront 배포 읽기")
}

pub fn reading_the_distribution() -> Message {
    msg("reading the CloudFront distribution", "CloudFront 배포 읽기")
}

pub fn creating_the_distribution() -> Message {
    msg("creating the CloudFront distribution", "CloudFront 배포 생성")
}

pub fn reading_zone() -> Message {
    msg("reading the hosted zone", "호스팅 영역 읽기")
}

pub fn adding_alias_records(zone: &str) -> Message {
    msg(format!("adding the alias records to the zone {zone}"), format!("영역 {zone}에 별칭 레코드 추가"))
}

pub fn checking_change() -> Message {
    msg("checking the Route 53 change", "Route 53 변경 사항 확인")
}

pub fn listing_invalidations() -> Message {
    msg("listing the distribution's invalidations", "배포의 무효화 목록 조회")
}

pub fn asking_invalidation() -> Message {
    msg("asking CloudFront to clear its cache", "CloudFront에 캐시 비우기 요청")
}

pub fn reading_invalidation() -> Message {
    msg("reading the invalidation", "무효화 읽기")
}

// ---- Notes (the timeline) ----

/// Where the bucket really is, when the project says otherwise: `(project's, bucket's)`.
pub type Moved<'a> = Option<(&'a Region, &'a Region)>;

fn moved_en(moved: Moved) -> String {
    moved.map(|(said, is)| format!(" (the project says {said}, but the bucket is in {is})")).unwrap_or_default()
}

fn moved_ko(moved: Moved) -> String {
    moved
        .map(|(said, is)| format!(" (프로젝트에는 {said}(으)로 되어 있지만 버킷은 {is}에 있습니다)"))
        .unwrap_or_default()
}

pub fn origin_website(domain: &str, moved: Moved) -> Message {
    let (m, m_ko) = (moved_en(moved), moved_ko(moved));
    msg(
        format!("Static website hosting is on{m}: CloudFront will fetch from http://{domain} (the website endpoint speaks only HTTP; visitors still get HTTPS from CloudFront). The bucket must stay publicly readable."),
        format!("정적 웹 사이트 호스팅이 켜져 있습니다{m_ko}. CloudFront는 http://{domain}에서 파일을 가져옵니다(웹 사이트 엔드포인트는 HTTP만 지원하지만, 방문자는 CloudFront에서 HTTPS로 받습니다). 버킷은 계속 공개 읽기가 가능해야 합니다."),
    )
}

pub fn finding_oac(name: &str) -> Message {
    msg(
        format!("Website hosting is off: finding or creating the Origin Access Control {name}"),
        format!("웹 사이트 호스팅이 꺼져 있습니다. 원본 액세스 제어(OAC) {name}을(를) 찾거나 만드는 중"),
    )
}

pub fn origin_oac(domain: &str, name: &str, oac: &str, moved: Moved) -> Message {
    let (m, m_ko) = (moved_en(moved), moved_ko(moved));
    msg(
        format!("Static website hosting is off{m}: CloudFront will read {domain} signed by the Origin Access Control {name} ({oac}); the bucket stays private."),
        format!("정적 웹 사이트 호스팅이 꺼져 있습니다{m_ko}. CloudFront는 원본 액세스 제어 {name}({oac})로 서명한 요청으로 {domain}을(를) 읽습니다. 버킷은 비공개로 유지됩니다."),
    )
}

pub fn letting_read(id: &str, bucket: &str) -> Message {
    msg(
        format!("Letting {id} read s3://{bucket}/* (bucket policy)"),
        format!("{id}이(가) s3://{bucket}/*를 읽을 수 있게 하는 중(버킷 정책)"),
    )
}

pub fn looking_for_existing() -> Message {
    msg(
        "Looking for an existing distribution and for names already in use",
        "기존 배포와 이미 사용 중인 이름을 찾는 중",
    )
}

pub fn creating_distribution(bucket: &str) -> Message {
    msg(
        format!("Creating the CloudFront distribution for s3://{bucket}"),
        format!("s3://{bucket}용 CloudFront 배포를 만드는 중"),
    )
}

pub fn distribution_ready(reused: bool, id: &str, domain: &str) -> Message {
    if reused {
        msg(
            format!("Reusing distribution {id} ({domain}), price class 100 (the cheapest: North America and Europe edges)"),
            format!("배포 {id}({domain})을(를) 재사용합니다. 가격 등급은 100입니다(가장 저렴함: 북미와 유럽의 엣지 로케이션)."),
        )
    } else {
        msg(
            format!("Created distribution {id} ({domain}), price class 100 (the cheapest: North America and Europe edges)"),
            format!("배포 {id}({domain})을(를) 만들었습니다. 가격 등급은 100입니다(가장 저렴함: 북미와 유럽의 엣지 로케이션)."),
        )
    }
}

pub fn deployed(domain: &str) -> Message {
    msg(
        format!("CloudFront says Deployed: https://{domain} answers from every edge location"),
        format!("CloudFront 상태는 Deployed입니다. 모든 엣지 로케이션에서 https://{domain}이(가) 응답합니다."),
    )
}

/// Still deploying after `minutes`; past 45 minutes it says where to look.
pub fn deploying(status: &str, minutes: i64) -> Message {
    let note = msg(
        format!("CloudFront says {status}: it is copying the distribution to its edge locations. {minutes} min so far; it usually takes 5-15 minutes."),
        format!("CloudFront 상태는 {status}입니다. 배포를 엣지 로케이션에 복사하고 있습니다. 지금까지 {minutes}분 지났고, 보통 5~15분 걸립니다."),
    );
    if minutes < 45 {
        return note;
    }
    note.then(&msg(
        "This is longer than usual: check the AWS Health Dashboard for CloudFront; lockstep keeps checking.",
        "평소보다 오래 걸리고 있습니다. AWS Health Dashboard에서 CloudFront 상태를 확인하세요. lockstep은 계속 확인합니다.",
    ))
}

pub fn no_names(domain: &str) -> Message {
    msg(
        format!("No custom names: your frontend is https://{domain}"),
        format!("사용자 지정 이름이 없습니다. 프론트엔드 주소는 https://{domain}입니다."),
    )
}

pub fn add_by_hand(lines: &[String]) -> Message {
    let lines = lines.join("; ");
    msg(
        format!("Your DNS is not in Route 53: add these records at your DNS provider: {lines} (a bare domain needs an ALIAS/ANAME record, if the provider has one)."),
        format!("DNS가 Route 53에 있지 않습니다. DNS 제공 업체에서 다음 레코드를 추가하세요: {lines} (루트 도메인에는 제공 업체가 지원한다면 ALIAS/ANAME 레코드가 필요합니다)."),
    )
}

pub fn pointing(aliases: &[DomainName], domain: &str) -> Message {
    let names = join(aliases);
    msg(
        format!("Pointing {names} at {domain} (alias A and AAAA)"),
        format!("{names}이(가) {domain}을(를) 가리키도록 설정하는 중(별칭 A, AAAA)"),
    )
}

pub fn records_done(aliases: &[DomainName], domain: &str) -> Message {
    let names = join(aliases);
    msg(
        format!("{names} now point at CloudFront ({domain})"),
        format!("{names}이(가) 이제 CloudFront({domain})를 가리킵니다."),
    )
}

pub fn records_pending() -> Message {
    msg(
        "Route 53 is still publishing the alias records to its name servers (PENDING).",
        "Route 53이 아직 네임서버에 별칭 레코드를 게시하는 중입니다(PENDING).",
    )
}

pub fn invalidated() -> Message {
    msg(
        "CloudFront cleared its cache: visitors get the newly uploaded files.",
        "CloudFront가 캐시를 비웠습니다. 이제 방문자는 새로 업로드한 파일을 받습니다.",
    )
}

pub fn invalidating(status: &str) -> Message {
    msg(
        format!("CloudFront says {status}: clearing /* at every edge location (usually 1-5 minutes)."),
        format!("CloudFront 상태는 {status}입니다. 모든 엣지 로케이션에서 /*를 비우는 중입니다(보통 1~5분 걸립니다)."),
    )
}

// ---- Refusals of the service (the frontend cannot start) ----

/// The frontend was started for own names (`aliases`) before the certificate was requested.
pub fn needs_certificate_first(aliases: &[DomainName]) -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            format!("CloudFront가 {}을(를) 제공하려면 먼저 인증서가 필요합니다.", join(aliases)),
            "CloudFront는 그 이름들을 포함하는 us-east-1의 ACM 인증서가 있어야만 여러분의 이름을 HTTPS로 제공합니다.",
            "2단계에서 인증서를 요청하고 발급될 때까지 기다린 뒤, 프론트엔드를 다시 시작하세요.",
        ),
        what: format!("{} needs a certificate before CloudFront can serve it.", join(aliases)),
        why: "CloudFront serves your own names over HTTPS only with an ACM certificate in us-east-1 that covers them."
            .into(),
        fix: "Request the certificate in step 2 and wait until it is issued, then start the frontend again.".into(),
    }
}

/// "Clear the cache" was pressed before the frontend step made a distribution.
pub fn no_distribution_to_clear() -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            "아직 캐시를 지울 CloudFront 배포가 없습니다.",
            "캐시는 프론트엔드 단계가 만드는 배포에 속합니다.",
            "먼저 프론트엔드 단계를 실행하세요.",
        ),
        what: "There is no CloudFront distribution to clear yet.".into(),
        why: "The cache belongs to the distribution the frontend step creates.".into(),
        fix: "Run the frontend step first.".into(),
    }
}
