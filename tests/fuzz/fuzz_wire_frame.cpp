// Fuzzes the outer frame decoder and every plaintext/app decoder behind it. Invariant: any input yields
// a value or an error, and whatever decodes re-encodes to the same bytes.
#include "duet/wire/Bulk.hpp"
#include "duet/wire/Messages.hpp"

#include <cstdlib>

using namespace duet::wire;

namespace {
template <typename T>
void checkReencodes(const Result<T>& decoded, ByteSpan packet)
{
    if (decoded.ok() && encode(decoded.value()) != Bytes(packet.begin(), packet.end())) std::abort();
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const ByteSpan packet(data, size);
    const auto frame = decodeFrame(packet);
    if (frame.ok()) {
        switch (frame->type) {
        case FrameType::HandshakeInit:
            checkReencodes(decodeHandshakeInit(frame->body), packet);
            break;
        case FrameType::HandshakeReply:
            checkReencodes(decodeHandshakeReply(frame->body), packet);
            break;
        case FrameType::HandshakeReveal:
            checkReencodes(decodeHandshakeReveal(frame->body), packet);
            break;
        case FrameType::HandshakeFinish:
            checkReencodes(decodeHandshakeFinish(frame->body), packet);
            break;
        case FrameType::Close:
            checkReencodes(decodeClose(frame->body), packet);
            break;
        case FrameType::Record:
            break;
        case FrameType::Chunk: {
            const auto chunk = decodeChunkBody(frame->body);
            if (chunk.ok() && encodeChunk(chunk->fileId, chunk->chunkIndex, chunk->noncePrefix,
                                          chunk->ciphertext) != Bytes(packet.begin(), packet.end()))
                std::abort();
            break;
        }
        case FrameType::BulkData:
        case FrameType::BulkAck:
            // The sealed inside has its own target (fuzz_bulk); here only the envelope's bounds.
            (void)decodeBulkEnvelope(frame->body);
            break;
        case FrameType::StreamChunk: {
            const auto chunk = decodeStreamChunkBody(frame->body);
            if (chunk.ok() && encodeStreamChunk(chunk->fileId, chunk->chunkIndex, chunk->data) !=
                                  Bytes(packet.begin(), packet.end()))
                std::abort();
            break;
        }
        }
    }
    // The same bytes as the plaintext of a record.
    const auto app = decodeApp(packet);
    if (app.ok() && encodeApp(app.value()) != Bytes(packet.begin(), packet.end())) std::abort();
    return 0;
}
