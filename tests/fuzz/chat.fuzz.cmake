# Durable chat: the chat-channel message decoders (receipts and typing included).
duet_fuzz_target(NAME fuzz_chat_messages SOURCES fuzz_chat_messages.cpp LIBS duet::wire)
