#!/usr/bin/env python3
"""Vectors for every deviation rule, made by the pinned botocore on inputs of our own.

Usage: PYTHON generate.py OUT_DIR   (PYTHON: the venv of tools/python/peers.lock)

Writes OUT_DIR/{requests,responses,errors}/<Operation>.json in the schema of
../shared/conformance (see its README). Every expected value is what botocore did with the
input: the requests it signed (at a fixed time, with fixed credentials) or refused, the
outputs it parsed, the errors it raised and how its standard retry mode treated them. None
of the inputs is a copy of a public vector; each is a new member of the class a rule in
../deviations.json names, so `cargo xtask conformance` on OUT_DIR shows whether the rules
cover their class. `cargo xtask e2e` runs this again and fails if the committed directory
differs from what botocore produces now.
"""

import datetime
import hashlib
import json
import os
import sys
from unittest import mock

import botocore
import botocore.auth
import botocore.session
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore.exceptions import ClientError, ParamValidationError
from botocore.retries import standard

CONFIG = {
    "endpoint": "https://cloudfront.amazonaws.com",
    "region": "us-east-1",
    "signing_name": "cloudfront",
    "access_key_id": "AKIDEXAMPLE",
    "secret_access_key": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    "session_token": "FwoGZXIvYXdzEXAMPLERULEVECTORTOKEN//////////wEaDEXAMPLE",
    "signing_time": "2026-03-04T05:06:07Z",
    "xml_namespace": "http://cloudfront.amazonaws.com/doc/2020-05-31/",
}
SIGNING_TIME = datetime.datetime(2026, 3, 4, 5, 6, 7)
NS = CONFIG["xml_namespace"]
# Headers botocore adds that are volatile or SDK-specific and unsigned (as in the public set).
LEFT_OUT = {"user-agent", "amz-sdk-invocation-id", "amz-sdk-request", "accept-encoding"}


def invalidation_xml(inner, root="Invalidation"):
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<{root} xmlns="{NS}">{inner}</{root}>'


BATCH = (
    "<InvalidationBatch><Paths><Quantity>1</Quantity><Items><Path>/rules/a.css</Path></Items></Paths>"
    "<CallerReference>rule-ref</CallerReference></InvalidationBatch>"
)

# (operation, slug, description, params, session token?)
REQUESTS = [
    # quantity-disagrees-with-items
    ("CreateInvalidation", "quantity-above-items", "Quantity 3 with two Items",
     {"DistributionId": "E2RULES", "InvalidationBatch": {"Paths": {"Quantity": 3, "Items": ["/r/one.js", "/r/two.js"]}, "CallerReference": "rq-1"}}, False),
    ("CreateInvalidationForDistributionTenant", "quantity-zero-one-item", "Quantity 0 with one Item",
     {"Id": "dt_rules", "InvalidationBatch": {"Paths": {"Quantity": 0, "Items": ["/t/x"]}, "CallerReference": "rq-2"}}, True),
    ("CreateInvalidation", "quantity-without-items", "Quantity 2 and no Items list",
     {"DistributionId": "E2RULES", "InvalidationBatch": {"Paths": {"Quantity": 2}, "CallerReference": "rq-3"}}, False),
    # integer-member-not-i32
    ("ListInvalidations", "max-items-words", "MaxItems as text that is no number",
     {"DistributionId": "E2RULES", "MaxItems": "twenty"}, False),
    ("ListInvalidations", "max-items-beyond-32-bits-text", "MaxItems as text beyond 32 bits",
     {"DistributionId": "E2RULES", "MaxItems": "8589934592"}, False),
    ("ListInvalidationsForDistributionTenant", "max-items-true", "MaxItems given as a boolean",
     {"Id": "dt_rules", "MaxItems": True}, False),
    ("ListInvalidationsForDistributionTenant", "max-items-below-32-bits", "MaxItems below the 32-bit range",
     {"Id": "dt_rules", "MaxItems": -3000000000}, True),
    ("CreateInvalidation", "quantity-beyond-32-bits", "a Quantity beyond 32 bits",
     {"DistributionId": "E2RULES", "InvalidationBatch": {"Paths": {"Quantity": 4294967297, "Items": ["/q"]}, "CallerReference": "rq-4"}}, False),
    # integer-member-typed-as-text-by-botocore
    ("ListInvalidations", "max-items-number-seven", "MaxItems 7 as a number",
     {"DistributionId": "E2RULES", "MaxItems": 7}, False),
    ("ListInvalidations", "max-items-number-zero-with-marker", "MaxItems 0 as a number, with a Marker",
     {"DistributionId": "E2RULES", "Marker": "IMARK", "MaxItems": 0}, True),
    # label-empty-or-dot
    ("GetInvalidation", "id-single-dot", "Id is '.'",
     {"DistributionId": "E2RULES", "Id": "."}, False),
    ("GetInvalidationForDistributionTenant", "tenant-dot-dot", "DistributionTenantId is '..'",
     {"DistributionTenantId": "..", "Id": "IRULES"}, False),
    ("ListInvalidationsForDistributionTenant", "id-empty", "tenant Id is empty",
     {"Id": ""}, False),
]

