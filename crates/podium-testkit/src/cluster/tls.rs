//! A certificate authority of the test's own and the certificates it
//! signs, so the cluster runs TLS as production does (clients check the
//! servers, servers check each other on their routes) without a real CA.

use crate::TestkitError;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};
use std::net::IpAddr;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// A test CA: its certificate is what clients and servers trust.
pub struct TestCa {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

/// A certificate signed by the test CA and its private key, both PEM.
pub struct Issued {
    /// The certificate.
    pub cert_pem: String,
    /// The private key (PKCS#8).
    pub key_pem: String,
}

impl TestCa {
    /// Makes a CA whose name says which test process it belongs to.
    ///
    /// # Errors
    /// When the key or the certificate cannot be made.
    pub fn generate(name: &str) -> Result<TestCa, TestkitError> {
        let failed = |source| TestkitError::Certificate {
            subject: "the CA".to_owned(),
            source,
        };
        let mut params = CertificateParams::default();
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key = KeyPair::generate().map_err(failed)?;
        let issuer = CertifiedIssuer::self_signed(params, key).map_err(failed)?;
        Ok(TestCa { issuer })
    }

    /// The CA's certificate, PEM.
    #[must_use]
    pub fn cert_pem(&self) -> String {
        self.issuer.pem()
    }

    /// A certificate for a server known as `subject`, valid for `ips`,
    /// `localhost` and 127.0.0.1. It serves both ends of TLS (server and
    /// client authentication): a NATS server presents the same one when it
    /// dials another's route port.
    ///
    /// # Errors
    /// When the key or the certificate cannot be made.
    pub fn issue_server(&self, subject: &str, ips: &[IpAddr]) -> Result<Issued, TestkitError> {
        let failed = |source| TestkitError::Certificate {
            subject: subject.to_owned(),
            source,
        };
        let mut names: Vec<String> = ips.iter().map(ToString::to_string).collect();
        names.extend(["localhost".to_owned(), "127.0.0.1".to_owned()]);
        let mut params = CertificateParams::new(names).map_err(failed)?;
        params.distinguished_name.push(DnType::CommonName, subject);
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth, ExtendedKeyUsagePurpose::ClientAuth];
        let key = KeyPair::generate().map_err(failed)?;
        let cert = params.signed_by(&key, &self.issuer).map_err(failed)?;
        Ok(Issued {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        })
    }
}

/// Writes `text` to a new file at `path` that only its owner may read (a
/// key, or a seed, stays private even in a test).
///
/// # Errors
/// When the file exists already or cannot be written.
pub fn write_private(path: &Path, text: &str) -> Result<(), TestkitError> {
    use std::io::Write;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|source| TestkitError::ClusterFile {
            doing: "write",
            path: path.to_owned(),
            source,
        })
}
