"""The local identity provider's RS256 key pair, persisted so tokens outlive restarts.

The private key lives in `<repo>/.local/jwt/private.pem` (gitignored; override
the directory with LOCAL_JWT_DIR). Its `kid` is the RFC 7638 thumbprint of the
public key, so the same file always yields the same JWKS.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from local.config import STATE_DIR

KEY_DIR_ENV = "LOCAL_JWT_DIR"
KEY_FILE = "private.pem"
ALGORITHM = "RS256"

_lock = threading.Lock()
_loaded: dict[Path, SigningKey] = {}


@dataclass(frozen=True)
class SigningKey:
    private_key: rsa.RSAPrivateKey

    @property
    def public_key(self) -> rsa.RSAPublicKey:
        return self.private_key.public_key()

    @property
    def kid(self) -> str:
        jwk = RSAAlgorithm.to_jwk(self.public_key, as_dict=True)
        canonical = json.dumps(
            {"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}, separators=(",", ":"), sort_keys=True
        )
        digest = hashlib.sha256(canonical.encode()).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def jwk(self) -> dict[str, Any]:
        jwk = RSAAlgorithm.to_jwk(self.public_key, as_dict=True)
        return {
            "kty": "RSA",
            "use": "sig",
            "alg": ALGORITHM,
            "kid": self.kid,
            "n": jwk["n"],
            "e": jwk["e"],
        }

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.jwk()]}


def generate_key() -> SigningKey:
    """A fresh key, never written anywhere (tests use it for foreign signatures)."""
    return SigningKey(rsa.generate_private_key(public_exponent=65537, key_size=2048))


def key_dir() -> Path:
    configured = os.environ.get(KEY_DIR_ENV)
    return Path(configured) if configured else STATE_DIR / "jwt"


def _read(path: Path) -> SigningKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError(f"{path} does not hold an RSA private key")
    return SigningKey(key)


def _create(path: Path) -> None:
    """Write a new key without ever exposing a half-written file; the first writer wins."""
    pem = generate_key().private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".key-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
        os.chmod(tmp, 0o600)
        # link() refuses to replace: two processes starting together agree on one key.
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        os.unlink(tmp)


def load_or_create(directory: Path | None = None) -> SigningKey:
    """The persisted signing key, created on first use."""
    folder = (directory or key_dir()).resolve()
    with _lock:
        if folder not in _loaded:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            path = folder / KEY_FILE
            if not path.exists():
                _create(path)
            _loaded[folder] = _read(path)
        return _loaded[folder]
