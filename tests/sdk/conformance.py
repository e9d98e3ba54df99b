#!/usr/bin/env python3
"""Drives a running PolarDB emulator with the official Alibaba Cloud Python SDKs.

    python3 tests/sdk/conformance.py --endpoint http://127.0.0.1:PORT --key ID:SECRET

(``--key`` may be left out when ``POLARDB_EMULATOR_ACCESS_KEYS=ID:SECRET`` is set, which
keeps the secret out of ``ps``.) Needs::

    pip install aliyun-python-sdk-core alibabacloud-tea-openapi alibabacloud-polardb20170801

* Signature v3 (``ACS3-HMAC-SHA256``): the generated product client
  ``alibabacloud_polardb20170801.client.Client`` on
  ``alibabacloud_tea_openapi.models.Config(endpoint='127.0.0.1:PORT', protocol='http')``.
  A set endpoint wins over the product's endpoint table (``Client.get_endpoint``) and the
  config's protocol over the ``HTTPS`` of each action's ``Params`` (``do_request``). The
  typed response models must parse with their fields filled in.
* Signature v2 (HMAC-SHA1): ``aliyunsdkcore.client.AcsClient`` with RPC-style
  ``aliyunsdkcore.request.CommonRequest`` (``domain='127.0.0.1:PORT'``, which skips the
  endpoint resolver, ``set_protocol_type('http')``), with POST and with GET; the JSON
  must carry the expected keys.
* The same product client with ``Config(signature_algorithm='v2')`` (HMAC-SHA1 through
  ``do_rpcrequest``): typed models and a tag filter.
* A wrong secret must come back as ``SignatureDoesNotMatch`` through both SDKs, and an
  unknown AccessKeyId as ``InvalidAccessKeyId.NotFound``.

Prints one line per check and ends with ``sdk-conformance: N passed, M failed``; exits 1
if any check failed, 2 on a usage error.
"""

import argparse
import datetime
import json
import os
import sys
import traceback
import urllib.parse
import urllib.request
import uuid

from alibabacloud_polardb20170801 import models as pm
from alibabacloud_polardb20170801.client import Client as PolarClient
from alibabacloud_tea_openapi import models as open_api_models
from alibabacloud_tea_openapi.exceptions import ClientException as TeaClientException
from aliyunsdkcore.acs_exception.exceptions import ServerException as AcsServerException
from aliyunsdkcore.client import AcsClient
from aliyunsdkcore.request import CommonRequest

VERSION = "2017-08-01"
PRODUCT = "polardb"


class CheckFailed(Exception):
    pass


def expect(condition, what):
    if not condition:
        raise CheckFailed(what)


def non_empty(value, what):
    expect(value not in (None, "", [], {}), f"{what} is empty")
    return value


class Runner:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, fn):
        """Runs one check; prints `ok`/`FAIL` and returns fn's value (None on failure)."""
        try:
            detail = fn()
        except CheckFailed as e:
            self.failed += 1
            print(f"FAIL {name}: {e}", flush=True)
            return None
        except Exception as e:  # an SDK error, a parse error, a crash: all failures
            self.failed += 1
            print(f"FAIL {name}: {type(e).__name__}: {sdk_error_text(e)}", flush=True)
            if os.environ.get("SDK_CONFORMANCE_TRACE"):
                traceback.print_exc()
            return None
        self.passed += 1
        note = f" ({detail})" if isinstance(detail, str) and detail else ""
        print(f"ok   {name}{note}", flush=True)
        return detail


def sdk_error_text(e):
    code = getattr(e, "code", None) or getattr(e, "error_code", None)
    message = getattr(e, "message", None) or str(e)
    return f"{code}: {message}" if code else message


def utc(minutes_ago=0):
    t = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=minutes_ago)
    return t.strftime("%Y-%m-%dT%H:%MZ")


# ---------------------------------------------------------------------------------------
# Signature v3: the generated product client and its typed models
# ---------------------------------------------------------------------------------------


