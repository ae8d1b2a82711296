"""CIDR arithmetic: AWS's bounds, reserved addresses, splitting, overlaps, errors."""

from __future__ import annotations

from ipaddress import IPv4Network

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cloudlab.errors import InvalidCidr
from cloudlab.net import (
    address_count,
    check_subnet_cidr,
    check_vpc_cidr,
    overlaps,
    parse_cidr,
    reserved_addresses,
    split,
    usable_addresses,
)


def test_parse_accepts_blocks_and_bare_addresses() -> None:
    assert parse_cidr("10.0.0.0/16") == IPv4Network("10.0.0.0/16")
    assert parse_cidr(" 192.168.1.7 ") == IPv4Network("192.168.1.7/32")


@pytest.mark.parametrize(("text", "message"), [
    ("10.0.0.0/33", "prefix length must be 0-32, got 33"),
    ("10.0.0.1/16", "host bits are set in 10.0.0.1/16: did you mean 10.0.0.0/16?"),
    ("10.0.0/16", "'10.0.0' is not an IPv4 address"),
    ("banana", "'banana' is not an IPv4 address"),
    ("10.0.0.0/x", "prefix length after '/' must be a whole number 0-32"),
    ("300.0.0.0/8", "'300.0.0.0' is not an IPv4 address"),
])
def test_parse_errors_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(InvalidCidr) as err:
        parse_cidr(text)
    assert message in str(err.value)


def test_parse_rejects_non_text() -> None:
    with pytest.raises(InvalidCidr, match="must be text like '10.0.0.0/16', got int 10"):
        parse_cidr(10)  # type: ignore[arg-type]


def test_usable_addresses_subtracts_the_five_aws_reserves() -> None:
    assert usable_addresses("10.0.0.0/16") == 65_531
    assert usable_addresses("10.0.1.0/24") == 251
    assert usable_addresses("10.0.1.0/28") == 11
    assert address_count("10.0.1.0/24") == 256


def test_usable_addresses_rejects_blocks_smaller_than_a_subnet() -> None:
    with pytest.raises(InvalidCidr, match="/28 .16 addresses."):
        usable_addresses("10.0.1.0/29")


def test_reserved_addresses_are_the_first_four_and_the_last() -> None:
    assert reserved_addresses("10.0.1.0/24") == {
        "network address": "10.0.1.0",
        "VPC router": "10.0.1.1",
        "DNS server": "10.0.1.2",
        "future use": "10.0.1.3",
        "broadcast (last address)": "10.0.1.255",
    }


def test_split_by_prefix_and_by_count_in_order() -> None:
    assert split("10.0.0.0/24", 26) == [
        "10.0.0.0/26", "10.0.0.64/26", "10.0.0.128/26", "10.0.0.192/26"]
    assert split("10.0.0.0/16", count=3) == ["10.0.0.0/18", "10.0.64.0/18", "10.0.128.0/18"]
    assert split("10.0.0.0/16", count=1) == ["10.0.0.0/16"]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({}, "exactly one of new_prefix"),
    ({"new_prefix": 24, "count": 2}, "exactly one of new_prefix"),
    ({"new_prefix": 8}, "new_prefix must be between 16 (the block's own prefix) and 32, got 8"),
    ({"new_prefix": 33}, "got 33"),
    ({"count": 0}, "count must be a whole number >= 1, got 0"),
    ({"count": 70_000}, "cannot be split into 70000 pieces"),
])
def test_split_errors(kwargs: dict[str, int], message: str) -> None:
    with pytest.raises(InvalidCidr) as err:
        split("10.0.0.0/16", **kwargs)
    assert message in str(err.value)


def test_overlaps() -> None:
    assert overlaps("10.0.0.0/16", "10.0.5.0/24")
    assert not overlaps("10.0.0.0/24", "10.0.1.0/24")


