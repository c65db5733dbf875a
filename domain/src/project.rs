//! A project: where the team's app runs, parsed from the form into checked values.
//!
//! The form posts strings ([`ProjectInput`]); [`ProjectInput::parse`] turns them into a
//! [`ProjectSpec`] or into one message per bad field ([`FieldErrors`]), so the page can show each
//! message next to its field and keep everything the user typed.

use crate::text::{msg, Message};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::net::Ipv4Addr;

/// The fields of the project form, in the order the form shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Name,
    Region,
    Instance,
    AppPort,
    HealthPath,
    Bucket,
    Framework,
}

impl Field {
    pub const ALL: [Field; 7] = [
        Field::Name,
        Field::Region,
        Field::Instance,
        Field::AppPort,
        Field::HealthPath,
        Field::Bucket,
        Field::Framework,
    ];

    /// The form field's `name` attribute.
    pub fn key(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Region => "region",
            Field::Instance => "instance",
            Field::AppPort => "app_port",
            Field::HealthPath => "health_path",
            Field::Bucket => "bucket",
            Field::Framework => "framework",
        }
    }
}

/// One message per field that did not parse, in English and Korean. Empty means the input is
/// good.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrors(pub BTreeMap<Field, Message>);

impl FieldErrors {
    /// The field's message in English.
    pub fn get(&self, field: Field) -> Option<&str> {
        self.0.get(&field).map(|m| m.en.as_str())
    }
    /// The field's message in Korean when `korean`, else in English.
    pub fn said(&self, field: Field, korean: bool) -> Option<&str> {
        self.0.get(&field).map(|m| m.said(korean))
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    fn put<T>(&mut self, field: Field, r: Result<T, Message>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(m) => {
                self.0.insert(field, m);
                None
            }
        }
    }
}

/// What the project form sends: the user's text, untouched.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectInput {
    pub name: String,
    pub region: String,
    pub instance: String,
    pub app_port: String,
    pub health_path: String,
    pub bucket: String,
    pub framework: String,
}

/// A project's settings, all checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectSpec {
    pub name: String,
    pub region: Region,
    pub instance: InstanceRef,
    pub app_port: u16,
    pub health_path: HealthPath,
    pub bucket: BucketName,
    pub framework: Framework,
}

impl ProjectInput {
    /// Parses every field, collecting one message per bad field (not just the first).
    pub fn parse(&self) -> Result<ProjectSpec, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = errors.put(Field::Name, parse_project_name(&self.name));
        let region = errors.put(Field::Region, Region::parse(&self.region));
        let instance = errors.put(Field::Instance, InstanceRef::parse(&self.instance));
        let app_port = errors.put(Field::AppPort, parse_app_port(&self.app_port));
        let health_path = errors.put(Field::HealthPath, HealthPath::parse(&self.health_path));
        let bucket = errors.put(Field::Bucket, BucketName::parse(&self.bucket));
        let framework = errors.put(Field::Framework, Framework::parse(&self.framework));
        match (name, region, instance, app_port, health_path, bucket, framework) {
            (
                Some(name),
                Some(region),
                Some(instance),
                Some(app_port),
                Some(health_path),
                Some(bucket),
                Some(framework),
            ) if errors.is_empty() => {
                Ok(ProjectSpec { name, region, instance, app_port, health_path, bucket, framework })
            }
            _ => Err(errors),
        }
    }
}

impl ProjectSpec {
    /// The form values that reproduce this spec (for editing).
    pub fn to_input(&self) -> ProjectInput {
        ProjectInput {
            name: self.name.clone(),
            region: self.region.to_string(),
            instance: self.instance.to_string(),
            app_port: self.app_port.to_string(),
            health_path: self.health_path.to_string(),
            bucket: self.bucket.to_string(),
            framework: self.framework.key().to_string(),
        }
    }
}

