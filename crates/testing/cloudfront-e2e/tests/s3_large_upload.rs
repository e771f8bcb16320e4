//! A 1 GiB PutObject from a file against moto, and the GetObject of it back into a file: the
//! bodies are hashed, sent and written in chunks, so the process's peak resident memory stays
//! under 64 MiB. Alone in its test binary, so the peak is these transfers'.

use cloudfront_e2e::{create_bucket, endpoint, s3_client, test_credentials};
use cloudfront_s3::primitives::Body;

const GIB: u64 = 1 << 30;
const LIMIT_KIB: u64 = 64 * 1024;

/// The process's peak resident set (`VmHWM`), in KiB.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("Linux /proc");
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).expect("VmHWM");
    line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).expect("a number of kB")
}

#[tokio::test]
#[ignore = "needs moto: run `cargo xtask e2e`"]
async fn a_one_gib_upload_stays_under_64_mib_of_memory() {
    let endpoint = endpoint("MOTO_ENDPOINT");
    create_bucket(&endpoint, "e2e-large").await;
    let path = std::env::temp_dir().join(format!("cloudfront-e2e-{}-1gib.bin", std::process::id()));
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(GIB).unwrap();
    drop(file);
    let client = s3_client(&endpoint, test_credentials());
    let before = peak_rss_kib();
    client
        .put_object()
        .bucket("e2e-large")
        .key("one-gib.bin")
        .body(Body::from_path(&path).unwrap())
        .send()
        .await
        .expect("PutObject of 1 GiB");
    let peak = peak_rss_kib();
    std::fs::remove_file(&path).unwrap();
    let head = client.head_object().bucket("e2e-large").key("one-gib.bin").send().await.unwrap();
    assert_eq!(head.content_length, Some(GIB as i64));
    println!("1 GiB PutObject: peak RSS {peak} KiB (before the upload {before} KiB), limit {LIMIT_KIB} KiB");
    assert!(peak < LIMIT_KIB, "peak RSS {peak} KiB is over {LIMIT_KIB} KiB");

    let mut writer = tokio::fs::File::create(&path).await.unwrap();
    client
        .get_object()
        .bucket("e2e-large")
        .key("one-gib.bin")
        .send_into(&mut writer)
        .await
        .expect("GetObject of 1 GiB");
    drop(writer);
    let downloaded = std::fs::metadata(&path).unwrap().len();
    std::fs::remove_file(&path).unwrap();
    let peak = peak_rss_kib();
    println!("1 GiB GetObject into a file: peak RSS {peak} KiB, limit {LIMIT_KIB} KiB");
    assert_eq!(downloaded, GIB);
    assert!(peak < LIMIT_KIB, "peak RSS {peak} KiB is over {LIMIT_KIB} KiB");
}
