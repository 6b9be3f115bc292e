# Bulk transport: its datagram decoders and the sender/receiver state machines fed by a hostile peer.
duet_fuzz_target(NAME fuzz_bulk SOURCES fuzz_bulk.cpp LIBS duet::flow)
