#!/usr/bin/env python3
"""Signature test vectors computed with the official Alibaba Cloud Python SDKs.

    python3 tests/sdk/signature_vectors.py > tests/sdk/signature_vectors.json

* v2 (HMAC-SHA1, ``SignatureVersion=1.0``): ``aliyun-python-sdk-core``
  (``aliyunsdkcore/auth/composer/rpc_signature_composer.py``), cross-checked
  against ``alibabacloud_tea_openapi.utils.Utils.get_rpcsignature``.
* v3 (``ACS3-HMAC-SHA256``): ``alibabacloud-tea-openapi``
  (``alibabacloud_tea_openapi.utils.Utils.get_authorization``). The canonical
  request and string to sign are rebuilt with the same module's
  ``get_canonical_query_string`` / ``get_canonicalized_headers`` exactly as
  ``get_authorization`` does, and the script asserts that its signature equals
  the one ``get_authorization`` returns.
* ``v3_sdk_request``: a real ``alibabacloud-polardb20170801`` client call
  (``describe_dbclusters_with_options``) with the transport, the clock and the
  nonce patched, capturing every header the SDK sends and signs.

Everything is deterministic (fixed timestamps, nonces and keys); the output is
the JSON checked in as ``tests/sdk/signature_vectors.json`` and embedded in the
unit tests of ``polardb/src/sign.rs``.
"""

import hashlib
import hmac
import json
import sys
from importlib import metadata

from aliyunsdkcore.auth.composer import rpc_signature_composer as composer
from aliyunsdkcore.utils import parameter_helper
from alibabacloud_tea_openapi import utils as openapi_utils
from alibabacloud_tea_openapi.utils import Utils
from darabonba.request import DaraRequest

AK_ID = "testid"
AK_SECRET = "testsecret"
ALGORITHM = "ACS3-HMAC-SHA256"

# Module-level "private" functions: no name mangling at module scope.
compose_string_to_sign = getattr(composer, "__compose_string_to_sign")
get_signature = getattr(composer, "__get_signature")

TRICKY = "a b*c~d+e/f=g&h 中文"


def v2_case(name, method, params):
    sts = compose_string_to_sign(method, dict(params))
    sig = get_signature(sts, AK_SECRET)
    # Second opinion: the v2 signer of the Tea/Darabonba SDK core.
    other = Utils.get_rpcsignature(dict(params), method, AK_SECRET)
    assert other == sig, (name, other, sig)
    return {
        "name": name,
        "method": method,
        "params": [[k, v] for k, v in params],
        "secret": AK_SECRET,
        "string_to_sign": sts,
        "signature": sig,
    }


def v2_common(nonce, timestamp):
    return [
        ("Action", "DescribeDBClusters"),
        ("Version", "2017-08-01"),
        ("Format", "JSON"),
        ("AccessKeyId", AK_ID),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
        ("SignatureNonce", nonce),
        ("Timestamp", timestamp),
    ]


def v2_signed_url_case():
    """End to end through ``get_signed_url`` (adds SignatureType="" itself)."""
    orig_date, orig_uuid = parameter_helper.get_iso_8061_date, parameter_helper.get_uuid
    parameter_helper.get_iso_8061_date = lambda: "2026-03-01T08:09:10Z"
    parameter_helper.get_uuid = lambda: "3b9d1c8e5f0a4e7b9c2d6a1f0e8b7c6d"
    try:
        query = {"Action": "DescribeDBClusterAttribute", "Version": "2017-08-01",
                 "DBClusterId": "pc-bp1abc*~ 中"}
        body = {"Description": "x+y=z&w", "Empty": ""}
        url, sts = composer.get_signed_url(dict(query), AK_ID, AK_SECRET, "JSON", "POST", body)
    finally:
        parameter_helper.get_iso_8061_date, parameter_helper.get_uuid = orig_date, orig_uuid
    from urllib.parse import parse_qsl, urlsplit
    url_params = parse_qsl(urlsplit(url).query, keep_blank_values=True)
    signature = dict(url_params)["Signature"]
    signed = [(k, v) for k, v in url_params if k != "Signature"] + list(body.items())
    return {
        "name": "signed_url_post_with_body",
        "method": "POST",
        "params": [[k, v] for k, v in signed],
        "secret": AK_SECRET,
        "url": url,
        "string_to_sign": sts,
        "signature": signature,
    }


