//! What the paid path costs a month, from AWS list prices.
//!
//! Prices are the on-demand list prices in us-east-1 and ap-northeast-2 (Seoul), which are the
//! same for these items (checked against the AWS pricing pages, 2025). Taxes, the free tier and
//! data transfer out (the first 100 GB a month are free account-wide) are left out.

/// Hours in an average month (365 days x 24 h / 12), as AWS's pricing calculator uses.
pub const HOURS_PER_MONTH: f64 = 730.0;
/// An application load balancer, per hour it exists (running or idle).
pub const ALB_HOUR_USD: f64 = 0.0225;
/// One Load Balancer Capacity Unit, per hour.
pub const LCU_HOUR_USD: f64 = 0.008;
/// LCUs billed per hour on average. Assumption: a student project's traffic (a few requests a
/// second, a handful of new connections) stays well under 1 LCU (25 new connections/s, 3,000
/// active connections, 1 GB/h or 1,000 rule evaluations/s); counting a full LCU every hour is
/// generous, so the estimate errs on the high side.
pub const LCU_PER_HOUR: f64 = 1.0;
/// A public IPv4 address, per hour (since February 2024). An internet-facing ALB has one per
/// availability zone it is in.
pub const PUBLIC_IPV4_HOUR_USD: f64 = 0.005;
/// A Route 53 hosted zone, per month (the first 25 zones; queries to alias records pointing at
/// an ALB are free).
pub const HOSTED_ZONE_MONTH_USD: f64 = 0.50;

/// The monthly cost of lockstep's ALB setup in `azs` availability zones (lockstep uses two, the
/// minimum AWS allows): the load balancer, ~1 LCU, one public IPv4 address per AZ, and the
/// hosted zone. ACM certificates used by an ALB are free. About $30.
pub fn alb_monthly_cost_usd(azs: usize) -> f64 {
    let hourly = ALB_HOUR_USD + LCU_HOUR_USD * LCU_PER_HOUR + PUBLIC_IPV4_HOUR_USD * azs as f64;
    hourly * HOURS_PER_MONTH + HOSTED_ZONE_MONTH_USD
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_azs_cost_about_thirty_dollars_a_month() {
        let two = alb_monthly_cost_usd(2);
        // 730 h x (0.0225 + 0.008 + 2 x 0.005) + 0.50 = 730 x 0.0405 + 0.50 = 30.065
        assert!((two - 30.065).abs() < 1e-9, "{two}");
        // Each extra AZ adds one public address: 730 x 0.005 = $3.65 a month.
        assert!((alb_monthly_cost_usd(3) - two - 3.65).abs() < 1e-9);
        // The load balancer alone is about $16.4 a month.
        assert!((ALB_HOUR_USD * HOURS_PER_MONTH - 16.425).abs() < 1e-9);
    }
}
