"""VPCs (networks) and subnets: Describe, Create and Delete."""

from __future__ import annotations

from deltaflask.drivers import BaseDriver
from deltaflask.drivers import SubnetCreate
from deltaflask.models import Network
from deltaflask.models import Subnet
from deltaflask.plugins.ec2_frontend.actions.common import Item
from deltaflask.plugins.ec2_frontend.actions.common import apply_filters
from deltaflask.plugins.ec2_frontend.actions.common import chosen
from deltaflask.plugins.ec2_frontend.actions.common import existing
from deltaflask.plugins.ec2_frontend.actions.common import path
from deltaflask.plugins.ec2_frontend.dispatch import action
from deltaflask.plugins.ec2_frontend.params import Params
from deltaflask.plugins.ec2_frontend.params import check_ids
from deltaflask.plugins.ec2_frontend.params import get_list
from deltaflask.plugins.ec2_frontend.params import get_str
from deltaflask.plugins.ec2_frontend.params import require
from deltaflask.plugins.ec2_frontend.params import require_id

VPC_NOT_FOUND = "InvalidVpcID.NotFound"
SUBNET_NOT_FOUND = "InvalidSubnetID.NotFound"
VPC_FILTERS = {
    "vpc-id": path("vpcId"),
    "cidr": path("cidrBlock"),
    "state": path("state"),
}
SUBNET_FILTERS = {
    "subnet-id": path("subnetId"),
    "vpc-id": path("vpcId"),
    "cidr-block": path("cidrBlock"),
    "availability-zone": path("availabilityZone"),
    "state": path("state"),
}


def _state(state: str) -> str:
    return "available" if state.upper() in ("UP", "AVAILABLE") else "pending"


def _vpc(network: Network) -> Item:
    return {
        "vpcId": network.id,
        "state": _state(network.state),
        "cidrBlock": network.address_blocks[0] if network.address_blocks else None,
        "cidrBlockAssociationSet": [
            {"cidrBlock": block, "cidrBlockState": {"state": "associated"}}
            for block in network.address_blocks
        ],
        "dhcpOptionsId": "default",
        "instanceTenancy": "default",
        "isDefault": False,
        "tagSet": [{"key": "Name", "value": network.name}] if network.name else [],
    }


def _subnet(subnet: Subnet) -> Item:
    return {
        "subnetId": subnet.id,
        "vpcId": subnet.network_id,
        "state": _state(subnet.state),
        "cidrBlock": subnet.address_block,
        "availabilityZone": subnet.realm_id,
        "mapPublicIpOnLaunch": subnet.type.upper() == "PUBLIC",
        "defaultForAz": False,
        "tagSet": [{"key": "Name", "value": subnet.name}] if subnet.name else [],
    }


@action("DescribeVpcs", not_found=VPC_NOT_FOUND)
def describe_vpcs(driver: BaseDriver, params: Params) -> Item:
    """Networks as VPCs."""
    ids = check_ids(get_list(params, "VpcId"), "InvalidVpcID.Malformed", "vpc")
    networks = chosen(driver.networks({}), ids, VPC_NOT_FOUND, "vpc")
    items = [_vpc(n) for n in networks]
    return {"vpcSet": apply_filters(items, params, VPC_FILTERS)}


@action("CreateVpc", not_found=VPC_NOT_FOUND)
def create_vpc(driver: BaseDriver, params: Params) -> Item:
    """Create a network with ``CidrBlock``."""
    network = driver.create_network(None, require(params, "CidrBlock"))
    return {"vpc": _vpc(network)}


@action("DeleteVpc", not_found=VPC_NOT_FOUND, incorrect_state="DependencyViolation")
def delete_vpc(driver: BaseDriver, params: Params) -> Item:
    """Delete a network without subnets."""
    vpc_id = require_id(params, "VpcId", "InvalidVpcID.Malformed", "vpc")
    existing(driver.network(vpc_id), VPC_NOT_FOUND, "vpc", vpc_id)
    driver.destroy_network(vpc_id)
    return {"return": True}


@action("DescribeSubnets", not_found=SUBNET_NOT_FOUND)
def describe_subnets(driver: BaseDriver, params: Params) -> Item:
    """Subnets."""
    ids = check_ids(get_list(params, "SubnetId"), "InvalidSubnetID.Malformed", "subnet")
    subnets = chosen(driver.subnets({}), ids, SUBNET_NOT_FOUND, "subnet")
    items = [_subnet(s) for s in subnets]
    return {"subnetSet": apply_filters(items, params, SUBNET_FILTERS)}


@action("CreateSubnet", not_found=VPC_NOT_FOUND)
def create_subnet(driver: BaseDriver, params: Params) -> Item:
    """Create a subnet in a VPC, in ``AvailabilityZone`` when given."""
    vpc_id = require_id(params, "VpcId", "InvalidVpcID.Malformed", "vpc")
    cidr = require(params, "CidrBlock")
    existing(driver.network(vpc_id), VPC_NOT_FOUND, "vpc", vpc_id)
    zone = get_str(params, "AvailabilityZone")
    request = SubnetCreate(network_id=vpc_id, address_block=cidr, realm_id=zone)
    return {"subnet": _subnet(driver.create_subnet(request))}


@action(
    "DeleteSubnet", not_found=SUBNET_NOT_FOUND, incorrect_state="DependencyViolation"
)
def delete_subnet(driver: BaseDriver, params: Params) -> Item:
    """Delete a subnet nothing is bound to."""
    subnet_id = require_id(params, "SubnetId", "InvalidSubnetID.Malformed", "subnet")
    existing(driver.subnet(subnet_id), SUBNET_NOT_FOUND, "subnet", subnet_id)
    driver.destroy_subnet(subnet_id)
    return {"return": True}
