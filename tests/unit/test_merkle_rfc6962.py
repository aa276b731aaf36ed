"""console/audit/merkle.py against the RFC 6962 test vectors that Certificate Transparency
implementations share: the eight leaves, their roots, and the inclusion and consistency
proofs, as published in transparency-dev/merkle ``proof/verify_test.go`` (commit
02194e9afb6c1d95b5381350007963aa70fff472; first published in google/certificate-transparency's
``merkle_tree_test.cc``). The proofs are both built and checked, and every corruption
that file tries (wrong index or size, wrong leaf or root, garbage before or after, a
flipped bit, a removed or inserted hash) is refused."""

from __future__ import annotations

import hashlib
import random

import pytest

from console.audit import merkle


def h(text: str) -> bytes:
    return bytes.fromhex(text)


LEAVES = [h(""), h("00"), h("10"), h("2021"), h("3031"), h("40414243"), h("5051525354555657")]
LEAVES.append(h("606162636465666768696a6b6c6d6e6f"))
ROOTS = [
    h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
    h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
    h("aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77"),
    h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
    h("4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4"),
    h("76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef"),
    h("ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c"),
    h("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"),
]
# (leaf number counted from 1, tree size, proof)
INCLUSION = [
    (1, 1, []),
    (
        1,
        8,
        [
            h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
        ],
    ),
    (
        6,
        8,
        [
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
            h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
    (3, 3, [h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")]),
    (
        2,
        5,
        [
            h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        ],
    ),
]
CONSISTENCY = [
    (1, 1, []),
    (
        1,
        8,
        [
            h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
        ],
    ),
    (
        6,
        8,
        [
            h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
    (
        2,
        5,
        [
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        ],
    ),
    (
        6,
        7,
        [
            h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            h("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
]
SOME_HASH = h("abacaba000000000000000000000000000000000000000000060061e00123456")
EMPTY_HASH = h("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")


def source(leaves: list[bytes]) -> merkle.NodeSource:
    """Perfect-subtree hashes of ``leaves`` (leaf hashes), as the tiles would give them."""

    def node(level: int, index: int) -> bytes:
        start = index << level
        return merkle.root_of(leaves[start : start + (1 << level)])

    return node


LEAF_HASHES = [merkle.leaf_hash(data) for data in LEAVES]


def test_the_empty_tree_and_every_published_root():
    assert merkle.EMPTY_ROOT == EMPTY_HASH
    assert merkle.CompactRange().root() == EMPTY_HASH
    tree = merkle.CompactRange()
    for size, leaf in enumerate(LEAF_HASHES, start=1):
        tree.append(leaf)
        assert tree.root() == ROOTS[size - 1], size


@pytest.mark.parametrize(("leaf", "size", "proof"), INCLUSION)
def test_inclusion_proofs_are_built_and_checked_as_published(leaf, size, proof):
    index, leaves = leaf - 1, LEAF_HASHES[:size]
    assert merkle.inclusion_proof(index, size, source(leaves)) == proof
    assert merkle.verify_inclusion(index, size, LEAF_HASHES[index], proof, ROOTS[size - 1])


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY)
def test_consistency_proofs_are_built_and_checked_as_published(old, new, proof):
    assert merkle.consistency_proof(old, new, source(LEAF_HASHES[:new])) == proof
    assert merkle.verify_consistency(old, new, ROOTS[old - 1], ROOTS[new - 1], proof)


def corrupted_inclusions(index, size, proof, root, leaf):
    yield "index - 1", (index - 1, size, leaf, proof, root)
    yield "index + 1", (index + 1, size, leaf, proof, root)
    yield "index ^ 2", (index ^ 2, size, leaf, proof, root)
    yield "size * 2", (index, size * 2, leaf, proof, root)
    yield "size / 2", (index, size // 2, leaf, proof, root)
    yield "wrong leaf", (index, size, b"WrongLeaf", proof, root)
    yield "empty root", (index, size, leaf, proof, EMPTY_HASH)
    yield "random root", (index, size, leaf, proof, SOME_HASH)
    yield "trailing garbage", (index, size, leaf, [*proof, b""], root)
    yield "trailing root", (index, size, leaf, [*proof, root], root)
    yield "preceding garbage", (index, size, leaf, [b"", *proof], root)
    yield "preceding root", (index, size, leaf, [root, *proof], root)
    for position in range(len(proof)):
        flipped = [bytearray(item) for item in proof]
        flipped[position][0] ^= 8
        yield f"proof[{position}] bit 3", (index, size, leaf, [bytes(b) for b in flipped], root)
    if proof:
        yield "removed", (index, size, leaf, proof[:-1], root)
    if len(proof) > 1:
        yield "inserted", (index, size, leaf, [proof[0], SOME_HASH, *proof[1:]], root)


@pytest.mark.parametrize(("leaf", "size", "proof"), INCLUSION[1:])
def test_every_corrupted_inclusion_proof_is_refused(leaf, size, proof):
    index = leaf - 1
    cases = corrupted_inclusions(index, size, proof, ROOTS[size - 1], LEAF_HASHES[index])
    accepted = [name for name, case in cases if merkle.verify_inclusion(*case)]
    assert accepted == []


def corrupted_consistencies(old, new, old_root, new_root, proof):
    yield "old - 1", (old - 1, new, old_root, new_root, proof)
    yield "old + 1", (old + 1, new, old_root, new_root, proof)
    yield "old ^ 2", (old ^ 2, new, old_root, new_root, proof)
    yield "new * 2", (old, new * 2, old_root, new_root, proof)
    yield "new / 2", (old, new // 2, old_root, new_root, proof)
    yield "wrong old root", (old, new, b"WrongRoot", new_root, proof)
    yield "wrong new root", (old, new, old_root, b"WrongRoot", proof)
    yield "swapped roots", (old, new, new_root, old_root, proof)
    yield "empty proof", (old, new, old_root, new_root, [])
    yield "trailing garbage", (old, new, old_root, new_root, [*proof, b""])
    yield "trailing old root", (old, new, old_root, new_root, [*proof, old_root])
    yield "trailing new root", (old, new, old_root, new_root, [*proof, new_root])
    yield "preceding garbage", (old, new, old_root, new_root, [b"", *proof])
    yield "preceding old root", (old, new, old_root, new_root, [old_root, *proof])
    yield "preceding new root", (old, new, old_root, new_root, [new_root, *proof])
    yield "preceding proof[0]", (old, new, old_root, new_root, [proof[0], *proof])
    yield "truncated", (old, new, old_root, new_root, proof[:-1])
    for position in range(len(proof)):
        flipped = [bytearray(item) for item in proof]
        flipped[position][0] ^= 16
        yield (
            f"proof[{position}] bit 4",
            (old, new, old_root, new_root, [bytes(b) for b in flipped]),
        )


@pytest.mark.parametrize(("old", "new", "proof"), [case for case in CONSISTENCY if case[2]])
def test_every_corrupted_consistency_proof_is_refused(old, new, proof):
    cases = corrupted_consistencies(old, new, ROOTS[old - 1], ROOTS[new - 1], proof)
    accepted = [name for name, case in cases if merkle.verify_consistency(*case)]
    assert accepted == []


ROOT1, ROOT2 = b"don't care 1", b"don't care 2"


@pytest.mark.parametrize(
    ("old", "new", "old_root", "new_root", "proof", "valid"),
    [
        (0, 0, ROOT1, ROOT2, [], False),
        (1, 1, ROOT1, ROOT2, [], False),
        (0, 0, EMPTY_HASH, EMPTY_HASH, [], True),
        (0, 1, EMPTY_HASH, SOME_HASH, [], True),
        (1, 1, SOME_HASH, SOME_HASH, [], True),
        (1, 0, EMPTY_HASH, SOME_HASH, [], False),
        (2, 1, EMPTY_HASH, SOME_HASH, [], False),
        (1, 2, EMPTY_HASH, SOME_HASH, [], False),
        (0, 0, EMPTY_HASH, SOME_HASH, [], False),
        (1, 1, EMPTY_HASH, SOME_HASH, [], False),
        (0, 0, EMPTY_HASH, EMPTY_HASH, [EMPTY_HASH], False),
        (0, 1, EMPTY_HASH, EMPTY_HASH, [EMPTY_HASH], False),
        (1, 1, EMPTY_HASH, EMPTY_HASH, [EMPTY_HASH], False),
    ],
)
def test_the_edge_cases_of_consistency(old, new, old_root, new_root, proof, valid):
    assert merkle.verify_consistency(old, new, old_root, new_root, proof) is valid


def test_a_single_leaf_tree_and_bad_inclusion_inputs():
    leaf = merkle.leaf_hash(b"data")
    assert merkle.verify_inclusion(0, 1, leaf, [], leaf)
    assert not merkle.verify_inclusion(0, 1, leaf, [], b"")
    assert not merkle.verify_inclusion(0, 1, b"", [], leaf)
    for index, size in [(0, 0), (0, 1), (1, 0), (2, 1)]:
        assert not merkle.verify_inclusion(index, size, SOME_HASH, [], b"")
        assert not merkle.verify_inclusion(index, size, b"", [], EMPTY_HASH)
        assert not merkle.verify_inclusion(index, size, SOME_HASH, [], EMPTY_HASH)


def test_every_proof_in_trees_up_to_70_leaves_verifies_and_leaf_then_node_cannot_collide():
    leaves = [merkle.leaf_hash(bytes([n % 256, n // 256])) for n in range(70)]
    node = source(leaves)
    randomness = random.Random(6962)
    for size in range(1, 71):
        root = merkle.root_of(leaves[:size])
        for index in {0, size - 1, randomness.randrange(size)}:
            proof = merkle.inclusion_proof(index, size, node)
            assert merkle.verify_inclusion(index, size, leaves[index], proof, root)
        for old in {1, size // 2 or 1, size - 1 or 1, randomness.randrange(1, size + 1)}:
            proof = merkle.consistency_proof(old, size, node)
            old_root = merkle.root_of(leaves[:old])
            assert merkle.verify_consistency(old, size, old_root, root, proof), (old, size)
    # a two-leaf tree's root, offered as a leaf's data, does not hash to the same root
    two = merkle.root_of(leaves[:2])
    assert merkle.leaf_hash(leaves[0] + leaves[1]) != two
    assert two == hashlib.sha256(b"\x01" + leaves[0] + leaves[1]).digest()
