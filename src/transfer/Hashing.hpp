#pragma once
// The whole-file hash, injected so this library links no crypto. The app plugs in unkeyed BLAKE2b with a
// 32-byte output (crypto_generichash_init with no key, then _update, then _final); tests use their own.
#include "duet/transfer/Types.hpp"
#include "duet/wire/Bytes.hpp"

#include <memory>

namespace duet::transfer {

// Hashes one byte stream incrementally. Single owner, single thread.
class Hasher {
public:
    virtual ~Hasher() = default;
    virtual void update(wire::ByteSpan bytes) = 0;
    // Called at most once; the hasher is not used afterwards.
    virtual Hash32 finish() = 0;
};

// Makes a fresh hasher per file. Must be usable from the thread that drives the transfers.
class HashFactory {
public:
    virtual ~HashFactory() = default;
    virtual std::unique_ptr<Hasher> create() const = 0;
};

} // namespace duet::transfer
