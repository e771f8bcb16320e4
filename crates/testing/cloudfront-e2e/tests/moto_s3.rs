//! The generated S3 client against moto's S3 (pinned in `tools/pins.txt`): PutObject from
//! bytes and from a file, a multipart upload from ranges of one file, HeadObject (a missing
//! key is `NotFound` though S3 answers HEAD without a body), ListObjectsV2 with paging, and
//! DeleteObjects with its per-key results. A custom endpoint means path-style addressing, as
//! in the AWS CLI. moto does not check signatures; `s3_signatures.rs` compares them with
//! botocore's.

use std::path::PathBuf;

use cloudfront_e2e::{create_bucket, endpoint, s3_client, test_credentials};
use cloudfront_s3::operation::head_object::HeadObjectError;
use cloudfront_s3::primitives::Body;
use cloudfront_s3::types::{CompletedMultipartUpload, CompletedPart, Delete, ObjectIdentifier};

fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let path = std::env::temp_dir().join(format!("cloudfront-e2e-{}-{name}", std::process::id()));
    std::fs::write(&path, bytes).unwrap();
    path
}

/// What moto's ETag of a single-part object is: the MD5 of its bytes, quoted.
fn md5_etag(bytes: &[u8]) -> String {
    let output = std::process::Command::new("md5sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn();
    let mut child = output.expect("md5sum");
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), bytes).unwrap();
    let text = String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap();
    format!("\"{}\"", text.split_whitespace().next().unwrap())
}

#[tokio::test]
#[ignore = "needs moto: run `cargo xtask e2e`"]
async fn put_head_list_and_delete_objects() {
    let endpoint = endpoint("MOTO_ENDPOINT");
    let client = s3_client(&endpoint, test_credentials());
    create_bucket(&endpoint, "e2e-objects").await;

    let small = b"<html>hello</html>\n";
    let put = client
        .put_object()
        .bucket("e2e-objects")
        .key("site/index.html")
        .body(Body::from(&small[..]))
        .content_type("text/html")
        .cache_control("max-age=60")
        .send()
        .await
        .expect("PutObject from bytes");
    assert_eq!(put.e_tag.as_deref(), Some(md5_etag(small).as_str()));

    let bytes: Vec<u8> = (0..3_000_000u32).map(|i| (i % 253) as u8).collect();
    let file = temp_file("asset.bin", &bytes);
    client
        .put_object()
        .bucket("e2e-objects")
        .key("site/a b+c/asset.bin")
        .body(Body::from_path(&file).unwrap())
        .send()
        .await
        .expect("PutObject from a file");
    std::fs::remove_file(&file).unwrap();

    let head = client.head_object().bucket("e2e-objects").key("site/a b+c/asset.bin").send().await.expect("HeadObject");
    assert_eq!(head.content_length, Some(3_000_000));
    assert_eq!(head.e_tag.as_deref(), Some(md5_etag(&bytes).as_str()));
    let html = client.head_object().bucket("e2e-objects").key("site/index.html").send().await.expect("HeadObject");
    assert_eq!((html.content_type.as_deref(), html.cache_control.as_deref()), (Some("text/html"), Some("max-age=60")));

    let missing = client.head_object().bucket("e2e-objects").key("site/missing").send().await.unwrap_err();
    assert!(
        matches!(&missing, cloudfront_s3::SdkError::Service(HeadObjectError::NotFound(_))),
        "a body-less 404 is NotFound: {missing:?}"
    );

    // Paging: one key a page, the continuation token carried over.
    let mut keys = Vec::new();
    let mut token = None;
    for _ in 0..10 {
        let page = client
            .list_objects_v2()
            .bucket("e2e-objects")
            .prefix("site/")
            .max_keys(1)
            .set_continuation_token(token.clone())
            .send()
            .await
            .expect("ListObjectsV2");
        keys.extend(page.contents.unwrap_or_default().into_iter().filter_map(|o| o.key));
        token = page.next_continuation_token;
        if token.is_none() {
            break;
        }
    }
    assert_eq!(keys, ["site/a b+c/asset.bin", "site/index.html"]);

    let delete = Delete::builder()
        .objects(ObjectIdentifier::builder().key("site/index.html").build().unwrap())
        .objects(ObjectIdentifier::builder().key("site/a b+c/asset.bin").build().unwrap())
        .build()
        .unwrap();
    let deleted = client.delete_objects().bucket("e2e-objects").delete(delete).send().await.expect("DeleteObjects");
    let mut gone: Vec<String> = deleted.deleted.unwrap_or_default().into_iter().filter_map(|d| d.key).collect();
    gone.sort();
    assert_eq!(gone, ["site/a b+c/asset.bin", "site/index.html"]);
    assert!(deleted.errors.unwrap_or_default().is_empty());
    let left = client.list_objects_v2().bucket("e2e-objects").send().await.expect("ListObjectsV2");
    assert_eq!(left.key_count, Some(0));
}

