//! `obakit serve` over https: a certificate from files, client certificates required when a
//! client CA is configured, and a renewed certificate served after SIGHUP while connections
//! already open keep going. Certificates are made here with rcgen; the server is the binary.

mod support;

use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use support::process::{START, Served};
use support::wait_until;

/// A certificate authority made for one test.
struct Authority {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl Authority {
    fn new(name: &str) -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA parameters");
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key = KeyPair::generate().expect("CA key");
        Self {
            issuer: CertifiedIssuer::self_signed(params, key).expect("CA certificate"),
        }
    }

    fn pem(&self) -> String {
        self.issuer.pem()
    }

    /// A leaf certificate and its key (PEM), for `names` (DNS names or IP addresses).
    fn issue(&self, names: &[&str], purpose: ExtendedKeyUsagePurpose) -> Leaf {
        let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        let mut params = CertificateParams::new(names).expect("leaf parameters");
        params
            .distinguished_name
            .push(DnType::CommonName, "obakit test");
        params.extended_key_usages = vec![purpose];
        let key = KeyPair::generate().expect("leaf key");
        let cert = params
            .signed_by(&key, &self.issuer)
            .expect("leaf certificate");
        Leaf {
            cert: cert.pem(),
            der: cert.der().to_vec(),
            key: key.serialize_pem(),
        }
    }

    fn server_leaf(&self) -> Leaf {
        self.issue(
            &["localhost", "127.0.0.1"],
            ExtendedKeyUsagePurpose::ServerAuth,
        )
    }

    fn client_leaf(&self) -> Leaf {
        self.issue(&["orange-client"], ExtendedKeyUsagePurpose::ClientAuth)
    }
}

struct Leaf {
    cert: String,
    der: Vec<u8>,
    key: String,
}

impl Leaf {
    fn identity(&self) -> reqwest::Identity {
        reqwest::Identity::from_pem(format!("{}{}", self.cert, self.key).as_bytes())
            .expect("client identity")
    }
}

/// The files `obakit serve` reads.
struct Files {
    cert: PathBuf,
    key: PathBuf,
    client_ca: PathBuf,
}

impl Files {
    fn in_dir(dir: &Path) -> Self {
        Self {
            cert: dir.join("server.crt"),
            key: dir.join("server.key"),
            client_ca: dir.join("clients-ca.crt"),
        }
    }

    /// Writes a certificate and its key the way a renewal does: each file replaced whole.
    fn install(&self, leaf: &Leaf) {
        replace(&self.cert, &leaf.cert);
        replace(&self.key, &leaf.key);
    }
}

fn replace(path: &Path, text: &str) {
    let fresh = path.with_extension("new");
    std::fs::write(&fresh, text).expect("write");
    std::fs::rename(&fresh, path).expect("rename");
}

fn s(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

/// A client trusting only `ca`, telling which certificate the server showed.
fn client(ca: &Authority, identity: Option<reqwest::Identity>) -> reqwest::Client {
    let mut builder = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(ca.pem().as_bytes()).expect("CA")])
        .tls_info(true);
    if let Some(identity) = identity {
        builder = builder.identity(identity);
    }
    builder.build().expect("https client")
}

fn ping_url(server: &Served) -> String {
    format!("https://127.0.0.1:{}/ping", server.port)
}

/// The certificate the server showed for this answer (DER).
fn served_certificate(response: &reqwest::Response) -> Vec<u8> {
    response
        .extensions()
        .get::<reqwest::tls::TlsInfo>()
        .and_then(|info| info.peer_certificate())
        .expect("the server's certificate")
        .to_vec()
}

async fn wait_for_https(server: &Served, client: &reqwest::Client) {
    let url = ping_url(server);
    wait_until("the server answers https", START, async || {
        client
            .get(&url)
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
    })
    .await;
}

#[tokio::test]
async fn https_is_answered_with_the_configured_certificate_and_plain_http_is_not() {
    let dir = tempfile::tempdir().expect("folder");
    let ca = Authority::new("obakit test CA");
    let leaf = ca.server_leaf();
    let files = Files::in_dir(dir.path());
    files.install(&leaf);
    let db = format!("sqlite://{}", s(&dir.path().join("obakit.db")));
    let server = Served::start(
        dir.path(),
        &["--database-url", &db, "--allow-anonymous"],
        &[
            ("OBAKIT_TLS_CERT", s(&files.cert)),
            ("OBAKIT_TLS_KEY", s(&files.key)),
        ],
    );
    let https = client(&ca, None);
    wait_for_https(&server, &https).await;
    let answer = https.get(ping_url(&server)).send().await.expect("https");
    assert_eq!(answer.status(), 200);
    assert_eq!(served_certificate(&answer), leaf.der);
    let plain = reqwest::get(format!("http://127.0.0.1:{}/ping", server.port)).await;
    assert!(
        plain.is_err() || !plain.as_ref().is_ok_and(|r| r.status().is_success()),
        "plain http must not be answered: {plain:?}"
    );
}

