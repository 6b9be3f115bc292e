# Crypto library: the handshake state machine and the record and chunk openers on hostile input.
duet_fuzz_target(NAME fuzz_handshake SOURCES fuzz_handshake.cpp LIBS duet::crypto)
duet_fuzz_target(NAME fuzz_records SOURCES fuzz_records.cpp LIBS duet::crypto)