#[tokio::test]
#[ignore = "needs moto: run `cargo xtask e2e`"]
async fn a_multipart_upload_sends_parts_from_one_file() {
    let endpoint = endpoint("MOTO_ENDPOINT");
    let client = s3_client(&endpoint, test_credentials());
    create_bucket(&endpoint, "e2e-multipart").await;
    const PART: u64 = 5 * 1024 * 1024;
    let bytes: Vec<u8> = (0..(PART + 1_000_000) as u32).map(|i| (i % 249) as u8).collect();
    let file = temp_file("multipart.bin", &bytes);

    let created = client
        .create_multipart_upload()
        .bucket("e2e-multipart")
        .key("big/file.bin")
        .content_type("application/octet-stream")
        .send()
        .await
        .expect("CreateMultipartUpload");
    let upload_id = created.upload_id.expect("an upload id");
    let mut completed = CompletedMultipartUpload::builder();
    for (number, (offset, length)) in [(0, PART), (PART, bytes.len() as u64 - PART)].into_iter().enumerate() {
        let part_number = number as i32 + 1;
        let part = client
            .upload_part()
            .bucket("e2e-multipart")
            .key("big/file.bin")
            .upload_id(&upload_id)
            .part_number(part_number)
            .body(Body::from_path_range(&file, offset, length).unwrap())
            .send()
            .await
            .expect("UploadPart");
        let etag = part.e_tag.expect("a part ETag");
        completed = completed.parts(CompletedPart::builder().e_tag(etag).part_number(part_number).build());
    }
    let done = client
        .complete_multipart_upload()
        .bucket("e2e-multipart")
        .key("big/file.bin")
        .upload_id(&upload_id)
        .multipart_upload(completed.build())
        .send()
        .await
        .expect("CompleteMultipartUpload");
    assert!(done.e_tag.expect("an ETag").ends_with("-2\""), "a multipart ETag counts its parts");
    std::fs::remove_file(&file).unwrap();

    let head = client.head_object().bucket("e2e-multipart").key("big/file.bin").send().await.expect("HeadObject");
    assert_eq!(head.content_length, Some(bytes.len() as i64));

    // An upload that is abandoned is aborted.
    let abandoned = client.create_multipart_upload().bucket("e2e-multipart").key("big/abandoned").send().await.unwrap();
    client
        .abort_multipart_upload()
        .bucket("e2e-multipart")
        .key("big/abandoned")
        .upload_id(abandoned.upload_id.unwrap())
        .send()
        .await
        .expect("AbortMultipartUpload");
}

#[tokio::test]
#[ignore = "needs moto: run `cargo xtask e2e`"]
async fn get_object_into_a_file_and_into_memory() {
    let endpoint = endpoint("MOTO_ENDPOINT");
    let client = s3_client(&endpoint, test_credentials());
    create_bucket(&endpoint, "e2e-downloads").await;
    let bytes: Vec<u8> = (0..3_000_000u32).map(|i| (i % 241) as u8).collect();
    client
        .put_object()
        .bucket("e2e-downloads")
        .key("a b/asset.bin")
        .body(Body::from(bytes.clone()))
        .send()
        .await
        .unwrap();

    // Into a file, as it arrives.
    let download = std::env::temp_dir().join(format!("cloudfront-e2e-{}-download.bin", std::process::id()));
    let mut writer = tokio::fs::File::create(&download).await.unwrap();
    let got = client
        .get_object()
        .bucket("e2e-downloads")
        .key("a b/asset.bin")
        .send_into(&mut writer)
        .await
        .expect("GetObject into a file");
    drop(writer);
    assert_eq!((got.content_length, got.body.is_none()), (Some(3_000_000), true));
    assert!(std::fs::read(&download).unwrap() == bytes, "the file holds the object");
    std::fs::remove_file(&download).unwrap();

    // Into memory, through send().
    let whole = client.get_object().bucket("e2e-downloads").key("a b/asset.bin").send().await.expect("GetObject");
    assert!(whole.body.and_then(|b| b.as_bytes().map(<[u8]>::to_vec)) == Some(bytes));
}