# (operation, slug, description, status, headers, body)
RESPONSES = [
    # response-lacks-required-member
    ("GetInvalidation", "no-create-time", "an invalidation without CreateTime", 200,
     {"x-amzn-RequestId": "rule-resp-1"},
     invalidation_xml(f"<Id>IRULE1</Id><Status>InProgress</Status>{BATCH}")),
    ("GetInvalidationForDistributionTenant", "batch-without-caller-reference", "a batch without CallerReference", 200,
     {"x-amzn-RequestId": "rule-resp-2"},
     invalidation_xml("<Id>IRULE2</Id><Status>Completed</Status><CreateTime>2026-03-04T05:06:07Z</CreateTime>"
                      "<InvalidationBatch><Paths><Quantity>0</Quantity></Paths></InvalidationBatch>")),
    ("ListInvalidationsForDistributionTenant", "summary-without-status", "a list entry without Status", 200,
     {"x-amzn-RequestId": "rule-resp-3"},
     invalidation_xml("<Marker></Marker><MaxItems>10</MaxItems><IsTruncated>false</IsTruncated><Quantity>1</Quantity>"
                      "<Items><InvalidationSummary><Id>IRULE3</Id><CreateTime>2026-03-04T05:06:07Z</CreateTime>"
                      "</InvalidationSummary></Items>", root="InvalidationList")),
    # response-body-empty
    ("CreateInvalidation", "created-empty-body", "201 Created with a Location and no body", 201,
     {"x-amzn-RequestId": "rule-resp-4", "Location": "https://cloudfront.amazonaws.com/2020-05-31/distribution/E2RULES/invalidation/IRULE4"},
     ""),
    ("CreateInvalidationForDistributionTenant", "created-empty-body-no-location", "201 Created, no body, no Location", 201,
     {"x-amzn-RequestId": "rule-resp-5"}, ""),
    ("ListInvalidations", "ok-empty-body", "200 with no body", 200,
     {"x-amzn-RequestId": "rule-resp-6"}, ""),
    # response-integer-beyond-i32
    ("CreateInvalidation", "quantity-beyond-64-bits", "a Quantity beyond 64 bits", 201,
     {"x-amzn-RequestId": "rule-resp-7"},
     invalidation_xml("<Id>IRULE7</Id><Status>InProgress</Status><CreateTime>2026-03-04T05:06:07Z</CreateTime>"
                      "<InvalidationBatch><Paths><Quantity>123456789012345678901234</Quantity><Items><Path>/x</Path></Items></Paths>"
                      "<CallerReference>r7</CallerReference></InvalidationBatch>")),
    ("ListInvalidations", "max-items-below-32-bits", "MaxItems below the 32-bit range", 200,
     {"x-amzn-RequestId": "rule-resp-8"},
     invalidation_xml("<Marker></Marker><MaxItems>-2147483649</MaxItems><IsTruncated>false</IsTruncated><Quantity>0</Quantity>",
                      root="InvalidationList")),
    ("GetInvalidation", "quantity-with-spaces-beyond-32-bits", "a padded Quantity just beyond 32 bits", 200,
     {"x-amzn-RequestId": "rule-resp-9"},
     invalidation_xml("<Id>IRULE9</Id><Status>Completed</Status><CreateTime>2026-03-04T05:06:07Z</CreateTime>"
                      "<InvalidationBatch><Paths><Quantity> 2147483648 </Quantity><Items><Path>/y</Path></Items></Paths>"
                      "<CallerReference>r9</CallerReference></InvalidationBatch>")),
]

