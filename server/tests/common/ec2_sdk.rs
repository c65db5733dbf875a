//! The SDK's EC2 client, for setting up and reading the emulator in tests and benches:
//! lockstep itself calls EC2 through `lockstep_server::aws::ec2_api` (no SDK crate), but the
//! tests build instances, groups and routes with the SDK, a second client that shares none of
//! lockstep's code.

/// `aws.ec2_sdk(region)`: an SDK EC2 client with the same endpoint, credentials and emulator
/// account as `aws`'s own clients.
pub trait Ec2Sdk {
    fn ec2_sdk(&self, region: &str) -> aws_sdk_ec2::Client;
}

impl Ec2Sdk for lockstep_server::aws::Aws {
    fn ec2_sdk(&self, region: &str) -> aws_sdk_ec2::Client {
        let (sdk, account) = self.sdk_parts();
        let mut b = aws_sdk_ec2::config::Builder::from(sdk).region(aws_types::region::Region::new(region.to_string()));
        if let Some(a) = account {
            b = b.interceptor(lockstep_server::aws::MotoAccount(a.to_string()));
        }
        aws_sdk_ec2::Client::from_conf(b.build())
    }
}