def v3_client(host, key_id, secret, region, signature_algorithm=None):
    config = open_api_models.Config(
        signature_algorithm=signature_algorithm,
        access_key_id=key_id,
        access_key_secret=secret,
        endpoint=host,
        protocol="http",
        region_id=region,
        read_timeout=10000,
        connect_timeout=5000,
    )
    return PolarClient(config)


def run_v3(r, host, key_id, secret, region, ctx):
    c = v3_client(host, key_id, secret, region)
    account = "sdk3_" + uuid.uuid4().hex[:8]

    def regions():
        body = c.describe_regions(pm.DescribeRegionsRequest()).body
        non_empty(body.request_id, "RequestId")
        regs = non_empty(body.regions.region, "Regions.Region")
        ids = [x.region_id for x in regs]
        expect(region in ids, f"{region} not among {ids}")
        zones = non_empty(regs[0].zones.zone, "Regions.Region[0].Zones.Zone")
        non_empty(zones[0].zone_id, "ZoneId")
        return f"{len(regs)} regions"

    def clusters():
        body = c.describe_dbclusters(pm.DescribeDBClustersRequest(region_id=region, page_size=50)).body
        items = non_empty(body.items.dbcluster, "Items.DBCluster")
        expect(body.total_record_count and body.total_record_count >= len(items), "TotalRecordCount")
        for x in items:
            non_empty(x.dbcluster_id, "DBClusterId")
            non_empty(x.dbcluster_status, "DBClusterStatus")
            non_empty(x.dbnodes.dbnode, f"{x.dbcluster_id} DBNodes.DBNode")
        running = [x for x in items if x.dbcluster_status == "Running"]
        expect(len(running) >= 2, "fewer than two Running clusters in the region")
        ctx["cluster"] = running[0].dbcluster_id
        ctx["cluster2"] = running[1].dbcluster_id
        return f"{len(items)} clusters, using {ctx['cluster']}"

    def attribute():
        body = c.describe_dbcluster_attribute(
            pm.DescribeDBClusterAttributeRequest(dbcluster_id=ctx["cluster"])
        ).body
        expect(body.dbcluster_id == ctx["cluster"], f"DBClusterId {body.dbcluster_id}")
        non_empty(body.dbversion, "DBVersion")
        non_empty(body.region_id, "RegionId")
        nodes = non_empty(body.dbnodes, "DBNodes")
        for n in nodes:
            non_empty(n.dbnode_id, "DBNodeId")
            non_empty(n.dbnode_role, "DBNodeRole")
        return f"{len(nodes)} nodes, {body.dbversion}"

    def endpoints():
        body = c.describe_dbcluster_endpoints(
            pm.DescribeDBClusterEndpointsRequest(dbcluster_id=ctx["cluster"])
        ).body
        items = non_empty(body.items, "Items")
        for e in items:
            non_empty(e.dbendpoint_id, "DBEndpointId")
            non_empty(e.endpoint_type, "EndpointType")
        expect(any(e.address_items for e in items), "no endpoint has AddressItems")
        return f"{len(items)} endpoints"

    def parameters():
        body = c.describe_dbcluster_parameters(
            pm.DescribeDBClusterParametersRequest(dbcluster_id=ctx["cluster"])
        ).body
        params = non_empty(body.running_parameters.parameter, "RunningParameters.Parameter")
        non_empty(params[0].parameter_name, "ParameterName")
        return f"{len(params)} parameters"

    def whitelist_describe():
        body = c.describe_dbcluster_access_whitelist(
            pm.DescribeDBClusterAccessWhitelistRequest(dbcluster_id=ctx["cluster"])
        ).body
        groups = non_empty(body.items.dbcluster_iparray, "Items.DBClusterIPArray")
        non_empty(groups[0].dbcluster_iparray_name, "DBClusterIPArrayName")
        return f"{len(groups)} groups"

    def whitelist_modify():
        body = c.modify_dbcluster_access_whitelist(
            pm.ModifyDBClusterAccessWhitelistRequest(
                dbcluster_id=ctx["cluster"],
                dbcluster_iparray_name="sdkv3",
                security_ips="10.1.2.3,192.168.0.0/24",
                modify_mode="Cover",
            )
        ).body
        non_empty(body.request_id, "RequestId")
        after = c.describe_dbcluster_access_whitelist(
            pm.DescribeDBClusterAccessWhitelistRequest(dbcluster_id=ctx["cluster"])
        ).body
        group = [g for g in after.items.dbcluster_iparray if g.dbcluster_iparray_name == "sdkv3"]
        expect(group, "group sdkv3 not listed after the change")
        expect("10.1.2.3" in group[0].security_ips, f"SecurityIps {group[0].security_ips}")
        return group[0].security_ips

    def account_create():
        body = c.create_account(
            pm.CreateAccountRequest(
                dbcluster_id=ctx["cluster"],
                account_name=account,
                account_password="Sdk-v3-Passw0rd!",
                account_type="Normal",
                account_description="created by the v3 SDK",
            )
        ).body
        return non_empty(body.request_id, "RequestId")

    def account_describe():
        body = c.describe_accounts(pm.DescribeAccountsRequest(dbcluster_id=ctx["cluster"])).body
        accounts = non_empty(body.accounts, "Accounts")
        names = [a.account_name for a in accounts]
        expect(account in names, f"{account} not among {names}")
        mine = [a for a in accounts if a.account_name == account][0]
        non_empty(mine.account_type, "AccountType")
        non_empty(mine.account_status, "AccountStatus")
        return f"{len(accounts)} accounts"

    def databases():
        body = c.describe_databases(pm.DescribeDatabasesRequest(dbcluster_id=ctx["cluster"])).body
        dbs = non_empty(body.databases.database, "Databases.Database")
        non_empty(dbs[0].dbname, "DBName")
        return f"{len(dbs)} databases"

    def backups():
        body = c.describe_backups(
            pm.DescribeBackupsRequest(
                dbcluster_id=ctx["cluster"],
                start_time=utc(60 * 24 * 30),
                end_time=utc(0),
                page_size=30,
            )
        ).body
        items = non_empty(body.items.backup, "Items.Backup")
        non_empty(items[0].backup_id, "BackupId")
        non_empty(items[0].backup_status, "BackupStatus")
        policy = c.describe_backup_policy(
            pm.DescribeBackupPolicyRequest(dbcluster_id=ctx["cluster"])
        ).body
        non_empty(policy.preferred_backup_period, "PreferredBackupPeriod")
        return f"{len(items)} backups, policy {policy.preferred_backup_period}"

    def tags():
        c.tag_resources(
            pm.TagResourcesRequest(
                region_id=region,
                resource_type="cluster",
                resource_id=[ctx["cluster"]],
                tag=[pm.TagResourcesRequestTag(key="sdk", value="v3")],
            )
        )
        body = c.list_tag_resources(
            pm.ListTagResourcesRequest(
                region_id=region, resource_type="cluster", resource_id=[ctx["cluster"]]
            )
        ).body
        found = [
            t for t in non_empty(body.tag_resources.tag_resource, "TagResources.TagResource")
            if t.tag_key == "sdk" and t.tag_value == "v3" and t.resource_id == ctx["cluster"]
        ]
        expect(found, "tag sdk=v3 not listed")
        return f"{len(body.tag_resources.tag_resource)} tags"

    def pending():
        body = c.describe_pending_maintenance_actions(
            pm.DescribePendingMaintenanceActionsRequest(region_id=region, is_history=0)
        ).body
        non_empty(body.request_id, "RequestId")
        types = non_empty(body.type_list, "TypeList")
        non_empty(types[0].task_type, "TaskType")
        return ", ".join(f"{t.task_type}={t.count}" for t in types)

    def performance():
        body = c.describe_dbcluster_performance(
            pm.DescribeDBClusterPerformanceRequest(
                dbcluster_id=ctx["cluster"],
                key="PolarDBCPU",
                start_time=utc(60),
                end_time=utc(0),
            )
        ).body
        items = non_empty(body.performance_keys.performance_item, "PerformanceKeys.PerformanceItem")
        non_empty(items[0].measurement, "Measurement")
        points = non_empty(items[0].points.performance_item_value, "Points.PerformanceItemValue")
        non_empty(points[0].value, "Value")
        return f"{len(items)} series, {len(points)} points"

    def node_restart():
        attr = c.describe_dbcluster_attribute(
            pm.DescribeDBClusterAttributeRequest(dbcluster_id=ctx["cluster2"])
        ).body
        readers = [n.dbnode_id for n in attr.dbnodes if n.dbnode_role == "Reader"]
        node = (readers or [attr.dbnodes[0].dbnode_id])[0]
        body = c.restart_dbnode(pm.RestartDBNodeRequest(dbnode_id=node, region_id=region)).body
        non_empty(body.request_id, "RequestId")
        return f"restarting {node}"

    r.check("v3 DescribeRegions", regions)
    if r.check("v3 DescribeDBClusters", clusters) is None:
        print("v3: no cluster to address; the cluster checks are skipped", flush=True)
        return
    r.check("v3 DescribeDBClusterAttribute", attribute)
    r.check("v3 DescribeDBClusterEndpoints", endpoints)
    r.check("v3 DescribeDBClusterParameters", parameters)
    r.check("v3 DescribeDBClusterAccessWhitelist", whitelist_describe)
    r.check("v3 ModifyDBClusterAccessWhitelist", whitelist_modify)
    r.check("v3 CreateAccount", account_create)
    r.check("v3 DescribeAccounts", account_describe)
    r.check("v3 DescribeDatabases", databases)
    r.check("v3 DescribeBackups + DescribeBackupPolicy", backups)
    r.check("v3 TagResources + ListTagResources", tags)
    r.check("v3 DescribePendingMaintenanceActions", pending)
    r.check("v3 DescribeDBClusterPerformance", performance)
    r.check("v3 RestartDBNode", node_restart)


