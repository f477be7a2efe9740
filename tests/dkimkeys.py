"""Test helpers: generate DKIM keys and sign messages in the test (no keys are stored in the repo)."""

from __future__ import annotations

import base64
from functools import lru_cache

import dkim
import nacl.signing
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


@lru_cache(maxsize=4)
def rsa_key(bits: int = 2048, seed: int = 0) -> tuple[bytes, str]:
    """(private key PEM, DNS TXT record). `seed` only distinguishes cached keys."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                            serialization.NoEncryption())
    der = key.public_key().public_bytes(serialization.Encoding.DER,
                                        serialization.PublicFormat.SubjectPublicKeyInfo)
    return pem, "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()


@lru_cache(maxsize=4)
def ed25519_key(seed: int = 0) -> tuple[bytes, str]:
    sk = nacl.signing.SigningKey.generate()
    priv = base64.b64encode(bytes(sk))
    pub = base64.b64encode(bytes(sk.verify_key)).decode()
    return priv, "v=DKIM1; k=ed25519; p=" + pub


def sign(msg: bytes, domain: str, selector: str, key: bytes, algorithm: str = "rsa-sha256",
         headers: list[bytes] | None = None) -> bytes:
    """The message with a DKIM-Signature header prepended."""
    sig = dkim.sign(msg, selector.encode(), domain.encode(), key, signature_algorithm=algorithm.encode(),
                    include_headers=headers or [b"from", b"to", b"subject", b"date", b"message-id"])
    return sig + msg
