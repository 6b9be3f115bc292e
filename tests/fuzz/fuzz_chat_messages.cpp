// Fuzzes the chat-channel decoders (Chat, ChatAck, ChatRead, Typing) through decodeApp. Invariants:
// nothing crashes; whatever decodes re-encodes to exactly the input; ChatRead is exactly 9 bytes and
// Typing exactly 2 with a 0/1 flag; Chat text never exceeds its cap.
#include "duet/wire/Messages.hpp"

#include <cstdlib>

using namespace duet::wire;

namespace {

void require(bool condition)
{
    if (!condition) std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const ByteSpan input(data, size);
    const Result<AppMessage> decoded = decodeApp(input);
    if (!decoded.ok()) return 0;
    require(encodeApp(decoded.value()) == Bytes(input.begin(), input.end()));
    if (std::holds_alternative<ChatRead>(decoded.value())) require(size == 9);
    if (const auto* typing = std::get_if<Typing>(&decoded.value())) {
        require(size == 2);
        require(typing->active == (data[1] == 1));
    }
    if (const auto* chat = std::get_if<Chat>(&decoded.value())) require(chat->text.size() <= kMaxChatText);
    return 0;
}