def v3_rejects(r, host, key_id, secret, region):
    def wrong_secret():
        c = v3_client(host, key_id, secret + "x", region)
        try:
            c.describe_regions(pm.DescribeRegionsRequest())
        except TeaClientException as e:
            expect(e.code == "SignatureDoesNotMatch", f"code {e.code}")
            expect(e.status_code == 400, f"HTTP {e.status_code}")
            return f"{e.code}, HTTP {e.status_code}"
        raise CheckFailed("the call succeeded")

    def unknown_key():
        c = v3_client(host, "LTAIunknown000000key", secret, region)
        try:
            c.describe_regions(pm.DescribeRegionsRequest())
        except TeaClientException as e:
            expect(e.code == "InvalidAccessKeyId.NotFound", f"code {e.code}")
            return f"{e.code}, HTTP {e.status_code}"
        raise CheckFailed("the call succeeded")

    r.check("v3 wrong secret is SignatureDoesNotMatch", wrong_secret)
    r.check("v3 unknown key is InvalidAccessKeyId.NotFound", unknown_key)


def run_tea_v2(r, host, key_id, secret, region):
    """The same product client told to sign with v2 (`Config(signature_algorithm='v2')`,
    its `do_rpcrequest` path): typed models, a tag filter, and a wrong secret."""
    c = v3_client(host, key_id, secret, region, signature_algorithm="v2")

    def clusters():
        body = c.describe_dbclusters(pm.DescribeDBClustersRequest(region_id=region)).body
        items = non_empty(body.items.dbcluster, "Items.DBCluster")
        first = items[0]
        c.tag_resources(
            pm.TagResourcesRequest(
                region_id=region,
                resource_type="cluster",
                resource_id=[first.dbcluster_id],
                tag=[pm.TagResourcesRequestTag(key="sdk-tea-v2", value="yes")],
            )
        )
        tagged = c.describe_dbclusters(
            pm.DescribeDBClustersRequest(
                region_id=region, tag=[pm.DescribeDBClustersRequestTag(key="sdk-tea-v2", value="yes")]
            )
        ).body
        ids = [x.dbcluster_id for x in tagged.items.dbcluster]
        expect(ids == [first.dbcluster_id], f"Tag.1 filter gave {ids}")
        return f"{len(items)} clusters, tag filter ok"

    def wrong_secret():
        bad = v3_client(host, key_id, secret + "x", region, signature_algorithm="v2")
        try:
            bad.describe_regions(pm.DescribeRegionsRequest())
        except TeaClientException as e:
            expect(e.code == "SignatureDoesNotMatch", f"code {e.code}")
            return f"{e.code}, HTTP {e.status_code}"
        raise CheckFailed("the call succeeded")

    r.check("tea-openapi v2 DescribeDBClusters + TagResources + Tag filter", clusters)
    r.check("tea-openapi v2 wrong secret is SignatureDoesNotMatch", wrong_secret)


