# Discovery: the peer-hint table driven by arbitrary datagrams, sightings, clock steps and interface changes.
duet_fuzz_target(NAME fuzz_discovery_table SOURCES fuzz_discovery_table.cpp LIBS duet::discovery)