fn parse_project_name(s: &str) -> Result<String, Message> {
    let t = s.trim();
    if t.is_empty() {
        return Err(msg(
            "Give the project a name your team will recognise, e.g. \"capstone-shop\".",
            "팀이 알아볼 수 있는 프로젝트 이름을 입력하세요. 예: \"capstone-shop\".",
        ));
    }
    let n = t.chars().count();
    if n > 60 {
        return Err(msg(
            format!("The name is {n} characters long; keep it to 60 or fewer."),
            format!("이름이 {n}자입니다. 60자 이하로 줄이세요."),
        ));
    }
    if t.chars().any(char::is_control) {
        return Err(msg(
            "The name contains a control character; use ordinary letters, digits and punctuation.",
            "이름에 제어 문자가 있습니다. 일반 문자, 숫자, 문장 부호만 사용하세요.",
        ));
    }
    Ok(t.to_string())
}

fn parse_app_port(s: &str) -> Result<u16, Message> {
    let t = s.trim();
    if t.is_empty() {
        return Err(msg(
            "Enter the port your backend listens on, e.g. 8000 (Django), 3000 (Express) or 8080 (Spring).",
            "백엔드가 요청을 받는 포트를 입력하세요. 예: 8000 (Django), 3000 (Express), 8080 (Spring).",
        ));
    }
    let n: u32 = t.parse().map_err(|_| {
        msg(
            format!("\"{t}\" is not a port number: enter digits only, between 1 and 65535."),
            format!("\"{t}\"은(는) 포트 번호가 아닙니다. 1에서 65535 사이의 숫자만 입력하세요."),
        )
    })?;
    match n {
        0 => Err(msg(
            "Port 0 is not a real port: enter the port your backend listens on (1-65535).",
            "포트 0은 실제 포트가 아닙니다. 백엔드가 요청을 받는 포트(1-65535)를 입력하세요.",
        )),
        22 => Err(msg(
            "Port 22 is SSH, not your web app: enter the port your backend listens on.",
            "포트 22는 웹 앱이 아니라 SSH 포트입니다. 백엔드가 요청을 받는 포트를 입력하세요.",
        )),
        1..=65535 => Ok(n as u16),
        _ => Err(msg(
            format!("{n} is above 65535, the highest port number."),
            format!("{n}은(는) 가장 큰 포트 번호인 65535보다 큽니다."),
        )),
    }
}

/// An AWS region code such as `ap-northeast-2`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Region(String);

/// Commercial regions lockstep offers; AWS adds regions rarely and the list is easy to extend.
pub const REGIONS: &[(&str, &str)] = &[
    ("ap-northeast-2", "Asia Pacific (Seoul)"),
    ("ap-northeast-1", "Asia Pacific (Tokyo)"),
    ("ap-northeast-3", "Asia Pacific (Osaka)"),
    ("ap-southeast-1", "Asia Pacific (Singapore)"),
    ("ap-southeast-2", "Asia Pacific (Sydney)"),
    ("ap-south-1", "Asia Pacific (Mumbai)"),
    ("ap-east-1", "Asia Pacific (Hong Kong)"),
    ("us-east-1", "US East (N. Virginia)"),
    ("us-east-2", "US East (Ohio)"),
    ("us-west-1", "US West (N. California)"),
    ("us-west-2", "US West (Oregon)"),
    ("ca-central-1", "Canada (Central)"),
    ("eu-west-1", "Europe (Ireland)"),
    ("eu-west-2", "Europe (London)"),
    ("eu-west-3", "Europe (Paris)"),
    ("eu-central-1", "Europe (Frankfurt)"),
    ("eu-north-1", "Europe (Stockholm)"),
    ("sa-east-1", "South America (Sao Paulo)"),
];

