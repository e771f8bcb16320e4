"""Signs S3 requests with the pinned botocore at a fixed time and writes what it would send.

Usage: python generate.py OUT.json

Each case is an operation and its parameters, sent through a real botocore S3 client (fixed
credentials, a fixed clock, no network: a `before-send` hook takes the prepared request and
answers it). The file records the method, URL, headers and body of every request, so that
`tests/s3_signatures.rs` can require our client to send the same bytes with the same
signature. Checksums are computed only where the model requires them
(`request_checksum_calculation = when_required`), the mode our client implements.
"""

import base64
import datetime
import json
import sys

import botocore
import botocore.auth
import botocore.session
from botocore.awsrequest import AWSResponse
from botocore.config import Config

FIXED_TIME = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = "session-token/with+chars="

KEYS = [
    "plain.txt",
    "with space.txt",
    "unicod\u00e9/\u043a\u043b\u044e\u0447.html",
    "a+b=c&d.txt",
    "double//slash",
    "./dot/start",
    "a/../b",
    "a/./b/.",
    "..",
    "percent%20literal%",
    "trailing/",
    "~tilde*star'(paren)!",
]

# us-east-1 is asked for its regional endpoint, as the AWS CLI v2 always uses it (botocore's
# own default is the global one); "legacy" asks for the global one.
# Unsigned headers that vary by machine (the user agent names the OS) or by run.
UNRECORDED = {"user-agent", "amz-sdk-invocation-id", "amz-sdk-request"}

CLIENTS = {
    "us-east-1": {"region": "us-east-1", "us_east_1_regional_endpoint": "regional"},
    "us-east-1-legacy": {"region": "us-east-1", "us_east_1_regional_endpoint": "legacy"},
    "eu-west-1-token": {"region": "eu-west-1", "token": TOKEN},
    "path-style": {"region": "us-west-2", "addressing_style": "path"},
    "custom-endpoint": {"region": "us-east-1", "endpoint_url": "http://127.0.0.1:9000/base"},
}


def cases():
    for client in CLIENTS:
        for key in KEYS:
            yield client, "HeadObject", {"Bucket": "my-bucket", "Key": key}
            yield client, "PutObject", {
                "Bucket": "my-bucket",
                "Key": key,
                "Body": "hello, world\n",
                "ContentType": "text/plain; charset=utf-8",
                "CacheControl": "max-age=60",
            }
        yield client, "DeleteObjects", {
            "Bucket": "my-bucket",
            "Delete": {"Objects": [{"Key": key} for key in KEYS], "Quiet": True},
        }
        yield client, "DeleteObjects", {
            "Bucket": "my-bucket",
            "Delete": {"Objects": [{"Key": "one"}]},
            "ChecksumAlgorithm": "SHA256",
        }
    yield "us-east-1", "HeadObject", {"Bucket": "dotted.bucket.name", "Key": "k"}


def make_client(session, settings):
    config = Config(
        retries={"max_attempts": 1},
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        s3={
            "addressing_style": settings.get("addressing_style", "auto"),
            "us_east_1_regional_endpoint": settings.get("us_east_1_regional_endpoint", "regional"),
        },
    )
    return session.create_client(
        "s3",
        region_name=settings["region"],
        endpoint_url=settings.get("endpoint_url"),
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        aws_session_token=settings.get("token"),
        config=config,
    )


def main(out):
    botocore.auth.get_current_datetime = lambda: FIXED_TIME
    session = botocore.session.Session()
    captured = []

    def capture(request, **kwargs):
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        elif not isinstance(body, bytes):
            body = body.read()
        captured.append(
            {
                "method": request.method,
                "url": request.url,
                "headers": [
                    [k, v.decode() if isinstance(v, bytes) else v]
                    for k, v in request.headers.items()
                    if k.lower() not in UNRECORDED
                ],
                "body": base64.b64encode(body).decode(),
            }
        )
        answer = b"<DeleteResult/>" if b"<Delete" in body else b""
        return AWSResponse(request.url, 200, {}, _Raw(answer))

    results = []
    clients = {}
    for client_name, operation, params in cases():
        client = clients.get(client_name)
        if client is None:
            client = clients[client_name] = make_client(session, CLIENTS[client_name])
            client.meta.events.register("before-send.s3.*", capture)
        captured.clear()
        method = getattr(client, botocore.xform_name(operation))
        method(**params)
        results.append(
            {"client": client_name, "settings": CLIENTS[client_name], "operation": operation,
             "params": params, "request": captured[0]}
        )
    document = {
        "botocore_version": botocore.__version__,
        "time": FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "access_key": ACCESS_KEY,
        "secret_key": SECRET_KEY,
        "cases": results,
    }
    with open(out, "w", encoding="utf-8") as f:
        json.dump(document, f, indent=1, ensure_ascii=False, sort_keys=True)
        f.write("\n")


class _Raw:
    def __init__(self, body):
        self._body = body

    def stream(self, **kwargs):
        yield self._body

    def read(self, *args, **kwargs):
        body, self._body = self._body, b""
        return body


if __name__ == "__main__":
    main(sys.argv[1])
