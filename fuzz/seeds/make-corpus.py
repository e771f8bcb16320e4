"""Builds the seed corpora from ../../shared (botocore vectors and the protocol tests).
Run from fuzz/: python3 seeds/make-corpus.py; the seeds go to seeds/TARGET/ (committed); fuzzing grows corpus/TARGET/ (ignored)."""
import glob, hashlib, json, os

shared = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared")
def put(target, data):
    os.makedirs(f"seeds/{target}", exist_ok=True)
    data = data.encode() if isinstance(data, str) else data
    open(f"seeds/{target}/{hashlib.sha1(data).hexdigest()}", "wb").write(data)

# responses: two bytes of status, a chunk size, `name: value` lines, an empty line, the body.
for kind in ("responses", "errors"):
    for path in glob.glob(f"{shared}/conformance/{kind}/*.json"):
        for n, case in enumerate(json.load(open(path))["cases"]):
            status = (case.get("status") or 200) - 100
            head = bytes([status >> 8, status & 0xFF, n % 4 * 16])
            lines = "".join(f"{k}: {v}\n" for k, v in (case.get("headers") or {}).items())
            put("responses", head + (lines + "\n" + (case.get("body") or "")).encode())
for case in json.load(open(f"{shared}/conformance/requests/CreateInvalidation.json"))["cases"][:20]:
    params = case.get("params") or case.get("input") or {}
    put("cli_input", json.dumps(params.get("InvalidationBatch", params)))
for seed in ["Paths={Quantity=2,Items=[/a,/b]},CallerReference=x", "CallerReference=r", "a: [1, {b: c}]\n", "{\"a\": [1, \"x\"]}"]:
    put("cli_input", seed)
for seed in ["/index.html\n/css/*\n#tag\n/a b\n/caf\u00e9", "/100%\n/a%20b\nindex.html\n/a*b"]:
    put("paths", seed)
put("sigv4", b"GET\x00/a/b c\x00a=1&b=2\x00X-Amz-Meta:  v  w \nMy-Header:x\x00body")
print("seed corpora written")
