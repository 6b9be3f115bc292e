// Codec of the application messages carried inside encrypted records (chat, control, file transfer).
#include "CodecDetail.hpp"
#include "duet/wire/Messages.hpp"

namespace duet::wire {
namespace {

using detail::Prefix;
using detail::readUtf8;

void put(ByteWriter& w, AppType type)
{
    w.u8(static_cast<std::uint8_t>(type));
}

void encodeBody(ByteWriter& w, const Hello& m)
{
    put(w, AppType::Hello);
    w.shortString(m.displayName);
    w.u32(m.capabilities);
}
void encodeBody(ByteWriter& w, const PeerConfirmed&)
{
    put(w, AppType::PeerConfirmed);
}
void encodeBody(ByteWriter& w, const Chat& m)
{
    put(w, AppType::Chat);
    w.u64(m.id);
    w.i64(m.sentAtMs);
    w.longString(m.text);
}
void encodeBody(ByteWriter& w, const ChatAck& m)
{
    put(w, AppType::ChatAck);
    w.u64(m.id);
}
void encodeBody(ByteWriter& w, const ChatRead& m)
{
    put(w, AppType::ChatRead);
    w.u64(m.upToId);
}
void encodeBody(ByteWriter& w, const Typing& m)
{
    put(w, AppType::Typing);
    w.u8(m.active ? 1 : 0);
}
void encodeBody(ByteWriter& w, const Offer& m)
{
    put(w, AppType::Offer);
    w.u64(m.offerId);
    w.u32(m.partIndex);
    w.u32(m.partCount);
    w.u32(m.totalEntries);
    w.u64(m.totalBytes);
    w.u32(static_cast<std::uint32_t>(m.entries.size()));
    for (const OfferEntry& e : m.entries) {
        w.u64(e.fileId);
        w.u8(static_cast<std::uint8_t>(e.kind));
        w.u64(e.size);
        w.i64(e.mtimeMs);
        w.shortString(e.path);
    }
}
void encodeBody(ByteWriter& w, const OfferReply& m)
{
    put(w, AppType::OfferReply);
    w.u64(m.offerId);
    w.u8(static_cast<std::uint8_t>(m.decision));
    w.u32(static_cast<std::uint32_t>(m.acceptedFileIds.size()));
    for (std::uint64_t id : m.acceptedFileIds)
        w.u64(id);
    w.shortString(m.reason);
}
void encodeBody(ByteWriter& w, const FileRequest& m)
{
    put(w, AppType::FileRequest);
    w.u64(m.offerId);
    w.u64(m.fileId);
    w.u64(m.fromChunk);
}
void encodeBody(ByteWriter& w, const ChunkAck& m)
{
    put(w, AppType::ChunkAck);
    w.u64(m.fileId);
    w.u64(m.nextChunk);
}
void encodeBody(ByteWriter& w, const FileDone& m)
{
    put(w, AppType::FileDone);
    w.u64(m.fileId);
    w.fixed(m.hash);
}
void encodeBody(ByteWriter& w, const FileResult& m)
{
    put(w, AppType::FileResult);
    w.u64(m.fileId);
    w.u8(static_cast<std::uint8_t>(m.outcome));
    w.shortString(m.detail);
}
void encodeBody(ByteWriter& w, const TransferControl& m)
{
    put(w, AppType::TransferControl);
    w.u64(m.offerId);
    w.u64(m.fileId);
    w.u8(static_cast<std::uint8_t>(m.action));
}

Result<AppMessage> decodeOffer(ByteReader& r)
{
    Offer m;
    std::uint32_t count = 0;
    if (!r.u64(m.offerId) || !r.u32(m.partIndex) || !r.u32(m.partCount) || !r.u32(m.totalEntries) ||
        !r.u64(m.totalBytes) || !r.u32(count))
        return DecodeError::Truncated;
    if (m.partCount == 0 || m.partCount > kMaxOfferParts || m.partIndex >= m.partCount || m.offerId == 0)
        return DecodeError::Malformed;
    if (m.totalEntries > kMaxOfferEntries || count > kMaxEntriesPerPart) return DecodeError::Oversized;
    if (count > m.totalEntries) return DecodeError::Malformed;
    // Each entry needs at least 27 bytes; refuse counts the body cannot hold before reserving anything.
    if (count > r.remaining() / 27) return DecodeError::Truncated;
    m.entries.reserve(count);
    DecodeError err{};
    for (std::uint32_t i = 0; i < count; ++i) {
        OfferEntry e;
        std::uint8_t kind = 0;
        if (!r.u64(e.fileId) || !r.u8(kind) || !r.u64(e.size) || !r.i64(e.mtimeMs))
            return DecodeError::Truncated;
        if (e.fileId == 0 || kind > static_cast<std::uint8_t>(EntryKind::Directory))
            return DecodeError::Malformed;
        e.kind = static_cast<EntryKind>(kind);
        if (e.kind == EntryKind::Directory && e.size != 0) return DecodeError::Malformed;
        if (!readUtf8(r, e.path, kMaxPathBytes, Prefix::U16, err)) return err;
        m.entries.push_back(std::move(e));
    }
    return detail::finish<AppMessage>(r, std::move(m));
}

Result<AppMessage> decodeOfferReply(ByteReader& r)
{
    OfferReply m;
    std::uint8_t decision = 0;
    std::uint32_t count = 0;
    if (!r.u64(m.offerId) || !r.u8(decision) || !r.u32(count)) return DecodeError::Truncated;
    if (decision > static_cast<std::uint8_t>(OfferDecision::Accept)) return DecodeError::Malformed;
    m.decision = static_cast<OfferDecision>(decision);
    if (count > kMaxOfferEntries) return DecodeError::Oversized;
    if (count > r.remaining() / 8) return DecodeError::Truncated;
    if (m.decision == OfferDecision::Reject && count != 0) return DecodeError::Malformed;
    m.acceptedFileIds.resize(count);
    for (std::uint64_t& id : m.acceptedFileIds)
        if (!r.u64(id)) return DecodeError::Truncated;
    DecodeError err{};
    if (!readUtf8(r, m.reason, kMaxReasonText, Prefix::U16, err)) return err;
    return detail::finish<AppMessage>(r, std::move(m));
}

Result<AppMessage> decodeFileResult(ByteReader& r)
{
    FileResult m;
    std::uint8_t outcome = 0;
    if (!r.u64(m.fileId) || !r.u8(outcome)) return DecodeError::Truncated;
    if (outcome > static_cast<std::uint8_t>(FileOutcome::ProtocolViolation)) return DecodeError::Malformed;
    m.outcome = static_cast<FileOutcome>(outcome);
    DecodeError err{};
    if (!readUtf8(r, m.detail, kMaxReasonText, Prefix::U16, err)) return err;
    return detail::finish<AppMessage>(r, std::move(m));
}

} // namespace

Bytes encodeApp(const AppMessage& message)
{
    ByteWriter w;
    std::visit([&w](const auto& m) { encodeBody(w, m); }, message);
    return w.take();
}

Result<AppMessage> decodeApp(ByteSpan plaintext)
{
    ByteReader r(plaintext);
    std::uint8_t type = 0;
    if (!r.u8(type)) return DecodeError::Truncated;
    DecodeError err{};
    switch (static_cast<AppType>(type)) {
    case AppType::Hello: {
        Hello m;
        if (!readUtf8(r, m.displayName, kMaxDisplayName, Prefix::U16, err)) return err;
        if (!r.u32(m.capabilities)) return DecodeError::Truncated;
        return detail::finish<AppMessage>(r, std::move(m));
    }
    case AppType::PeerConfirmed:
        return detail::finish<AppMessage>(r, PeerConfirmed{});
    case AppType::Chat: {
        Chat m;
        if (!r.u64(m.id) || !r.i64(m.sentAtMs)) return DecodeError::Truncated;
        if (!readUtf8(r, m.text, kMaxChatText, Prefix::U32, err)) return err;
        return detail::finish<AppMessage>(r, std::move(m));
    }
    case AppType::ChatAck: {
        ChatAck m;
        if (!r.u64(m.id)) return DecodeError::Truncated;
        return detail::finish<AppMessage>(r, m);
    }
    case AppType::ChatRead: {
        ChatRead m;
        if (!r.u64(m.upToId)) return DecodeError::Truncated;
        return detail::finish<AppMessage>(r, m);
    }
    case AppType::Typing: {
        std::uint8_t active = 0;
        if (!r.u8(active)) return DecodeError::Truncated;
        // Exactly 0 or 1: one encoding per value keeps the format canonical.
        if (active > 1) return DecodeError::Malformed;
        return detail::finish<AppMessage>(r, Typing{active == 1});
    }
    case AppType::Offer:
        return decodeOffer(r);
    case AppType::OfferReply:
        return decodeOfferReply(r);
    case AppType::FileRequest: {
        FileRequest m;
        if (!r.u64(m.offerId) || !r.u64(m.fileId) || !r.u64(m.fromChunk)) return DecodeError::Truncated;
        return detail::finish<AppMessage>(r, m);
    }
    case AppType::ChunkAck: {
        ChunkAck m;
        if (!r.u64(m.fileId) || !r.u64(m.nextChunk)) return DecodeError::Truncated;
        return detail::finish<AppMessage>(r, m);
    }
    case AppType::FileDone: {
        FileDone m;
        if (!r.u64(m.fileId) || !r.fixed(m.hash)) return DecodeError::Truncated;
        return detail::finish<AppMessage>(r, m);
    }
    case AppType::FileResult:
        return decodeFileResult(r);
    case AppType::TransferControl: {
        TransferControl m;
        std::uint8_t action = 0;
        if (!r.u64(m.offerId) || !r.u64(m.fileId) || !r.u8(action)) return DecodeError::Truncated;
        if (action > static_cast<std::uint8_t>(TransferAction::Cancel)) return DecodeError::Malformed;
        m.action = static_cast<TransferAction>(action);
        return detail::finish<AppMessage>(r, m);
    }
    }
    return DecodeError::UnknownType;
}

Bytes encodeChunk(std::uint64_t fileId, std::uint64_t chunkIndex,
                  const std::array<std::uint8_t, 16>& noncePrefix, ByteSpan ciphertext)
{
    ByteWriter w;
    w.u64(fileId);
    w.u64(chunkIndex);
    w.fixed(noncePrefix);
    w.raw(ciphertext);
    const Bytes body = w.take();
    return encodeFrame(FrameType::Chunk, body);
}

Result<ChunkView> decodeChunkBody(ByteSpan body)
{
    ByteReader r(body);
    ChunkView v;
    if (!r.u64(v.fileId) || !r.u64(v.chunkIndex) || !r.fixed(v.noncePrefix)) return DecodeError::Truncated;
    if (r.remaining() < kChunkTagSize) return DecodeError::Truncated;
    if (r.remaining() > kChunkSize + kChunkTagSize) return DecodeError::Oversized;
    v.ciphertext = r.rest();
    return v;
}

Bytes encodeStreamChunk(std::uint64_t fileId, std::uint64_t chunkIndex, ByteSpan plaintext)
{
    ByteWriter w;
    w.u64(fileId);
    w.u64(chunkIndex);
    const Bytes header = w.take();
    return encodeFrame(FrameType::StreamChunk, {header, plaintext});
}

Result<StreamChunkView> decodeStreamChunkBody(ByteSpan body)
{
    ByteReader r(body);
    StreamChunkView v;
    if (!r.u64(v.fileId) || !r.u64(v.chunkIndex)) return DecodeError::Truncated;
    if (r.remaining() > kChunkSize) return DecodeError::Oversized;
    v.data = r.rest();
    return v;
}

const char* outcomeCode(FileOutcome outcome)
{
    switch (outcome) {
    case FileOutcome::Verified:
        return "verified";
    case FileOutcome::HashMismatch:
        return "hash_mismatch";
    case FileOutcome::SourceChanged:
        return "source_changed";
    case FileOutcome::SourceUnreadable:
        return "source_unreadable";
    case FileOutcome::DiskFull:
        return "disk_full";
    case FileOutcome::WriteFailed:
        return "write_failed";
    case FileOutcome::Cancelled:
        return "cancelled";
    case FileOutcome::ProtocolViolation:
        return "protocol_violation";
    }
    return "protocol_violation";
}

} // namespace duet::wire