def v3_case(name, method, pathname, query, headers, body):
    payload_hash = hashlib.sha256(body.encode("utf-8")).hexdigest()
    req = DaraRequest()
    req.method = method
    req.pathname = pathname
    req.query = dict(query)
    req.headers = dict(headers)
    auth = Utils.get_authorization(req, ALGORITHM, payload_hash, AK_ID, AK_SECRET)
    # Rebuild the intermediate strings exactly as get_authorization does.
    canonical_query = openapi_utils.get_canonical_query_string(req.query)
    canonical_headers, signed_headers = openapi_utils.get_canonicalized_headers(req.headers)
    canonical_request = (f"{method}\n{pathname or '/'}\n{canonical_query}\n"
                         f"{canonical_headers}\n{signed_headers}\n{payload_hash}")
    sts = f"{ALGORITHM}\n{hashlib.sha256(canonical_request.encode('utf-8')).hexdigest()}"
    signature = hmac.new(AK_SECRET.encode(), sts.encode(), hashlib.sha256).hexdigest()
    expect = f"{ALGORITHM} Credential={AK_ID},SignedHeaders={signed_headers},Signature={signature}"
    assert auth == expect, (auth, expect)
    return {
        "name": name,
        "method": method,
        "pathname": pathname,
        "query": [[k, v] for k, v in query],
        "headers": [[k, v] for k, v in headers],
        "body": body,
        "payload_hash": payload_hash,
        "access_key_id": AK_ID,
        "secret": AK_SECRET,
        "canonical_request": canonical_request,
        "string_to_sign": sts,
        "signature": signature,
        "authorization": auth,
    }


def rpc_headers(action, date, nonce, body, content_type=None):
    """The headers do_request() signs for an AK credential, minus user-agent."""
    h = [
        ("host", "polardb.aliyuncs.com"),
        ("x-acs-version", "2017-08-01"),
        ("x-acs-action", action),
        ("x-acs-date", date),
        ("x-acs-signature-nonce", nonce),
        ("accept", "application/json"),
    ]
    if content_type:
        h.append(("content-type", content_type))
    h.append(("x-acs-content-sha256", hashlib.sha256(body.encode("utf-8")).hexdigest()))
    return h


def v3_sdk_request():
    """A real PolarDB SDK call with the transport replaced by a recorder."""
    from alibabacloud_polardb20170801.client import Client
    from alibabacloud_polardb20170801 import models
    from alibabacloud_tea_openapi import utils_models
    from darabonba.core import DaraCore
    from darabonba.runtime import RuntimeOptions

    captured = {}

    class Stop(Exception):
        pass

    def record(request, runtime):
        captured["request"] = request
        raise Stop()

    orig = (DaraCore.do_action, Utils.get_timestamp, Utils.get_nonce)
    DaraCore.do_action = staticmethod(record)
    Utils.get_timestamp = staticmethod(lambda: "2026-03-01T08:09:10Z")
    Utils.get_nonce = staticmethod(lambda: "7f3c2a1b9e8d4c6f0a5b3e2d1c9f8a7b")
    try:
        client = Client(utils_models.Config(access_key_id=AK_ID, access_key_secret=AK_SECRET,
                                            region_id="cn-hangzhou"))
        req = models.DescribeDBClustersRequest(region_id="cn-hangzhou",
                                               dbcluster_description=TRICKY,
                                               page_size=30, page_number=1)
        try:
            client.describe_dbclusters_with_options(req, RuntimeOptions())
        except Exception:  # the recorder stops the call
            pass
    finally:
        DaraCore.do_action, Utils.get_timestamp, Utils.get_nonce = (
            staticmethod(orig[0]), staticmethod(orig[1]), staticmethod(orig[2]))
    r = captured["request"]
    headers = [[k, v] for k, v in r.headers.items()]
    auth = r.headers["Authorization"]
    signed = [[k, v] for k, v in headers if k != "Authorization"]
    again = v3_case("sdk_request_recomputed", r.method, r.pathname, list(r.query.items()),
                    [(k, v) for k, v in signed], r.body or "")
    assert again["authorization"] == auth, (again["authorization"], auth)
    return {
        "name": "describe_dbclusters_via_polardb_client",
        "method": r.method,
        "pathname": r.pathname,
        "query": [[k, v] for k, v in r.query.items()],
        "headers": headers,
        "body": r.body or "",
        "payload_hash": again["payload_hash"],
        "secret": AK_SECRET,
        "canonical_request": again["canonical_request"],
        "authorization": auth,
    }


