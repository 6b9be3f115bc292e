# NAT traversal: the STUN Binding response decoder (datagrams from anyone who knows our port) and the
# connection-code decoder (text pasted by the user).
duet_fuzz_target(NAME fuzz_stun SOURCES fuzz_stun.cpp LIBS duet::nat)
duet_fuzz_target(NAME fuzz_connection_code SOURCES fuzz_connection_code.cpp LIBS duet::nat)
