#pragma once
// libsodium behind a small API: identity keys, the handshake, record and chunk encryption, hashing.
// Thread: any, but each object is used by one thread at a time (the net thread in the app).
// Errors: functions that parse peer data return std::nullopt / a failed step, never throw. Only local
// I/O (identity file) throws std::runtime_error; misuse by the caller throws std::logic_error.
#include "duet/crypto/Handshake.hpp"
#include "duet/crypto/Hashing.hpp"
#include "duet/crypto/Identity.hpp"
#include "duet/crypto/Random.hpp"
#include "duet/crypto/Records.hpp"
#include "duet/crypto/Types.hpp"
