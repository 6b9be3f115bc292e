// Fuzzes the bulk transport's decoders (src/wire/Bulk.hpp) and the pure state machines behind them
// (src/flow). The first byte picks the target:
//   0: envelope; 1: data plaintext; 2: ack plaintext; 4: raw datagram header (accepted inputs must
//      re-encode to the same bytes);
//   3: a hostile peer: the rest is records "kind u8 | length u8 | body" fed as data datagrams to a
//      BulkReceiver and as acks to a BulkSender with data in flight, with the clock stepping forward;
//   5: compact data (re-encodes to the same bytes); 6: packet number expansion (low bits kept, the
//      result within half the window of the expected number where the 64-bit range allows).
#include "duet/flow/BulkReceiver.hpp"
#include "duet/flow/BulkSender.hpp"
#include "duet/wire/Bulk.hpp"

#include <cstdlib>

using namespace duet;
using namespace duet::wire;

namespace {

void hostilePeer(ByteSpan input)
{
    MonoTime now{std::chrono::hours(1000)};
    flow::BulkReceiver receiver(flow::BulkReceiverConfig{1u << 20});
    flow::BulkSender sender(now, {});
    sender.queue(Bytes(64 * 1024, 7));
    ByteReader in(input);
    std::uint8_t kind = 0;
    std::uint8_t length = 0;
    for (int step = 0; step < 4096 && in.u8(kind) && in.u8(length) && in.remaining() >= length; ++step) {
        Bytes body(length);
        for (auto& b : body)
            in.u8(b);
        now += std::chrono::microseconds(kind * 97);
        if (kind % 2 == 0) {
            ByteReader bodyReader(body);
            std::uint64_t packetNumber = 0;
            if (!bodyReader.u64(packetNumber)) continue;
            const auto data = decodeBulkData(bodyReader.rest());
            if (!data.ok()) continue;
            receiver.onData(packetNumber, data.value(), now);
            receiver.takeMessages();
            receiver.pollAck(now);
            if (receiver.bufferedBytes() > 2 * (1u << 20)) std::abort();
        } else {
            const auto ack = decodeBulkAck(body);
            if (ack.ok()) sender.onAck(ack.value(), now);
            for (int i = 0; i < 64 && sender.poll(now); ++i)
                ;
            if (sender.bytesInFlight() > sender.bufferedBytes() + 64 * 1024) std::abort();
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size == 0) return 0;
    const ByteSpan input(data + 1, size - 1);
    const Bytes original(input.begin(), input.end());
    switch (data[0] % 7) {
    case 0: {
        const auto envelope = decodeBulkEnvelope(input);
        if (envelope.ok() && encodeBulkEnvelope(envelope->sequence, envelope->ciphertext) != original)
            std::abort();
        break;
    }
    case 1: {
        const auto slice = decodeBulkData(input);
        if (!slice.ok()) break;
        if (slice->data.empty() || slice->data.size() > kMaxLargeBulkSlice) std::abort();
        if (encodeBulkData(slice->streamOffset, slice->data) != original) std::abort();
        break;
    }
    case 2: {
        const auto ack = decodeBulkAck(input);
        if (!ack.ok()) break;
        if (ack->ranges.empty() || ack->ranges.size() > kMaxBulkAckRanges) std::abort();
        if (encodeBulkAck(ack.value()) != original) std::abort();
        break;
    }
    case 4: {
        const auto raw = decodeRawBulk(input);
        if (!raw.ok()) break;
        if (raw->frame.empty() || input.size() > kMaxRawBulkDatagram) std::abort();
        Bytes again(kRawBulkHeaderSize);
        writeRawBulkHeader(raw->header, again.data());
        again.insert(again.end(), raw->frame.begin(), raw->frame.end());
        if (again != original) std::abort();
        break;
    }
    case 5: {
        const auto compact = decodeCompactData(input);
        if (!compact.ok()) break;
        if (compact->sealed.size() < 8 + 1 + kBulkTagSize) std::abort();
        Bytes again(4);
        for (std::size_t i = 0; i < 4; ++i)
            again[i] = static_cast<std::uint8_t>(compact->packetNumberLow >> (8 * i));
        again.insert(again.end(), compact->sealed.begin(), compact->sealed.end());
        if (again != original) std::abort();
        break;
    }
    case 6: {
        ByteReader in(input);
        std::uint32_t low = 0;
        std::uint64_t expected = 0;
        if (!in.u32(low) || !in.u64(expected)) break;
        const std::uint64_t number = expandPacketNumber(low, expected);
        if (static_cast<std::uint32_t>(number) != low) std::abort();
        const std::uint64_t distance = number > expected ? number - expected : expected - number;
        const bool nearEdge = expected < (1ull << 32) || expected > UINT64_MAX - (1ull << 32);
        if (!nearEdge && distance > (1ull << 31)) std::abort();
        break;
    }
    default:
        hostilePeer(input);
    }
    return 0;
}
