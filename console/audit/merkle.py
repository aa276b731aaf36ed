"""RFC 6962 / RFC 9162 Merkle trees: hashes, a growing tree's right edge, proofs.

Leaf hashes are SHA-256(0x00 || leaf data) and interior nodes SHA-256(0x01 || left ||
right), so a leaf can never pass for a node. The trail's leaf data is the 32 raw bytes
of an entry's chain hash (docs/transparency.md). Proofs are built from the hashes of
perfect subtrees, which the caller supplies (``NodeSource``): the console reads them
from the tiles the checkpoint sweep keeps, a test from a list of leaves.

Standard library only: the off-line checkers import this module.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

# (level, index) -> the hash of the perfect subtree of 2**level leaves starting at
# leaf index * 2**level.
NodeSource = Callable[[int, int], bytes]


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(size: int) -> int:
    """The largest power of two smaller than ``size`` (RFC 6962's k), for size > 1."""
    return 1 << ((size - 1).bit_length() - 1)


class CompactRange:
    """The right edge of a tree that only grows: the roots of its perfect subtrees,
    largest first, one per bit of ``size``. Appending costs one hash per merge."""

    __slots__ = ("nodes", "size")

    def __init__(self, size: int = 0, nodes: Sequence[bytes] = ()) -> None:
        if len(nodes) != bin(size).count("1"):
            raise ValueError("a compact range has one node per bit of its size")
        self.size = size
        self.nodes = list(nodes)

    def append(self, leaf: bytes) -> None:
        """Add a leaf hash (already SHA-256(0x00 || data))."""
        node, size, nodes = leaf, self.size, self.nodes
        while size & 1:
            node = hashlib.sha256(b"\x01" + nodes.pop() + node).digest()
            size >>= 1
        nodes.append(node)
        self.size += 1

    def root(self) -> bytes:
        """The tree head of the leaves so far (the empty tree's is SHA-256 of nothing)."""
        if not self.nodes:
            return EMPTY_ROOT
        root = self.nodes[-1]
        for node in reversed(self.nodes[:-1]):
            root = node_hash(node, root)
        return root


def root_of(leaves: Sequence[bytes]) -> bytes:
    """MTH of a list of leaf hashes."""
    tree = CompactRange()
    for leaf in leaves:
        tree.append(leaf)
    return tree.root()


def subtree_hash(start: int, end: int, node: NodeSource) -> bytes:
    """MTH(D[start:end]) for the ranges RFC 6962's recursions visit (``start`` aligned)."""
    size = end - start
    if size & (size - 1) == 0:
        level = size.bit_length() - 1
        return node(level, start >> level)
    k = split_point(size)
    return node_hash(node(k.bit_length() - 1, start // k), subtree_hash(start + k, end, node))


def inclusion_proof(index: int, size: int, node: NodeSource) -> list[bytes]:
    """PATH(index, D[0:size]) of RFC 6962 section 2.1.1, from the leaf up."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size} leaves")
    proof: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = split_point(end - start)
        if index < start + k:
            proof.append(subtree_hash(start + k, end, node))
            end = start + k
        else:
            proof.append(subtree_hash(start, start + k, node))
            start += k
    proof.reverse()
    return proof


def consistency_proof(old: int, new: int, node: NodeSource) -> list[bytes]:
    """PROOF(old, D[0:new]) of RFC 6962 section 2.1.2."""
    if not 0 <= old <= new:
        raise ValueError(f"no consistency proof from {old} leaves to {new}")
    if old in (0, new):
        return []
    proof: list[bytes] = []
    start, end, whole = 0, new, True
    while True:
        size = end - start
        if old - start == size:
            if not whole:
                proof.append(subtree_hash(start, end, node))
            break
        k = split_point(size)
        if old - start <= k:
            proof.append(subtree_hash(start + k, end, node))
            end = start + k
        else:
            proof.append(subtree_hash(start, start + k, node))
            start, whole = start + k, False
    proof.reverse()
    return proof


def _sizes_ok(*hashes: bytes) -> bool:
    return all(len(value) == HASH_SIZE for value in hashes)


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root an inclusion proof leads to (RFC 9162 section 2.1.3.2); ValueError if
    the proof cannot belong to this index and size."""
    if not 0 <= index < size or not _sizes_ok(leaf, *proof):
        raise ValueError("the leaf index, tree size or hash sizes do not fit")
    fn, sn, root = index, size - 1, leaf
    for sibling in proof:
        if sn == 0:
            raise ValueError("the proof is longer than the path")
        if fn & 1 or fn == sn:
            root = node_hash(sibling, root)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            root = node_hash(root, sibling)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ValueError("the proof is shorter than the path")
    return root


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> bool:
    """Whether ``proof`` shows leaf ``index`` with hash ``leaf`` in the tree ``root``."""
    try:
        return root_from_inclusion(index, size, leaf, proof) == root
    except ValueError:
        return False


def verify_consistency(
    old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Whether ``proof`` shows the tree ``old_root`` of ``old`` leaves is a prefix of the
    tree ``new_root`` of ``new`` leaves (RFC 9162 section 2.1.4.2)."""
    if not 0 <= old <= new or not _sizes_ok(old_root, new_root, *proof):
        return False
    if old == new:
        return not proof and old_root == new_root
    if old == 0:
        return not proof
    path = list(proof)
    if old & (old - 1) == 0:
        path.insert(0, old_root)
    if not path:
        return False
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    first = second = path[0]
    for sibling in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            first, second = node_hash(sibling, first), node_hash(sibling, second)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            second = node_hash(second, sibling)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and first == old_root and second == new_root