# ---------------------------------------------------------------------------------------
# Signature v2: aliyun-python-sdk-core, CommonRequest (RPC style)
# ---------------------------------------------------------------------------------------


def v2_client(key_id, secret, region):
    return AcsClient(key_id, secret, region, auto_retry=False, timeout=10, connect_timeout=5)


def v2_call(client, host, action, method, params):
    req = v2_request(host, action, method)
    for k, v in params.items():
        req.add_query_param(k, v)
    return json.loads(client.do_action_with_exception(req))


def run_v2(r, host, key_id, secret, region, ctx):
    c = v2_client(key_id, secret, region)
    cluster = ctx.get("cluster")
    account = "sdk2_" + uuid.uuid4().hex[:8]

    def call(action, method, **params):
        body = v2_call(c, host, action, method, params)
        non_empty(body.get("RequestId"), "RequestId")
        return body

    def regions(method):
        def f():
            body = call("DescribeRegions", method)
            regs = non_empty(body["Regions"]["Region"], "Regions.Region")
            non_empty(regs[0]["Zones"]["Zone"][0]["ZoneId"], "ZoneId")
            return f"{len(regs)} regions"
        return f

    def clusters(method):
        def f():
            body = call("DescribeDBClusters", method, RegionId=region, PageSize="50")
            items = non_empty(body["Items"]["DBCluster"], "Items.DBCluster")
            for x in items:
                non_empty(x["DBClusterId"], "DBClusterId")
                non_empty(x["DBNodes"]["DBNode"], "DBNodes.DBNode")
            expect(body["TotalRecordCount"] >= len(items), "TotalRecordCount")
            ctx.setdefault("cluster", items[0]["DBClusterId"])
            return f"{len(items)} clusters"
        return f

    def attribute():
        body = call("DescribeDBClusterAttribute", "POST", DBClusterId=cluster)
        expect(body["DBClusterId"] == cluster, "DBClusterId")
        non_empty(body["DBNodes"], "DBNodes")
        return f"{len(body['DBNodes'])} nodes"

    def endpoints():
        body = call("DescribeDBClusterEndpoints", "GET", DBClusterId=cluster)
        items = non_empty(body["Items"], "Items")
        non_empty(items[0]["DBEndpointId"], "DBEndpointId")
        return f"{len(items)} endpoints"

    def parameters():
        body = call("DescribeDBClusterParameters", "POST", DBClusterId=cluster)
        params = non_empty(body["RunningParameters"]["Parameter"], "RunningParameters.Parameter")
        return f"{len(params)} parameters"

    def whitelist():
        call(
            "ModifyDBClusterAccessWhitelist",
            "POST",
            DBClusterId=cluster,
            DBClusterIPArrayName="sdkv2",
            SecurityIps="10.9.8.7",
        )
        body = call("DescribeDBClusterAccessWhitelist", "GET", DBClusterId=cluster)
        groups = non_empty(body["Items"]["DBClusterIPArray"], "Items.DBClusterIPArray")
        mine = [g for g in groups if g["DBClusterIPArrayName"] == "sdkv2"]
        expect(mine and "10.9.8.7" in mine[0]["SecurityIps"], "group sdkv2 not listed with 10.9.8.7")
        return f"{len(groups)} groups"

    def accounts():
        call(
            "CreateAccount",
            "GET",
            DBClusterId=cluster,
            AccountName=account,
            AccountPassword="Sdk-v2-Passw0rd!",
            ClientToken=str(uuid.uuid4()),
        )
        body = call("DescribeAccounts", "POST", DBClusterId=cluster)
        names = [a["AccountName"] for a in non_empty(body["Accounts"], "Accounts")]
        expect(account in names, f"{account} not among {names}")
        return f"{len(names)} accounts"

    def databases():
        body = call("DescribeDatabases", "GET", DBClusterId=cluster)
        dbs = non_empty(body["Databases"]["Database"], "Databases.Database")
        non_empty(dbs[0]["DBName"], "DBName")
        # The reference's keys only: neither it nor the SDK's model has a database's
        # Collate or Ctype in this answer.
        invented = sorted({"Collate", "Ctype"} & set(dbs[0]))
        expect(not invented, f"DescribeDatabases answers keys the reference does not list: {invented}")
        return f"{len(dbs)} databases"

    def backups():
        body = call(
            "DescribeBackups", "POST", DBClusterId=cluster, StartTime=utc(60 * 24 * 30), EndTime=utc(0)
        )
        items = non_empty(body["Items"]["Backup"], "Items.Backup")
        non_empty(items[0]["BackupId"], "BackupId")
        return f"{len(items)} backups"

    def tags():
        call(
            "TagResources",
            "GET",
            RegionId=region,
            ResourceType="cluster",
            **{"ResourceId.1": cluster, "Tag.1.Key": "sdk", "Tag.1.Value": "v2 with spaces*~"},
        )
        body = call(
            "ListTagResources", "POST", RegionId=region, ResourceType="cluster",
            **{"ResourceId.1": cluster},
        )
        found = [
            t for t in non_empty(body["TagResources"]["TagResource"], "TagResources.TagResource")
            if t["TagKey"] == "sdk" and t["TagValue"] == "v2 with spaces*~"
        ]
        expect(found, "tag sdk=`v2 with spaces*~` not listed")
        return f"{len(body['TagResources']['TagResource'])} tags"

    def pending():
        body = call("DescribePendingMaintenanceActions", "GET", RegionId=region, IsHistory="0")
        types = non_empty(body["TypeList"], "TypeList")
        return ", ".join(f"{t['TaskType']}={t['Count']}" for t in types)

    def performance():
        body = call(
            "DescribeDBClusterPerformance", "POST", DBClusterId=cluster,
            Key="PolarDBMemory", StartTime=utc(30), EndTime=utc(0),
        )
        items = non_empty(body["PerformanceKeys"]["PerformanceItem"], "PerformanceKeys.PerformanceItem")
        non_empty(items[0]["Points"]["PerformanceItemValue"], "Points.PerformanceItemValue")
        return f"{len(items)} series"

    r.check("v2 POST DescribeRegions", regions("POST"))
    r.check("v2 GET DescribeRegions", regions("GET"))
    r.check("v2 POST DescribeDBClusters", clusters("POST"))
    r.check("v2 GET DescribeDBClusters", clusters("GET"))
    cluster = ctx.get("cluster")
    if not cluster:
        print("v2: no cluster to address; the cluster checks are skipped", flush=True)
        return
    r.check("v2 POST DescribeDBClusterAttribute", attribute)
    r.check("v2 GET DescribeDBClusterEndpoints", endpoints)
    r.check("v2 POST DescribeDBClusterParameters", parameters)
    r.check("v2 POST Modify + GET DescribeDBClusterAccessWhitelist", whitelist)
    r.check("v2 GET CreateAccount + POST DescribeAccounts", accounts)
    r.check("v2 GET DescribeDatabases", databases)
    r.check("v2 POST DescribeBackups", backups)
    r.check("v2 GET TagResources + POST ListTagResources", tags)
    r.check("v2 GET DescribePendingMaintenanceActions", pending)
    r.check("v2 POST DescribeDBClusterPerformance", performance)


