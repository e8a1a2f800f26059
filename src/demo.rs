pub struct DemoSummary {
    pub administrations: usize,
    pub plans: usize,
    pub objectives: usize,
    pub indicators: usize,
    pub measurements: usize,
}
pub async fn load(_s: &domain::services::Services) -> Result<DemoSummary, domain::DomainError> {
    Ok(DemoSummary { administrations: 0, plans: 0, objectives: 0, indicators: 0, measurements: 0 })
}