def main():
    v2 = [
        v2_case("get_tricky_values", "GET",
                v2_common("NwDAxvLU6tFE0DVb", "2013-06-01T10:33:56Z")
                + [("RegionId", "cn-hangzhou"), ("DBClusterDescription", TRICKY), ("Empty", "")]),
        v2_case("post_tricky_values", "POST",
                v2_common("NwDAxvLU6tFE0DVb", "2013-06-01T10:33:56Z")
                + [("RegionId", "cn-hangzhou"), ("DBClusterDescription", TRICKY), ("Empty", "")]),
        v2_case("get_tricky_names", "GET",
                v2_common("c0ffee00-1234-4abc-8def-0123456789ab", "2026-03-01T08:09:10Z")
                + [("Tag.1.Key", "env"), ("Tag.1.Value", "prod ~*"), ("a b", "1"),
                   ("名", "值"), ("x=y&z", "%41"), ("Sp+ace/", "")]),
        v2_case("post_plain", "POST",
                v2_common("c0ffee00-1234-4abc-8def-0123456789ab", "2026-03-01T08:09:10Z")
                + [("DBClusterId", "pc-bp1xxxxxxxxxxxxxx"), ("DBNodeClass", "polar.mysql.x4.large")]),
        v2_signed_url_case(),
    ]
    date, nonce = "2026-03-01T08:09:10Z", "3b9d1c8e5f0a4e7b9c2d6a1f0e8b7c6d"
    form_body = "Description=x%2By%3Dz%26w+%E4%B8%AD%2A~&Empty="
    v3 = [
        v3_case("query_params_empty_body", "POST", "/",
                [("RegionId", "cn-hangzhou"), ("DBClusterDescription", TRICKY), ("Empty", ""),
                 ("PageSize", "30"), ("Tag.1.Key", "k/=&"), ("Tag.1.Value", "v+*~")],
                rpc_headers("DescribeDBClusters", date, nonce, ""), ""),
        v3_case("form_body", "POST", "/",
                [("DBClusterId", "pc-bp1abc")],
                rpc_headers("ModifyDBClusterDescription", date, nonce, form_body,
                            "application/x-www-form-urlencoded"), form_body),
        v3_case("get_no_query", "GET", "/", [],
                rpc_headers("DescribeRegions", date, nonce, ""), ""),
        v3_case("header_normalisation", "POST", "/", [("RegionId", "cn-beijing")],
                [("Host", "polardb.aliyuncs.com"), ("X-Acs-Action", "DescribeDBClusters"),
                 ("x-acs-version", " 2017-08-01 "), ("x-acs-date", date),
                 ("x-acs-signature-nonce", nonce), ("X-ACS-Custom", "b"), ("x-acs-custom", " a"),
                 ("x-acs-content-sha256", hashlib.sha256(b"").hexdigest())], ""),
        # get_canonical_query_string percent-encodes values only, never names.
        v3_case("query_names_not_encoded", "POST", "/",
                [("a b", "1"), ("名", "值"), ("Z*", "~")],
                rpc_headers("DescribeDBClusters", date, nonce, ""), ""),
    ]
    out = {
        "generator": "tests/sdk/signature_vectors.py",
        "sdk_versions": {p: metadata.version(p) for p in (
            "aliyun-python-sdk-core", "alibabacloud-tea-openapi",
            "alibabacloud-polardb20170801", "darabonba-core")},
        "python": sys.version.split()[0],
        "v2": v2,
        "v3": v3,
        "v3_sdk_request": v3_sdk_request(),
    }
    json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