def test_vpc_bounds() -> None:
    assert check_vpc_cidr("10.0.0.0/16") == IPv4Network("10.0.0.0/16")
    assert check_vpc_cidr("10.0.0.0/28").prefixlen == 28
    with pytest.raises(InvalidCidr) as err:
        check_vpc_cidr("10.0.0.0/8")
    assert "VPC block 10.0.0.0/8 is too large (16,777,216 addresses)" in str(err.value)
    assert "AWS allows VPC and subnet blocks from /16 (65,536 addresses) to /28 (16 addresses)" \
        in str(err.value)
    with pytest.raises(InvalidCidr, match="too small"):
        check_vpc_cidr("10.0.0.0/29")


def test_subnet_checks() -> None:
    assert check_subnet_cidr("10.0.0.0/16", "10.0.1.0/24", ["10.0.0.0/24"]).prefixlen == 24
    with pytest.raises(InvalidCidr, match="subnet block 10.1.0.0/24 is not inside the VPC's "
                                          "block 10.0.0.0/16"):
        check_subnet_cidr("10.0.0.0/16", "10.1.0.0/24")
    with pytest.raises(InvalidCidr, match="subnet block 10.0.1.0/25 overlaps the existing "
                                          "subnet 10.0.1.0/24"):
        check_subnet_cidr("10.0.0.0/16", "10.0.1.0/25", ["10.0.0.0/24", "10.0.1.0/24"])
    with pytest.raises(InvalidCidr, match="subnet block 10.0.0.0/29 is too small"):
        check_subnet_cidr("10.0.0.0/16", "10.0.0.0/29")


# -- properties ----------------------------------------------------------------------------
networks = st.builds(
    lambda addr, prefix: IPv4Network((addr, prefix), strict=False),
    st.integers(0, 2**32 - 1), st.integers(0, 32))


@given(net=st.builds(lambda a, p: IPv4Network((a, p), strict=False),
                     st.integers(0, 2**32 - 1), st.integers(8, 26)),  # + extra <= 32
       extra=st.integers(0, 6))
def test_split_pieces_are_disjoint_and_cover_the_parent(net: IPv4Network, extra: int) -> None:
    pieces = [IPv4Network(p) for p in split(str(net), net.prefixlen + extra)]
    assert len(pieces) == 2**extra
    assert sum(p.num_addresses for p in pieces) == net.num_addresses
    assert all(p.subnet_of(net) for p in pieces)
    pairs = zip(pieces, pieces[1:], strict=False)
    assert all(a.broadcast_address < b.network_address for a, b in pairs)
    assert pieces[0].network_address == net.network_address
    assert pieces[-1].broadcast_address == net.broadcast_address


@given(net=st.builds(lambda a, p: IPv4Network((a, p), strict=False),
                     st.integers(0, 2**32 - 1), st.integers(8, 24)),
       count=st.integers(1, 200))
def test_split_by_count_gives_count_disjoint_pieces(net: IPv4Network, count: int) -> None:
    pieces = [IPv4Network(p) for p in split(net, count=count)]
    assert len(pieces) == count
    assert len({p.prefixlen for p in pieces}) == 1
    assert not any(a.overlaps(b) for i, a in enumerate(pieces) for b in pieces[i + 1:])


@given(prefix=st.integers(0, 28), addr=st.integers(0, 2**32 - 1))
def test_usable_is_size_minus_five(prefix: int, addr: int) -> None:
    net = IPv4Network((addr, prefix), strict=False)
    assert usable_addresses(str(net)) == 2 ** (32 - prefix) - 5


@given(a=networks, b=networks)
def test_overlaps_is_symmetric_and_reflexive(a: IPv4Network, b: IPv4Network) -> None:
    assert overlaps(a, b) == overlaps(b, a)
    assert overlaps(a, a)
    assert overlaps(a, b) == (a.subnet_of(b) or b.subnet_of(a))


@given(net=networks)
def test_parse_round_trips(net: IPv4Network) -> None:
    assert parse_cidr(str(net)) == net