impl Region {
    pub fn parse(s: &str) -> Result<Region, Message> {
        let t = s.trim().to_ascii_lowercase();
        if t.is_empty() {
            return Err(msg(
                "Pick the region your EC2 instance runs in (Seoul is ap-northeast-2).",
                "EC2 인스턴스가 실행 중인 리전을 선택하세요 (서울은 ap-northeast-2).",
            ));
        }
        if REGIONS.iter().any(|(code, _)| *code == t) {
            Ok(Region(t))
        } else {
            let raw = s.trim();
            Err(msg(
                format!(
                    "\"{raw}\" is not a region lockstep knows. Use the code from the top right of the AWS console, e.g. ap-northeast-2."
                ),
                format!(
                    "\"{raw}\"은(는) lockstep이 아는 리전이 아닙니다. AWS 콘솔 오른쪽 위에 보이는 코드를 사용하세요. 예: ap-northeast-2."
                ),
            ))
        }
    }
    pub fn us_east_1() -> Region {
        Region("us-east-1".into())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl TryFrom<String> for Region {
    type Error = String;
    fn try_from(v: String) -> Result<Self, String> {
        Region::parse(&v).map_err(|m| m.en)
    }
}
impl From<Region> for String {
    fn from(v: Region) -> String {
        v.0
    }
}

/// The backend's EC2 instance: its id, or its public IPv4 address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum InstanceRef {
    Id(String),
    PublicIp(Ipv4Addr),
}

impl InstanceRef {
    pub fn parse(s: &str) -> Result<InstanceRef, Message> {
        let t = s.trim();
        if t.is_empty() {
            return Err(msg(
                "Enter the EC2 instance id (i-0abc...) or its public IPv4 address.",
                "EC2 인스턴스 ID(i-0abc...) 또는 인스턴스의 퍼블릭 IPv4 주소를 입력하세요.",
            ));
        }
        if let Some(hex) = t.strip_prefix("i-") {
            let hex = hex.to_ascii_lowercase();
            if (hex.len() == 8 || hex.len() == 17) && hex.chars().all(|c| c.is_ascii_hexdigit()) {
                return Ok(InstanceRef::Id(format!("i-{hex}")));
            }
            return Err(msg(
                format!(
                    "\"{t}\" is not an instance id: it is \"i-\" followed by 17 (or 8) hex digits, as shown in the EC2 console."
                ),
                format!(
                    "\"{t}\"은(는) 인스턴스 ID가 아닙니다. 인스턴스 ID는 EC2 콘솔에 보이는 것처럼 \"i-\" 뒤에 16진수 17자리(또는 8자리)가 붙습니다."
                ),
            ));
        }
        let ip: Ipv4Addr = t.parse().map_err(|_| {
            msg(
                format!("\"{t}\" is neither an instance id (i-0abc...) nor an IPv4 address (e.g. 54.180.10.20)."),
                format!("\"{t}\"은(는) 인스턴스 ID(i-0abc...)도 IPv4 주소(예: 54.180.10.20)도 아닙니다."),
            )
        })?;
        let o = ip.octets();
        let private = ip.is_private()
            || ip.is_loopback()
            || ip.is_link_local()
            || ip.is_unspecified()
            || ip.is_broadcast()
            || ip.is_multicast()
            || ip.is_documentation()
            || (o[0] == 100 && (64..128).contains(&o[1]))
            || o[0] == 0
            || o[0] >= 240;
        if private {
            return Err(msg(
                format!(
                    "{ip} is a private or reserved address, not reachable from the internet. Use the instance's public IPv4 address (EC2 console, \"Public IPv4 address\")."
                ),
                format!(
                    "{ip}은(는) 프라이빗 또는 예약된 주소라서 인터넷에서 접근할 수 없습니다. 인스턴스의 퍼블릭 IPv4 주소를 사용하세요 (EC2 콘솔의 \"퍼블릭 IPv4 주소\")."
                ),
            ));
        }
        Ok(InstanceRef::PublicIp(ip))
    }
}

impl fmt::Display for InstanceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstanceRef::Id(id) => f.write_str(id),
            InstanceRef::PublicIp(ip) => write!(f, "{ip}"),
        }
    }
}
impl TryFrom<String> for InstanceRef {
    type Error = String;
    fn try_from(v: String) -> Result<Self, String> {
        InstanceRef::parse(&v).map_err(|m| m.en)
    }
}
impl From<InstanceRef> for String {
    fn from(v: InstanceRef) -> String {
        v.to_string()
    }
}

