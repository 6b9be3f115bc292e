"""Base32 text of connection codes and fingerprints (PROTOCOL.md), for tests that read or forge codes."""

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RFC4648 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def base32_bytes(text, alphabet=CROCKFORD):
    """The bytes of base32 `text` in `alphabet`; dashes are ignored, letters may be lower case."""
    bits, value, out = 0, 0, bytearray()
    for c in text.replace("-", "").upper():
        value = (value << 5) | alphabet.index(c)
        bits += 5
        if bits >= 8:
            bits -= 8
            out.append((value >> bits) & 0xFF)
    return bytes(out)


def crockford_text(data):
    """`data` as Crockford base32 in groups of five, the way Duet shows a connection code."""
    bits, value, out = 0, 0, ""
    for b in data:
        value = (value << 8) | b
        bits += 8
        while bits >= 5:
            bits -= 5
            out += CROCKFORD[(value >> bits) & 31]
    if bits:
        out += CROCKFORD[(value << (5 - bits)) & 31]
    return "-".join(out[i:i + 5] for i in range(0, len(out), 5))
