# Storage: the received-path validator (and the "name (n)" generator fed by what it accepts).
duet_fuzz_target(NAME fuzz_path_validator SOURCES fuzz_path_validator.cpp LIBS duet::storage)