def v2_request(host, action="DescribeRegions", method="POST"):
    req = CommonRequest(domain=host, version=VERSION, action_name=action, product=PRODUCT)
    req.set_protocol_type("http")
    req.set_method(method)
    req.set_accept_format("json")
    return req


def v2_rejects(r, host, key_id, secret, region):
    def on_the_wire():
        # The SDK signs and sends; its error interpretation is left out, to see the answer.
        client = v2_client(key_id, secret + "x", region)
        req = v2_request(host)
        req.add_header("Accept-Encoding", "identity")
        req.set_accept_format("JSON")
        response = client._make_http_response(host, req, 10, 5)
        status, _, body = response.get_response_object()
        answer = json.loads(body)
        expect(status == 400, f"HTTP {status}")
        expect(answer.get("Code") == "SignatureDoesNotMatch", f"Code {answer.get('Code')}")
        return f"{answer['Code']}, HTTP {status}"

    def through_the_sdk():
        client = v2_client(key_id, secret + "x", region)
        try:
            client.do_action_with_exception(v2_request(host))
        except AcsServerException as e:
            # The SDK compares the string to sign after the ':' of the service's message
            # with the request's own; when equal (only the secret differs) it reports
            # InvalidAccessKeySecret. A CommonRequest keeps its string to sign on the inner
            # request, so here SignatureDoesNotMatch passes through.
            code = e.get_error_code()
            expect(
                code in ("SignatureDoesNotMatch", "InvalidAccessKeySecret"),
                f"code {code}: {e.get_error_msg()}",
            )
            return f"{code}, HTTP {e.get_http_status()}"
        except IndexError as e:
            raise CheckFailed(
                "aliyunsdkcore crashed reading the error (IndexError in "
                "AcsClient._get_server_exception: it takes the Message of a "
                "SignatureDoesNotMatch apart at ':' and expects the service's "
                "'... server string to sign is:<StringToSign>')"
            ) from e
        raise CheckFailed("the call succeeded")

    def unknown_key():
        client = v2_client("LTAIunknown000000key", secret, region)
        try:
            client.do_action_with_exception(v2_request(host))
        except AcsServerException as e:
            code = e.get_error_code()
            expect(code == "InvalidAccessKeyId.NotFound", f"code {code}: {e.get_error_msg()}")
            return f"{code}, HTTP {e.get_http_status()}"
        raise CheckFailed("the call succeeded")

    r.check("v2 wrong secret is SignatureDoesNotMatch on the wire", on_the_wire)
    r.check("v2 wrong secret raises a ServerException from the SDK", through_the_sdk)
    r.check("v2 unknown key is InvalidAccessKeyId.NotFound", unknown_key)