XHTML = ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
         '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml">'
         '<head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>')

# (operation, slug, description, status, headers, body)
ERRORS = [
    # error-body-is-html
    ("CreateInvalidation", "xhtml-502", "an XHTML page from a proxy, with XML declaration and doctype", 502,
     {"Content-Type": "text/html"}, XHTML),
    ("ListInvalidations", "upper-case-html-503", "an upper-case HTML page", 503,
     {"Content-Type": "text/html"}, "<HTML><HEAD><TITLE>Unavailable</TITLE></HEAD><BODY><P>Try later</P></BODY></HTML>"),
    ("GetInvalidationForDistributionTenant", "html-comment-first-403", "an HTML page led by a comment", 403,
     {"Content-Type": "text/html"}, "<!-- edge --><html><body><p>Forbidden</p></body></html>"),
    # error-body-empty-with-request-id-header
    ("GetInvalidation", "empty-500-amz-request-id", "500, no body, x-amz-request-id", 500,
     {"x-amz-request-id": "rule-err-1"}, ""),
    ("CreateInvalidationForDistributionTenant", "empty-504-request-id-and-host-id", "504, no body, request id and host id", 504,
     {"x-amz-request-id": "rule-err-2", "x-amz-id-2": "rule-host-2"}, ""),
    ("ListInvalidationsForDistributionTenant", "empty-403-amz-request-id", "403, no body, x-amz-request-id", 403,
     {"X-Amz-Request-Id": "rule-err-3"}, ""),
]


class Body:
    """A urllib3-like raw body botocore can read."""

    def __init__(self, data):
        self.data = data

    def stream(self, **_):
        yield self.data


class Sent(Exception):
    """Raised from before-send to stop a request once botocore has signed it."""


def new_client(**config):
    session = botocore.session.get_session()
    return session.create_client(
        "cloudfront",
        region_name=CONFIG["region"],
        endpoint_url=CONFIG["endpoint"],
        aws_access_key_id=CONFIG["access_key_id"],
        aws_secret_access_key=CONFIG["secret_access_key"],
        aws_session_token=config.pop("token", None),
        config=Config(**config),
    )


def method_name(client, operation):
    return client.meta.method_to_api_mapping and next(
        name for name, api in client.meta.method_to_api_mapping.items() if api == operation
    )


def canned(status, headers, body):
    """A before-send handler that answers every attempt with this response, counting them."""
    attempts = []

    def handler(request, **_):
        attempts.append(request)
        return AWSResponse(request.url, status, botocore.awsrequest.HeadersDict(headers), Body(body.encode()))

    return handler, attempts


