//! https for `obakit serve`: the certificate chain, its key and optionally the authorities client
//! certificates must chain to, read from PEM files at start and again on every SIGHUP.
//!
//! A reload changes what new connections are offered; connections already open keep the session
//! they negotiated, so a renewal drops nothing. Files that cannot be read or do not make a valid
//! configuration are refused at start (the server does not start) and ignored on reload (the
//! previous configuration stays, and the log says why).

use std::path::{Path, PathBuf};

use anyhow::Context;
use futures_util::{Stream, StreamExt};
use poem::listener::{IntoTlsConfigStream, RustlsCertificate, RustlsConfig};

use crate::config::TlsConfig;

/// Where the PEM files are.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
    pub client_ca: Option<PathBuf>,
}

impl TlsFiles {
    /// The files a configuration names, or `None` when it asks for plain http.
    pub fn from_config(config: &TlsConfig) -> Option<Self> {
        Some(Self {
            cert: config.cert.clone()?,
            key: config.key.clone()?,
            client_ca: config.client_ca.clone(),
        })
    }

    /// Reads the files into a configuration; each must hold what it is for.
    fn read(&self) -> anyhow::Result<RustlsConfig> {
        let certificate = RustlsCertificate::new()
            .cert(certificates(&self.cert)?)
            .key(private_key(&self.key)?);
        let config = RustlsConfig::new().fallback(certificate);
        Ok(match &self.client_ca {
            Some(ca) => config.client_auth_required(certificates(ca)?),
            None => config,
        })
    }

    /// Reads the files and checks they make a server configuration (certificates and key parse,
    /// client authorities parse).
    pub fn load(&self) -> anyhow::Result<RustlsConfig> {
        // Building the rustls configuration is the only complete check; poem does it when a
        // single configuration is turned into a stream, so the check builds one and throws it
        // away.
        let checked = self.read()?.into_stream().with_context(|| {
            format!(
                "the TLS files do not make a server configuration (certificate {}, key {})",
                self.cert.display(),
                self.key.display()
            )
        })?;
        drop(checked);
        self.read()
    }

    /// The configuration now, then a fresh one after every SIGHUP whose files are valid. Errors
    /// when the files are not valid now.
    pub fn watch(self) -> anyhow::Result<impl Stream<Item = RustlsConfig> + Send + 'static> {
        let first = self.load()?;
        tracing::info!(
            cert = %self.cert.display(),
            client_certificates = if self.client_ca.is_some() { "required" } else { "not asked" },
            "https enabled; SIGHUP reloads the certificate"
        );
        let reloads = hangups()?.filter_map(move |()| {
            let reloaded = match self.load() {
                Ok(config) => {
                    tracing::info!(cert = %self.cert.display(), "TLS files reloaded");
                    Some(config)
                }
                Err(error) => {
                    tracing::error!(error = %format!("{error:#}"), "TLS files not reloaded; the previous certificate stays");
                    None
                }
            };
            std::future::ready(reloaded)
        });
        Ok(futures_util::stream::once(std::future::ready(first)).chain(reloads))
    }
}

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

/// The file's text when it holds one certificate or more, all readable.
fn certificates(path: &Path) -> anyhow::Result<Vec<u8>> {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;
    let pem = read(path)?;
    let mut count = 0;
    for certificate in CertificateDer::pem_slice_iter(&pem) {
        certificate.with_context(|| format!("{}: unreadable certificate", path.display()))?;
        count += 1;
    }
    anyhow::ensure!(count > 0, "{}: no PEM certificate in it", path.display());
    Ok(pem)
}

/// The file's text when it holds a private key.
fn private_key(path: &Path) -> anyhow::Result<Vec<u8>> {
    use rustls_pki_types::PrivateKeyDer;
    use rustls_pki_types::pem::PemObject;
    let pem = read(path)?;
    PrivateKeyDer::from_pem_slice(&pem)
        .with_context(|| format!("{}: no PEM private key in it", path.display()))?;
    Ok(pem)
}

/// One item per SIGHUP. Installing the handler here, before serving starts, also keeps a SIGHUP
/// from ending the process (its default action).
#[cfg(unix)]
fn hangups() -> anyhow::Result<impl Stream<Item = ()> + Send + 'static> {
    use tokio::signal::unix::{SignalKind, signal};
    let hangup = signal(SignalKind::hangup()).context("listening for SIGHUP")?;
    Ok(futures_util::stream::unfold(hangup, |mut hangup| async {
        hangup.recv().await.map(|()| ((), hangup))
    }))
}

#[cfg(not(unix))]
fn hangups() -> anyhow::Result<impl Stream<Item = ()> + Send + 'static> {
    Ok(futures_util::stream::pending())
}
