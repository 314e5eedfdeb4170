//! Secrets from the operating system's random generator: session cookies,
//! web login tokens, the demo's passwords. One way to get them, so none
//! is made from a weaker source by mistake.

use crate::error::SysError;

/// Fills `buf` from the kernel's generator (`getrandom(2)`).
///
/// # Errors
/// [`SysError::Random`] when the kernel has none to give (early boot).
pub fn fill(buf: &mut [u8]) -> Result<(), SysError> {
    getrandom::fill(buf).map_err(|e| SysError::Random(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_draws_differ() {
        let (mut a, mut b) = ([0u8; 16], [0u8; 16]);
        fill(&mut a).expect("random");
        fill(&mut b).expect("random");
        assert_ne!(a, b);
    }
}