def request_case(operation, slug, description, params, token):
    client = new_client(token=CONFIG["session_token"] if token else None)
    captured = {}
    canonical = botocore.auth.SigV4Auth.canonical_request
    to_sign = botocore.auth.SigV4Auth.string_to_sign

    def record_canonical(self, request):
        captured["canonical_request"] = canonical(self, request)
        return captured["canonical_request"]

    def record_to_sign(self, request, canonical_request):
        captured["string_to_sign"] = to_sign(self, request, canonical_request)
        return captured["string_to_sign"]

    def stop(request, **_):
        captured["request"] = request
        raise Sent()

    client.meta.events.register("before-send", stop)
    case = {"id": f"{operation}.requests.{slug}", "description": description, "tags": ["rule"],
            "params": params, "session_token": token}
    with mock.patch.object(botocore.auth, "get_current_datetime", lambda *a, **k: SIGNING_TIME), \
            mock.patch.object(botocore.auth.SigV4Auth, "canonical_request", record_canonical), \
            mock.patch.object(botocore.auth.SigV4Auth, "string_to_sign", record_to_sign):
        try:
            getattr(client, method_name(client, operation))(**params)
            raise SystemExit(f"{case['id']}: botocore neither sent nor refused")
        except ParamValidationError as error:
            case.update(expect="validation_error",
                        validation_error={"type": type(error).__name__, "message": str(error)})
            return case
        except Sent:
            pass
    case.update(expect="request", request=describe_request(captured))
    return case


def describe_request(captured):
    request = captured["request"]
    url = request.url
    rest = url.split("://", 1)[1]
    host, _, target = rest.partition("/")
    target = "/" + target
    path, _, query = target.partition("?")
    headers = {"Host": host}
    for name, value in request.headers.items():
        if name.lower() not in LEFT_OUT:
            headers[name] = value.decode() if isinstance(value, bytes) else value
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode()
    authorization = headers["Authorization"]
    signed = authorization.split("SignedHeaders=")[1].split(",")[0]
    return {
        "method": request.method, "url": url, "path": path, "query": query, "target": target,
        "headers": headers, "body": body.decode(), "body_length": len(body),
        "body_sha256": hashlib.sha256(body).hexdigest(),
        "signing": {
            "canonical_request": captured["canonical_request"],
            "string_to_sign": captured["string_to_sign"],
            "signed_headers": signed,
            "signature": authorization.split("Signature=")[1],
            "region": CONFIG["region"], "service": CONFIG["signing_name"],
        },
    }


