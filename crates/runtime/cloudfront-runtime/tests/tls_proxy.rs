//! `HTTPS_PROXY`: an https request goes through a `CONNECT` tunnel carrying the proxy URL's
//! credentials, then TLS to the target inside it; a refused tunnel is the AWS CLI's "Failed to
//! connect to proxy URL" error; `NO_PROXY` sends the request directly; a plain-HTTP request
//! goes to `HTTP_PROXY` in absolute form with the proxy's credentials. The only test in this
//! binary, so setting the variables races nothing.

mod support;

use cloudfront_runtime::transport::{Transport, TransportSettings, parse_url};
use cloudfront_test_server::{Reply, TestServer};

fn set(name: &str, value: Option<&str>) {
    // SAFETY: this binary runs one test, and nothing else reads the environment concurrently.
    unsafe {
        match value {
            Some(value) => std::env::set_var(name, value),
            None => std::env::remove_var(name),
        }
    }
}

#[tokio::test]
async fn https_goes_through_a_connect_tunnel() {
    for name in ["HTTP_PROXY", "http_proxy", "https_proxy", "NO_PROXY", "no_proxy"] {
        set(name, None);
    }
    let server = TestServer::start(|_, _| Reply::status(200, "<Ok/>")).await;
    let port = support::tls_front(server.url.trim_start_matches("http://").to_owned()).await;
    let mut settings = TransportSettings::default();
    settings.ca_bundle = Some(support::fixture("ca.pem"));
    let url = parse_url(&format!("https://localhost:{port}/x")).unwrap();

    let proxy = support::connect_proxy(false).await;
    set("HTTPS_PROXY", Some(&format!("user:pa%20ss@127.0.0.1:{}", proxy.port)));
    let transport = Transport::new(&settings, "").unwrap();
    let response = transport.send("GET", &url, &[], Vec::new()).await.unwrap();
    assert_eq!(response.status, 200);
    let heads = proxy.heads.lock().unwrap().clone();
    assert_eq!(heads.len(), 1, "{heads:?}");
    assert!(heads[0].starts_with(&format!("CONNECT localhost:{port} HTTP/1.1\r\n")), "{}", heads[0]);
    // base64("user:pa ss")
    assert!(heads[0].contains("Proxy-Authorization: Basic dXNlcjpwYSBzcw==\r\n"), "{}", heads[0]);
    assert_eq!(server.requests().len(), 1);
    let forwarded = &server.requests()[0];
    assert!(forwarded.headers.iter().all(|(k, _)| !k.eq_ignore_ascii_case("proxy-authorization")));

    let refusing = support::connect_proxy(true).await;
    set("HTTPS_PROXY", Some(&format!("http://127.0.0.1:{}", refusing.port)));
    let transport = Transport::new(&settings, "").unwrap();
    let error = transport.send("GET", &url, &[], Vec::new()).await.unwrap_err().to_string();
    assert_eq!(error, format!("Failed to connect to proxy URL: \"http://127.0.0.1:{}\"", refusing.port));
    assert_eq!(refusing.heads.lock().unwrap().len(), 1);

    set("NO_PROXY", Some("example.com, localhost"));
    let transport = Transport::new(&settings, "").unwrap();
    assert_eq!(transport.send("GET", &url, &[], Vec::new()).await.unwrap().status, 200);
    assert_eq!(refusing.heads.lock().unwrap().len(), 1, "NO_PROXY: the proxy was not asked");
    assert_eq!(server.requests().len(), 2);

    // A path with dot segments goes through its own lane, through the same tunnel.
    set("NO_PROXY", None);
    let proxy = support::connect_proxy(false).await;
    set("HTTPS_PROXY", Some(&format!("http://user:pa%20ss@127.0.0.1:{}", proxy.port)));
    let transport = Transport::new(&settings, "").unwrap();
    let response = transport.send_exact("GET", &url, "/k/../v/./w", &[], Vec::new()).await.unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(server.requests().last().unwrap().target, "/k/../v/./w");
    let heads = proxy.heads.lock().unwrap().clone();
    assert!(heads[0].starts_with(&format!("CONNECT localhost:{port} HTTP/1.1\r\n")), "{}", heads[0]);
    assert!(heads[0].contains("dXNlcjpwYSBzcw=="), "{}", heads[0]);

    // An https:// proxy would be spoken to in clear by that lane: refused, nothing sent to it.
    let silent = support::connect_proxy(false).await;
    set("HTTPS_PROXY", Some(&format!("https://user:secret@127.0.0.1:{}", silent.port)));
    let transport = Transport::new(&settings, "").unwrap();
    let error = transport.send_exact("GET", &url, "/k/../v", &[], Vec::new()).await.unwrap_err();
    assert!(matches!(error, cloudfront_runtime::transport::TransportError::Refused(_)), "{error:?}");
    assert!(error.to_string().contains("cannot be sent through the HTTPS proxy"), "{error}");
    assert!(!error.to_string().contains("secret"), "{error}");
    assert!(silent.heads.lock().unwrap().is_empty(), "nothing reached the proxy");
    set("HTTPS_PROXY", None);

    // Plain HTTP goes to the proxy whole, in absolute form, with the proxy's credentials.
    let http_proxy = TestServer::start(|_, _| Reply::status(200, "<Ok/>")).await;
    set("HTTP_PROXY", Some(&http_proxy.url.replace("http://", "http://u:p@")));
    let transport = Transport::new(&settings, "").unwrap();
    let target = parse_url("http://cloudfront.proxy-test.invalid/x?y=1").unwrap();
    assert_eq!(transport.send("GET", &target, &[], Vec::new()).await.unwrap().status, 200);
    let proxied = http_proxy.requests();
    assert_eq!(proxied[0].target, "http://cloudfront.proxy-test.invalid/x?y=1");
    let header =
        |name: &str| proxied[0].headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone());
    // base64("u:p")
    assert_eq!(header("proxy-authorization").as_deref(), Some("Basic dTpw"));
    assert_eq!(header("host").as_deref(), Some("cloudfront.proxy-test.invalid"));
}
