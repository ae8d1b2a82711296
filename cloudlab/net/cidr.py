"""IPv4 CIDR arithmetic for VPCs and subnets, with AWS's rules and learner-friendly errors.

Owns parsing (:func:`parse_cidr`), sizes (:func:`address_count`, :func:`usable_addresses`),
carving a block into subnets (:func:`split`), overlap tests (:func:`overlaps`) and the checks
AWS applies when you create a VPC or a subnet (:func:`check_vpc_cidr`,
:func:`check_subnet_cidr`). Built on the standard library's :mod:`ipaddress`.

AWS rules used here (Amazon VPC User Guide, "VPC CIDR blocks" and "Subnet CIDR blocks",
checked 2026-11):

- a VPC's or a subnet's IPv4 block is between /16 (65,536 addresses) and /28 (16 addresses);
- a subnet's block lies inside its VPC's block and does not overlap another subnet of the VPC;
- AWS reserves five addresses of every subnet, so a subnet has ``size - 5`` usable addresses:

  ========================  =================================================
  address                   reserved for
  ========================  =================================================
  first (network address)   the network itself
  first + 1                 the VPC router
  first + 2                 the Amazon-provided DNS server
  first + 3                 future use
  last (broadcast address)  broadcast, which a VPC does not support
  ========================  =================================================

Example:
    >>> split("10.0.0.0/16", count=4)
    ['10.0.0.0/18', '10.0.64.0/18', '10.0.128.0/18', '10.0.192.0/18']
    >>> usable_addresses("10.0.1.0/24")
    251
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from ipaddress import IPv4Network

from cloudlab.errors import InvalidCidr

__all__ = [
    "AWS_MAX_PREFIX",
    "AWS_MIN_PREFIX",
    "RESERVED_PER_SUBNET",
    "address_count",
    "check_subnet_cidr",
    "check_vpc_cidr",
    "overlaps",
    "parse_cidr",
    "reserved_addresses",
    "split",
    "usable_addresses",
]

AWS_MIN_PREFIX = 16
"""Largest VPC or subnet block AWS allows: /16 (65,536 addresses)."""
AWS_MAX_PREFIX = 28
"""Smallest VPC or subnet block AWS allows: /28 (16 addresses)."""
RESERVED_PER_SUBNET = 5
"""Addresses AWS keeps in every subnet: network, VPC router, DNS, future use, broadcast."""

_BOUNDS = (
    f"AWS allows VPC and subnet blocks from /{AWS_MIN_PREFIX} (65,536 addresses) "
    f"to /{AWS_MAX_PREFIX} (16 addresses)"
)

CidrLike = str | IPv4Network


def parse_cidr(cidr: CidrLike) -> IPv4Network:
    """Parse an IPv4 CIDR block such as ``"10.0.0.0/16"``.

    Args:
        cidr: the block as text (``"10.0.0.0/16"``) or an :class:`ipaddress.IPv4Network`.
            A bare address (``"10.0.0.7"``) is read as a /32.

    Returns:
        The network.

    Raises:
        InvalidCidr: not a string, not an IPv4 block, a prefix length outside 0-32, or host
            bits set (``"10.0.0.1/16"``: the message suggests ``10.0.0.0/16``).
    """
    if isinstance(cidr, IPv4Network):
        return cidr
    if not isinstance(cidr, str):
        raise InvalidCidr(
            f"a CIDR block must be text like '10.0.0.0/16', got {type(cidr).__name__} {cidr!r}"
        )
    text = cidr.strip()
    address, slash, prefix = text.partition("/")
    if slash:
        if not prefix.isdigit():
            raise InvalidCidr(
                f"{cidr!r} is not a CIDR block: the prefix length after '/' must be a whole "
                f"number 0-32, as in '10.0.0.0/16'"
            )
        if int(prefix) > 32:
            raise InvalidCidr(
                f"{cidr!r} is not a valid IPv4 CIDR block: prefix length must be 0-32, "
                f"got {int(prefix)}"
            )
    try:
        ipaddress.IPv4Address(address)
    except ValueError:
        raise InvalidCidr(
            f"{cidr!r} is not a CIDR block: {address!r} is not an IPv4 address "
            f"(four numbers 0-255 separated by dots, as in '10.0.0.0/16')"
        ) from None
    try:
        return IPv4Network(text)
    except ValueError:
        fixed = IPv4Network(text, strict=False)
        raise InvalidCidr(
            f"host bits are set in {text}: did you mean {fixed}? A CIDR block starts at its "
            f"network address, the first address of the block"
        ) from None


def address_count(cidr: CidrLike) -> int:
    """Number of addresses in the block (``2 ** (32 - prefix)``)."""
    return parse_cidr(cidr).num_addresses


def usable_addresses(cidr: CidrLike) -> int:
    """Addresses you can give to instances in an AWS subnet of this size: size - 5.

    AWS keeps the network address, the VPC router (+1), the DNS server (+2), one for future
    use (+3) and the broadcast address (the last one); see the module docstring.

    Raises:
        InvalidCidr: a bad block, or one smaller than /28 (AWS's smallest subnet).
    """
    net = parse_cidr(cidr)
    if net.prefixlen > AWS_MAX_PREFIX:
        raise InvalidCidr(
            f"{net} is smaller than any AWS subnet: {_BOUNDS}, so a /{net.prefixlen} has no "
            f"usable addresses"
        )
    return net.num_addresses - RESERVED_PER_SUBNET


def reserved_addresses(cidr: CidrLike) -> dict[str, str]:
    """The five addresses AWS reserves in a subnet, each with what it is for.

    Example:
        >>> reserved_addresses("10.0.1.0/24")["VPC router"]
        '10.0.1.1'
    """
    net = parse_cidr(cidr)
    first = net.network_address
    return {
        "network address": str(first),
        "VPC router": str(first + 1),
        "DNS server": str(first + 2),
        "future use": str(first + 3),
        "broadcast (last address)": str(net.broadcast_address),
    }


def split(cidr: CidrLike, new_prefix: int | None = None, *, count: int | None = None
          ) -> list[str]:
    """Carve a block into equal subnets, in address order.

    Give either ``new_prefix`` (every piece is a /new_prefix) or ``count`` (the smallest
    power of two >= count equal pieces; only the first ``count`` are returned).

    Args:
        cidr: the block to carve, e.g. the VPC's ``"10.0.0.0/16"``.
        new_prefix: prefix length of each piece (larger than the block's own prefix).
        count: how many pieces you need.

    Returns:
        The pieces as CIDR text, lowest address first.

    Raises:
        InvalidCidr: a bad block, neither or both of new_prefix and count, a prefix not larger
            than the block's, or more pieces than the block can hold.
    """
    net = parse_cidr(cidr)
    if (new_prefix is None) == (count is None):
        raise InvalidCidr(
            "split() needs exactly one of new_prefix (e.g. 24) or count (e.g. count=4), "
            f"got new_prefix={new_prefix!r} and count={count!r}"
        )
    if count is not None:
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise InvalidCidr(f"count must be a whole number >= 1, got {count!r}")
        bits = (count - 1).bit_length()
        prefix = net.prefixlen + bits
        if prefix > 32:
            raise InvalidCidr(
                f"{net} has {net.num_addresses} addresses and cannot be split into {count} pieces"
            )
        return [str(s) for s in net.subnets(new_prefix=prefix)][:count]
    assert new_prefix is not None
    if isinstance(new_prefix, bool) or not isinstance(new_prefix, int):
        raise InvalidCidr(f"new_prefix must be a whole number, got {new_prefix!r}")
    if not net.prefixlen <= new_prefix <= 32:
        raise InvalidCidr(
            f"new_prefix must be between {net.prefixlen} (the block's own prefix) and 32, "
            f"got {new_prefix}: a /{new_prefix} piece does not fit inside {net}"
        )
    return [str(s) for s in net.subnets(new_prefix=new_prefix)]


def overlaps(a: CidrLike, b: CidrLike) -> bool:
    """Whether two blocks share at least one address."""
    return parse_cidr(a).overlaps(parse_cidr(b))


def _check_bounds(net: IPv4Network, what: str) -> None:
    if not AWS_MIN_PREFIX <= net.prefixlen <= AWS_MAX_PREFIX:
        size = "too large" if net.prefixlen < AWS_MIN_PREFIX else "too small"
        raise InvalidCidr(
            f"{what} block {net} is {size} ({net.num_addresses:,} addresses): {_BOUNDS}"
        )


def check_vpc_cidr(cidr: CidrLike) -> IPv4Network:
    """Check a VPC block the way AWS does on ``create_vpc``.

    Returns:
        The parsed network.

    Raises:
        InvalidCidr: a bad block or one outside /16../28.
    """
    net = parse_cidr(cidr)
    _check_bounds(net, "VPC")
    return net


def check_subnet_cidr(vpc: CidrLike, subnet: CidrLike, siblings: Iterable[CidrLike] = ()
                      ) -> IPv4Network:
    """Check a subnet block the way AWS does on ``create_subnet``.

    Args:
        vpc: the VPC's block.
        subnet: the new subnet's block.
        siblings: blocks of the VPC's existing subnets.

    Returns:
        The parsed subnet network.

    Raises:
        InvalidCidr: a bad block, outside /16../28, not inside the VPC, or overlapping an
            existing subnet (the message names both blocks).
    """
    vpc_net = parse_cidr(vpc)
    net = parse_cidr(subnet)
    _check_bounds(net, "subnet")
    if not net.subnet_of(vpc_net):
        example = split(vpc_net, max(net.prefixlen, vpc_net.prefixlen))[0]
        raise InvalidCidr(
            f"subnet block {net} is not inside the VPC's block {vpc_net}: a subnet takes its "
            f"addresses from its VPC, e.g. {example}"
        )
    for other in siblings:
        other_net = parse_cidr(other)
        if net.overlaps(other_net):
            raise InvalidCidr(
                f"subnet block {net} overlaps the existing subnet {other_net}: subnets of one "
                f"VPC must not share addresses; pick a block that does not overlap it"
            )
    return net
