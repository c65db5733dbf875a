//! What the paid path costs, before anything is created: one line per billable resource with
//! its monthly price, the total, and the per-day figure the project shows while the resources
//! exist. List prices for us-east-1 and ap-northeast-2 (Seoul), which are the same for these
//! items; checked against the AWS price pages in 2026-11. Prices change: the page says "about".

use serde::{Deserialize, Serialize};

/// Hours AWS bills in a month (365 * 24 / 12).
pub const HOURS_PER_MONTH: f64 = 730.0;
/// Application Load Balancer, per hour it exists (idle or not).
pub const ALB_HOUR_USD: f64 = 0.0225;
/// One ALB capacity unit-hour. A student project stays well under one LCU (25 new connections
/// per second, 3,000 active, 1 GB per hour); lockstep counts one, to be on the safe side.
pub const LCU_HOUR_USD: f64 = 0.008;
pub const ASSUMED_LCUS: f64 = 1.0;
/// Every public IPv4 address, per hour (since 2024-02). An internet-facing ALB has one per AZ.
pub const PUBLIC_IPV4_HOUR_USD: f64 = 0.005;
/// A Route 53 hosted zone per month (the first 25); queries cost $0.40 per million, which a
/// student project never reaches.
pub const HOSTED_ZONE_MONTH_USD: f64 = 0.50;

/// One line of the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostLine {
    pub item: String,
    /// How the price is made, e.g. "$0.0225/hour x 730 hours".
    pub basis: String,
    pub monthly_usd: f64,
    /// Billed once a year (a domain) rather than monthly.
    pub yearly_usd: Option<f64>,
}

/// The paid path's bill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostPlan {
    pub lines: Vec<CostLine>,
}

impl CostPlan {
    pub fn monthly_usd(&self) -> f64 {
        self.lines.iter().map(|l| l.monthly_usd).sum()
    }
    /// What the resources cost per day while they exist (the yearly domain excluded: it is paid).
    pub fn daily_usd(&self) -> f64 {
        self.lines.iter().filter(|l| l.yearly_usd.is_none()).map(|l| l.monthly_usd).sum::<f64>() * 12.0 / 365.0
    }
}

/// `$12.34`.
pub fn usd(v: f64) -> String {
    format!("${v:.2}")
}

/// The paid path for a project: an ALB in `azs` zones, the hosted zone when lockstep creates it
/// (`new_zone`), CloudFront within the free tier, free ACM certificates, and the domain's yearly
/// price when it is bought through Route 53.
pub fn paid_path(azs: usize, new_zone: bool, domain_yearly_usd: Option<f64>) -> CostPlan {
    let mut lines = vec![
        CostLine {
            item: "Application Load Balancer".into(),
            basis: format!("{} per hour x {HOURS_PER_MONTH} hours", usd_fine(ALB_HOUR_USD)),
            monthly_usd: ALB_HOUR_USD * HOURS_PER_MONTH,
            yearly_usd: None,
        },
        CostLine {
            item: "ALB capacity (LCU)".into(),
            basis: format!(
                "{ASSUMED_LCUS} LCU x {} per hour (student traffic stays under one)",
                usd_fine(LCU_HOUR_USD)
            ),
            monthly_usd: ASSUMED_LCUS * LCU_HOUR_USD * HOURS_PER_MONTH,
            yearly_usd: None,
        },
        CostLine {
            item: format!("Public IPv4 addresses of the ALB ({azs}, one per Availability Zone)"),
            basis: format!("{azs} x {} per hour", usd_fine(PUBLIC_IPV4_HOUR_USD)),
            monthly_usd: azs as f64 * PUBLIC_IPV4_HOUR_USD * HOURS_PER_MONTH,
            yearly_usd: None,
        },
    ];
    if new_zone {
        lines.push(CostLine {
            item: "Route 53 hosted zone".into(),
            basis: "per month (queries: $0.40 per million, effectively $0)".into(),
            monthly_usd: HOSTED_ZONE_MONTH_USD,
            yearly_usd: None,
        });
    }
    lines.push(CostLine {
        item: "CloudFront".into(),
        basis: "free tier: 1 TB and 10 million requests a month".into(),
        monthly_usd: 0.0,
        yearly_usd: None,
    });
    lines.push(CostLine {
        item: "ACM certificates".into(),
        basis: "public certificates used by an ALB or CloudFront are free".into(),
        monthly_usd: 0.0,
        yearly_usd: None,
    });
    if let Some(y) = domain_yearly_usd {
        lines.push(CostLine {
            item: "Domain registration".into(),
            basis: format!("{} a year, paid once when bought", usd(y)),
            monthly_usd: y / 12.0,
            yearly_usd: Some(y),
        });
    }
    CostPlan { lines }
}

fn usd_fine(v: f64) -> String {
    format!("${v}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_zones_cost_about_thirty_dollars_a_month_and_a_dollar_a_day() {
        let p = paid_path(2, true, None);
        // 16.425 (ALB) + 5.84 (LCU) + 7.30 (2 IPv4) + 0.50 (zone)
        assert!((p.monthly_usd() - 30.065).abs() < 0.001, "{}", p.monthly_usd());
        assert!((p.daily_usd() - 30.065 * 12.0 / 365.0).abs() < 0.001);
        assert_eq!(usd(p.daily_usd()), "$0.99");
        // Free items are listed too, so nobody wonders where CloudFront went.
        assert!(p.lines.iter().any(|l| l.item == "CloudFront" && l.monthly_usd == 0.0));
    }

    #[test]
    fn each_extra_zone_adds_an_address_and_a_bought_domain_is_yearly_not_daily() {
        let (two, three) = (paid_path(2, false, None), paid_path(3, false, None));
        assert!((three.monthly_usd() - two.monthly_usd() - 3.65).abs() < 0.001);
        let with_domain = paid_path(2, false, Some(15.0));
        assert!((with_domain.monthly_usd() - two.monthly_usd() - 1.25).abs() < 0.001);
        assert!((with_domain.daily_usd() - two.daily_usd()).abs() < 1e-9, "the domain is paid once a year");
    }
}