/// The backend path that answers 2xx when the app is up (the ALB's and lockstep's health check).
///
/// It is joined onto the API's URL for lockstep's own checks, so it must stay a path on that
/// host: `//10.0.0.5:9200/_cat` is a network-path reference (another host, here a database on
/// the VPC) and a backslash is read as a slash by browsers and many URL parsers. Only the
/// characters of an ordinary path and query are accepted: letters, digits and `/ - _ . ~ ? = & %`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct HealthPath(String);

impl HealthPath {
    pub fn parse(s: &str) -> Result<HealthPath, Message> {
        let t = s.trim();
        if t.is_empty() {
            return Err(msg(
                "Enter a path that returns 200 when your app is up, e.g. /health.",
                "앱이 정상일 때 200을 돌려주는 경로를 입력하세요. 예: /health.",
            ));
        }
        if t.contains("://") {
            return Err(msg(
                "Enter only the path (e.g. /health), not a full address.",
                "전체 주소가 아니라 경로만 입력하세요 (예: /health).",
            ));
        }
        if t.starts_with("//") {
            return Err(msg(
                format!(
                    "A path cannot start with two slashes: \"{t}\" would be read as another server's address. Start with one slash, e.g. /health."
                ),
                format!(
                    "경로는 슬래시 두 개로 시작할 수 없습니다. \"{t}\"은(는) 다른 서버의 주소로 읽힙니다. /health처럼 슬래시 하나로 시작하세요."
                ),
            ));
        }
        if !t.starts_with('/') {
            return Err(msg(
                format!("The path must start with \"/\": try /{t}."),
                format!("경로는 \"/\"로 시작해야 합니다. /{t}처럼 입력해 보세요."),
            ));
        }
        if t.len() > 1024 {
            return Err(msg(
                "The path is longer than 1024 characters, the load balancer's limit.",
                "경로가 로드 밸런서의 한도인 1024자보다 깁니다.",
            ));
        }
        if let Some(c) = t.chars().find(|c| !(c.is_ascii_alphanumeric() || "/-_.~?=&%".contains(*c))) {
            let (en, ko) = crate::shell::named(c);
            return Err(msg(
                format!(
                    "The path cannot contain {en}: use letters, digits and / - _ . ~ ? = & % only, e.g. /health or /api/health?full=1."
                ),
                format!(
                    "경로에는 {ko}을(를) 쓸 수 없습니다. 문자, 숫자와 / - _ . ~ ? = & % 만 사용하세요. 예: /health 또는 /api/health?full=1."
                ),
            ));
        }
        let bytes = t.as_bytes();
        let bad_escape = bytes.iter().enumerate().any(|(i, b)| {
            *b == b'%'
                && !(bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                    && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
        });
        if bad_escape {
            return Err(msg(
                "A % in the path must start an escape of two hex digits, such as %20: write the path as your app receives it in the browser's address bar.",
                "경로의 %는 %20처럼 16진수 두 자리로 된 이스케이프의 시작이어야 합니다. 브라우저 주소창에 보이는 그대로 경로를 쓰세요.",
            ));
        }
        Ok(HealthPath(t.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
impl fmt::Display for HealthPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl TryFrom<String> for HealthPath {
    type Error = String;
    fn try_from(v: String) -> Result<Self, String> {
        HealthPath::parse(&v).map_err(|m| m.en)
    }
}
impl From<HealthPath> for String {
    fn from(v: HealthPath) -> String {
        v.0
    }
}

/// An S3 bucket name, per S3's naming rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BucketName(String);

impl BucketName {
    pub fn parse(s: &str) -> Result<BucketName, Message> {
        let t = s.trim();
        let t = t.strip_prefix("s3://").unwrap_or(t).trim_end_matches('/');
        if t.is_empty() {
            return Err(msg(
                "Enter the S3 bucket that holds your built frontend (the dist/ folder).",
                "빌드한 프런트엔드(dist/ 폴더)가 들어 있는 S3 버킷을 입력하세요.",
            ));
        }
        if !(3..=63).contains(&t.len()) {
            let n = t.len();
            return Err(msg(
                format!("Bucket names are 3 to 63 characters long; \"{t}\" has {n}."),
                format!("버킷 이름은 3~63자여야 합니다. \"{t}\"은(는) {n}자입니다."),
            ));
        }
        if let Some(c) = t.chars().find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-' || *c == '.')) {
            return Err(msg(
                format!("Bucket names use lower-case letters, digits, dots and hyphens only; \"{c}\" is not allowed."),
                format!(
                    "버킷 이름에는 영문 소문자, 숫자, 마침표(.), 하이픈(-)만 쓸 수 있습니다. \"{c}\"은(는) 쓸 수 없습니다."
                ),
            ));
        }
        let edge_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        if !edge_ok(t.chars().next()) || !edge_ok(t.chars().last()) {
            return Err(msg(
                "A bucket name must start and end with a letter or a digit.",
                "버킷 이름은 문자나 숫자로 시작하고 끝나야 합니다.",
            ));
        }
        if t.contains("..") {
            return Err(msg(
                "A bucket name cannot have two dots in a row.",
                "버킷 이름에는 마침표 두 개를 연달아 쓸 수 없습니다.",
            ));
        }
        if t.parse::<Ipv4Addr>().is_ok() {
            return Err(msg(
                "A bucket name cannot look like an IP address.",
                "버킷 이름은 IP 주소 형식일 수 없습니다.",
            ));
        }
        if t.starts_with("xn--") || t.ends_with("-s3alias") || t.ends_with("--ol-s3") {
            return Err(msg(
                "That prefix or suffix is reserved by S3; pick another bucket name.",
                "그 접두사나 접미사는 S3가 예약해 둔 것입니다. 다른 버킷 이름을 고르세요.",
            ));
        }
        Ok(BucketName(t.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
impl fmt::Display for BucketName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl TryFrom<String> for BucketName {
    type Error = String;
    fn try_from(v: String) -> Result<Self, String> {
        BucketName::parse(&v).map_err(|m| m.en)
    }
}
impl From<BucketName> for String {
    fn from(v: BucketName) -> String {
        v.0
    }
}

/// The backend framework: decides which settings lockstep tells the team to change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Framework {
    Django,
    Express,
    Spring,
    Other,
}

impl Framework {
    pub const ALL: [Framework; 4] = [Framework::Django, Framework::Express, Framework::Spring, Framework::Other];

    pub fn key(self) -> &'static str {
        match self {
            Framework::Django => "django",
            Framework::Express => "express",
            Framework::Spring => "spring",
            Framework::Other => "other",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Framework::Django => "Django",
            Framework::Express => "Express (Node.js)",
            Framework::Spring => "Spring Boot",
            Framework::Other => "Something else",
        }
    }
    /// The port the framework listens on out of the box, suggested in the form.
    pub fn default_port(self) -> u16 {
        match self {
            Framework::Django => 8000,
            Framework::Express => 3000,
            Framework::Spring => 8080,
            Framework::Other => 8080,
        }
    }
    pub fn parse(s: &str) -> Result<Framework, Message> {
        let t = s.trim().to_ascii_lowercase();
        Framework::ALL.into_iter().find(|f| f.key() == t).ok_or_else(|| {
            msg(
                "Pick the framework your backend uses (or \"Something else\").",
                "백엔드가 사용하는 프레임워크를 선택하세요 (없으면 \"기타\").",
            )
        })
    }
}

#[cfg(test)]
mod tests;