#[tokio::test]
async fn with_a_client_ca_only_a_client_with_a_certificate_it_signed_gets_an_answer() {
    let dir = tempfile::tempdir().expect("folder");
    let server_ca = Authority::new("obakit server CA");
    let clients_ca = Authority::new("Orange clients CA");
    let stranger_ca = Authority::new("someone else's CA");
    let files = Files::in_dir(dir.path());
    files.install(&server_ca.server_leaf());
    replace(&files.client_ca, &clients_ca.pem());
    // The certificate from the configuration file, the client CA from the command line.
    let config = dir.path().join("obakit.toml");
    std::fs::write(
        &config,
        format!(
            "database_url = \"sqlite://{}\"\n[auth]\nallow_anonymous = true\n[tls]\ncert = {:?}\nkey = {:?}\n",
            s(&dir.path().join("obakit.db")),
            s(&files.cert),
            s(&files.key),
        ),
    )
    .expect("configuration file");
    let server = Served::start(
        dir.path(),
        &[
            "--config",
            s(&config),
            "--tls-client-ca",
            s(&files.client_ca),
        ],
        &[],
    );
    let orange = client(&server_ca, Some(clients_ca.client_leaf().identity()));
    wait_for_https(&server, &orange).await;
    let answer = orange.get(ping_url(&server)).send().await.expect("https");
    assert_eq!(answer.status(), 200);

    let anonymous = client(&server_ca, None).get(ping_url(&server)).send().await;
    assert!(
        anonymous.is_err(),
        "a client without a certificate must be refused: {anonymous:?}"
    );
    let stranger = client(&server_ca, Some(stranger_ca.client_leaf().identity()))
        .get(ping_url(&server))
        .send()
        .await;
    assert!(
        stranger.is_err(),
        "a certificate from another CA must be refused: {stranger:?}"
    );
}

#[tokio::test]
async fn a_renewed_certificate_is_served_after_sighup_and_open_connections_keep_theirs() {
    let dir = tempfile::tempdir().expect("folder");
    let ca = Authority::new("obakit test CA");
    let first = ca.server_leaf();
    let files = Files::in_dir(dir.path());
    files.install(&first);
    let db = format!("sqlite://{}", s(&dir.path().join("obakit.db")));
    let mut server = Served::start(
        dir.path(),
        &[
            "--database-url",
            &db,
            "--allow-anonymous",
            "--tls-cert",
            s(&files.cert),
            "--tls-key",
            s(&files.key),
        ],
        &[],
    );
    // One connection, opened before the renewal and kept alive by the client's pool.
    let open = client(&ca, None);
    wait_for_https(&server, &open).await;
    let before = open.get(ping_url(&server)).send().await.expect("https");
    assert_eq!(served_certificate(&before), first.der);

    let renewed = ca.server_leaf();
    files.install(&renewed);
    server.signal("HUP");
    let url = ping_url(&server);
    wait_until(
        "new connections get the renewed certificate",
        START,
        async || {
            let fresh = client(&ca, None);
            match fresh.get(&url).send().await {
                Ok(answer) => served_certificate(&answer) == renewed.der,
                Err(_) => false,
            }
        },
    )
    .await;
    assert!(!server.has_exited(), "SIGHUP must not stop the server");
    let after = open.get(ping_url(&server)).send().await.expect("https");
    assert_eq!(after.status(), 200);
    assert_eq!(
        served_certificate(&after),
        first.der,
        "the connection opened before the reload is still the same one"
    );
}

#[tokio::test]
async fn a_broken_certificate_file_is_kept_out_at_start_and_ignored_on_reload() {
    let dir = tempfile::tempdir().expect("folder");
    let ca = Authority::new("obakit test CA");
    let good = ca.server_leaf();
    let files = Files::in_dir(dir.path());
    replace(&files.cert, "not a certificate");
    replace(&files.key, &good.key);
    let db = format!("sqlite://{}", s(&dir.path().join("obakit.db")));
    let args = [
        "--database-url",
        &db,
        "--allow-anonymous",
        "--tls-cert",
        s(&files.cert),
        "--tls-key",
        s(&files.key),
    ];
    let mut refused = Served::start(dir.path(), &args, &[]);
    wait_until("the server refuses to start", START, async || {
        refused.has_exited()
    })
    .await;

    files.install(&good);
    let server = Served::start(dir.path(), &args, &[]);
    let https = client(&ca, None);
    wait_for_https(&server, &https).await;
    replace(&files.cert, "not a certificate");
    server.signal("HUP");
    // The reload is refused; the server keeps answering with the certificate it had.
    for _ in 0..5 {
        let answer = client(&ca, None)
            .get(ping_url(&server))
            .send()
            .await
            .expect("https after a refused reload");
        assert_eq!(served_certificate(&answer), good.der);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