def stats_check(r, endpoint):
    def f():
        with urllib.request.urlopen(endpoint.rstrip("/") + "/_emulator/stats", timeout=5) as res:
            stats = json.loads(res.read())
        text = json.dumps(stats)
        for action in ("DescribeRegions", "DescribeDBClusters", "CreateAccount", "ListTagResources"):
            expect(action in text, f"{action} not in the emulator's statistics")
        return "requests counted"

    r.check("emulator statistics saw the SDK calls", f)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--endpoint", required=True, help="the emulator's base URL, http://127.0.0.1:PORT")
    ap.add_argument("--key", help="ID:SECRET (default: POLARDB_EMULATOR_ACCESS_KEYS)")
    ap.add_argument("--region", default="cn-hangzhou")
    args = ap.parse_args()

    key = args.key or os.environ.get("POLARDB_EMULATOR_ACCESS_KEYS", "").split(",")[0]
    key_id, _, secret = key.partition(":")
    if not key_id or not secret:
        print("conformance.py: give --key ID:SECRET (or POLARDB_EMULATOR_ACCESS_KEYS)", file=sys.stderr)
        return 2
    url = urllib.parse.urlsplit(args.endpoint)
    if url.scheme != "http" or not url.netloc:
        print("conformance.py: --endpoint must be http://HOST:PORT", file=sys.stderr)
        return 2
    host = url.netloc

    r = Runner()
    ctx = {}
    run_v3(r, host, key_id, secret, args.region, ctx)
    v3_rejects(r, host, key_id, secret, args.region)
    run_tea_v2(r, host, key_id, secret, args.region)
    run_v2(r, host, key_id, secret, args.region, ctx)
    v2_rejects(r, host, key_id, secret, args.region)
    stats_check(r, args.endpoint)
    print(f"sdk-conformance: {r.passed} passed, {r.failed} failed", flush=True)
    return 1 if r.failed else 0


if __name__ == "__main__":
    sys.exit(main())