def plain(value):
    """botocore's parsed values as JSON: timestamps as ISO-8601 UTC with milliseconds."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.timezone.utc)
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    return value


def response_case(operation, slug, description, status, headers, body):
    client = new_client(retries={"mode": "standard", "total_max_attempts": 1})
    handler, _ = canned(status, headers, body)
    client.meta.events.register("before-send", handler)
    case = {"id": f"{operation}.responses.{slug}", "description": description, "tags": ["rule"],
            "status": status, "headers": headers, "body": body}
    params = sample_params(operation)
    try:
        output = getattr(client, method_name(client, operation))(**params)
    except Exception as error:  # botocore's parse errors have no common base class
        case.update(expect="parse_error", parse_error={"type": type(error).__name__, "message": str(error)})
        return case
    metadata = output.pop("ResponseMetadata", {})
    case.update(expect="output", output=plain(output), request_id=metadata.get("RequestId") or None)
    return case


def error_case(operation, slug, description, status, headers, body):
    handler, attempts = canned(status, headers, body)
    scales, sleeps = [], []
    base_scale = standard.ExponentialBackoff._get_base_scale

    def record_scale(self, context):
        scales.append(base_scale(self, context))
        return scales[-1]

    # The longest first delay: botocore's jitter at its maximum.
    defaults = list(standard.ExponentialBackoff.__init__.__defaults__)
    defaults[1] = lambda: 1.0
    with mock.patch.object(standard.ExponentialBackoff.__init__, "__defaults__", tuple(defaults)), \
            mock.patch.object(standard.ExponentialBackoff, "_get_base_scale", record_scale), \
            mock.patch("time.sleep", sleeps.append):
        # Made inside the patches: the retry handler's backoff is built with the client.
        client = new_client(retries={"mode": "standard", "total_max_attempts": 3})
        client.meta.events.register("before-send", handler)
        try:
            getattr(client, method_name(client, operation))(**sample_params(operation))
            raise SystemExit(f"{operation}.errors.{slug}: botocore raised no error")
        except ClientError as error:
            raised = error
    response = raised.response
    parsed_error = response.get("Error", {})
    code = parsed_error.get("Code")
    operation_model = client.meta.service_model.operation_model(operation)
    metadata = response.get("ResponseMetadata", {})
    retried = len(attempts) > 1
    return {
        "id": f"{operation}.errors.{slug}", "description": description, "tags": ["rule"],
        "status": status, "headers": headers, "body": body, "expect": "error",
        "error": {
            "code": code, "message": parsed_error.get("Message"), "type": parsed_error.get("Type"),
            "other_fields": {k: v for k, v in response.items() if k not in ("Error", "ResponseMetadata")},
            "request_id": metadata.get("RequestId"), "host_id": metadata.get("HostId"),
            "http_status": metadata.get("HTTPStatusCode"), "exception": type(raised).__name__,
            "modeled_for_operation": any(s.name == code for s in operation_model.error_shapes),
            "modeled_in_service": any(s.name == code for s in client.meta.service_model.error_shapes),
        },
        "retry": {"standard": {
            "retryable": retried,
            "throttling": retried and scales[0] == 1,
            "max_first_delay_s": round(sleeps[0], 6) if retried else None,
            "attempts_of_3": len(attempts),
        }},
    }


def sample_params(operation):
    """Valid input for calling each operation (responses and errors do not depend on it)."""
    batch = {"Paths": {"Quantity": 1, "Items": ["/rules"]}, "CallerReference": "rule-call"}
    return {
        "CreateInvalidation": {"DistributionId": "E2RULES", "InvalidationBatch": batch},
        "CreateInvalidationForDistributionTenant": {"Id": "dt_rules", "InvalidationBatch": batch},
        "GetInvalidation": {"DistributionId": "E2RULES", "Id": "IRULES"},
        "GetInvalidationForDistributionTenant": {"DistributionTenantId": "dt_rules", "Id": "IRULES"},
        "ListInvalidations": {"DistributionId": "E2RULES"},
        "ListInvalidationsForDistributionTenant": {"Id": "dt_rules"},
    }[operation]


def write(out, kind, cases, notes, config=None):
    by_operation = {}
    for case in cases:
        by_operation.setdefault(case["id"].split(".")[0], []).append(case)
    os.makedirs(os.path.join(out, kind), exist_ok=True)
    for operation, group in sorted(by_operation.items()):
        header = {
            "generator": "rule-vectors/generate.py (botocore reference oracle, inputs made for the deviation rules)",
            "botocore_version": botocore.__version__,
            "python_version": ".".join(map(str, sys.version_info[:3])),
            "operation": operation, "kind": kind, "notes": notes,
        }
        if config:
            header["config"] = config
        header["case_count"] = len(group)
        header["cases"] = group
        with open(os.path.join(out, kind, f"{operation}.json"), "w") as f:
            json.dump(header, f, indent=1, ensure_ascii=False)
            f.write("\n")


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: generate.py OUT_DIR")
    out = sys.argv[1]
    write(out, "requests", [request_case(*r) for r in REQUESTS],
          "The request botocore signed (or the validation error it raised) for inputs of each request-side "
          "deviation rule; schema as in ../shared/conformance/README.md.", CONFIG)
    write(out, "responses", [response_case(*r) for r in RESPONSES],
          "botocore's parsed output (ResponseMetadata removed, timestamps ISO-8601 UTC with milliseconds) or "
          "parse error for responses of each response-side deviation rule.")
    write(out, "errors", [error_case(*r) for r in ERRORS],
          "botocore's error, request id, exception class and standard-mode retry decision (attempts with max 3; "
          "max_first_delay_s with the jitter at its maximum) for error responses of each error-side deviation rule.")


if __name__ == "__main__":
    main()
