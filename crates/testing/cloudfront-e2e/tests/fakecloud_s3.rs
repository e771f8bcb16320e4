//! The generated S3 client against fakecloud's S3 with SigV4 verification on (`cargo xtask e2e
//! --fakecloud`), signed with an IAM key fakecloud checks: put (bytes, and a file under keys
//! with spaces, unicode, `+`, `//` and `%`), head (a missing key is `NotFound`), list, get into
//! a writer, a multipart upload and an abort, and DeleteObjects (its checksum header included
//! in what is signed). The same call signed with a wrong secret key must be refused: the
//! checks above prove something only if the emulator checks.

use cloudfront_e2e::fakecloud::iam_credentials;
use cloudfront_e2e::{create_bucket, endpoint, s3_client};
use cloudfront_runtime::Credentials;
use cloudfront_s3::Client;
use cloudfront_s3::operation::head_object::HeadObjectError;
use cloudfront_s3::primitives::Body;
use cloudfront_s3::types::{CompletedMultipartUpload, CompletedPart, Delete, ObjectIdentifier};

const KEYS: [&str; 5] =
    ["site/index.html", "site/a b+c.css", "site/caf\u{e9}/men\u{fc}.html", "site//double", "site/100%.txt"];

#[tokio::test]
#[ignore = "needs fakecloud: run `cargo xtask e2e --fakecloud`"]
async fn every_s3_operation_with_sigv4_verification() {
    let endpoint = endpoint("FAKECLOUD_ENDPOINT");
    let credentials = iam_credentials(&endpoint).await;
    let client = s3_client(&endpoint, credentials.clone());
    let bucket = format!("e2e-verified-{}", std::process::id());
    create_bucket(&endpoint, &bucket).await;

    let file = std::env::temp_dir().join(format!("fakecloud-s3-{}", std::process::id()));
    std::fs::write(&file, vec![b'x'; 300_000]).unwrap();
    for key in KEYS {
        let call = client.put_object().bucket(&bucket).key(key).body(Body::from_path(&file).unwrap());
        call.content_type("text/plain").send().await.unwrap_or_else(|e| panic!("PutObject {key:?}: {e}"));
    }
    client.put_object().bucket(&bucket).key("small").body(Body::from("hello")).send().await.expect("PutObject bytes");

    let head = client.head_object().bucket(&bucket).key(KEYS[1]).send().await.expect("HeadObject");
    assert_eq!(head.content_length, Some(300_000));
    let missing = client.head_object().bucket(&bucket).key("site/missing").send().await.unwrap_err();
    assert!(matches!(&missing, cloudfront_s3::SdkError::Service(HeadObjectError::NotFound(_))), "{missing:?}");

    let listed = client.list_objects_v2().bucket(&bucket).prefix("site/").send().await.expect("ListObjectsV2");
    let mut keys: Vec<String> = listed.contents.unwrap_or_default().into_iter().filter_map(|o| o.key).collect();
    keys.sort();
    let mut expected: Vec<String> = KEYS.iter().map(|k| (*k).to_owned()).collect();
    expected.sort();
    assert_eq!(keys, expected);

    let mut downloaded = Vec::new();
    let got = client.get_object().bucket(&bucket).key(KEYS[2]).send_into(&mut downloaded).await;
    got.expect("GetObject into a writer");
    assert_eq!(downloaded.len(), 300_000);

    multipart(&client, &bucket, &file).await;

    let mut delete = Delete::builder();
    for key in KEYS.iter().chain(&["small"]) {
        delete = delete.objects(ObjectIdentifier::builder().key(*key).build().unwrap());
    }
    let deleted = client.delete_objects().bucket(&bucket).delete(delete.build().unwrap()).send().await;
    let deleted = deleted.expect("DeleteObjects");
    assert!(deleted.errors.unwrap_or_default().is_empty());
    std::fs::remove_file(&file).unwrap();

    // The checks above mean something only if a wrong signature is refused.
    let forged = s3_client(&endpoint, Credentials::new(credentials.access_key_id.clone(), "not-the-secret-key", None));
    let refused = forged.put_object().bucket(&bucket).key("forged").body(Body::from("x")).send().await.unwrap_err();
    assert_eq!(refused.http_status(), Some(403), "a wrong secret key is refused: {refused}");
}

/// Two parts from ranges of one 6 MiB file, completed; another upload aborted.
async fn multipart(client: &Client, bucket: &str, file: &std::path::Path) {
    const PART: u64 = 5 << 20;
    std::fs::write(file, vec![b'y'; (PART + 1_000_000) as usize]).unwrap();
    let created = client.create_multipart_upload().bucket(bucket).key("big.bin").send().await;
    let upload_id = created.expect("CreateMultipartUpload").upload_id.expect("an upload id");
    let mut completed = CompletedMultipartUpload::builder();
    for (number, (offset, length)) in [(0, PART), (PART, 1_000_000)].into_iter().enumerate() {
        let part_number = number as i32 + 1;
        let body = Body::from_path_range(file, offset, length).unwrap();
        let call = client.upload_part().bucket(bucket).key("big.bin").upload_id(&upload_id);
        let part = call.part_number(part_number).body(body).send().await.expect("UploadPart");
        completed =
            completed.parts(CompletedPart::builder().e_tag(part.e_tag.unwrap()).part_number(part_number).build());
    }
    let call = client.complete_multipart_upload().bucket(bucket).key("big.bin").upload_id(&upload_id);
    call.multipart_upload(completed.build()).send().await.expect("CompleteMultipartUpload");
    let head = client.head_object().bucket(bucket).key("big.bin").send().await.expect("HeadObject");
    assert_eq!(head.content_length, Some((PART + 1_000_000) as i64));
    let abandoned = client.create_multipart_upload().bucket(bucket).key("abandoned").send().await.unwrap();
    let call = client.abort_multipart_upload().bucket(bucket).key("abandoned");
    call.upload_id(abandoned.upload_id.unwrap()).send().await.expect("AbortMultipartUpload");
    let delete = Delete::builder().objects(ObjectIdentifier::builder().key("big.bin").build().unwrap()).build();
    client.delete_objects().bucket(bucket).delete(delete.unwrap()).send().await.expect("DeleteObjects");
}
