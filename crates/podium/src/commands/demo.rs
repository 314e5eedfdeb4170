//! `podium demo`.
pub async fn run(_s: &std::path::Path, _a: crate::cli::DemoArgs) -> anyhow::Result<super::Status> {
    anyhow::bail!("not yet")
}
